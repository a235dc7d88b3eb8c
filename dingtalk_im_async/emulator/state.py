"""Save and load the emulator's groups as a JSON file (`dingtalk-im emulator --state FILE`).

The file holds `{"groups": [...]}` in the admin API's group shape, messages
and read status included, so a standalone emulator can stop and start again
where it left off.
"""

from __future__ import annotations

import json
from pathlib import Path

from .groups.views import group_from_view, group_view
from .store import GroupStore

__all__ = ["load_state", "save_state"]


def load_state(store: GroupStore, path: Path) -> int:
    """Add the groups saved in `path` to `store`; returns how many. A missing file is no
    groups; a malformed one is a ValueError naming the file."""
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
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not an emulator state file: {error!r}") from None
    return len(views)


def save_state(store: GroupStore, path: Path) -> int:
    """Write every group in `store` to `path` (atomically: a temporary file, then renamed)."""
    groups = [group_view(group) for group in store]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps({"groups": groups}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    temporary.replace(path)
    return len(groups)
