"""`DingTalkEmulator`: an in-process aiohttp stand-in for DingTalk's group and token APIs.

It answers as FACTS.md and the create-group spec describe (validation, error
bodies, request ids, token expiry), records what it was asked and what it
created, and fails on command, so tests can see what the client really sends.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import ssl
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from attrs import define

from ._rules import check_create_body, check_token_body

__all__ = ["CreatedGroup", "DingTalkEmulator", "LoggedRequest"]

TOKEN_PATH = "/v1.0/oauth2/accessToken"
CREATE_PATH = "/v1.0/im/group/create"
TOKEN_HEADER = "x-acs-dingtalk-access-token"


@define(frozen=True, kw_only=True)
class CreatedGroup:
    """A group the emulator created, with the body of the request that made it."""

    open_conversation_id: str
    chatid: str
    conversation_tag: int
    request: dict[str, Any]


@define(frozen=True, kw_only=True)
class LoggedRequest:
    """One request as the emulator received it (the token itself is not kept)."""

    path: str
    has_token: bool
    body: Any


@define(frozen=True, kw_only=True)
class _Fault:
    """What to do instead of (or before) answering one create call normally."""

    response: web.Response | None = None
    delay: float = 0.0
    drop: bool = False


@define(kw_only=True)
class _Token:
    value: str
    expires_at: float


class DingTalkEmulator:
    """Serves DingTalk's token and create-group endpoints on 127.0.0.1.

    Use as `async with DingTalkEmulator() as emu:` and point the client at
    `emu.base_url` with `emu.app_key` / `emu.app_secret`. `visible_users`
    (None: everyone) are the users the app may make owners; `whitelisted`
    allows `conversationTag` 0; `token_lifetime` is `expireIn` in seconds;
    `qps_limit` answers calls beyond it within one second with DingTalk's
    403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`; `ssl_context`
    serves HTTPS.
    """

    def __init__(
        self,
        *,
        app_key: str = "dingemulatorappkey",
        app_secret: str = "emulator-app-secret",
        visible_users: Iterable[str] | None = None,
        whitelisted: bool = False,
        has_group_permission: bool = True,
        token_lifetime: float = 7200,
        qps_limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.visible_users = None if visible_users is None else frozenset(visible_users)
        self.whitelisted = whitelisted
        self.has_group_permission = has_group_permission
        self.token_lifetime = token_lifetime
        self.qps_limit = qps_limit
        self._host = host
        self._port = port
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None
        self._faults: deque[_Fault] = deque()
        self._token_faults: deque[web.Response] = deque()
        self._token: _Token | None = None
        self.groups: list[CreatedGroup] = []
        self.requests: list[LoggedRequest] = []
        self.token_fetches = 0
        self.create_calls = 0
        self.rate_limited = 0
        #: Authenticated create calls received per whole second of `time.monotonic()`.
        self.create_windows: Counter[int] = Counter()

    def __repr__(self) -> str:
        return f"DingTalkEmulator(base_url={self.base_url!r}, app_key={self.app_key!r})"

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        """Bind the server to a free port (or the one given) and start serving."""
        app = web.Application()
        app.router.add_post(TOKEN_PATH, self._handle_token)
        app.router.add_post(CREATE_PATH, self._handle_create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port, ssl_context=self._ssl_context)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving and close every connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DingTalkEmulator:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """Where the emulator listens, e.g. `http://127.0.0.1:54321`."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self._host}:{self._port}"

    # -- control -------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "请重试,若始终失败请提交工单",
    ) -> None:
        """Answer the next `count` authenticated create calls with this error instead."""
        for _ in range(count):
            self._faults.append(_Fault(response=_error(status, code, message)))

    def reply_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> None:
        """Answer the next `count` authenticated create calls with these raw bytes."""
        for _ in range(count):
            self._faults.append(
                _Fault(response=web.Response(status=status, body=body, content_type=content_type))
            )

    def delay_next(self, count: int = 1, *, seconds: float) -> None:
        """Hold the next `count` authenticated create calls for `seconds`, then serve them."""
        self._faults.extend(_Fault(delay=seconds) for _ in range(count))

    def drop_next(self, count: int = 1) -> None:
        """Close the connection on the next `count` authenticated create calls without replying."""
        self._faults.extend(_Fault(drop=True) for _ in range(count))

    def reply_token_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> None:
        """Answer the next `count` token requests with these raw bytes (counted as fetches)."""
        for _ in range(count):
            self._token_faults.append(
                web.Response(status=status, body=body, content_type=content_type)
            )

    def revoke_tokens(self) -> None:
        """Make every token issued so far invalid, as if DingTalk had revoked it."""
        self._token = None

    def reset(self) -> None:
        """Forget created groups, logged requests, counters, faults and tokens."""
        self.groups.clear()
        self.requests.clear()
        self._faults.clear()
        self._token_faults.clear()
        self._token = None
        self.token_fetches = 0
        self.create_calls = 0
        self.rate_limited = 0
        self.create_windows.clear()

    def issue_token(self) -> str:
        """A valid token for the app, as the token endpoint would give it."""
        now = time.monotonic()
        if self._token is None or self._token.expires_at <= now:
            self._token = _Token(value=secrets.token_hex(16), expires_at=0.0)
        self._token.expires_at = now + self.token_lifetime
        return self._token.value

    # -- handlers --------------------------------------------------------------

    async def _handle_token(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        self.requests.append(LoggedRequest(path=TOKEN_PATH, has_token=False, body=_redact(body)))
        self.token_fetches += 1
        if self._token_faults:
            return self._token_faults.popleft()
        problem = check_token_body(body)
        if problem is not None:
            return _error(400, "MissingParameter", problem)
        if body["appKey"] != self.app_key or body["appSecret"] != self.app_secret:
            return _error(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        token = self.issue_token()
        return _json(200, {"accessToken": token, "expireIn": self.token_lifetime})

    async def _handle_create(self, request: web.Request) -> web.Response:
        token = request.headers.get(TOKEN_HEADER)
        body = await _json_body(request)
        self.requests.append(LoggedRequest(path=CREATE_PATH, has_token=bool(token), body=body))
        self.create_calls += 1
        if not token:
            return _error(
                400, "AuthenticationFailed.MissingParameter", "缺少参数 x-acs-dingtalk-access-token"
            )
        if not self._token_is_valid(token):
            return _error(400, "InvalidAuthentication", "不合法的access_token")
        window = int(time.monotonic())
        self.create_windows[window] += 1
        if self.qps_limit is not None and self.create_windows[window] > self.qps_limit:
            self.rate_limited += 1
            return _error(
                403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "应用调用该接口的QPS超过限制"
            )
        if not self.has_group_permission:
            return _error(
                403,
                "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                "没有调用该接口的权限,接口权限申请参考:qyapi_chat_manage",
            )
        if self._faults:
            fault = self._faults.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                assert request.transport is not None
                request.transport.close()
                raise asyncio.CancelledError
            if fault.response is not None:
                return fault.response
        problem = check_create_body(body)
        if problem is not None:
            return _error(400, "parameter.invalid", f"输入参数错误: {problem}")
        if self.visible_users is not None and body["owner"] not in self.visible_users:
            return _error(400, "permession.checkFailed", "群主不在应用可见性内")
        tag = body.get("conversationTag", 2)
        if tag == 0 and not self.whitelisted:
            return _error(400, "permession.checkFailed", "权限校验失败")
        group = CreatedGroup(
            open_conversation_id=_open_conversation_id(),
            chatid="chat" + uuid.uuid4().hex,
            conversation_tag=tag,
            request=body,
        )
        self.groups.append(group)
        return _json(
            200,
            {
                "openConversationId": group.open_conversation_id,
                "chatid": group.chatid,
                "conversationTag": group.conversation_tag,
            },
        )

    def _token_is_valid(self, token: str) -> bool:
        current = self._token
        return (
            current is not None
            and secrets.compare_digest(current.value, token)
            and current.expires_at > time.monotonic()
        )


def _open_conversation_id() -> str:
    """Like DingTalk's: `cid` and 22 base64 characters ending in `==`."""
    return "cid" + secrets.token_urlsafe(16)[:22] + "=="


def _redact(body: Any) -> Any:
    if isinstance(body, dict) and "appSecret" in body:
        return {**body, "appSecret": "<hidden>"}
    return body


async def _json_body(request: web.Request) -> Any:
    try:
        return json.loads(await request.read())
    except ValueError:
        return None


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _json(status: int, payload: dict[str, Any]) -> web.Response:
    request_id = _request_id()
    return web.Response(
        status=status,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json",
        headers={"x-acs-request-id": request_id, "x-acs-trace-id": uuid.uuid4().hex},
    )


def _error(status: int, code: str, message: str) -> web.Response:
    request_id = _request_id()
    return web.Response(
        status=status,
        body=json.dumps(
            {"code": code, "message": message, "requestid": request_id}, ensure_ascii=False
        ).encode(),
        content_type="application/json",
        headers={"x-acs-request-id": request_id, "x-acs-trace-id": uuid.uuid4().hex},
    )
