"""What every family's service shares: one transport, built from a session, a token provider
and `ClientSettings`, or shared with the other services of a `DingTalkClient`; and
`endpoint_of`, which finds the endpoint a service method calls.

A service method names its endpoint once, in its one line
(`return await self._transport.call(UPDATE_GROUP, request)`): `endpoint_of`
reads the endpoint off that line, so a bulk run knows whether the operation
is safe to repeat without the method saying it twice.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp

from ..auth import TokenProvider
from ..budget import Budget, CallBudget, MemoryBudget
from ..pacing import Pacer, pacer_for
from ..settings import ClientSettings, resolve_settings
from .endpoint import Endpoint
from .hosts import resolve_base_url, resolve_oapi_base_url
from .json_codec import codec
from .transport import Transport

__all__ = ["ServiceBase", "build_transport", "endpoint_of", "operations"]

S = TypeVar("S", bound="ServiceBase")


def endpoint_of(call: Callable[..., Any]) -> Endpoint[Any, Any] | None:
    """The endpoint a (bound or plain) service method calls: the one `Endpoint` its code
    names; None for anything else (a method that calls no endpoint, or several)."""
    function = getattr(call, "__func__", call)
    return _named_endpoint(function) if callable(function) else None


def operations(service: type) -> dict[str, Endpoint[Any, Any]]:
    """Each public method of the service class that calls one endpoint, with the endpoint."""
    return {
        name: endpoint
        for name, method in vars(service).items()
        if not name.startswith("_")
        and callable(method)
        and (endpoint := endpoint_of(method)) is not None
    }


@functools.cache
def _named_endpoint(function: Callable[..., Any]) -> Endpoint[Any, Any] | None:
    code = getattr(function, "__code__", None)
    namespace = getattr(function, "__globals__", None)
    if code is None or namespace is None:
        return None
    named = {
        id(value): value
        for name in code.co_names
        if isinstance(value := namespace.get(name), Endpoint)
    }
    return next(iter(named.values())) if len(named) == 1 else None


def owned_session(
    settings: ClientSettings, ssl_context: ssl.SSLContext | None
) -> aiohttp.ClientSession:
    """The session a client owns: TLS verified (against `ssl_context`, else the system's
    CAs; there is no switch to turn verification off), `connection_limit` connections."""
    if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
        raise TypeError("ssl_context must be an ssl.SSLContext (verification cannot be off)")
    connector = aiohttp.TCPConnector(
        ssl=ssl_context if ssl_context is not None else True, limit=settings.connection_limit
    )
    return aiohttp.ClientSession(connector=connector)


def build_transport(
    session: aiohttp.ClientSession,
    token_provider: TokenProvider,
    settings: ClientSettings,
    pacer: Pacer | None,
    *,
    budget: Budget | None = None,
    budget_scope: str | None = None,
) -> Transport:
    """A transport after checking every argument, before any I/O. `pacer` None: the
    settings' `rate_limit` (a `LocalPacer`, or no pacing). `budget` None: the settings'
    `call_budget` (a `MemoryBudget`, or no counting), counted for `budget_scope` (the
    organisation; None: the token provider's app key)."""
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError("session must be an aiohttp.ClientSession")
    if not callable(getattr(token_provider, "get_token", None)):
        raise TypeError("token_provider must implement the TokenProvider protocol")
    if pacer is not None and not isinstance(pacer, Pacer):
        raise TypeError("pacer must be a Pacer (an object with async wait(api))")
    return Transport(
        session,
        token_provider,
        base_url=resolve_base_url(settings.base_url, allow_http=settings.allow_http),
        oapi_base_url=resolve_oapi_base_url(settings.oapi_base_url, allow_http=settings.allow_http),
        timeout=float(settings.timeout),
        connect_timeout=float(settings.connect_timeout),
        retry=settings.retry,
        pacer=pacer if pacer is not None else pacer_for(settings.rate_limit),
        codec=codec(settings.json_codec),
        budget=_call_budget(token_provider, settings, budget, budget_scope),
    )


def _call_budget(
    token_provider: TokenProvider,
    settings: ClientSettings,
    budget: Budget | None,
    scope: str | None,
) -> CallBudget | None:
    """The transport's budget: `budget` (a fleet's), else one of the settings' `call_budget`
    calls in this process, else none."""
    if budget is None and settings.call_budget is not None:
        budget = MemoryBudget(settings.call_budget)
    if budget is None:
        return None
    if not isinstance(budget, Budget):
        raise TypeError("budget must be a Budget (MemoryBudget, RedisBudget, ...)")
    if scope is None:
        scope = getattr(token_provider, "app_key", None)
    if not isinstance(scope, str) or not scope:
        raise ValueError("a budget needs budget_scope= (the organisation's corp id or app key)")
    return CallBudget(budget, scope, warn_at=settings.budget_warn_at)


class ServiceBase:
    """A family's service over one `Transport`: its own, or one shared with other services.

    `settings` (or any `ClientSettings` field by name) says where and how calls
    go; calls are paced per API at `rate_limit` calls per second (20,
    DingTalk's standard edition, by default), or by `pacer` (e.g. a
    `RedisPacer` a fleet shares).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        settings: ClientSettings | None = None,
        pacer: Pacer | None = None,
        **by_name: object,
    ) -> None:
        chosen, pacer = resolve_settings(ClientSettings, settings, by_name, pacer=pacer)
        self._transport = build_transport(session, token_provider, chosen, pacer)

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
    def over(cls: type[S], transport: Transport, **own: Any) -> S:
        """A service on an existing transport: how `DingTalkClient` gives all its services
        one session, one token provider and one pacer. `own` are the service's own
        arguments (e.g. `RobotService`'s `robot_code`)."""
        service = cls.__new__(cls)
        service._transport = transport
        service._configure(**own)
        return service

    def _configure(self, **own: Any) -> None:
        """Take the service's own arguments, checked before any I/O; this one has none."""
        if own:
            raise TypeError(f"{type(self).__name__} takes no settings, got {sorted(own)}")
