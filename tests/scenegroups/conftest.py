"""What the scene-group tests share: a service and a client on the emulator, and a group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateSceneGroupRequest,
    CreateSceneGroupResult,
    DingTalkClient,
    SceneGroupService,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider

TEMPLATE = "tpl-project"
OWNER = "manager4220"


@pytest.fixture
def scene_groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> SceneGroupService:
    """Unpaced, with instant retries."""
    return SceneGroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    )


@pytest.fixture
async def client(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    """A whole client on the emulator, unpaced, with instant retries."""
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    ) as made:
        yield made


def create_request(title: str = "项目群", **fields: object) -> CreateSceneGroupRequest:
    """A create of the test template, owner and two members unless `fields` say otherwise."""
    chosen: dict[str, object] = {
        "template_id": TEMPLATE,
        "owner_user_id": OWNER,
        "user_ids": ["alice", "bob"],
        **fields,
    }
    return CreateSceneGroupRequest(title=title, **chosen)  # type: ignore[arg-type]


@pytest.fixture
async def scene_group(scene_groups: SceneGroupService) -> CreateSceneGroupResult:
    return await scene_groups.create(create_request())
