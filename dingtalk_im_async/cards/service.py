"""`CardService`: interactive and AI cards (create, deliver, create-and-deliver, update,
stream), one method per endpoint over the shared transport, and `answer` (an AI card typed
by an async context manager)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import aiohttp
import attrs

from .._core.fields import check_text
from .._core.service import ServiceBase
from ..auth import TokenProvider
from ..errors import (
    CardAlreadyExistsError,
    DingTalkError,
    PartialDeliveryError,
    RequestValidationError,
)
from ..pacing import Pacer
from ..settings import ClientSettings, resolve_settings
from .answer import AnswerCard, AnswerOptions
from .api import CREATE_AND_DELIVER_CARD, CREATE_CARD, DELIVER_CARD, STREAM_CARD, UPDATE_CARD
from .models import (
    CallbackType,
    CardSpace,
    CreateAndDeliverRequest,
    CreateAndDeliverResult,
    CreateCardRequest,
    CreateCardResult,
    DeliverCardRequest,
    DeliverCardResult,
    GroupSpace,
    SpaceOptions,
    StreamingUpdate,
    StreamingUpdateResult,
    UpdateCardRequest,
    UpdateCardResult,
)

__all__ = ["CardService"]

R = TypeVar("R", CreateAndDeliverRequest, DeliverCardRequest)
D = TypeVar("D", CreateAndDeliverResult, DeliverCardResult)


class CardService(ServiceBase):
    """Interactive and AI streaming cards (DingTalk's card platform, 互动卡片).

    `robot_code` delivers to groups unless a `GroupSpace` names another (an
    internal app's robot is its app key, what `DingTalkClient` passes).
    Every call, each streaming frame included, counts against the
    organisation's monthly API quota; `answer()` coalesces an AI answer's
    pieces so that a card costs a call per `card_update_interval` at most.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        robot_code: str,
        settings: ClientSettings | None = None,
        pacer: Pacer | None = None,
        **by_name: object,
    ) -> None:
        chosen, pacer = resolve_settings(ClientSettings, settings, by_name, pacer=pacer)
        super().__init__(session, token_provider, settings=chosen, pacer=pacer)
        self._configure(robot_code=robot_code, settings=chosen)

    def _configure(self, **own: Any) -> None:
        robot_code = own.pop("robot_code", None)
        settings = own.pop("settings", None) or ClientSettings()
        super()._configure(**own)
        try:
            self.robot_code = check_text("robot_code", robot_code)
        except RequestValidationError as error:
            raise ValueError(f"robot_code: {error.rule}") from None
        self._answer_options = AnswerOptions(
            interval=settings.card_update_interval, finish_timeout=settings.card_finish_timeout
        )
        self._answers: dict[str, AnswerCard] = {}

    def __repr__(self) -> str:
        return f"CardService(robot_code={self.robot_code!r}, base_url={self.base_url!r})"

    # -- one endpoint each ------------------------------------------------------------------

    async def create(self, request: CreateCardRequest) -> CreateCardResult:
        """Make a card without showing it (`POST /v1.0/card/instances`); `deliver` shows it.

        Safe to repeat: the same `out_track_id` again raises `CardAlreadyExistsError`
        ("created; delivery unknown"), never a second card.
        """
        return await self._transport.call(CREATE_CARD, _with_id(request))

    async def deliver(self, request: DeliverCardRequest) -> DeliverCardResult:
        """Show an existing card in spaces (`POST /v1.0/card/instances/deliver`).

        Safe to repeat. DingTalk answers HTTP 200 with a result per space: if any
        says `success: false`, `PartialDeliveryError` names each such space and
        its `errorMsg` (and carries the whole result).
        """
        result = await self._transport.call(DELIVER_CARD, self._signed(request))
        return _delivered(attrs.evolve(result, out_track_id=request.out_track_id))

    async def create_and_deliver(self, request: CreateAndDeliverRequest) -> CreateAndDeliverResult:
        """Make a card and show it in its spaces, in one call
        (`POST /v1.0/card/instances/createAndDeliver`). Safe to repeat.

        A space that did not get it raises `PartialDeliveryError` (HTTP 200 all
        the same). A replay (after an unknown outcome, a crash, `--resume`) meets
        `param.cardAlreadyExist`: the card was made by an earlier call, and
        whether it was delivered is unknown, so it is delivered again to the
        request's spaces (`deliver`, safe to repeat) and the result says
        `replayed=True`. If that delivery fails too, `CardAlreadyExistsError`
        ("created; delivery unknown") is raised from its error.
        """
        signed = self._signed(_with_id(request))
        try:
            return _delivered(await self._transport.call(CREATE_AND_DELIVER_CARD, signed))
        except CardAlreadyExistsError as exists:
            try:
                delivered = await self.deliver(signed.deliver_request)
            except PartialDeliveryError:
                raise
            except DingTalkError as error:
                raise exists from error
        return CreateAndDeliverResult(
            success=delivered.success,
            out_track_id=delivered.out_track_id,
            deliveries=delivered.deliveries,
            replayed=True,
        )

    async def update(self, request: UpdateCardRequest) -> UpdateCardResult:
        """New data for a card everywhere it is shown (`PUT /v1.0/card/instances`): the
        whole `cardParamMap` is replaced unless `merge=True`. Safe to repeat."""
        return await self._transport.call(UPDATE_CARD, request)

    async def stream(self, frame: StreamingUpdate) -> StreamingUpdateResult:
        """One frame of an AI card's typewriter stream (`PUT /v1.0/card/streaming`).

        Safe to repeat: the frame's `guid` stays the same, and DingTalk applies a
        guid once. `answer()` sends these for you, paced and coalesced.
        """
        return await self._transport.call(STREAM_CARD, frame)

    # -- an AI answer ----------------------------------------------------------------------

    def answer(
        self,
        target: CreateAndDeliverRequest | CardSpace | Iterable[CardSpace],
        *,
        template_id: str | None = None,
        key: str = "content",
        out_track_id: str | None = None,
        card_data: Mapping[str, str] | None = None,
        full: bool = False,
        callback_type: CallbackType | None = None,
        interval: float | None = None,
        placeholder: str = "…",
    ) -> AnswerCard:
        """An AI card typed as an answer is produced: an async context manager.

            async with client.cards.answer(GroupSpace(open_conversation_id=cid),
                                           template_id=AI_CARD, key="content") as answer:
                async for piece in llm.stream(question):
                    await answer.write(piece)

        Entering creates and delivers the card; `write` appends; the card
        is always ended on the way out: finished after the block, failed on an
        exception, cancellation or timeout (that last update is sent even while
        the task is being cancelled, within `card_finish_timeout`). Updates are
        coalesced (one waiting per card, the newest text replacing it, at most
        one per `interval`, default `card_update_interval`) and paced per API with
        every other card's. `full=True` sends the whole text each time (markdown
        keys need it) instead of the new part. See docs/cards.md for what happens
        past DingTalk's advised 1 KB per update.

        `target` is the space (or spaces) to answer in, with `template_id`; or a
        whole `CreateAndDeliverRequest`.
        """
        if isinstance(target, CreateAndDeliverRequest):
            request = target
        else:
            if template_id is None:
                raise RequestValidationError("template_id", "give the AI card's template id")
            fields: dict[str, Any] = {
                "card_template_id": template_id,
                "spaces": target,
                "card_data": {key: "", **(card_data or {})},
                "callback_type": callback_type,
                "space_options": SpaceOptions(),
            }
            if out_track_id is not None:
                fields["out_track_id"] = out_track_id
            request = CreateAndDeliverRequest(**fields)
        options = self._answer_options
        if interval is not None:
            options = attrs.evolve(options, interval=interval)
        return AnswerCard(
            request,
            key=key,
            full=full,
            placeholder=placeholder,
            options=options,
            open_card=self.create_and_deliver,
            transport=self._transport,
            answers=self._answers,
        )

    def answering(self, out_track_id: str) -> AnswerCard | None:
        """The answer being typed into this card in this process, if any (a "stop" button's
        handler calls its `stop()`)."""
        return self._answers.get(out_track_id)

    # -- helpers -------------------------------------------------------------------------

    def _signed(self, request: R) -> R:
        """The request with this service's robot in every group space that names none."""
        if not any(
            isinstance(space, GroupSpace) and space.robot_code is None for space in request.spaces
        ):
            return request
        spaces = tuple(
            attrs.evolve(space, robot_code=self.robot_code)
            if isinstance(space, GroupSpace) and space.robot_code is None
            else space
            for space in request.spaces
        )
        return attrs.evolve(request, spaces=spaces)


C = TypeVar("C", CreateCardRequest, CreateAndDeliverRequest)


def _with_id(request: C) -> C:
    """The request, if it carries its card's id; `out_track_id=None` is for bulk runs,
    which give each input one before calling (`BulkOptions.run_id`)."""
    if isinstance(request, (CreateCardRequest, CreateAndDeliverRequest)) and (
        request.out_track_id is None
    ):
        raise RequestValidationError(
            "out_track_id",
            "None is left for a bulk run to derive; give one (out_track_id_for(...)) or keep "
            "the default",
        )
    return request


def _delivered(result: D) -> D:
    """The result, or `PartialDeliveryError` when a space reports `success: false`."""
    failed = result.failed
    if failed:
        raise PartialDeliveryError(
            out_track_id=result.out_track_id,
            failed={delivery.space: delivery.error_msg or "" for delivery in failed},
            delivered={
                delivery.space: delivery.carrier_id
                for delivery in result.deliveries
                if delivery.success
            },
            result=result,
        )
    return result
