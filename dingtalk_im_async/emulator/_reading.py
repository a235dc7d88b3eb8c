"""How the emulator reads a request body: JSON only, as DingTalk does, and never keeps a secret."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

__all__ = ["json_body", "mask_secret"]


async def json_body(request: web.Request) -> Any:
    """The decoded JSON body, or None if it is not JSON or not sent as `application/json`."""
    raw = await request.read()
    if request.content_type != "application/json":
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def mask_secret(body: Any) -> Any:
    """The token request's body for the log, with `appSecret` replaced."""
    if isinstance(body, dict) and "appSecret" in body:
        return {**body, "appSecret": "<hidden>"}
    return body
