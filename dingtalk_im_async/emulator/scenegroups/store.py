"""What the emulator knows of scene groups beyond the group itself.

A scene group is a group of the shared `GroupStore` (members, owner, admins,
nicknames, status, robots, messages: so robot messages, Stream group events
and the group controls work on it as on any group) plus what only scene
groups have, kept here: the template, the create's dedup key (`uuid`), the
settings as the scene-group API names them, the per-member mutes, and the
organisation that owns the group.

`corp_id` None is the emulator's one organisation; a multi-organisation mode
keys groups and dedup keys by it (`by_uuid(corp_id, uuid)`, and a group is
another organisation's when its `corp_id` differs), so nothing here changes
when organisations arrive.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from attrs import define, field

from ..store import StoredGroup

__all__ = ["MEMBER_LIMIT", "Mute", "SceneGroup", "SceneGroupStore", "now_ms"]

#: People a scene group holds at most
#: (https://open.dingtalk.com/document/development/api-addscenegroupmember).
MEMBER_LIMIT = 1000


def now_ms() -> int:
    """Unix time in milliseconds, as the mute APIs give times."""
    return int(time.time() * 1000)


@define(frozen=True, kw_only=True)
class Mute:
    """A member's mute: from `start_ms` to `end_ms` (Unix time in milliseconds)."""

    start_ms: int
    """When the mute began."""
    end_ms: int
    """When it ends (`start_ms` + the call's `muteDuration`)."""

    def active(self, at_ms: int) -> bool:
        """Whether the mute is in force at `at_ms` (Unix time in milliseconds)."""
        return self.start_ms <= at_ms < self.end_ms


@define(kw_only=True, eq=False)
class SceneGroup:
    """One scene group: `group` (in the `GroupStore`) and what only scene groups have."""

    group: StoredGroup
    """The group itself, in the `GroupStore`: members, owner, admins, status, robots, ..."""
    template_id: str
    """The group template it was made from."""
    uuid: str | None = None
    """The create's dedup key, if it carried one."""
    options: dict[str, int] = field(factory=dict)
    """`management_options` as created and updated, by DingTalk's snake_case keys."""
    mutes: dict[str, Mute] = field(factory=dict)
    """Members' mutes by userId (see `muted` for the ones in force)."""
    corp_id: str | None = None
    """The organisation that owns the group; None: the emulator's one organisation."""

    @property
    def open_conversation_id(self) -> str:
        """The group's id, by which every scene-group API names it."""
        return self.group.open_conversation_id

    def muted(self, user_id: str, at_ms: int | None = None) -> Mute | None:
        """The member's mute if it is in force, else None.

        Args:
            user_id: The member.
            at_ms: The moment asked about, Unix time in milliseconds; None: now.
        """
        mute = self.mutes.get(user_id)
        moment = now_ms() if at_ms is None else at_ms
        return mute if mute is not None and mute.active(moment) else None


class SceneGroupStore:
    """Every scene group, by openConversationId and by (organisation, dedup key)."""

    __slots__ = ("_by_id", "_by_uuid")

    def __init__(self) -> None:
        self._by_id: dict[str, SceneGroup] = {}
        self._by_uuid: dict[tuple[str | None, str], SceneGroup] = {}

    def __repr__(self) -> str:
        return f"SceneGroupStore(groups={len(self)})"

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[SceneGroup]:
        return iter(list(self._by_id.values()))

    def add(self, scene: SceneGroup) -> SceneGroup:
        """Keep `scene` by its id and dedup key; either taken already is a ValueError."""
        key = scene.open_conversation_id
        if key in self._by_id:
            raise ValueError(f"a scene group with openConversationId {key!r} exists already")
        if scene.uuid is not None:
            if (scene.corp_id, scene.uuid) in self._by_uuid:
                raise ValueError(f"a scene group with uuid {scene.uuid!r} exists already")
            self._by_uuid[scene.corp_id, scene.uuid] = scene
        self._by_id[key] = scene
        return scene

    def get(self, open_conversation_id: str) -> SceneGroup | None:
        """The scene group with this id, or None (also for a group made without a template)."""
        return self._by_id.get(open_conversation_id)

    def by_uuid(self, corp_id: str | None, uuid: str) -> SceneGroup | None:
        """The group an earlier create of the organisation made with this dedup key, or None."""
        return self._by_uuid.get((corp_id, uuid))

    def clear(self) -> None:
        """Forget every scene group (the emulator's reset clears the groups too)."""
        self._by_id.clear()
        self._by_uuid.clear()
