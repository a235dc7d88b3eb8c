"""The three ways of creating a group that the benchmark compares, and the loop that drives them.

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
from attrs import define

from dingtalk_im_async import AppTokenProvider, CreateGroupRequest, GroupService
from dingtalk_im_async.testing.emulator import DEFAULT_APP_KEY, DEFAULT_APP_SECRET

CREATE_PATH = "/v1.0/im/group/create"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
NAME, OWNER, USERS = "benchmark group", "manager4220", ["user100", "user101"]


@define(frozen=True, kw_only=True)
class Measurement:
    """One timed run of `calls` creates."""

    calls: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        """Creates per second."""
        return self.calls / self.seconds

    @property
    def cpu_per_10k(self) -> float:
        """Client user+sys CPU seconds per 10,000 creates."""
        return self.cpu_seconds / self.calls * 10_000


class Client(Protocol):
    """What the driver needs from each contender."""

    label: str

    async def create(self) -> object: ...

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
    """(a) The floor: one shared session, a prebuilt body and header, the reply decoded."""

    label = "raw aiohttp"

    def __init__(self, base_url: str, ca_pem: Path, token: str) -> None:
        self._session = shared_session(ca_pem)
        self._url = base_url + CREATE_PATH
        self._body = json.dumps({"name": NAME, "owner": OWNER, "useridlist": USERS}).encode()
        self._headers = {"Content-Type": "application/json", TOKEN_HEADER: token}

    async def create(self) -> object:
        async with self._session.post(self._url, data=self._body, headers=self._headers) as reply:
            body = json.loads(await reply.read())
            if reply.status != 200:
                raise RuntimeError(f"create failed: {reply.status} {body}")
            return body["openConversationId"]

    async def close(self) -> None:
        await self._session.close()


class ThisClient:
    """(b) `GroupService.create` with an `AppTokenProvider`, over one shared session."""

    label = "dingtalk-im-async"

    def __init__(self, base_url: str, ca_pem: Path) -> None:
        self._session = shared_session(ca_pem)
        self._tokens = AppTokenProvider(
            self._session, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, base_url=base_url
        )
        # Unpaced, as the bare loop is: the benchmark measures the per-call cost.
        self._groups = GroupService(self._session, self._tokens, base_url=base_url, rate_limit=None)
        self._request = CreateGroupRequest(name=NAME, owner=OWNER, useridlist=USERS)

    async def create(self) -> object:
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

    async def create(self) -> object:
        response: Any = await self._client.create_group_with_options_async(
            self._request, self._headers, self._runtime
        )
        return response.body.open_conversation_id

    async def close(self) -> None:
        """Nothing is kept open between calls."""


def official_sdk_installed() -> bool:
    """Whether the `bench` extra's `alibabacloud-dingtalk` is importable."""
    return importlib.util.find_spec("alibabacloud_dingtalk") is not None
