"""The emulator's group state: what DingTalk knows about each group right now.

Always kept (the `record_groups` switch only turns off the `CreatedGroup`
inspection list): later endpoints (update, chat/get, robot messages) read and
change these groups. Every group is found by its `chatid` and by its
`openConversationId`, as DingTalk's two families of APIs address it.

Handlers that change a group announce it with `emit(event_type, data)`
(`chat_add_member`, `chat_remove_member`, `chat_update_owner`,
`chat_update_title`); whatever registered with `on_event` (e.g. the Stream
gateway's `push_event`) gets each event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from attrs import define, field

__all__ = [
    "DISBANDED",
    "NORMAL",
    "OPTION_KEYS",
    "EventSink",
    "GroupStore",
    "PostedMessage",
    "StoredGroup",
]

logger = logging.getLogger("dingtalk_im_async.emulator")

#: What `GroupStore.on_event` registers: called with (event type, event data by wire key).
EventSink = Callable[[str, Mapping[str, Any]], object]

#: `status` of a group in use, and of a disbanded one (as `chat/get` reports them).
NORMAL = 1
DISBANDED = 2
#: The `managementOptions` keys, all 0 unless the create or an update set them.
OPTION_KEYS = (
    "mentionAllAuthority",
    "showHistoryType",
    "validationType",
    "searchable",
    "chatBannedType",
    "managementType",
)


def _default_options() -> dict[str, int]:
    return dict.fromkeys(OPTION_KEYS, 0)


#: `sendStatus` of a posted message, and of a recalled one.
SUCCESS = "SUCCESS"
RECALLED = "RECALLED"


@define(kw_only=True, eq=False)
class PostedMessage:
    """A message a robot posted into a group; handlers and tests change it in place."""

    process_query_key: str
    """The key `send` returned (`processQueryKey`)."""
    robot_code: str
    """The robot that posted it."""
    msg_key: str
    """The message kind (`msgKey`)."""
    msg_param: dict[str, Any]
    """The decoded `msgParam` (the JSON string as an object)."""
    cool_app_code: str | None = None
    """The group cool app it was posted through, if any."""
    corp_id: str | None = None
    """The organisation of the token that sent it; None: the internal app's own."""
    status: str = SUCCESS
    """`sendStatus` as the read-status query reports it: "SUCCESS", "RECALLED" after a recall (a
    test may set "PROCESSING")."""
    read_by: list[str] = field(factory=list)
    """UserIds that read it, in reading order (`GroupStore.mark_read`)."""
    sent_at: float = field(factory=time.monotonic)
    """`time.monotonic()` when it was posted (the robot rate limit's clock)."""

    @property
    def recalled(self) -> bool:
        return self.status == RECALLED


@define(kw_only=True, eq=False)
class StoredGroup:
    """One group's current state; handlers change it in place."""

    chatid: str
    """The group's chatid."""
    open_conversation_id: str
    """The group's openConversationId."""
    name: str
    """The group's name."""
    owner: str
    """The owner's userid."""
    owner_type: str = "emp"
    """`emp` (an employee, also a member) or `ext` (an external contact)."""
    members: list[str] = field(factory=list)
    """The userids in the group, the owner included (an `emp` owner is a member, as on DingTalk), in
    the order they joined."""
    ext_members: list[str] = field(factory=list)
    """The external contacts' ids (`extidlist`)."""
    sub_admins: set[str] = field(factory=set)
    """The userids of the group's admins."""
    icon: str | None = None
    """The icon's media id, if set."""
    options: dict[str, int] = field(factory=_default_options)
    """`managementOptions` by wire key (`chatBannedType`, ...)."""
    conversation_tag: int = 2
    """2 internal group, 0 normal group."""
    status: int = NORMAL
    """`NORMAL` (1) or `DISBANDED` (2)."""
    robots: set[str] = field(factory=set)
    """Robot codes installed in the group: the app's own robot (the emulator's `robot_code`) from
    the start unless `robot_in_new_groups` is off; tests add and remove codes."""
    messages: list[PostedMessage] = field(factory=list)
    """The `PostedMessage`s robots posted into the group, oldest first."""
    nicks: dict[str, str] = field(factory=dict)
    """Members' nicknames in the group, by userid."""
    created_at: float = field(factory=time.time)
    """`time.time()` when it was created."""
    corp_id: str | None = None
    """The organisation that owns the group (whose tokens see it); None: the internal app's
    own organisation."""

    @property
    def disbanded(self) -> bool:
        return self.status == DISBANDED


class GroupStore:
    """Every group the emulator knows, by chatid and by openConversationId, in creation order."""

    __slots__ = ("_by_chatid", "_by_open_conversation_id", "_messages", "_sinks")

    def __init__(self) -> None:
        self._by_chatid: dict[str, StoredGroup] = {}
        self._by_open_conversation_id: dict[str, StoredGroup] = {}
        self._sinks: list[EventSink] = []
        self._messages: dict[str, tuple[StoredGroup, PostedMessage]] = {}

    def __repr__(self) -> str:
        return f"GroupStore(groups={len(self)})"

    def __len__(self) -> int:
        return len(self._by_chatid)

    def __iter__(self) -> Iterator[StoredGroup]:
        return iter(list(self._by_chatid.values()))

    def add(self, group: StoredGroup) -> StoredGroup:
        """Keep `group` under both of its ids; either id already taken is a ValueError."""
        if group.chatid in self._by_chatid:
            raise ValueError(f"a group with chatid {group.chatid!r} exists already")
        if group.open_conversation_id in self._by_open_conversation_id:
            raise ValueError(
                f"a group with openConversationId {group.open_conversation_id!r} exists already"
            )
        self._by_chatid[group.chatid] = group
        self._by_open_conversation_id[group.open_conversation_id] = group
        return group

    def by_chatid(self, chatid: str) -> StoredGroup | None:
        """The group with this legacy id, or None."""
        return self._by_chatid.get(chatid)

    def by_open_conversation_id(self, open_conversation_id: str) -> StoredGroup | None:
        """The group with this openConversationId, or None."""
        return self._by_open_conversation_id.get(open_conversation_id)

    def seen_by(self, corp_id: str | None, touched: Callable[[str | None], object]) -> GroupStore:
        """This store as one organisation's token sees it: only its own groups and messages,
        and what it adds is its own. `touched(corp)` hears the organisation of every group a
        lookup found, its own or another's (which the view hides): the cross-tenant account."""
        return _OrgView(self, corp_id, touched)

    def clear(self) -> None:
        """Forget every group (and so every message)."""
        self._by_chatid.clear()
        self._by_open_conversation_id.clear()
        self._messages.clear()

    # -- group events ----------------------------------------------------------------

    def on_event(self, sink: EventSink) -> Callable[[], None]:
        """Call `sink(event_type, data)` for every group event from now on; returns the
        function that unregisters it.

        `data` holds DingTalk's event fields by wire key: `openConversationId`,
        `chatId` (not for `chat_update_owner`), and `userId` / `unionId` lists
        (member events), `owner` (`chat_update_owner`) or `title`
        (`chat_update_title`). The Stream gateway adds `eventId`, `corpId` and
        `timeStamp`; `stream.push_event` fits as a sink as it is.
        """
        self._sinks.append(sink)

        def unregister() -> None:
            if sink in self._sinks:
                self._sinks.remove(sink)

        return unregister

    def emit(self, event_type: str, group: StoredGroup, **fields: Any) -> None:
        """Announce a change of `group` to every sink. A sink that raises is logged and
        skipped: the API call that made the change has succeeded all the same."""
        data: dict[str, Any] = {"openConversationId": group.open_conversation_id}
        if event_type != "chat_update_owner":
            data["chatId"] = group.chatid
        data.update(fields)
        if group.corp_id is not None:
            data["corpId"] = group.corp_id  # another organisation's: its suites' subscribers
        for sink in list(self._sinks):
            try:
                sink(event_type, dict(data))
            except Exception:  # a sink's failure is not the API call's
                logger.exception("group event sink %r failed on %s", sink, event_type)

    # -- robot messages ------------------------------------------------------------

    def post(self, group: StoredGroup, message: PostedMessage) -> PostedMessage:
        """Append `message` to `group`'s messages, findable by its process query key."""
        group.messages.append(message)
        self._messages[message.process_query_key] = (group, message)
        return message

    def message(self, process_query_key: str) -> tuple[StoredGroup, PostedMessage] | None:
        """The group and the message with this key, or None."""
        return self._messages.get(process_query_key)

    def mark_read(self, process_query_key: str, *user_ids: str) -> PostedMessage:
        """Record that these members read the message (each once, in this order), as
        DingTalk does when they open the group; a user outside the group is a ValueError."""
        found = self._messages.get(process_query_key)
        if found is None:
            raise KeyError(f"no message has the process query key {process_query_key!r}")
        group, message = found
        strangers = [user for user in user_ids if user not in group.members]
        if strangers:
            raise ValueError(f"not members of {group.name!r}: {strangers}")
        message.read_by.extend(
            user for user in dict.fromkeys(user_ids) if user not in message.read_by
        )
        return message


class _OrgView(GroupStore):
    """`GroupStore.seen_by`: the same groups, filtered by organisation."""

    __slots__ = ("_corp_id", "_touched")

    def __init__(
        self, base: GroupStore, corp_id: str | None, touched: Callable[[str | None], object]
    ) -> None:
        # Shares the base's dicts: what the view adds, the store holds.
        self._by_chatid = base._by_chatid
        self._by_open_conversation_id = base._by_open_conversation_id
        self._messages = base._messages
        self._sinks = base._sinks
        self._corp_id = corp_id
        self._touched = touched

    def __repr__(self) -> str:
        return f"GroupStore(seen_by={self._corp_id!r})"

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __iter__(self) -> Iterator[StoredGroup]:
        return iter([g for g in self._by_chatid.values() if g.corp_id == self._corp_id])

    def _own(self, group: StoredGroup | None) -> StoredGroup | None:
        if group is None:
            return None
        self._touched(group.corp_id)
        return group if group.corp_id == self._corp_id else None

    def add(self, group: StoredGroup) -> StoredGroup:
        group.corp_id = self._corp_id
        return super().add(group)

    def by_chatid(self, chatid: str) -> StoredGroup | None:
        return self._own(super().by_chatid(chatid))

    def by_open_conversation_id(self, open_conversation_id: str) -> StoredGroup | None:
        return self._own(super().by_open_conversation_id(open_conversation_id))

    def post(self, group: StoredGroup, message: PostedMessage) -> PostedMessage:
        message.corp_id = self._corp_id
        return super().post(group, message)

    def message(self, process_query_key: str) -> tuple[StoredGroup, PostedMessage] | None:
        found = super().message(process_query_key)
        return None if found is None or self._own(found[0]) is None else found
