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


def test_the_token_provider_protocol_is_a_leaf() -> None:
    assert graph()["dingtalk_im_async.auth"] == set()


def test_the_token_code_does_not_import_the_layer_that_uses_it() -> None:
    edges = graph()
    for module in ("dingtalk_im_async.tokens", "dingtalk_im_async._token_endpoint"):
        assert "dingtalk_im_async._transport" not in edges[module]


def test_only_errors_decides_verdicts() -> None:
    """`Verdict.` members are named (decided) in errors.py; elsewhere they are only read."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "_verdict =" not in text, path
        assert "default_verdict =" not in text, path
