"""`POST /v1.0/oauth2/accessToken`, as DingTalk answers it (its `Missing<param>` codes for a
malformed body are this emulator's reading: DingTalk's docs name none)."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ..._core.endpoint import TOKEN_PATH
from .._replies import JSON_HINT, error_reply, json_reply
from ..routes import Call, Route

__all__ = ["ROUTES", "check_token_body", "issue_token"]


def check_token_body(body: Any) -> tuple[str, str] | None:
    """The (code, message) the token endpoint refuses a malformed body with, or None."""
    for key in ("appKey", "appSecret"):
        if not isinstance(body, dict) or not isinstance(body.get(key), str) or not body[key]:
            return f"Missing{key}", f"{key} is mandatory for this action ({JSON_HINT})"
    return None


async def issue_token(call: Call) -> web.Response:
    """`POST /v1.0/oauth2/accessToken`: the app's token for its key and secret."""
    body = call.body
    problem = check_token_body(body)
    if problem is not None:
        return error_reply(400, *problem)
    settings = call.settings
    if body["appKey"] != settings.app_key or not secrets.compare_digest(
        body["appSecret"].encode(), settings.app_secret.encode()
    ):
        return error_reply(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
    token = call.emulator.issue_token()
    return json_reply(200, {"accessToken": token, "expireIn": settings.token_lifetime})


ROUTES = (Route(method="POST", path=TOKEN_PATH, handler=issue_token, authenticated=False),)
