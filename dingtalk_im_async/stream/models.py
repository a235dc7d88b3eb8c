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
    """Someone @-mentioned in the message."""

    dingtalk_id: str
    """Their DingTalk-wide id (`dingtalkId`)."""
    staff_id: str | None = None
    """Their userId in the organisation (`staffId`); None for people outside it."""


@define(frozen=True, kw_only=True)
class TextContent:
    """The body of a `text` message."""

    content: str
    """The text (`content`), without the @-mention of the bot but with the space after it."""


@define(frozen=True, kw_only=True)
class BotMessage:
    """A message to the bot (topic `/v1.0/im/bot/messages/get`): every one-to-one message,
    and the group messages that @-mention the bot."""

    msg_id: str
    """The message's own id (`msgId`), the same on every redelivery."""
    open_conversation_id: str = field(metadata=wire("conversationId"))
    """The conversation (`conversationId`): in a group, the openConversationId that
    `GroupMessage` and the group APIs take."""
    conversation_type: str | None = None
    """`"2"` in a group chat, `"1"` in a one-to-one chat with the bot (`conversationType`)."""
    conversation_title: str | None = None
    """The group's name (`conversationTitle`); None in a one-to-one chat."""
    msgtype: str | None = None
    """The kind of message: `text`, `picture`, `richText`, `audio`, `video`, `file`, ..."""
    text: TextContent | None = None
    """The body of a `text` message; None for the other kinds."""
    content: dict[str, Any] | None = None
    """The details of non-text messages (`picture`, `richText`, `file`, ...), as sent."""
    at_users: tuple[AtUser, ...] = ()
    """Who the message @-mentions (`atUsers`), the bot included."""
    is_in_at_list: bool = False
    """Whether the bot is among them (`isInAtList`)."""
    sender_id: str | None = None
    """The sender's DingTalk-wide id (`senderId`)."""
    sender_nick: str | None = None
    """The sender's display name (`senderNick`)."""
    sender_staff_id: str | None = None
    """The sender's userId in the organisation (`senderStaffId`); None for outsiders."""
    sender_corp_id: str | None = None
    """The sender's organisation (`senderCorpId`)."""
    is_admin: bool = False
    """Whether the sender is an administrator of the organisation (`isAdmin`)."""
    chatbot_user_id: str | None = None
    """The bot's own id in the conversation (`chatbotUserId`)."""
    chatbot_corp_id: str | None = None
    """The organisation the bot belongs to (`chatbotCorpId`)."""
    robot_code: str | None = None
    """The receiving robot's code (`robotCode`)."""
    session_webhook: str | None = field(default=None, repr=_masked_url)
    """A short-lived URL that posts into this conversation (`sessionWebhook`); masked in
    the repr, since it is a capability."""
    session_webhook_expired_time: int | None = None
    """When `session_webhook` stops working, in milliseconds since the epoch."""
    create_at: int | None = None
    """When the message was sent, in milliseconds since the epoch."""

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
    """What every event carries: the headers of its `EVENT` frame."""

    event_id: str
    """The event's id (`eventId`), the same on every redelivery."""
    event_type: str
    """What happened (`eventType`), e.g. `chat_add_member`."""
    event_born_time: int | None = None
    """When DingTalk made the event, in milliseconds since the epoch (`eventBornTime`)."""
    event_corp_id: str | None = None
    """The organisation it happened in (`eventCorpId`)."""
    event_unified_app_id: str | None = None
    """The app it was delivered to (`eventUnifiedAppId`)."""


@define(frozen=True, kw_only=True)
class UnknownEvent(StreamEvent):
    """An event this client has no class for (or whose fields did not match its class):
    `data` is its payload as sent."""

    data: dict[str, Any] = field(factory=dict)
    """The event's payload, as sent."""


@define(frozen=True, kw_only=True)
class GroupEvent(StreamEvent):
    """A change in a group."""

    EVENT_TYPE: ClassVar[str] = ""

    open_conversation_id: str
    """The group's openConversationId (`openConversationId`)."""
    chat_id: str | None = None
    """The group's chatid (`chatId`); missing from `chat_update_owner` events."""
    corp_id: str | None = None
    """The group's organisation (`corpId`)."""
    operator: str | None = None
    """The userId of who made the change (`operator`)."""
    operator_union_id: str | None = None
    """The unionId of who made the change (`operatorUnionId`)."""
    time_stamp: int | None = None
    """When the change happened, in milliseconds since the epoch (`timeStamp`)."""


@define(frozen=True, kw_only=True)
class MembersAddedEvent(GroupEvent):
    """`chat_add_member`: people were added to the group."""

    EVENT_TYPE: ClassVar[str] = "chat_add_member"

    user_ids: tuple[str, ...] = field(default=(), metadata=wire("userId"))
    """The userIds of the people added (`userId`)."""
    union_ids: tuple[str, ...] = field(default=(), metadata=wire("unionId"))
    """Their unionIds (`unionId`)."""


@define(frozen=True, kw_only=True)
class MembersRemovedEvent(GroupEvent):
    """`chat_remove_member`: people were removed from the group."""

    EVENT_TYPE: ClassVar[str] = "chat_remove_member"

    user_ids: tuple[str, ...] = field(default=(), metadata=wire("userId"))
    """The userIds of the people removed (`userId`)."""
    union_ids: tuple[str, ...] = field(default=(), metadata=wire("unionId"))
    """Their unionIds (`unionId`)."""


@define(frozen=True, kw_only=True)
class MemberQuitEvent(GroupEvent):
    """`chat_quit`: someone left the group; `operator` is who left."""

    EVENT_TYPE: ClassVar[str] = "chat_quit"


@define(frozen=True, kw_only=True)
class OwnerChangedEvent(GroupEvent):
    """`chat_update_owner`: the group has a new owner."""

    EVENT_TYPE: ClassVar[str] = "chat_update_owner"

    owner: str
    """The new owner's userId (`owner`)."""


@define(frozen=True, kw_only=True)
class TitleChangedEvent(GroupEvent):
    """`chat_update_title`: the group was renamed."""

    EVENT_TYPE: ClassVar[str] = "chat_update_title"

    title: str
    """The group's new name (`title`)."""


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
