"""The sessionWebhook sink: where replies to injected bot messages land.

Each injected message gets a session of its own that expires after its
TTL; posts to an expired or unknown session get DingTalk's errcode
envelope for it (`300001`, `session 不存在`, as seen live), and
`fail_next()` makes the next posts fail with any errcode.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from typing import Any

from aiohttp import web
from attrs import define

from .._reading import json_body
from .._replies import json_reply

__all__ = ["SESSION_GONE", "WEBHOOK_PATH", "WebhookPost", "WebhookSink"]

WEBHOOK_PATH = "/oapi/robot/sendBySession"
#: errcode and errmsg of a sessionWebhook whose session is over.
SESSION_GONE = (300001, "session 不存在")


@define(frozen=True, kw_only=True)
class WebhookPost:
    """A post to a sessionWebhook, as received."""

    session: str
    """The sessionWebhook's session id."""
    body: Any
    """The JSON body posted."""
    accepted: bool
    """Whether it was answered with errcode 0."""


class WebhookSink:
    """The sessions handed out, and every post made to them."""

    def __init__(self) -> None:
        self._sessions: dict[str, float] = {}
        self._failures: deque[tuple[int, str]] = deque()
        self.posts: list[WebhookPost] = []

    def open_session(self, ttl: float) -> tuple[str, float]:
        """A new session and its expiry (`time.time()` seconds)."""
        session = secrets.token_hex(16)
        expires_at = time.time() + ttl
        self._sessions[session] = expires_at
        return session, expires_at

    def expire_all(self) -> None:
        for session in self._sessions:
            self._sessions[session] = 0.0

    def fail_next(self, count: int, errcode: int, errmsg: str) -> None:
        self._failures.extend([(errcode, errmsg)] * count)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        session = request.query.get("session", "")
        body = await json_body(request)
        if self._sessions.get(session, 0.0) <= time.time():
            errcode, errmsg = SESSION_GONE
        elif self._failures:
            errcode, errmsg = self._failures.popleft()
        else:
            errcode, errmsg = 0, "ok"
        self.posts.append(WebhookPost(session=session, body=body, accepted=errcode == 0))
        return json_reply(200, {"errcode": errcode, "errmsg": errmsg})
