"""`DingTalkClient`: the one-object way in, owning its aiohttp session, tokens and services."""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from ._core.service import build_transport, owned_session
from .budget import Budget, CallBudget
from .pacing import Pacer
from .settings import BulkOptions, ClientSettings, resolve_settings
from .token_cache import TokenCache
from .tokens import AppTokenProvider

if TYPE_CHECKING:  # each family is imported when its service is first used (start-up cost)
    from .bulk import BulkRun
    from .cards import CardService
    from .groups import GroupService
    from .robot import RobotService
    from .scenegroups import SceneGroupService

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

__all__ = ["DingTalkClient"]


class DingTalkClient:
    """An app's client that owns its `aiohttp.ClientSession`; use it as an async context manager.

        async with DingTalkClient(app_key="...", app_secret="...") as client:
            result = await client.groups.create(request)

    `settings` (a `ClientSettings`, or any of its fields by name, such as
    `base_url=` or `rate_limit=`) says where calls go and how. The client
    holds one session (keep-alive, TLS verified against the system's CAs or
    `ssl_context`; there is no switch to turn verification off), one
    `AppTokenProvider` (`tokens`, sharing tokens through `cache`), one
    transport paced per API (20 calls per second by default, or by `pacer`,
    such as a `RedisPacer` a fleet shares), and one service per family on
    it: `groups`, and `robot` for the app's robot (`robot_code`, by default
    the app key, which is what DingTalk calls an internal app's own robot),
    `cards` (interactive and AI cards, delivered by that robot), and
    `scene_groups` for groups made from a group template.
    Create it inside a running event loop and keep it for the life of the
    application. `close()` (or leaving the `async with`) fails calls still
    in flight, and any later call, with `ClientClosedError`. Callers who
    need their own session, proxies or token source build `GroupService`
    directly.

    Calls are counted against a monthly call budget when the settings'
    `call_budget` is set (in this process) or `budget` is given (e.g. a
    `RedisBudget` a fleet shares), for `budget_scope`: the organisation, by
    default the app key (an internal app's organisation).
    """

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        settings: ClientSettings | None = None,
        cache: TokenCache | None = None,
        pacer: Pacer | None = None,
        ssl_context: ssl.SSLContext | None = None,
        budget: Budget | None = None,
        budget_scope: str | None = None,
        **by_name: object,
    ) -> None:
        chosen, pacer = resolve_settings(ClientSettings, settings, by_name, pacer=pacer)
        self.settings = chosen
        self._session = owned_session(chosen, ssl_context)
        try:
            self.tokens = AppTokenProvider(
                self._session, app_key=app_key, app_secret=app_secret, settings=chosen, cache=cache
            )
            self._transport = build_transport(
                self._session, self.tokens, chosen, pacer, budget=budget, budget_scope=budget_scope
            )
        except BaseException:
            self._session.detach()  # it never connected: nothing to close, nothing to warn about
            raise
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"DingTalkClient(base_url={self._transport.base_url!r}, "
            f"app_key={self.tokens.app_key!r}, {state})"
        )

    # The services: made on first use, so a process imports only the families it calls.

    @functools.cached_property
    def groups(self) -> GroupService:
        """Groups made with `group/create`: create, update, admins, ids, read back."""
        from .groups import GroupService

        return GroupService.over(self._transport)

    @functools.cached_property
    def robot(self) -> RobotService:
        """The app's robot (`robot_code`): messages to groups and people, recall, read status."""
        from .robot import RobotService

        return RobotService.over(self._transport, robot_code=self._robot_code)

    @functools.cached_property
    def cards(self) -> CardService:
        """Interactive and AI streaming cards, delivered by the app's robot."""
        from .cards import CardService

        return CardService.over(
            self._transport, robot_code=self._robot_code, settings=self.settings
        )

    @functools.cached_property
    def scene_groups(self) -> SceneGroupService:
        """Groups made from a group template (scene groups)."""
        from .scenegroups import SceneGroupService

        return SceneGroupService.over(self._transport)

    @property
    def _robot_code(self) -> str:
        """The robot's code: `settings.robot_code`, by default the app key (an internal
        app's own robot)."""
        code = self.settings.robot_code
        return self.tokens.app_key if code is None else code

    @property
    def closed(self) -> bool:
        """True once `close()` has run."""
        return self._closed

    @property
    def budget(self) -> CallBudget | None:
        """The monthly call budget the client's calls count against (`await
        client.budget.used()`: calls this month), or None when they are not counted."""
        return self._transport.budget

    def many(
        self,
        operation: Callable[[RequestT], Awaitable[ResultT]],
        requests: Iterable[RequestT] | AsyncIterable[RequestT],
        options: BulkOptions | None = None,
        *,
        pacer: Pacer | None = None,
        **by_name: object,
    ) -> BulkRun[RequestT, ResultT]:
        """Run `operation` (e.g. `client.groups.update`) on every request: a `BulkRun` of
        one `BulkOutcome` per input, as `options` (a `BulkOptions`, or any of its fields
        by name) say, paced as the client is unless they say otherwise. Unknown outcomes
        are put back only for operations safe to repeat (their endpoint says so); an
        operation with a dedup key (`client.scene_groups.create`'s `uuid`) gets one per
        input that has none, from `options.run_id` and the input's position."""
        from .bulk import BulkRun, bulk_options

        chosen, run_pacer = bulk_options(options, by_name, pacer=pacer)
        return BulkRun(operation, requests, chosen, pacer=run_pacer)

    async def __aenter__(self) -> DingTalkClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the token provider and close the session; idempotent.

        Calls waiting for a token or a connection, or with a request on the
        wire, fail with `ClientClosedError` (whose `verdict` says whether a
        create may have happened), as does every later call.
        """
        if self._closed:
            return
        self._closed = True
        await self.tokens.close()
        await self._session.close()
