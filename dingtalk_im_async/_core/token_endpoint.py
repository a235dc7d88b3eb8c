"""One request to DingTalk's token endpoint, and the checks its reply must pass.

Kept apart from the provider so the provider is only about caching and
timing; this module is only about what `POST /v1.0/oauth2/accessToken`
sends back.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import aiohttp
from attrs import define, field
from yarl import URL

from ..errors import InvalidCredentialsError, ResponseError
from . import json_codec
from .endpoint import TOKEN_PATH
from .http import JSON_HEADERS, exchange
from .retry import RetryPolicy
from .shutdown import backoff_unless_closed

__all__ = ["MAX_LIFETIME", "MIN_LIFETIME", "TOKEN_PATH", "IssuedToken", "request_token"]

logger = logging.getLogger("dingtalk_im_async.tokens")

#: Longest `expireIn` believed (DingTalk issues 7200 s); more is a broken reply, not a gift.
MAX_LIFETIME = 31 * 24 * 3600.0
#: Shortest lifetime a token is held for: a positive `expireIn` below it (a broken reply
#: saying 1e-6) is raised to it, so a fetch per call never happens; a token that really
#: expires sooner is refused by DingTalk and replaced by the one replay.
MIN_LIFETIME = 60.0


@define(frozen=True, kw_only=True)
class IssuedToken:
    """What the token endpoint answered: the token and its `expireIn` in seconds."""

    value: str = field(repr=False)
    lifetime: float


async def request_token(
    session: aiohttp.ClientSession,
    url: str,
    *,
    app_key: str,
    app_secret: str,
    timeout: aiohttp.ClientTimeout,
    retry: RetryPolicy,
    codec: json_codec.Codec = json_codec.DEFAULT,
) -> IssuedToken:
    """Ask for the app's token; a refused key or secret is `InvalidCredentialsError`.

    That error names the app key (which one of several apps is misconfigured
    matters) and never the secret. HTTP 500 `system.error` is retried like
    any other call: asking for a token twice is harmless.
    """
    data = codec.encode({"appKey": app_key, "appSecret": app_secret})
    try:
        reply: tuple[int, Any] = await retry.call(
            backoff_unless_closed(session),
            exchange,
            session,
            "POST",
            URL(url),
            data=data,
            headers=JSON_HEADERS,
            timeout=timeout,
            secret_reply=True,
            decode=codec.decode,
        )
    except InvalidCredentialsError as error:
        raise InvalidCredentialsError(
            status=error.status,
            code=error.code,
            message=f"app key {app_key!r} or its app secret was refused: {error.message}",
            request_id=error.request_id,
        ) from None
    return parse_token_reply(*reply)


def parse_token_reply(status: int, body: Any) -> IssuedToken:
    """Check a 2xx reply has a usable `accessToken` and a sane `expireIn`.

    A missing, zero, negative, non-numeric or absurd `expireIn` is refused:
    caching such a token would mean refetching on every call (a tight loop
    DingTalk throttles) or keeping it forever. A positive one under
    `MIN_LIFETIME` is raised to it, with a warning.
    """
    if not isinstance(body, dict):
        raise ResponseError("token reply is not a JSON object", status=status)
    value = body.get("accessToken")
    if not isinstance(value, str) or not value or not _is_header_safe(value):
        raise ResponseError("token reply has no usable accessToken", status=status)
    lifetime = body.get("expireIn")
    if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)):
        raise ResponseError(
            f"token reply has no numeric expireIn (got {type(lifetime).__name__})", status=status
        )
    if not math.isfinite(lifetime) or not 0 < lifetime <= MAX_LIFETIME:
        raise ResponseError(
            f"token reply has expireIn {lifetime!r}, outside (0, {MAX_LIFETIME:.0f}] seconds",
            status=status,
        )
    if lifetime < MIN_LIFETIME:
        logger.warning(
            "token reply has expireIn %rs; holding the token for %.0fs instead "
            "(a refused token is replaced once)",
            lifetime,
            MIN_LIFETIME,
        )
        lifetime = MIN_LIFETIME
    return IssuedToken(value=value, lifetime=float(lifetime))


def _is_header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and not any(c.isspace() for c in value)
