"""The ways of creating a group that the benchmark compares, and the loops that drive them.

Each client is set up once (session, token, request) outside the timed loop,
so a timed call costs what a long-running service pays per create.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from attrs import define, field

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupMessage,
    GroupService,
    RobotService,
    Text,
    UpdateGroupRequest,
)
from dingtalk_im_async._core.wire import to_wire
from dingtalk_im_async.emulator import DEFAULT_APP_KEY, DEFAULT_APP_SECRET
from dingtalk_im_async.groups.api import UPDATE_GROUP
from dingtalk_im_async.robot.api import SEND_GROUP_MESSAGE

CREATE_PATH = "/v1.0/im/group/create"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
NAME, OWNER, USERS = "benchmark group", "manager4220", ["user100", "user101"]
TEXT = Text("benchmark message")
RENAMED = "benchmark group 2"


@define(frozen=True, kw_only=True)
class Measurement:
    """One timed run of `calls` creates; `latencies` (seconds per call) only at concurrency 1."""

    calls: int
    seconds: float
    cpu_seconds: float
    latencies: list[float] = field(factory=list)
    #: Share of the wall time the server process spent on the CPU, when it can be read.
    server_busy: float | None = None

    @property
    def rate(self) -> float:
        """Creates per second."""
        return self.calls / self.seconds

    @property
    def cpu_us(self) -> float:
        """Client user+sys CPU microseconds per create."""
        return self.cpu_seconds / self.calls * 1e6


class Client(Protocol):
    """What the driver needs from each contender."""

    label: str

    async def call(self) -> object: ...

    async def close(self) -> None: ...


async def measure(
    create: Callable[[], Awaitable[object]], calls: int, concurrency: int
) -> Measurement:
    """Run `calls` creates with `concurrency` in flight; time them and the client's CPU."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await create()

    cpu_before, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    return Measurement(calls=calls, seconds=seconds, cpu_seconds=cpu)


async def measure_latency(create: Callable[[], Awaitable[object]], calls: int) -> Measurement:
    """Run `calls` creates one after another, timing each (wall clock, start to result)."""
    clock = time.perf_counter
    latencies = []
    cpu_before, started = time.process_time(), clock()
    for _ in range(calls):
        sent = clock()
        await create()
        latencies.append(clock() - sent)
    seconds, cpu = clock() - started, time.process_time() - cpu_before
    return Measurement(calls=calls, seconds=seconds, cpu_seconds=cpu, latencies=latencies)


#: Idle seconds before aiohttp closes a pooled connection (its default is 15). Longer than
#: the pauses while the other clients run, so neither (a) nor (b) reconnects mid-run.
KEEPALIVE_SECONDS = 120.0


def shared_session(ca_pem: Path) -> aiohttp.ClientSession:
    """The long-lived session (a) and (b) each use: one pool, the run's CA trusted."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            ssl=client_ssl_context(ca_pem), keepalive_timeout=KEEPALIVE_SECONDS
        )
    )


def client_ssl_context(ca_pem: Path) -> ssl.SSLContext:
    """Trusts exactly the benchmark's run-time certificate authority."""
    return ssl.create_default_context(cafile=str(ca_pem))


async def fetch_token(session: aiohttp.ClientSession, base_url: str) -> str:
    """One token for the clients that take the token as a header value."""
    async with AppTokenProvider(
        session, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, base_url=base_url
    ) as provider:
        return await provider.get_token()


class RawAiohttp:
    """(a) The floor: one shared session, a prebuilt body and header, the reply decoded.

    Creates by default; `path`, `body` and `result_key` make it post another
    operation's body (the same bytes this client sends) and read its result.
    """

    label = "raw aiohttp"

    def __init__(
        self,
        base_url: str,
        ca_pem: Path,
        token: str,
        *,
        path: str = CREATE_PATH,
        body: dict[str, Any] | None = None,
        result_key: str = "openConversationId",
    ) -> None:
        self._session = shared_session(ca_pem)
        self._url = base_url + path
        body = body if body is not None else {"name": NAME, "owner": OWNER, "useridlist": USERS}
        self._body = json.dumps(body).encode()
        self._headers = {"Content-Type": "application/json", TOKEN_HEADER: token}
        self._result_key = result_key

    async def call(self) -> object:
        async with self._session.post(self._url, data=self._body, headers=self._headers) as reply:
            body = json.loads(await reply.read())
            if reply.status != 200:
                raise RuntimeError(f"call failed: {reply.status} {body}")
            return body[self._result_key]

    async def close(self) -> None:
        await self._session.close()


#: A pacing rate no run comes near: every call gets its slot at once, so a paced run
#: measures the pacer's bookkeeping and never a wait.
NEVER_WAITING_RATE = 1e9


class ThisClient:
    """(b) `GroupService.create` with an `AppTokenProvider`, over one shared session.

    Unpaced (`rate_limit=None`) by default, as the bare loop is: the benchmark
    measures the per-call cost. `rate_limit=NEVER_WAITING_RATE` measures the
    cost of pacing when the budget is never used up.
    """

    label = "dingtalk-im-async"

    def __init__(
        self, base_url: str, ca_pem: Path, *, rate_limit: float | None = None, label: str = ""
    ) -> None:
        self.label = label or self.label
        self._session = shared_session(ca_pem)
        self._tokens = AppTokenProvider(
            self._session, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, base_url=base_url
        )
        self._groups = GroupService(
            self._session, self._tokens, base_url=base_url, rate_limit=rate_limit
        )
        self._request = CreateGroupRequest(name=NAME, owner=OWNER, useridlist=USERS)

    async def call(self) -> object:
        return (await self._groups.create(self._request)).open_conversation_id

    async def close(self) -> None:
        await self._tokens.close()
        await self._session.close()


class OfficialSdk:
    """(c) `alibabacloud-dingtalk`'s `create_group_with_options_async`, trusting the same CA.

    `Config(endpoint="127.0.0.1:PORT", protocol="https")` points it at the
    emulator (the endpoint becomes the URL's host and the Host header), and
    `RuntimeOptions(ca=...)` makes it verify the server against the run's CA
    file rather than skip verification. The SDK has no session to share: for
    every call it builds an SSL context, a connector and a session, and does a
    TLS handshake, which is what is being measured.
    """

    label = "alibabacloud-dingtalk"

    def __init__(self, base_url: str, ca_pem: Path, token: str) -> None:
        from alibabacloud_dingtalk.im_1_0 import models as im_models  # type: ignore[import-untyped]
        from alibabacloud_dingtalk.im_1_0.client import (  # type: ignore[import-untyped]
            Client as ImClient,
        )
        from alibabacloud_tea_openapi import models as openapi_models  # type: ignore[import-untyped]
        from alibabacloud_tea_util import models as util_models  # type: ignore[import-untyped]

        self._client = ImClient(
            openapi_models.Config(endpoint=base_url.split("://", 1)[1], protocol="https")
        )
        self._request = im_models.CreateGroupRequest(name=NAME, owner=OWNER, useridlist=USERS)
        self._headers = im_models.CreateGroupHeaders(x_acs_dingtalk_access_token=token)
        self._runtime = util_models.RuntimeOptions(ca=str(ca_pem))

    async def call(self) -> object:
        response: Any = await self._client.create_group_with_options_async(
            self._request, self._headers, self._runtime
        )
        return response.body.open_conversation_id

    async def close(self) -> None:
        """Nothing is kept open between calls."""


@define(frozen=True)
class Group:
    """The group update and send calls go to."""

    chatid: str
    open_conversation_id: str


async def make_group(base_url: str, ca_pem: Path) -> Group:
    """One group (with the app's robot in it, as the emulator does for new groups)."""
    async with (
        shared_session(ca_pem) as session,
        AppTokenProvider(
            session, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, base_url=base_url
        ) as tokens,
    ):
        groups = GroupService(session, tokens, base_url=base_url, rate_limit=None)
        created = await groups.create(CreateGroupRequest(name=NAME, owner=OWNER, useridlist=USERS))
    return Group(chatid=created.chatid, open_conversation_id=created.open_conversation_id)


class _ThisService:
    """What (b) for update and send share: a session, tokens, and both services on them."""

    label = "dingtalk-im-async"

    def __init__(self, base_url: str, ca_pem: Path, group: Group) -> None:
        self._session = shared_session(ca_pem)
        self._tokens = AppTokenProvider(
            self._session, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, base_url=base_url
        )
        self._groups = GroupService(self._session, self._tokens, base_url=base_url, rate_limit=None)
        self._robot = RobotService(
            self._session,
            self._tokens,
            robot_code=DEFAULT_APP_KEY,
            base_url=base_url,
            rate_limit=None,
        )
        self._update = UpdateGroupRequest(chatid=group.chatid, name=RENAMED)
        # As a user writes it: the service signs it with its robot code on every send.
        self._message = GroupMessage(open_conversation_id=group.open_conversation_id, message=TEXT)

    async def close(self) -> None:
        await self._tokens.close()
        await self._session.close()


class ThisUpdate(_ThisService):
    """(b) `GroupService.update`: a rename of one group."""

    async def call(self) -> object:
        return (await self._groups.update(self._update)).success


class ThisSend(_ThisService):
    """(b) `RobotService.send`: a text message from the app's robot."""

    async def call(self) -> object:
        return (await self._robot.send(self._message)).process_query_key


def operation_bodies(group: Group) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Path, wire body (exactly what `ThisOperation` sends) and result key of each operation."""
    update = UpdateGroupRequest(chatid=group.chatid, name=RENAMED)
    message = GroupMessage(
        open_conversation_id=group.open_conversation_id, message=TEXT, robot_code=DEFAULT_APP_KEY
    )
    return {
        "update": (UPDATE_GROUP.path, to_wire(update), "success"),
        "send": (SEND_GROUP_MESSAGE.path, to_wire(message), "processQueryKey"),
    }


def official_sdk_installed() -> bool:
    """Whether the `bench` extra's `alibabacloud-dingtalk` is importable."""
    return importlib.util.find_spec("alibabacloud_dingtalk") is not None
