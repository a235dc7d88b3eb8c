"""Fixtures and helpers of the robot tests: a `RobotService` on the emulator, and groups."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateGroupRequest,
    CreateGroupResult,
    GroupMessage,
    GroupService,
    RobotMessage,
    RobotService,
    Text,
)
from dingtalk_im_async.testing import DingTalkEmulator, StoredGroup
from tests.conftest import INSTANT_RETRIES, app_provider

MEMBERS = ("alice", "bob", "carol")
SEND_API = "robot.groupMessages.send"
RECALL_API = "robot.groupMessages.recall"
QUERY_API = "robot.groupMessages.query"
ROBOTS_API = "robot.groups.robots.query"


@pytest.fixture
def robot(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> RobotService:
    """The app's own robot (code: the app key), unpaced, with instant retries."""
    return RobotService(
        session,
        app_provider(emulator, session),
        robot_code=emulator.robot_code,
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    )


async def new_group(groups: GroupService, name: str = "项目群") -> CreateGroupResult:
    """A group owned by manager4220 with `MEMBERS`, made through the API."""
    return await groups.create(
        CreateGroupRequest(name=name, owner="manager4220", useridlist=list(MEMBERS))
    )


def stored(emulator: DingTalkEmulator, group: CreateGroupResult) -> StoredGroup:
    found = emulator.store.by_open_conversation_id(group.open_conversation_id)
    assert found is not None
    return found


def message_to(group: CreateGroupResult, message: RobotMessage | None = None) -> GroupMessage:
    return GroupMessage(
        open_conversation_id=group.open_conversation_id,
        message=message if message is not None else Text("大家好"),
    )
