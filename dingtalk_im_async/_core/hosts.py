"""DingTalk's two hosts and how a client picks the URL of each.

The v1.0 API lives on `api.dingtalk.io`; the legacy `oapi` API (the only
documented way to read a group back) on `oapi.dingtalk.io`. Each is one
argument, else one environment variable, else DingTalk's international host.
"""

from __future__ import annotations

import ipaddress
import os

from yarl import URL

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_OAPI_BASE_URL",
    "OAPI_BASE_URL_ENV",
    "resolve_base_url",
    "resolve_oapi_base_url",
]

DEFAULT_BASE_URL = "https://api.dingtalk.io"
BASE_URL_ENV = "DINGTALK_BASE_URL"
DEFAULT_OAPI_BASE_URL = "https://oapi.dingtalk.io"
OAPI_BASE_URL_ENV = "DINGTALK_OAPI_BASE_URL"


def resolve_base_url(base_url: str | None, *, allow_http: bool = False) -> str:
    """The v1.0 API's base URL: the argument, else `$DINGTALK_BASE_URL`, else DingTalk's host.

    Plain `http://` is refused unless the host is loopback or `allow_http` is
    set, because the access token travels with every call.
    """
    return _resolve(base_url, BASE_URL_ENV, DEFAULT_BASE_URL, allow_http=allow_http)


def resolve_oapi_base_url(oapi_base_url: str | None, *, allow_http: bool = False) -> str:
    """The legacy oapi host's base URL: the argument, else `$DINGTALK_OAPI_BASE_URL`, else
    `https://oapi.dingtalk.io`. Same http rule as `resolve_base_url`."""
    return _resolve(oapi_base_url, OAPI_BASE_URL_ENV, DEFAULT_OAPI_BASE_URL, allow_http=allow_http)


def _resolve(given: str | None, env: str, default: str, *, allow_http: bool) -> str:
    raw = given if given is not None else os.environ.get(env, default)
    url = URL(raw)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {raw!r}")
    if url.scheme == "http" and not allow_http and not _is_loopback(url.host):
        raise ValueError(
            f"refusing plain http to {url.host}: the access token would travel unencrypted "
            "(pass allow_http=True to override)"
        )
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
