"""What every service shares: one transport, built from a session and a token provider or
shared with the other services of a `DingTalkClient`, and the mark that ties a service
method to its endpoint (so a bulk run knows whether the operation is safe to repeat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp

from ._hosts import resolve_base_url, resolve_oapi_base_url
from ._retry import RetryPolicy
from ._transport import Transport
from .auth import TokenProvider
from .endpoints import Endpoint
from .pacing import DEFAULT_RATE, Pacer, pacer_for

__all__ = ["ServiceBase", "build_transport", "endpoint_of", "operation"]

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S", bound="ServiceBase")
_ENDPOINT_ATTRIBUTE = "__dingtalk_endpoint__"


def operation(endpoint: Endpoint[Any, Any]) -> Callable[[F], F]:
    """Mark a service method as the one call of `endpoint`, for `endpoint_of`."""

    def mark(method: F) -> F:
        setattr(method, _ENDPOINT_ATTRIBUTE, endpoint)
        return method

    return mark


def endpoint_of(call: Callable[..., Any]) -> Endpoint[Any, Any] | None:
    """The endpoint a (bound) service method calls, or None for any other callable."""
    endpoint = getattr(call, _ENDPOINT_ATTRIBUTE, None)
    return endpoint if isinstance(endpoint, Endpoint) else None


def build_transport(
    session: aiohttp.ClientSession,
    token_provider: TokenProvider,
    *,
    base_url: str | None = None,
    oapi_base_url: str | None = None,
    timeout: float = 10.0,
    retry: RetryPolicy | None = None,
    rate_limit: float | Pacer | None = DEFAULT_RATE,
    allow_http: bool = False,
) -> Transport:
    """A transport after checking every argument, before any I/O."""
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError("session must be an aiohttp.ClientSession")
    if not callable(getattr(token_provider, "get_token", None)):
        raise TypeError("token_provider must implement the TokenProvider protocol")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError("timeout must be a positive number of seconds")
    return Transport(
        session,
        token_provider,
        base_url=resolve_base_url(base_url, allow_http=allow_http),
        oapi_base_url=resolve_oapi_base_url(oapi_base_url, allow_http=allow_http),
        timeout=float(timeout),
        retry=retry if retry is not None else RetryPolicy(),
        pacer=pacer_for(rate_limit),
    )


class ServiceBase:
    """A service over one `Transport`: its own, or one shared with other services.

    `rate_limit` paces every call per API: a number of calls per second (20,
    DingTalk's standard edition, by default), a `Pacer` (e.g. a `RedisPacer`
    a fleet shares), or None for no pacing.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        base_url: str | None = None,
        oapi_base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limit: float | Pacer | None = DEFAULT_RATE,
        allow_http: bool = False,
    ) -> None:
        self._transport = build_transport(
            session,
            token_provider,
            base_url=base_url,
            oapi_base_url=oapi_base_url,
            timeout=timeout,
            retry=retry,
            rate_limit=rate_limit,
            allow_http=allow_http,
        )

    @property
    def base_url(self) -> str:
        """The v1.0 API's base URL this service calls."""
        return self._transport.base_url

    @property
    def oapi_base_url(self) -> str:
        """The legacy oapi host's base URL this service calls."""
        return self._transport.oapi_base_url

    @property
    def pacer(self) -> Pacer | None:
        """What paces this service's calls (None: nothing)."""
        return self._transport.pacer

    @classmethod
    def over(cls: type[S], transport: Transport, **settings: Any) -> S:
        """A service on an existing transport: how `DingTalkClient` gives all its services
        one session, one token provider and one pacer. `settings` are the service's own
        (e.g. `RobotService`'s `robot_code`)."""
        service = cls.__new__(cls)
        service._transport = transport
        service._configure(**settings)
        return service

    def _configure(self, **settings: Any) -> None:
        """Take the service's own settings, checked before any I/O; this one has none."""
        if settings:
            raise TypeError(f"{type(self).__name__} takes no settings, got {sorted(settings)}")
