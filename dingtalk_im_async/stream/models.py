"""What Stream mode delivers: a message to the bot, or an event in a group.

Field names are snake_case; the wire names are DingTalk's (`conversationId`,
`senderStaffId`, `userId`, ...). Every model is frozen. A bot message's
`session_webhook` is a short-lived capability to post into the conversation,
so it is masked in the repr.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from attrs import define, field

from .._core.wire import wire

__all__ = [
    "EVENT_CLASSES",
    "AtUser",
    "BotMessage",
    "GroupDisbandedEvent",
    "GroupEvent",
    "MemberQuitEvent",
    "MembersAddedEvent",
    "MembersRemovedEvent",
    "OwnerChangedEvent",
    "StreamEvent",
    "StreamItem",
    "TextContent",
    "TitleChangedEvent",
    "UnknownEvent",
]

#: `conversationType` of a group chat ("1" is a one-to-one chat with the bot).
GROUP_CONVERSATION = "2"


def _masked_url(url: str | None) -> str:
    if url is None:
        return "None"
    return repr(url.split("?", 1)[0] + ("?…" if "?" in url else ""))


@define(frozen=True, kw_only=True)
class AtUser:
    """Someone @-mentioned in the message (`staff_id` is missing for people outside the org)."""

    dingtalk_id: str
    staff_id: str | None = None


@define(frozen=True, kw_only=True)
class TextContent:
    """The body of a `text` message; DingTalk keeps the space that followed the @-mention."""

    content: str


@define(frozen=True, kw_only=True)
class BotMessage:
    """A message to the bot (topic `/v1.0/im/bot/messages/get`): every one-to-one message,
    and the group messages that @-mention the bot.

    `open_conversation_id` (wire `conversationId`) is the group's
    openConversationId: the one `GroupMessage` and the group APIs take.
    `msg_id` is the message's own id, the same on every redelivery.
    """

    msg_id: str
    open_conversation_id: str = field(metadata=wire("conversationId"))
    #: "2" in a group chat, "1" in a one-to-one chat with the bot.
    conversation_type: str | None = None
    conversation_title: str | None = None
    #: `text`, `picture`, `richText`, `audio`, `video`, `file`, ...
    msgtype: str | None = None
    text: TextContent | None = None
    #: The details of non-text messages (`picture`, `richText`, `file`, ...), as sent.
    content: dict[str, Any] | None = None
    at_users: tuple[AtUser, ...] = ()
    is_in_at_list: bool = False
    sender_id: str | None = None
    sender_nick: str | None = None
    sender_staff_id: str | None = None
    sender_corp_id: str | None = None
    is_admin: bool = False
    chatbot_user_id: str | None = None
    chatbot_corp_id: str | None = None
    robot_code: str | None = None
    session_webhook: str | None = field(default=None, repr=_masked_url)
    #: When `session_webhook` stops working, in milliseconds since the epoch.
    session_webhook_expired_time: int | None = None
    #: When the message was sent, in milliseconds since the epoch.
    create_at: int | None = None

    @property
    def is_group(self) -> bool:
        """True in a group chat (`conversation_type` "2")."""
        return self.conversation_type == GROUP_CONVERSATION

    @property
    def plain_text(self) -> str:
        """The text of a `text` message without surrounding blanks; "" for other types."""
        return self.text.content.strip() if self.text is not None else ""

    def webhook_usable(self, *, margin: float = 5.0, now: float | None = None) -> bool:
        """Whether `session_webhook` is still valid `margin` seconds from now."""
        if self.session_webhook is None or self.session_webhook_expired_time is None:
            return False
        moment = time.time() if now is None else now
        return self.session_webhook_expired_time / 1000 > moment + margin


@define(frozen=True, kw_only=True)
class StreamEvent:
    """What every event carries: the headers of its `EVENT` frame.

    `event_id` is the same on every redelivery of the event.
    """

    event_id: str
    event_type: str
    #: When DingTalk made the event, in milliseconds since the epoch.
    event_born_time: int | None = None
    event_corp_id: str | None = None
    event_unified_app_id: str | None = None


@define(frozen=True, kw_only=True)
class UnknownEvent(StreamEvent):
    """An event this client has no class for (or whose fields did not match its class):
    `data` is its payload as sent."""

    data: dict[str, Any] = field(factory=dict)


@define(frozen=True, kw_only=True)
class GroupEvent(StreamEvent):
    """A change in a group; `chat_id` is missing from `chat_update_owner` events."""

    EVENT_TYPE: ClassVar[str] = ""

    open_conversation_id: str
    chat_id: str | None = None
    corp_id: str | None = None
    #: The userId of who made the change.
    operator: str | None = None
    operator_union_id: str | None = None
    #: When the change happened, in milliseconds since the epoch.
    time_stamp: int | None = None


@define(frozen=True, kw_only=True)
class MembersAddedEvent(GroupEvent):
    """`chat_add_member`: people were added to the group."""

    EVENT_TYPE: ClassVar[str] = "chat_add_member"

    user_ids: tuple[str, ...] = field(default=(), metadata=wire("userId"))
    union_ids: tuple[str, ...] = field(default=(), metadata=wire("unionId"))


@define(frozen=True, kw_only=True)
class MembersRemovedEvent(GroupEvent):
    """`chat_remove_member`: people were removed from the group."""

    EVENT_TYPE: ClassVar[str] = "chat_remove_member"

    user_ids: tuple[str, ...] = field(default=(), metadata=wire("userId"))
    union_ids: tuple[str, ...] = field(default=(), metadata=wire("unionId"))


@define(frozen=True, kw_only=True)
class MemberQuitEvent(GroupEvent):
    """`chat_quit`: someone left the group; `operator` is who left."""

    EVENT_TYPE: ClassVar[str] = "chat_quit"


@define(frozen=True, kw_only=True)
class OwnerChangedEvent(GroupEvent):
    """`chat_update_owner`: the group has a new owner."""

    EVENT_TYPE: ClassVar[str] = "chat_update_owner"

    owner: str


@define(frozen=True, kw_only=True)
class TitleChangedEvent(GroupEvent):
    """`chat_update_title`: the group was renamed."""

    EVENT_TYPE: ClassVar[str] = "chat_update_title"

    title: str


@define(frozen=True, kw_only=True)
class GroupDisbandedEvent(GroupEvent):
    """`chat_disband`: the group was disbanded."""

    EVENT_TYPE: ClassVar[str] = "chat_disband"


#: The class of each event type this client knows; any other type is an `UnknownEvent`.
EVENT_CLASSES: Mapping[str, type[GroupEvent]] = {
    cls.EVENT_TYPE: cls
    for cls in (
        MembersAddedEvent,
        MembersRemovedEvent,
        MemberQuitEvent,
        OwnerChangedEvent,
        TitleChangedEvent,
        GroupDisbandedEvent,
    )
}

#: What a stream hands to your code.
StreamItem = BotMessage | StreamEvent
