"""The emulator reads DingTalk's docs apart from the client; where the two readings must agree
(the client refuses before sending exactly what DingTalk would refuse), they do."""

from __future__ import annotations

import ast
from pathlib import Path

import dingtalk_im_async.emulator as emulator_package
from dingtalk_im_async.emulator.groups import create_rules
from dingtalk_im_async.emulator.robot import rules
from dingtalk_im_async.robot import messages as client_robot
from dingtalk_im_async.robot import models as client_results

EMULATOR = Path(emulator_package.__file__).parent
#: The client modules the emulator may import: the endpoint names and hosts it serves.
ALLOWED = {"dingtalk_im_async._core.endpoint"}


def test_robot_limits_agree_with_the_clients() -> None:
    assert rules.MSG_PARAM_MAX_BYTES == client_robot.MSG_PARAM_MAX_BYTES
    assert rules.DOCUMENTED_MSG_KEYS == client_robot.DOCUMENTED_MSG_KEYS
    assert rules.MAX_READ_STATUS_PAGE == client_results.MAX_READ_STATUS_PAGE
    assert rules.MAX_RECALL_KEYS == client_results.MAX_RECALL_KEYS


def test_the_group_name_limit_agrees_with_the_clients() -> None:
    from dingtalk_im_async import CreateGroupRequest, RequestValidationError

    name = "名" * create_rules.NAME_MAX_CHARS
    CreateGroupRequest(name=name, owner="o", useridlist=["u"])
    try:
        CreateGroupRequest(name=name + "名", owner="o", useridlist=["u"])
    except (RequestValidationError, ValueError):
        pass
    else:
        raise AssertionError("the client took a name the emulator refuses")


def _client_imports(path: Path) -> set[str]:
    """The modules of the client package (not the emulator's own) that `path` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = path.relative_to(EMULATOR.parent.parent).with_suffix("").parts
    package = list(parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            module = ".".join([*base, node.module] if node.module else base)
            if not module.startswith("dingtalk_im_async.emulator"):
                found.add(module)
    return found


def test_the_emulators_rules_import_nothing_of_the_clients_models() -> None:
    """Only the endpoint names and hosts; the client services only where the fixture's
    client is bound (`emulated.py`)."""
    for path in EMULATOR.rglob("*.py"):
        imported = _client_imports(path)
        if path.name == "emulated.py":
            continue
        assert imported <= ALLOWED, (path, imported)
