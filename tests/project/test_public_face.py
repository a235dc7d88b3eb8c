"""The package's public face is lazy, and complete.

Start-up cost (issue 27): `from dingtalk_im_async import DingTalkClient` imports the
client and its core only; each family, the bulk runner, the Stream client, the CLI,
the emulator, Redis and OpenTelemetry are imported by whoever uses them. The names
stay where they were: every one resolves, and the type checkers' list of them
(the `TYPE_CHECKING` block of `__init__.py`) is the runtime one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import dingtalk_im_async

FAMILIES = (
    "dingtalk_im_async.groups",
    "dingtalk_im_async.robot",
    "dingtalk_im_async.cards",
    "dingtalk_im_async.scenegroups",
)
OPTIONAL = (
    "dingtalk_im_async.bulk",
    "dingtalk_im_async.stream",
    "dingtalk_im_async.cli",
    "dingtalk_im_async.emulator",
    "dingtalk_im_async.testing",
    "redis",
    "opentelemetry",
)


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    ran = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return ran.stdout.split()


def under(loaded: list[str], package: str) -> list[str]:
    return [m for m in loaded if m == package or m.startswith(package + ".")]


def test_the_client_import_loads_no_family_and_no_optional_part() -> None:
    loaded = loaded_after("from dingtalk_im_async import DingTalkClient")
    assert "dingtalk_im_async.client" in loaded  # the probe did import the client
    for part in FAMILIES + OPTIONAL:
        assert under(loaded, part) == [], part


def test_a_service_imports_its_own_family_on_first_use() -> None:
    loaded = loaded_after(
        "import asyncio\n"
        "from dingtalk_im_async import DingTalkClient\n"
        "async def main():\n"
        "    async with DingTalkClient(app_key='k', app_secret='s') as client:\n"
        "        assert client.groups is client.groups\n"
        "asyncio.run(main())\n"
    )
    assert under(loaded, "dingtalk_im_async.groups") != []
    for other in FAMILIES[1:]:
        assert under(loaded, other) == [], other


def test_every_public_name_resolves_and_is_listed_by_dir() -> None:
    names = dingtalk_im_async.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(dingtalk_im_async, name) is not None, name
    assert set(names) <= set(dir(dingtalk_im_async))


def test_a_model_name_imports_from_the_package() -> None:
    from dingtalk_im_async import CreateGroupRequest, GroupMessage, groups, robot

    assert CreateGroupRequest is groups.models.CreateGroupRequest
    assert GroupMessage is robot.models.GroupMessage


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchName"):
        dingtalk_im_async.NoSuchName  # noqa: B018


def test_the_type_checkers_names_are_the_runtime_names() -> None:
    """`_HOMES` (what runtime imports lazily) and the `TYPE_CHECKING` block (what type
    checkers and the docs read) name the same things in the same modules."""
    source = Path(dingtalk_im_async.__file__).read_text(encoding="utf-8")
    [block] = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    declared: dict[str, set[str]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        names = [alias.name for alias in node.names]
        if names == ["*"] or node.module is None:
            continue
        for alias in node.names:
            assert alias.asname == alias.name, f"{alias.name} is not re-exported"
        declared.setdefault(f".{node.module}", set()).update(names)
    homes = {module: set(names) for module, names in dingtalk_im_async._HOMES.items()}
    assert declared == homes
