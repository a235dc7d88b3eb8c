"""The package's modules import each other as a DAG: leaves at the bottom, services on top."""

from __future__ import annotations

import ast
from pathlib import Path

import dingtalk_im_async

PACKAGE = Path(dingtalk_im_async.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(current: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join([*base, node.module] if node.module else base)
    else:
        prefix = node.module or ""
    if not prefix.startswith("dingtalk_im_async"):
        return []
    children = [f"{prefix}.{alias.name}" for alias in node.names]
    # `from . import x` imports the child x; the package itself is already being imported.
    return children if node.module is None else [prefix, *children]


def imports_at_import_time(path: Path) -> set[str]:
    """Package modules `path` imports anywhere: at import time, under TYPE_CHECKING (a
    type-only cycle is a cycle of the design all the same) and lazily in functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update(resolve(name, path.name == "__init__.py", node))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("dingtalk_im_async"))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {
        name: {
            target
            for target in imports_at_import_time(path)
            if target in modules and not name.startswith(target + ".")  # its own package
        }
        - {name}
        for name, path in modules.items()
    }


def test_no_import_cycles_in_the_package() -> None:
    edges = graph()
    # A package's __init__ re-exports its children; its children importing "the package"
    # would be a cycle, so __init__ -> child edges count like any other.
    visiting: set[str] = set()
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        if node in done:
            return
        if node in visiting:
            cycles.append([*trail[trail.index(node) :], node])
            return
        visiting.add(node)
        for target in sorted(edges[node]):
            visit(target, [*trail, node])
        visiting.discard(node)
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
    assert cycles == []


#: Below everything: the one place secrets are scrubbed, which errors and providers use.
REDACTION = "dingtalk_im_async._core.redaction"


def test_redaction_is_a_leaf() -> None:
    assert graph()[REDACTION] == set()


def test_the_token_provider_protocol_is_a_leaf() -> None:
    assert graph()["dingtalk_im_async.auth"] <= {REDACTION}


def test_the_token_code_does_not_import_the_layer_that_uses_it() -> None:
    edges = graph()
    for module in ("dingtalk_im_async.tokens", "dingtalk_im_async._core.token_endpoint"):
        assert "dingtalk_im_async._core.transport" not in edges[module]


#: The families: packages with an `api.py` of endpoint declarations.
FAMILIES = sorted(
    path.parent.name for path in PACKAGE.glob("*/api.py") if not path.parent.name.startswith("_")
)
#: What sits above the families and may know them.
ABOVE_FAMILIES = ("cli", "client", "emulator", "testing", "stream", "_deprecated")


def test_the_shared_machinery_knows_no_family() -> None:
    assert FAMILIES == ["cards", "groups", "robot", "scenegroups"]
    edges = graph()
    below = [
        name
        for name in edges
        if name.startswith(("dingtalk_im_async._core", "dingtalk_im_async.errors"))
        or name
        in (
            f"dingtalk_im_async.{module}"
            for module in ("auth", "pacing", "settings", "tokens", "token_cache", "fleet", "bulk")
        )
    ]
    for name in below:
        known = {target.split(".")[1] for target in edges[name] if target.count(".") >= 1} & {
            *FAMILIES,
            *ABOVE_FAMILIES,
        }
        assert not known, f"{name} imports {sorted(known)}"


def test_the_errors_are_at_the_bottom() -> None:
    edges = graph()
    for name, targets in edges.items():
        if name.startswith("dingtalk_im_async.errors"):
            assert all(
                target.startswith("dingtalk_im_async.errors") or target == REDACTION
                for target in targets
            ), name


def test_a_family_knows_no_other_family() -> None:
    edges = graph()
    for family in FAMILIES:
        for name, targets in edges.items():
            if name.startswith(f"dingtalk_im_async.{family}"):
                others = {t.split(".")[1] for t in targets} & (set(FAMILIES) - {family})
                assert not others, f"{name} imports {sorted(others)}"


#: Longest a module may be without saying in its docstring why ("longer than ...").
MAX_LINES = 400


def test_no_module_is_long_without_saying_why() -> None:
    long = {
        module_name(path): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and "longer than" not in (ast.get_docstring(ast.parse(path.read_text("utf-8"))) or "")
    }
    assert long == {}
