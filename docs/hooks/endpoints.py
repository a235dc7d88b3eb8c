"""mkdocs hook: the table of every endpoint, made from the families' declarations (each
family's `api.py`), so the reference cannot drift from the code."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from dingtalk_im_async._core.endpoint import Host, declared_endpoints
from dingtalk_im_async._core.service import ServiceBase, operations

#: Where a page asks for the table.
MARKER = "<!-- the declared endpoints -->"


def _callers() -> dict[int, str]:
    """`Service.method` of each endpoint, by the endpoint's id."""
    found: dict[int, str] = {}
    for family in sorted({endpoint.family for endpoint in declared_endpoints()}):
        package = importlib.import_module(f"dingtalk_im_async.{family}")
        for value in vars(package).values():
            if inspect.isclass(value) and issubclass(value, ServiceBase):
                for name, endpoint in operations(value).items():
                    found[id(endpoint)] = f"`{value.__name__}.{name}`"
    return found


def _repeat(endpoint: Any) -> str:
    """Whether an unknown outcome may be sent again: always, with its dedup key, or never."""
    if endpoint.repeat_safe:
        return "yes"
    return "no" if endpoint.dedup_key is None else f"with `{endpoint.dedup_key}`"


def table() -> str:
    callers = _callers()
    rows = [
        "| family | service method | method and path | API name | safe to repeat | apps | docs |",
        "|---|---|---|---|---|---|---|",
    ]
    for endpoint in declared_endpoints():
        host = "{oapi}" if endpoint.host is Host.OAPI else ""
        page = endpoint.doc.rsplit("/", 1)[-1]
        apps = "internal" if endpoint.internal_only else "internal, third-party"
        rows.append(
            f"| {endpoint.family} | {callers.get(id(endpoint), '')} "
            f"| `{endpoint.method} {host}{endpoint.path}` | `{endpoint.api}` "
            f"| {_repeat(endpoint)} | {apps} | [{page}]({endpoint.doc}) |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return markdown.replace(MARKER, table()) if MARKER in markdown else markdown
