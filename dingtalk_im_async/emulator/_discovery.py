"""Finds what the families add: every module of a family package (a subpackage of
`dingtalk_im_async.emulator`, e.g. `groups/`, `robot/`, `stream/`) may define `ROUTES`
(DingTalk's endpoints it serves) and `ADMIN_ROUTES` (its admin API routes), and a
family may ship `panel.js` (its part of the dashboard).

Adding an endpoint is adding (or extending) a module with a `ROUTES` tuple of
`emulator.routes.Route` in its family's package; see `emulator.routes` for the
handler contract. Families and their modules are read in name order; two routes
for the same method and path are an error when the emulator is built.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator
from importlib import resources
from types import ModuleType
from typing import TypeVar

from ._admin_kit import AdminRoute
from .routes import Route

_T = TypeVar("_T")

__all__ = ["discovered_admin_routes", "discovered_panels", "discovered_routes", "family_names"]

_PACKAGE = __name__.rpartition(".")[0]
#: Subpackages that are parts of the emulator, not API families.
_NOT_FAMILIES = frozenset({"dashboard"})


@functools.cache
def family_names() -> tuple[str, ...]:
    """The family packages, in name order."""
    package = importlib.import_module(_PACKAGE)
    found = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg)
    return tuple(name for name in found if name not in _NOT_FAMILIES)


def _family_modules() -> Iterator[ModuleType]:
    for family in family_names():
        family_package = importlib.import_module(f"{_PACKAGE}.{family}")
        for info in sorted(pkgutil.iter_modules(family_package.__path__), key=lambda i: i.name):
            yield importlib.import_module(f"{family_package.__name__}.{info.name}")


@functools.cache
def discovered_routes() -> tuple[Route, ...]:
    """The routes of every family module, in (family, module) name order."""
    return tuple(_collected("ROUTES", Route))


@functools.cache
def discovered_admin_routes() -> tuple[AdminRoute, ...]:
    """The admin routes of every family module, in (family, module) name order."""
    return tuple(_collected("ADMIN_ROUTES", AdminRoute))


def _collected(name: str, kind: type[_T]) -> list[_T]:
    found: list[_T] = []
    for module in _family_modules():
        items = getattr(module, name, ())
        if not all(isinstance(item, kind) for item in items):
            raise TypeError(f"{module.__name__}.{name} must hold only {kind.__name__} values")
        found.extend(items)
    return found


@functools.cache
def discovered_panels() -> tuple[tuple[str, str], ...]:
    """(family, script) of every family's dashboard panel (`<family>/panel.js`)."""
    panels = []
    for family in family_names():
        script = resources.files(f"{_PACKAGE}.{family}").joinpath("panel.js")
        if script.is_file():
            panels.append((family, script.read_text(encoding="utf-8")))
    return tuple(panels)
