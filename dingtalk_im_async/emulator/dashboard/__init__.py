"""The live dashboard: plain HTML, CSS and JS shipped in the package (no build, no CDN).

The page polls the admin API (`/_emulator/...`) and is served at the
emulator's root `/` and at `/_emulator/`; its assets at `/_emulator/assets/`.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

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


def mount_dashboard(app: web.Application, prefix: str) -> None:
    """Serve the page at `/` and `{prefix}/`, its assets at `{prefix}/assets/{name}`."""

    async def page(_request: web.Request) -> web.Response:
        return _serve("index.html")

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            return web.json_response(
                {"error": "not-found", "message": f"no asset {name!r}"}, status=404
            )
        return _serve(name)

    app.router.add_get("/", page)
    app.router.add_get(f"{prefix}/", page)
    app.router.add_get(f"{prefix}/assets/{{name}}", asset)
