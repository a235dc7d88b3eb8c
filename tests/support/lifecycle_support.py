"""What the lifecycle tests share: a service on both of the emulator's hosts, a group to
change, and raw calls below the client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp

from dingtalk_im_async import CreateGroupRequest, CreateGroupResult, GroupService
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.raw_http import Reply, post

UPDATE_PATH = "/v1.0/im/group/update"
ADMINS_PATH = "/v1.0/im/subAdministrators"
UPDATE_API = "im.group.update"
CONVERT_API = "im.chat.convertToOpenConversationId"
ADMINS_API = "im.subAdministrators"
GET_API = "oapi.chat.get"


def lifecycle_service(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **settings: Any
) -> GroupService:
    """Unpaced, instant retries, both hosts on the emulator."""
    options: dict[str, Any] = {"retry": INSTANT_RETRIES, "rate_limit": None, **settings}
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        **options,
    )


async def new_group(
    groups: GroupService,
    *,
    owner: str = "manager4220",
    members: Sequence[str] = ("alice", "bob"),
    name: str = "项目群",
) -> CreateGroupResult:
    """A group made through the client, as an application would make it."""
    return await groups.create(CreateGroupRequest(name=name, owner=owner, useridlist=members))


async def raw_update(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, body: Any
) -> Reply:
    """POST an update body as it is, with a valid token."""
    return await post(
        session,
        emulator.base_url + UPDATE_PATH,
        json_body=body,
        headers={"x-acs-dingtalk-access-token": emulator.issue_token()},
    )


async def raw_admins(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, body: Any
) -> Reply:
    """POST a subAdministrators body as it is, with a valid token."""
    return await post(
        session,
        emulator.base_url + ADMINS_PATH,
        json_body=body,
        headers={"x-acs-dingtalk-access-token": emulator.issue_token()},
    )
