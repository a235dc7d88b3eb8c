"""Save and load the emulator's groups as a JSON file (`dingtalk-im emulator --state FILE`).

The file holds `{"groups": [...]}` in the admin API's group shape, messages
and read status included, and `"sceneGroups"`: what only scene groups have
(template, dedup key, settings, mutes) by their id, so a standalone emulator
can stop and start again where it left off.
"""

from __future__ import annotations

import json
from pathlib import Path

from .groups.views import group_from_view, group_view
from .scenegroups.store import SceneGroupStore
from .scenegroups.views import scene_extras, scene_from_extras
from .store import GroupStore

__all__ = ["load_state", "save_state"]


def load_state(
    store: GroupStore, path: Path, *, scene_groups: SceneGroupStore | None = None
) -> int:
    """Add the groups saved in `path` to `store` (and what only scene groups have to
    `scene_groups`, when given); returns how many groups. A missing file is no groups; a
    malformed one is a ValueError naming the file."""
    if not path.exists():
        return 0
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        views = saved["groups"]
        for view in views:
            group, messages = group_from_view(view)
            store.add(group)
            for message in messages:
                store.post(group, message)
        for extras in saved.get("sceneGroups", []) if scene_groups is not None else []:
            found = store.by_open_conversation_id(extras["openConversationId"])
            if found is None:
                raise KeyError(f"no group {extras['openConversationId']!r} for a scene group")
            scene_groups.add(scene_from_extras(found, extras))  # type: ignore[union-attr]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not an emulator state file: {error!r}") from None
    return len(views)


def save_state(
    store: GroupStore, path: Path, *, scene_groups: SceneGroupStore | None = None
) -> int:
    """Write every group in `store` (and, when given, what only the scene groups in
    `scene_groups` have) to `path`, atomically: a temporary file, then renamed. Returns how
    many groups."""
    groups = [group_view(group) for group in store]
    saved: dict[str, object] = {"groups": groups}
    if scene_groups is not None:
        saved["sceneGroups"] = [scene_extras(scene) for scene in scene_groups]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return len(groups)
