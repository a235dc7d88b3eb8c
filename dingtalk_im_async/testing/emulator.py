"""`DingTalkEmulator`: an aiohttp stand-in for DingTalk's token and create-group APIs.

It decides what DingTalk's server decides (validation, visibility,
whitelisting, permission, token validity and expiry, the per-app QPS limit),
answers with DingTalk's bodies and headers, records what it was asked and
what it created, and injects faults on command (`faults`, `token_faults`).
"""

from __future__ import annotations

import secrets
import ssl
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from . import _ids
from ._reading import json_body, mask_secret
from ._replies import carry_out, error_reply, json_reply
from ._rules import check_create_body, check_token_body
from ._tokens import TokenStore
from .faults import CannedReply, ErrorReply, Fault, FaultInjector
from .records import CreatedGroup, LoggedRequest
from .stream_gateway import StreamGateway

__all__ = [
    "CREATE_PATH",
    "DEFAULT_APP_KEY",
    "DEFAULT_APP_SECRET",
    "TOKEN_HEADER",
    "TOKEN_PATH",
    "DingTalkEmulator",
]

TOKEN_PATH = "/v1.0/oauth2/accessToken"
CREATE_PATH = "/v1.0/im/group/create"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
_PERMISSION = "qyapi_chat_manage"
#: How long `close()` lets calls in flight (e.g. slow faults) finish before cutting them.
SHUTDOWN_GRACE_SECONDS = 0.5
#: The emulator's own made-up credentials, accepted unless others are given.
DEFAULT_APP_KEY = "dingemulatorappkey"
DEFAULT_APP_SECRET = "emulator-app-secret"


class DingTalkEmulator:
    """Serves DingTalk's token and create-group endpoints, by default on 127.0.0.1.

    Use as `async with DingTalkEmulator() as emu:` and point the client at
    `emu.base_url` with `emu.app_key` / `emu.app_secret`.

    - `visible_users` (None: everyone): who the app may make an owner;
    - `whitelisted`: the app may create normal groups (`conversationTag` 0);
    - `has_group_permission`: the app holds `qyapi_chat_manage`;
    - `token_lifetime`: `expireIn` in seconds;
    - `qps_limit`: create calls allowed per one-second window, beyond which
      DingTalk answers 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`;
    - `ssl_context`: serve HTTPS;
    - `record_requests` / `record_groups`: keep the request log and the created
      groups (switch off for benchmarks; the counters are always kept).
    """

    def __init__(
        self,
        *,
        app_key: str = DEFAULT_APP_KEY,
        app_secret: str = DEFAULT_APP_SECRET,
        visible_users: Iterable[str] | None = None,
        whitelisted: bool = False,
        has_group_permission: bool = True,
        token_lifetime: float = 7200,
        qps_limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        record_requests: bool = True,
        record_groups: bool = True,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.visible_users = None if visible_users is None else frozenset(visible_users)
        self.whitelisted = whitelisted
        self.has_group_permission = has_group_permission
        self.qps_limit = qps_limit
        self.record_requests = record_requests
        self.record_groups = record_groups
        self.host = host
        self._port = port
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None
        self._tokens = TokenStore(token_lifetime)
        #: Faults for create calls that passed the token, QPS and permission checks.
        self.faults = FaultInjector()
        #: Faults for calls to the token endpoint.
        self.token_faults = FaultInjector()
        self.groups: list[CreatedGroup] = []
        self.requests: list[LoggedRequest] = []
        self.token_fetches = 0
        self.create_calls = 0
        self.groups_created = 0
        self.rate_limited = 0
        #: Authenticated create calls received per whole second of `time.monotonic()`.
        self.create_windows: Counter[int] = Counter()
        #: Stream mode: bot messages and group events pushed over WebSockets.
        self.stream = StreamGateway(app_key=app_key, app_secret=app_secret)

    def __repr__(self) -> str:
        return f"DingTalkEmulator(base_url={self.base_url!r}, app_key={self.app_key!r})"

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        """Bind to a free port (or the one given) and start serving."""
        app = web.Application()
        app.router.add_post(TOKEN_PATH, self._handle_token)
        app.router.add_post(CREATE_PATH, self._handle_create)
        self.stream.mount(app, lambda: self.base_url)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, ssl_context=self._ssl_context)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving; calls still in flight get `SHUTDOWN_GRACE_SECONDS`, then are cut."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DingTalkEmulator:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The bound port (0 before `start` when a free one was asked for)."""
        return self._port

    @property
    def base_url(self) -> str:
        """Where the emulator listens, e.g. `http://127.0.0.1:54321`."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self._port}"

    # -- control: thin conveniences over `faults` ------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "请重试,若始终失败请提交工单",
    ) -> None:
        """Answer the next `count` create calls with this error body instead."""
        self.faults.schedule_reply(ErrorReply(status=status, code=code, message=message), count)

    def reply_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `count` create calls with these raw bytes (and extra headers)."""
        self.faults.schedule_reply(_canned(status, body, content_type, headers), count)

    def reply_token_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `count` token requests with these raw bytes (counted as fetches)."""
        self.token_faults.schedule_reply(_canned(status, body, content_type, headers), count)

    def delay_next(self, count: int = 1, *, seconds: float) -> None:
        """Hold the next `count` create calls for `seconds`, then serve them."""
        self.faults.schedule(Fault.SLOW, count, delay=seconds)

    def drop_next(self, count: int = 1) -> None:
        """Close the connection on the next `count` create calls without replying."""
        self.faults.schedule(Fault.CONNECTION_CLOSED, count)

    @property
    def token_lifetime(self) -> float:
        """`expireIn` of the tokens issued from now on, in seconds."""
        return self._tokens.lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self._tokens.lifetime = seconds

    def revoke_tokens(self) -> None:
        """Make every token issued so far invalid, as if DingTalk had revoked it."""
        self._tokens.revoke()

    def issue_token(self) -> str:
        """A valid token for the app; while one is valid it is renewed and returned again."""
        return self._tokens.issue()

    def reset(self) -> None:
        """Forget groups, requests, counters, faults and tokens; the settings stay."""
        self.groups.clear()
        self.requests.clear()
        self.faults.clear()
        self.token_faults.clear()
        self._tokens.revoke()
        self.token_fetches = 0
        self.create_calls = 0
        self.groups_created = 0
        self.rate_limited = 0
        self.create_windows.clear()

    # -- token endpoint ------------------------------------------------------

    async def _handle_token(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        self.token_fetches += 1
        injection = self.token_faults.draw()
        if self.record_requests:
            self.requests.append(
                LoggedRequest(
                    path=TOKEN_PATH,
                    has_token=bool(request.headers.get(TOKEN_HEADER)),
                    body=mask_secret(body),
                    fault=None if injection is None else injection.fault,
                )
            )
        if injection is not None:
            return await carry_out(
                request, injection, lambda: self._answer_token(body), self.revoke_tokens
            )
        return self._answer_token(body)

    def _answer_token(self, body: Any) -> web.Response:
        problem = check_token_body(body)
        if problem is not None:
            return error_reply(400, *problem)
        if body["appKey"] != self.app_key or not secrets.compare_digest(
            body["appSecret"].encode(), self.app_secret.encode()
        ):
            return error_reply(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        return json_reply(200, {"accessToken": self.issue_token(), "expireIn": self.token_lifetime})

    # -- create endpoint -------------------------------------------------------

    async def _handle_create(self, request: web.Request) -> web.StreamResponse:
        token = request.headers.get(TOKEN_HEADER)
        body = await json_body(request)
        self.create_calls += 1
        refusal = self._refuse(token)
        injection = self.faults.draw() if refusal is None else None
        fault = None if injection is None else injection.fault
        if self.record_requests:
            self.requests.append(
                LoggedRequest(path=CREATE_PATH, has_token=bool(token), body=body, fault=fault)
            )
        if refusal is not None:
            return refusal
        if injection is not None:
            return await carry_out(
                request, injection, lambda: self._answer_create(body, fault), self.revoke_tokens
            )
        return self._answer_create(body, None)

    def _refuse(self, token: str | None) -> web.Response | None:
        """The gateway's checks, in its order: token present, token valid, QPS, permission."""
        if not token:
            return error_reply(
                400, "AuthenticationFailed.MissingParameter", f"缺少参数 {TOKEN_HEADER}"
            )
        if not self._tokens.is_valid(token):
            return _invalid_token()
        window = int(time.monotonic())
        self.create_windows[window] += 1
        if self.qps_limit is not None and self.create_windows[window] > self.qps_limit:
            self.rate_limited += 1
            return error_reply(
                403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "应用调用该接口的QPS超过限制"
            )
        if not self.has_group_permission:
            return error_reply(
                403,
                "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                f"没有调用该接口的权限,接口权限申请参考:{_PERMISSION}",
                accessdenieddetail={"requiredScopes": [_PERMISSION]},
            )
        return None

    def _answer_create(self, body: Any, fault: Fault | None) -> web.Response:
        if fault is Fault.TOKEN_REVOKED:
            return _invalid_token()
        problem = check_create_body(body)
        if problem is not None:
            return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")
        if self.visible_users is not None and body["owner"] not in self.visible_users:
            return error_reply(400, "permession.checkFailed", "群主不在应用可见性内")
        tag = body.get("conversationTag", 2)
        if tag == 0 and not self.whitelisted:
            return error_reply(400, "permession.checkFailed", "权限校验失败")
        open_conversation_id = _ids.open_conversation_id()
        chatid = _ids.chatid()
        self.groups_created += 1
        if self.record_groups:
            self.groups.append(
                CreatedGroup(
                    open_conversation_id=open_conversation_id,
                    chatid=chatid,
                    conversation_tag=tag,
                    request=body,
                    fault=fault,
                )
            )
        return json_reply(
            200,
            {"openConversationId": open_conversation_id, "chatid": chatid, "conversationTag": tag},
        )


def _invalid_token() -> web.Response:
    return error_reply(400, "InvalidAuthentication", "不合法的access_token")


def _canned(
    status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None
) -> CannedReply:
    return CannedReply(status=status, body=body, content_type=content_type, headers=headers or {})
