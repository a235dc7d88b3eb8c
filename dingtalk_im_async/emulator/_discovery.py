"""Finds the emulator's routes: every module of a family package (a subpackage of
`dingtalk_im_async.emulator`, e.g. `groups/`, `robot/`) that defines `ROUTES` is served.

Adding an endpoint is adding (or extending) a module with a `ROUTES` tuple of
`emulator.routes.Route` in its family's package; see `emulator.routes` for the
handler contract. Families and their modules are read in name order; two routes
for the same method and path are an error when the emulator is built.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from .routes import Route

__all__ = ["discovered_routes"]

_PACKAGE = __name__.rpartition(".")[0]


@functools.cache
def discovered_routes() -> tuple[Route, ...]:
    """The routes of every family module, in (family, module) name order."""
    package = importlib.import_module(_PACKAGE)
    routes: list[Route] = []
    for family in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if not family.ispkg:
            continue
        family_package = importlib.import_module(f"{_PACKAGE}.{family.name}")
        for module_info in sorted(
            pkgutil.iter_modules(family_package.__path__), key=lambda info: info.name
        ):
            module = importlib.import_module(f"{family_package.__name__}.{module_info.name}")
            found = getattr(module, "ROUTES", ())
            if not all(isinstance(route, Route) for route in found):
                raise TypeError(f"{module.__name__}.ROUTES must hold only Route values")
            routes.extend(found)
    return tuple(routes)
