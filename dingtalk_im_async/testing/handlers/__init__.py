"""The emulator's endpoint handlers: every module here that defines `ROUTES` is served.

Adding an endpoint is adding (or extending) a module with a `ROUTES` tuple of
`testing.routes.Route`; see that module's docstring for the handler contract.
Modules are read in name order; two routes for the same method and path are
an error when the emulator is built.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from ..routes import Route

__all__ = ["discovered_routes"]


@functools.cache
def discovered_routes() -> tuple[Route, ...]:
    """The routes of every handler module in this package, in module-name order."""
    routes: list[Route] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found = getattr(module, "ROUTES", ())
        if not all(isinstance(route, Route) for route in found):
            raise TypeError(f"{module.__name__}.ROUTES must hold only Route values")
        routes.extend(found)
    return tuple(routes)
