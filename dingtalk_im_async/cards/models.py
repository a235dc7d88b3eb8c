"""Requests of the card API (the "new card platform", 互动卡片), validated when built; the
family's public names (its results', `results.py`, too).

A card is one `outTrackId`: chosen by the caller (or made once per request
object), so the same request sent again meets `param.cardAlreadyExist`
instead of making a second card. Its data is `card_data`, DingTalk's
`cardParamMap`: strings only (structured data goes through `json_params`), keys
at most 100 bytes, values at most 1 KB.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import define, field

from ..errors import RequestValidationError
from ._converters import (
    _at_users,
    _callback_type,
    _card_data,
    _content,
    _guid,
    _key,
    _new_out_track_id,
    _optional_card_data,
    _optional_private_data,
    _out_track_id,
    _private_data,
    _route_key,
    _space_options,
    _space_types,
    _spaces,
    _template_id,
    _user_id,
    _user_id_type,
)
from ._fields import (
    FULL_JSON_KEY,
    MAX_KEY_BYTES,
    MAX_OUT_TRACK_ID_CHARS,
    MAX_VALUE_BYTES,
    json_params,
    new_guid,
    new_out_track_id,
    out_track_id_for,
)
from ._inputs import request_from_record
from .options import CallbackType, UserIdType
from .results import (
    CreateAndDeliverResult,
    CreateCardResult,
    DeliverCardResult,
    SpaceDelivery,
    StreamingUpdateResult,
    UpdateCardResult,
)
from .spaces import (
    OPEN_SPACE_PREFIX,
    SPACE_MODEL_KEYS,
    CardSpace,
    GroupCeilingSpace,
    GroupSpace,
    RobotChatSpace,
    SingleChatSpace,
    SpaceOptions,
    SpaceType,
    open_space_id,
    parse_open_space_id,
    space_wire,
)

__all__ = [
    "FULL_JSON_KEY",
    "MAX_KEY_BYTES",
    "MAX_OUT_TRACK_ID_CHARS",
    "MAX_VALUE_BYTES",
    "OPEN_SPACE_PREFIX",
    "CallbackType",
    "CardSpace",
    "CreateAndDeliverRequest",
    "CreateAndDeliverResult",
    "CreateCardRequest",
    "CreateCardResult",
    "DeliverCardRequest",
    "DeliverCardResult",
    "GroupCeilingSpace",
    "GroupSpace",
    "RobotChatSpace",
    "SingleChatSpace",
    "SpaceDelivery",
    "SpaceOptions",
    "SpaceType",
    "StreamingUpdate",
    "StreamingUpdateResult",
    "UpdateCardRequest",
    "UpdateCardResult",
    "UserIdType",
    "json_params",
    "new_out_track_id",
    "open_space_id",
    "out_track_id_for",
    "parse_open_space_id",
]


# -- the content every create shares --------------------------------------------------------


def _content_wire(request: CreateCardRequest | CreateAndDeliverRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cardTemplateId": request.card_template_id,
        "outTrackId": request.out_track_id,
        "cardData": {"cardParamMap": dict(request.card_data)},
    }
    if request.private_data:
        body["privateData"] = {
            user: {"cardParamMap": dict(params)} for user, params in request.private_data.items()
        }
    if request.callback_type is not None:
        body["callbackType"] = request.callback_type.value
    if request.callback_route_key is not None:
        body["callbackRouteKey"] = request.callback_route_key
    if request.user_id is not None:
        body["userId"] = request.user_id
    if request.user_id_type is not None:
        body["userIdType"] = int(request.user_id_type)
    if request.card_at_user_ids:
        body["cardAtUserIds"] = list(request.card_at_user_ids)
    return body


@define(frozen=True, kw_only=True)
class CreateCardRequest:
    """Body of `POST /v1.0/card/instances`: a card, not shown anywhere until delivered.

    `space_types` are the kinds of space it may later be delivered to (their
    display objects are sent now, with `space_options`).
    """

    card_template_id: str = field(converter=_template_id)
    """The template, from the developer console's card platform (`cardTemplateId`)."""
    out_track_id: str | None = field(factory=new_out_track_id, converter=_new_out_track_id)
    """The card's id (`outTrackId`, at most 64 characters): yours (`out_track_id_for`), or
    a random one made once per request object; None only in a bulk run's inputs, which the
    run gives one derived from its run id and the input's position."""
    card_data: Mapping[str, str] = field(factory=dict, converter=_card_data)
    """The template's parameters (`cardData.cardParamMap`): strings only."""
    private_data: Mapping[str, Mapping[str, str]] = field(factory=dict, converter=_private_data)
    """Per user, parameters only that user sees (`privateData`)."""
    callback_type: CallbackType | None = field(default=None, converter=_callback_type)
    """How button presses reach the app (`callbackType`); None: no callbacks."""
    callback_route_key: str | None = field(default=None, converter=_route_key)
    """The registered HTTP callback's key (`callbackRouteKey`), for `CallbackType.HTTP`."""
    user_id: str | None = field(default=None, converter=_user_id)
    """The card's creator (`userId`), if any."""
    user_id_type: UserIdType | None = field(default=None, converter=_user_id_type)
    """What the request's user ids are (`userIdType`); None: DingTalk's default, userIds."""
    card_at_user_ids: tuple[str, ...] = field(default=(), converter=_at_users)
    """Users @-mentioned inside the card's markdown (`cardAtUserIds`)."""
    space_types: tuple[SpaceType, ...] = field(
        default=(SpaceType.IM_GROUP, SpaceType.IM_ROBOT), converter=_space_types
    )
    """Kinds of space it may be delivered to later (their `im*OpenSpaceModel`)."""
    space_options: SpaceOptions = field(factory=SpaceOptions, converter=_space_options)
    """How it shows in chats (`supportForward`, notification, ...)."""

    def _to_wire(self) -> dict[str, Any]:
        body = _content_wire(self)
        for kind in self.space_types:
            body[SPACE_MODEL_KEYS[kind]] = self.space_options._space_model(kind)
        return body


@define(frozen=True, kw_only=True)
class CreateAndDeliverRequest:
    """Body of `POST /v1.0/card/instances/createAndDeliver`: make a card and show it in
    `spaces`, in one call.

        CreateAndDeliverRequest(
            card_template_id="xxx.schema",
            out_track_id=out_track_id_for(message.msg_id),
            card_data={"title": "Build #42", "status": "running"},
            spaces=[GroupSpace(open_conversation_id=cid)],
        )
    """

    card_template_id: str = field(converter=_template_id)
    """The template, from the developer console's card platform (`cardTemplateId`)."""
    spaces: tuple[CardSpace, ...] = field(converter=_spaces)
    """Where it is shown: one or more spaces (`openSpaceId` and the delivery objects)."""
    out_track_id: str | None = field(factory=new_out_track_id, converter=_new_out_track_id)
    """The card's id (`outTrackId`, at most 64 characters): yours (`out_track_id_for`), or
    a random one made once per request object; None only in a bulk run's inputs, which the
    run gives one derived from its run id and the input's position."""
    card_data: Mapping[str, str] = field(factory=dict, converter=_card_data)
    """The template's parameters (`cardData.cardParamMap`): strings only."""
    private_data: Mapping[str, Mapping[str, str]] = field(factory=dict, converter=_private_data)
    """Per user, parameters only that user sees (`privateData`)."""
    callback_type: CallbackType | None = field(default=None, converter=_callback_type)
    """How button presses reach the app (`callbackType`); None: no callbacks."""
    callback_route_key: str | None = field(default=None, converter=_route_key)
    """The registered HTTP callback's key (`callbackRouteKey`), for `CallbackType.HTTP`."""
    user_id: str | None = field(default=None, converter=_user_id)
    """The card's creator (`userId`), if any."""
    user_id_type: UserIdType | None = field(default=None, converter=_user_id_type)
    """What the request's user ids are (`userIdType`); `UNION_ID` for third-party apps."""
    card_at_user_ids: tuple[str, ...] = field(default=(), converter=_at_users)
    """Users @-mentioned inside the card's markdown (`cardAtUserIds`)."""
    space_options: SpaceOptions = field(factory=SpaceOptions, converter=_space_options)
    """How it shows in chats (`supportForward`, notification, ...)."""

    def _to_wire(self) -> dict[str, Any]:
        return {**_content_wire(self), **space_wire(self.spaces, self.space_options)}

    @classmethod
    def _from_wire(cls, data: Any) -> CreateAndDeliverRequest:
        """A request from an input record (bulk runs, the CLI): see `cards._inputs`."""
        return request_from_record(cls, data)

    @property
    def deliver_request(self) -> DeliverCardRequest:
        """The same card delivered to the same spaces: what resolves a replay that met
        `param.cardAlreadyExist` ("created; delivery unknown")."""
        return DeliverCardRequest(
            out_track_id=_out_track_id(self.out_track_id),
            spaces=self.spaces,
            user_id_type=self.user_id_type,
        )


@define(frozen=True, kw_only=True)
class DeliverCardRequest:
    """Body of `POST /v1.0/card/instances/deliver`: show an existing card in `spaces`.

    Safe to repeat: a card delivered again to a space that has it stays one
    card there (the emulator answers with the same `carrierId`; DingTalk
    documents no second message).
    """

    out_track_id: str = field(converter=_out_track_id)
    """The card (`outTrackId`)."""
    spaces: tuple[CardSpace, ...] = field(converter=_spaces)
    """Where it is shown: one or more spaces."""
    user_id_type: UserIdType | None = field(default=None, converter=_user_id_type)
    """What the spaces' user ids are (`userIdType`); `UNION_ID` for third-party apps."""

    def _to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"outTrackId": self.out_track_id}
        wired = space_wire(self.spaces, SpaceOptions())
        body.update({key: value for key, value in wired.items() if "SpaceModel" not in key})
        if self.user_id_type is not None:
            body["userIdType"] = int(self.user_id_type)
        return body


@define(frozen=True, kw_only=True)
class UpdateCardRequest:
    """Body of `PUT /v1.0/card/instances`: new data for a card, everywhere it is shown.

    By default DingTalk **replaces** the whole `cardParamMap` (keys left out
    are gone); `merge=True` changes only the keys given
    (`cardUpdateOptions.updateCardDataByKey`), as `merge_private` does for
    `private_data`. Safe to repeat: it sets state.
    """

    out_track_id: str = field(converter=_out_track_id)
    """The card (`outTrackId`)."""
    card_data: Mapping[str, str] | None = field(default=None, converter=_optional_card_data)
    """The new parameters (`cardData.cardParamMap`); None: leave them."""
    private_data: Mapping[str, Mapping[str, str]] | None = field(
        default=None, converter=_optional_private_data
    )
    """New per-user parameters (`privateData`); None: leave them."""
    merge: bool = False
    """Change only the keys given (`updateCardDataByKey`) instead of replacing the map."""
    merge_private: bool = False
    """The same for `private_data` (`updatePrivateDataByKey`)."""
    user_id_type: UserIdType | None = field(default=None, converter=_user_id_type)
    """What `private_data`'s user ids are (`userIdType`)."""

    def __attrs_post_init__(self) -> None:
        if self.card_data is None and self.private_data is None:
            raise RequestValidationError(
                "card_data",
                "give card_data or private_data (param.cardDataAndPrivateDataBothEmpty)",
            )

    def _to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"outTrackId": self.out_track_id}
        if self.card_data is not None:
            body["cardData"] = {"cardParamMap": dict(self.card_data)}
        if self.private_data is not None:
            body["privateData"] = {
                user: {"cardParamMap": dict(params)} for user, params in self.private_data.items()
            }
        options = {}
        if self.merge:
            options["updateCardDataByKey"] = True
        if self.merge_private:
            options["updatePrivateDataByKey"] = True
        if options:
            body["cardUpdateOptions"] = options
        if self.user_id_type is not None:
            body["userIdType"] = int(self.user_id_type)
        return body


@define(frozen=True, kw_only=True)
class StreamingUpdate:
    """Body of `PUT /v1.0/card/streaming`: one frame of an AI card's typewriter stream.

    `guid` is DingTalk's idempotency key of the frame, made once per frame
    object: the same frame sent again (after an unknown outcome) is applied
    once. `is_full` replaces the key's content (required for markdown keys),
    else the content is appended. The first frame moves the card from
    "processing" to "typing" (输入中); `is_finalize` to "done", `is_error` to
    "failed". DingTalk advises at most 1 KB of content per frame and 3 KB in
    all (https://open.dingtalk.com/document/development/api-streamingupdate).
    """

    out_track_id: str = field(converter=_out_track_id)
    """The card (`outTrackId`)."""
    key: str = field(converter=_key)
    """The template variable being streamed (`key`)."""
    content: str = field(converter=_content)
    """The text to append, or the whole text with `is_full` (never empty)."""
    is_full: bool = False
    """Replace the key's content instead of appending (`isFull`)."""
    is_finalize: bool = False
    """The last frame: the card shows "done" (`isFinalize`)."""
    is_error: bool = False
    """The answer failed: the card shows "failed" (`isError`)."""
    guid: str = field(factory=new_guid, converter=_guid)
    """The frame's idempotency key (`guid`), kept across retries."""

    def _to_wire(self) -> dict[str, Any]:
        # Every flag is sent, even false: DingTalk refuses a frame without `isFull`
        # (`param.stream.isFull`).
        return {
            "outTrackId": self.out_track_id,
            "guid": self.guid,
            "key": self.key,
            "content": self.content,
            "isFull": self.is_full,
            "isFinalize": self.is_finalize,
            "isError": self.is_error,
        }
