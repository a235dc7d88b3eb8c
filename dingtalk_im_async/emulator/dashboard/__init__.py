"""The live dashboard: plain HTML, CSS and JS shipped in the package (no build, no CDN).

The page polls the admin API (`/_emulator/...`) and is served at the
emulator's root `/` and at `/_emulator/`; its assets at `/_emulator/assets/`.
Each family may ship a `panel.js` (e.g. `groups/panel.js`): the page loads it
from `/_emulator/assets/panels/<family>.js`, and it registers its panel with
`emulatorDashboard.registerPanel` (see dashboard.js).
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from .._discovery import discovered_panels

__all__ = ["ASSETS", "mount_dashboard"]

#: The files the page is made of, with their content types.
ASSETS = {
    "index.html": "text/html",
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
}


def _asset(name: str) -> bytes:
    return resources.files(__name__).joinpath(name).read_bytes()


def _serve(name: str) -> web.Response:
    return web.Response(
        body=_asset(name),
        content_type=ASSETS[name],
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


def _page(prefix: str) -> bytes:
    """index.html with a script tag for each family's panel."""
    tags = "\n".join(
        f'  <script src="{prefix}/assets/panels/{family}.js"></script>'
        for family, _ in discovered_panels()
    )
    return _asset("index.html").replace(b"  <!-- family panels -->", tags.encode())


def mount_dashboard(app: web.Application, prefix: str) -> None:
    """Serve the page at `/` and `{prefix}/`, its assets at `{prefix}/assets/{name}` and the
    families' panels at `{prefix}/assets/panels/{family}.js`."""
    scripts = dict(discovered_panels())

    async def page(_request: web.Request) -> web.Response:
        return web.Response(
            body=_page(prefix),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    async def panel(request: web.Request) -> web.Response:
        family = request.match_info["family"]
        if family not in scripts:
            return web.json_response(
                {"error": "not-found", "message": f"no panel {family!r}"}, status=404
            )
        return web.Response(
            text=scripts[family],
            content_type="text/javascript",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            return web.json_response(
                {"error": "not-found", "message": f"no asset {name!r}"}, status=404
            )
        return _serve(name)

    app.router.add_get("/", page)
    app.router.add_get(f"{prefix}/", page)
    app.router.add_get(f"{prefix}/assets/panels/{{family}}.js", panel)
    app.router.add_get(f"{prefix}/assets/{{name}}", asset)
