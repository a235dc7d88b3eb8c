"""An aiohttp web app that creates DingTalk groups with one client shared by every request.

    python examples/aiohttp_app.py
    curl -X POST http://127.0.0.1:8080/groups \\
         -d '{"name": "项目群", "owner": "manager4220", "members": ["userId"]}'

Against DingTalk when DINGTALK_APP_KEY and DINGTALK_APP_SECRET are set,
otherwise against the built-in emulator, started and stopped with the app.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from attrs import define

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    PermissionCheckError,
    RateLimitError,
    RequestValidationError,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator


@define(frozen=True, kw_only=True)
class Credentials:
    """Where the app's DingTalk client points: `base_url=None` means DingTalk itself."""

    app_key: str
    app_secret: str
    base_url: str | None = None


def credentials_from_env() -> Credentials | None:
    """The app's credentials from the environment, or None to use the emulator."""
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    if app_key and app_secret:
        return Credentials(app_key=app_key, app_secret=app_secret)
    return None


CREDENTIALS = web.AppKey("credentials", Credentials)
GROUPS = web.AppKey("groups", GroupService)


async def emulator(app: web.Application) -> AsyncIterator[None]:
    """Run the emulator for as long as the app when no credentials were given."""
    async with DingTalkEmulator() as emu:
        app[CREDENTIALS] = Credentials(
            app_key=emu.app_key, app_secret=emu.app_secret, base_url=emu.base_url
        )
        yield


async def dingtalk_client(app: web.Application) -> AsyncIterator[None]:
    """One session, one token cache, one `GroupService` for the app's whole life."""
    credentials = app[CREDENTIALS]
    async with (
        aiohttp.ClientSession() as session,
        AppTokenProvider(
            session,
            app_key=credentials.app_key,
            app_secret=credentials.app_secret,
            base_url=credentials.base_url,
        ) as tokens,  # closing it stops a background token refresh still running
    ):
        app[GROUPS] = GroupService(session, tokens, base_url=credentials.base_url)
        yield


def make_app(credentials: Credentials | None) -> web.Application:
    """The web app; pass None to run it against an in-process emulator."""
    app = web.Application()
    if credentials is None:
        app.cleanup_ctx.append(emulator)
    else:
        app[CREDENTIALS] = credentials
    app.cleanup_ctx.append(dingtalk_client)
    app.router.add_post("/groups", create_group)
    return app


async def create_group(request: web.Request) -> web.Response:
    """`POST /groups` `{"name", "owner", "members"}`: create an internal group."""
    try:
        payload = await request.json()
    except ValueError:
        return error_response(400, "the body must be JSON")
    if not isinstance(payload, dict):
        return error_response(400, "the body must be a JSON object")
    groups = request.app[GROUPS]
    try:
        result = await groups.create(
            CreateGroupRequest(
                name=payload.get("name", ""),
                owner=payload.get("owner", ""),
                useridlist=payload.get("members", ()),
            )
        )
    except RequestValidationError as error:
        return error_response(422, str(error))
    except PermissionCheckError as error:
        return error_response(403, error.message)
    except RateLimitError:
        return error_response(503, "DingTalk is rate limiting us; try again shortly")
    except DingTalkError as error:
        # A create is not idempotent: say whether the group may exist.
        status = 504 if isinstance(error, TransportError) else 502
        return error_response(
            status, str(error), may_have_been_created=error.verdict is Verdict.UNKNOWN
        )
    return web.json_response(
        {"open_conversation_id": result.open_conversation_id, "chatid": result.chatid},
        status=201,
    )


def error_response(status: int, message: str, **extra: object) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


if __name__ == "__main__":
    found = credentials_from_env()
    if found is None:
        print("No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the built-in emulator")
    web.run_app(make_app(found), host="127.0.0.1", port=8080)
