"""Requests and results of the scene-group API, validated when built: a bad request raises
`RequestValidationError` naming the field before anything is sent.

A scene group is named by its openConversationId everywhere in this family.
Wire names come from the one converter: create, update and member add and
remove bodies are snake_case (`wire_case = WireCase.SNAKE`), the other APIs
camelCase, as DingTalk documents them. The member-side models (admins,
nicknames, mute, member pages, template robots) are in `member_models`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import Attribute, define, field

from .._core.wire import WireCase
from ..errors import RequestValidationError
from . import _fields as check
from . import member_models
from .member_models import *  # noqa: F403 - the member side's names are this module's too
from .options import MuteStatus, SceneGroupOptions, SceneGroupRole, SceneGroupStatus

__all__ = [
    "CreateSceneGroupRequest",
    "CreateSceneGroupResult",
    "DisbandSceneGroupRequest",
    "DisbandSceneGroupResult",
    "MuteStatus",
    "SceneGroupInfo",
    "SceneGroupMembersRequest",
    "SceneGroupMembersResult",
    "SceneGroupOptions",
    "SceneGroupRole",
    "SceneGroupStatus",
    "UpdateSceneGroupRequest",
    "UpdateSceneGroupResult",
]
__all__ += member_models.__all__


def _options(_instance: object, _attribute: Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, SceneGroupOptions):
        raise RequestValidationError(
            "management_options", f"must be a SceneGroupOptions, got {type(value).__name__}"
        )


@define(frozen=True, kw_only=True)
class CreateSceneGroupRequest:
    """Body of `POST /v1.0/im/sceneGroup/create`: a group made from the group template
    `template_id` (snake_case keys on the wire).

    `uuid` is DingTalk's dedup key ("建群去重的业务ID"): a create that carries
    one is safe to send again after an unknown outcome. A bulk run fills it in
    when it is unset (`BulkOptions.run_id`). What DingTalk answers to a second
    create with the same `uuid` is not documented; the emulator returns the
    group the first one made.
    """

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    title: str = field(validator=check.title)
    """Group name (`title`): 1 to 30 characters (DingTalk advises 10 at most), not blank."""
    template_id: str = field(validator=check.text)
    """The group template (`template_id`), from the developer console (开放能力 > 场景群 >
    群模板); not blank."""
    owner_user_id: str = field(validator=check.text)
    """userId of the owner (`owner_user_id`); not blank."""
    user_ids: tuple[str, ...] | None = field(default=None, converter=check.create_user_ids)
    """Members' userIds (`user_ids`): 1 to 999, none blank. Unset: the owner alone."""
    subadmin_ids: tuple[str, ...] | None = field(default=None, converter=check.subadmin_ids)
    """userIds of the group's admins (`subadmin_ids`), none blank. Unset: none."""
    uuid: str | None = field(default=None, validator=check.dedup_uuid)
    """The dedup key (`uuid`): 1 to 64 characters. Unset: none (a bulk run fills one in)."""
    icon: str | None = field(default=None, validator=check.optional_text)
    """mediaId of the group's avatar (`icon`); not blank. Unset: the template's."""
    management_options: SceneGroupOptions | None = field(default=None, validator=_options)
    """The group's settings (`management_options`). Unset: DingTalk's defaults."""

    def __attrs_post_init__(self) -> None:
        options = self.management_options
        if options is not None and options.plugin_customize_verify is not None:
            raise RequestValidationError(
                "management_options", "plugin_customize_verify is only for update"
            )


@define(frozen=True, kw_only=True)
class CreateSceneGroupResult:
    """The ids of the group a create made (or, on a replay of its `uuid`, found)."""

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    open_conversation_id: str
    """The group's id for every scene-group API and robot messages (`open_conversation_id`)."""
    chat_id: str
    """The group's id for the legacy API (`chat_id`)."""


@define(frozen=True, kw_only=True)
class UpdateSceneGroupRequest:
    """Body of `POST /v1.0/im/sceneGroup/update`: what to change in the group (snake_case keys
    on the wire). Only the fields you set are sent; at least one must be. Members change
    with `SceneGroupService.add_members` and `remove_members`."""

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    open_conversation_id: str = field(validator=check.text)
    """The group (`open_conversation_id`); not blank."""
    title: str | None = field(default=None, validator=check.optional_title)
    """New name (`title`): 1 to 30 characters. Unset: unchanged."""
    icon: str | None = field(default=None, validator=check.optional_text)
    """mediaId of the new avatar (`icon`). Unset: unchanged."""
    owner_user_id: str | None = field(default=None, validator=check.optional_text)
    """userId of the new owner (`owner_user_id`). Unset: unchanged."""
    owner_union_id: str | None = field(default=None, validator=check.optional_text)
    """unionId of the new owner (`owner_union_id`), instead of `owner_user_id`."""
    management_options: SceneGroupOptions | None = field(default=None, validator=_options)
    """Settings to change (`management_options`), at least one set."""

    def __attrs_post_init__(self) -> None:
        if self.owner_user_id is not None and self.owner_union_id is not None:
            raise RequestValidationError("owner_union_id", "give owner_user_id or this, not both")
        if self.management_options == SceneGroupOptions():
            raise RequestValidationError("management_options", "sets nothing (leave it out)")
        changes = (
            self.title,
            self.icon,
            self.owner_user_id,
            self.owner_union_id,
            self.management_options,
        )
        if all(change is None for change in changes):
            raise RequestValidationError("request", "changes nothing: set at least one field")


@define(frozen=True, kw_only=True)
class UpdateSceneGroupResult:
    """DingTalk's reply to an update: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the change was applied."""


@define(frozen=True, kw_only=True)
class SceneGroupMembersRequest:
    """Body of `POST /v1.0/im/sceneGroup/member/add` and `.../member/delete`: the people to add
    to (or remove from) the group, by userId and by unionId (snake_case keys on the wire).

    A group holds at most 1,000 people; DingTalk refuses an add past that with
    `member.exceed` (`MemberLimitError`).
    """

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    open_conversation_id: str = field(validator=check.text)
    """The group (`open_conversation_id`); not blank."""
    user_ids: tuple[str, ...] | None = field(default=None, converter=check.user_ids)
    """userIds (`user_ids`): at least one unless `union_ids` are given, none blank."""
    union_ids: tuple[str, ...] | None = field(default=None, converter=check.union_ids)
    """unionIds, e.g. of people outside the organisation (`union_ids`), none blank."""

    def __attrs_post_init__(self) -> None:
        check.require_some(user_ids=self.user_ids, union_ids=self.union_ids)


@define(frozen=True, kw_only=True)
class SceneGroupMembersResult:
    """DingTalk's reply to a member change: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the change was applied."""


@define(frozen=True, kw_only=True)
class GetSceneGroupRequest:
    """Body of `POST /v1.0/im/sceneGroups/query` (`SceneGroupService.get` builds it)."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    cool_app_code: str | None = field(default=None, validator=check.optional_text)
    """The group cool app (`coolAppCode`), only for groups that installed one."""


@define(frozen=True, kw_only=True)
class SceneGroupInfo:
    """A scene group read back (`POST /v1.0/im/sceneGroups/query`): fields DingTalk leaves
    out are None; `status` is a `SceneGroupStatus` for documented values, else the raw
    integer."""

    open_conversation_id: str
    """The group's id (`openConversationId`)."""
    title: str
    """Group name (`title`)."""
    owner_user_id: str
    """userId of the owner (`ownerUserId`)."""
    template_id: str | None = None
    """The group template it was made from (`templateId`)."""
    status: SceneGroupStatus | int | None = None
    """`status`: 1 in use, 2 disbanded (see `disbanded`)."""
    icon: str | None = None
    """mediaId of the avatar (`icon`)."""
    group_url: str | None = None
    """A link that opens the group (`groupUrl`)."""
    success: bool | None = None
    """`success` as DingTalk sends it."""

    @property
    def disbanded(self) -> bool:
        """True when `status` is `SceneGroupStatus.DISBANDED`."""
        return self.status == SceneGroupStatus.DISBANDED


@define(frozen=True, kw_only=True)
class DisbandSceneGroupRequest:
    """Body of `POST /v1.0/im/chat/scenegroup/disband` (`SceneGroupService.disband` takes it,
    or the id alone). Internal apps only."""

    open_conversation_id: str = field(validator=check.text)
    """The group to disband (`openConversationId`); not blank."""


@define(frozen=True, kw_only=True)
class DisbandSceneGroupResult:
    """DingTalk's reply to a disband: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the group is disbanded (its `status` is 2 from now on)."""
