"""A third-party (ISV) app's client: one session for every organisation that installed the
suite, and per organisation the services such an app may use (`for_corp`). It sits above
the families, as `client.py` does: it composes `tenants` (tickets, tokens) with the scene
group, robot and card families.

DingTalk counts a third-party app's calls per suite, organisation and API
(`Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi`,
https://open.dingtalk.com/document/development/server-api-error-codes-1), so
each organisation's calls are paced under their own key; the APIs DingTalk
reserves for internal apps (`Endpoint.internal_only`) are refused before any I/O.
"""

from __future__ import annotations

import functools
import ssl
from collections import OrderedDict
from typing import TYPE_CHECKING, TypeVar

import aiohttp
from attrs import define

from ._core.endpoint import Endpoint
from ._core.hosts import resolve_base_url, resolve_oapi_base_url
from ._core.json_codec import Codec, codec
from ._core.service import owned_session
from ._core.transport import Transport
from .budget import Budget, CallBudget, MemoryBudget
from .errors import InternalOnlyError
from .pacing import SERVICE_PACER, Pacer, PacerLayer, _ServicePacer, pacer_for
from .settings import ClientSettings, resolve_settings
from .tenants.events import SuiteEvents
from .tenants.tickets import MemorySuiteTicketStore, SuiteTicketStore
from .tenants.tokens import DEFAULT_MAX_ORGANISATIONS, CorpTokenProvider, SuiteTokens
from .token_cache import TokenCache

if TYPE_CHECKING:
    from .cards import CardService
    from .robot import RobotService
    from .scenegroups import SceneGroupService

__all__ = ["CorpClient", "SuiteClient"]

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")


class _CorpTransport(Transport):
    """A transport for one organisation of a third-party app: internal-only APIs refused."""

    async def call(
        self,
        endpoint: Endpoint[RequestT, ResultT],
        request: RequestT,
        *,
        pacer: Pacer | PacerLayer | _ServicePacer | None = SERVICE_PACER,
    ) -> ResultT:
        if endpoint.internal_only:
            raise InternalOnlyError(endpoint.api)
        return await super().call(endpoint, request, pacer=pacer)


class _OrganisationPacer:
    """Paces one organisation's calls under `<corp_id>:<api>` on the suite's pacer, so a
    `RedisPacer(app_key=suite_key)` counts per suite, organisation and API."""

    __slots__ = ("_keys", "corp_id", "inner")

    def __init__(self, inner: Pacer, corp_id: str) -> None:
        self.inner = inner
        self.corp_id = corp_id
        self._keys: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"_OrganisationPacer({self.inner!r}, corp_id={self.corp_id!r})"

    async def wait(self, api: str) -> None:
        key = self._keys.get(api)
        if key is None:
            key = self._keys[api] = f"{self.corp_id}:{api}"
        await self.inner.wait(key)


@define(frozen=True, kw_only=True)
class _Shared:
    """What every organisation's transport of one suite shares, resolved once."""

    session: aiohttp.ClientSession
    settings: ClientSettings
    base_url: str
    oapi_base_url: str
    codec: Codec
    pacer: Pacer | None
    robot_code: str
    budget: Budget | None


class CorpClient:
    """What a third-party app may do in one organisation: `scene_groups`, `robot`, `cards`,
    over the suite's one session, with this organisation's token (`tokens`) and pacing.
    Made by `SuiteClient.for_corp`."""

    def __init__(self, shared: _Shared, tokens: CorpTokenProvider) -> None:
        self.corp_id = tokens.corp_id
        self.tokens = tokens
        settings = shared.settings
        pacer = shared.pacer
        transport = _CorpTransport(
            shared.session,
            tokens,
            base_url=shared.base_url,
            oapi_base_url=shared.oapi_base_url,
            timeout=float(settings.timeout),
            connect_timeout=float(settings.connect_timeout),
            retry=settings.retry,
            pacer=_OrganisationPacer(pacer, tokens.corp_id) if pacer is not None else None,
            codec=shared.codec,
            budget=None
            if shared.budget is None
            else CallBudget(
                shared.budget,
                f"{tokens.app_key}:{tokens.corp_id}",
                warn_at=settings.budget_warn_at,
            ),
        )
        self._transport = transport
        self._shared = shared

    # The services: made on first use (memory per organisation, and start-up cost).

    @functools.cached_property
    def scene_groups(self) -> SceneGroupService:
        """Scene groups (the group API a third-party app may call)."""
        from .scenegroups import SceneGroupService

        return SceneGroupService.over(self._transport)

    @functools.cached_property
    def robot(self) -> RobotService:
        """The suite's robot (`robot_code`) in this organisation's groups."""
        from .robot import RobotService

        return RobotService.over(self._transport, robot_code=self._shared.robot_code)

    @functools.cached_property
    def cards(self) -> CardService:
        """Interactive and AI cards, delivered by the suite's robot."""

        return CardService.over(
            self._transport, robot_code=self._shared.robot_code, settings=self._shared.settings
        )

    def __repr__(self) -> str:
        return f"CorpClient(suite_key={self.tokens.app_key!r}, corp_id={self.corp_id!r})"


class SuiteClient:
    """A third-party app's client: `for_corp(corp_id)` gives one organisation's services.

        async with SuiteClient(suite_key="...", suite_secret="...",
                               tickets=RedisSuiteTicketStore.from_url(url, suite_key="..."),
                               cache=RedisTokenCache.from_url(url)) as suite:
            stream.on_event(suite.events)           # tickets and installs from Stream
            corp = suite.for_corp("dingcorp...")
            await corp.robot.send(GroupMessage(...))

    `tickets` (default: a `MemorySuiteTicketStore`) holds the suite ticket;
    `cache` shares tokens (per suite and organisation); `pacer` (default: a
    `LocalPacer` at `rate_limit`) paces per suite, organisation and API.
    `robot_code` (a setting) is the suite's robot; by default the suite key.
    `unified` fetches tokens from the unified endpoint (no ticket; see `SuiteTokens`).
    Each organisation's calls are counted against a monthly call budget when the
    settings' `call_budget` is set (in this process) or `budget` is given (a
    `RedisBudget` a fleet shares), under the scope `<suite_key>:<corp_id>`.
    Memory is bounded: `max_organisations` organisations are kept, least
    recently used dropped beyond it.
    """

    def __init__(
        self,
        *,
        suite_key: str,
        suite_secret: str,
        tickets: SuiteTicketStore | None = None,
        settings: ClientSettings | None = None,
        cache: TokenCache | None = None,
        pacer: Pacer | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_organisations: int = DEFAULT_MAX_ORGANISATIONS,
        unified: bool = False,
        budget: Budget | None = None,
        **by_name: object,
    ) -> None:
        chosen, pacer = resolve_settings(ClientSettings, settings, by_name, pacer=pacer)
        self.settings = chosen
        self._session = owned_session(chosen, ssl_context)
        try:
            store = tickets if tickets is not None else MemorySuiteTicketStore(suite_key)
            self.tokens = SuiteTokens(
                self._session,
                suite_key=suite_key,
                suite_secret=suite_secret,
                tickets=store,
                settings=chosen,
                cache=cache,
                max_organisations=max_organisations,
                unified=unified,
            )
            if pacer is not None and not isinstance(pacer, Pacer):
                raise TypeError("pacer must be a Pacer (an object with async wait(api))")
            if budget is None and chosen.call_budget is not None:
                budget = MemoryBudget(chosen.call_budget)
            if budget is not None and not isinstance(budget, Budget):
                raise TypeError("budget must be a Budget (MemoryBudget, RedisBudget, ...)")
            self._shared = _Shared(
                session=self._session,
                settings=chosen,
                base_url=resolve_base_url(chosen.base_url, allow_http=chosen.allow_http),
                oapi_base_url=resolve_oapi_base_url(
                    chosen.oapi_base_url, allow_http=chosen.allow_http
                ),
                codec=codec(chosen.json_codec),
                pacer=pacer if pacer is not None else pacer_for(chosen.rate_limit),
                robot_code=suite_key if chosen.robot_code is None else chosen.robot_code,
                budget=budget,
            )
        except BaseException:
            self._session.detach()
            raise
        self.tickets = store
        self.events = SuiteEvents(self.tokens)
        self._corps: OrderedDict[str, CorpClient] = OrderedDict()
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"SuiteClient(suite_key={self.tokens.suite_key!r}, {state})"

    @property
    def suite_key(self) -> str:
        """The suite's key (its app's `SuiteKey`)."""
        return self.tokens.suite_key

    @property
    def closed(self) -> bool:
        """True once `close()` has run."""
        return self._closed

    def for_corp(self, corp_id: str) -> CorpClient:
        """Organisation `corp_id`'s services (the same object while it is kept)."""
        corp = self._corps.get(corp_id)
        if corp is not None:
            self._corps.move_to_end(corp_id)
            return corp
        corp = CorpClient(self._shared, self.tokens.for_corp(corp_id))
        self._corps[corp_id] = corp
        if len(self._corps) > self.tokens.max_organisations:
            self._corps.popitem(last=False)
        return corp

    async def __aenter__(self) -> SuiteClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop every organisation's token provider and close the session; idempotent."""
        if self._closed:
            return
        self._closed = True
        await self.tokens.close()
        await self._session.close()
