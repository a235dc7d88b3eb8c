"""A FastAPI app whose lifespan owns one DingTalk client, shared by every request.

    pip install 'dingtalk-im-async[examples]'
    python examples/fastapi_app.py
    curl -X POST http://127.0.0.1:8000/groups -H 'Content-Type: application/json' \\
         -d '{"name": "项目群", "owner": "manager4220", "members": ["userId"]}'

Against DingTalk when DINGTALK_APP_KEY and DINGTALK_APP_SECRET are set,
otherwise against the built-in emulator, started and stopped by the lifespan.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Annotated, TypedDict

import aiohttp
import uvicorn
from attrs import define
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import dingtalk_im_async as dingtalk
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


class NewGroup(BaseModel):
    name: str
    owner: str
    members: list[str]


class Group(BaseModel):
    open_conversation_id: str
    chatid: str


class State(TypedDict):
    """What the lifespan hands to every request as `request.state`."""

    groups: dingtalk.GroupService


def create_app(credentials: Credentials | None) -> FastAPI:
    """The API; pass None to run it against an in-process emulator."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[State]:
        async with contextlib.AsyncExitStack() as stack:
            found = credentials
            if found is None:
                emu = await stack.enter_async_context(DingTalkEmulator())
                found = Credentials(
                    app_key=emu.app_key, app_secret=emu.app_secret, base_url=emu.base_url
                )
            session = await stack.enter_async_context(aiohttp.ClientSession())
            tokens = await stack.enter_async_context(
                dingtalk.AppTokenProvider(
                    session,
                    app_key=found.app_key,
                    app_secret=found.app_secret,
                    base_url=found.base_url,
                )
            )
            yield {"groups": dingtalk.GroupService(session, tokens, base_url=found.base_url)}

    app = FastAPI(lifespan=lifespan)
    app.add_api_route("/groups", create_group, methods=["POST"], status_code=201)
    app.add_exception_handler(dingtalk.DingTalkError, dingtalk_error_response)
    return app


def group_service(request: Request) -> dingtalk.GroupService:
    """The lifespan's client: every request gets the same one."""
    groups: dingtalk.GroupService = request.state.groups
    return groups


async def create_group(
    body: NewGroup, groups: Annotated[dingtalk.GroupService, Depends(group_service)]
) -> Group:
    """Create an internal group; DingTalk's refusals become HTTP errors below."""
    result = await groups.create(
        dingtalk.CreateGroupRequest(name=body.name, owner=body.owner, useridlist=body.members)
    )
    return Group(open_conversation_id=result.open_conversation_id, chatid=result.chatid)


async def dingtalk_error_response(_request: Request, error: Exception) -> JSONResponse:
    """One place that decides what each DingTalk failure means to this API's callers."""
    content: dict[str, object] = {"error": str(error)}
    if isinstance(error, dingtalk.RequestValidationError):
        status = 422
    elif isinstance(error, dingtalk.PermissionCheckError):
        status = 403
    elif isinstance(error, dingtalk.RateLimitError):
        status = 503
    else:
        status = 504 if isinstance(error, dingtalk.TransportError) else 502
    if isinstance(error, dingtalk.DingTalkError):
        # A create is not idempotent: say whether the group may exist.
        content["may_have_been_created"] = error.verdict is dingtalk.Verdict.UNKNOWN
    return JSONResponse(content, status_code=status)


if __name__ == "__main__":
    found = credentials_from_env()
    if found is None:
        print("No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the built-in emulator")
    uvicorn.run(create_app(found), host="127.0.0.1", port=8000)
