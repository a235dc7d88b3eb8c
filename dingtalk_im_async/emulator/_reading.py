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


#: Body keys whose values never reach the journal (token requests' secrets and tickets).
SECRET_KEYS = frozenset({"appSecret", "suiteSecret", "suiteTicket", "client_secret"})


def mask_secret(body: Any) -> Any:
    """A token request's body for the log, with its secrets and ticket replaced."""
    if isinstance(body, dict) and SECRET_KEYS & body.keys():
        return {key: "<hidden>" if key in SECRET_KEYS else value for key, value in body.items()}
    return body
