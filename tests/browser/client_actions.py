"""What a service does to the emulator while the page watches: real client calls over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    CreateGroupResult,
    DingTalkError,
    GroupMessage,
    GroupService,
    RobotService,
    Text,
)

from .conftest import EmulatorProcess


def requests_for(count: int, prefix: str = "team") -> list[CreateGroupRequest]:
    return [
        CreateGroupRequest(name=f"{prefix}-{n:02}", owner="manager4220", useridlist=["u1", "u2"])
        for n in range(count)
    ]


async def _bulk(emulator: EmulatorProcess, count: int, rate: float | None) -> list[Any]:
    async with (
        aiohttp.ClientSession() as session,
        AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        ) as tokens,
    ):
        groups = GroupService(session, tokens, base_url=emulator.base_url, rate_limit=None)
        run = groups.create_many(
            requests_for(count), concurrency=4, rate_limit=rate, rate_limited_retries=0
        )
        async with run as outcomes:
            return [outcome.result or outcome.error async for outcome in outcomes]


def bulk_create(emulator: EmulatorProcess, count: int, rate: float | None = None) -> list[Any]:
    """`create_many` of `count` groups: each outcome's result or error."""
    return asyncio.run(_bulk(emulator, count, rate))


async def _one(emulator: EmulatorProcess) -> CreateGroupResult | DingTalkError:
    async with (
        aiohttp.ClientSession() as session,
        AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        ) as tokens,
    ):
        groups = GroupService(session, tokens, base_url=emulator.base_url, rate_limit=None)
        try:
            return await groups.create(requests_for(1, "single")[0])
        except DingTalkError as error:
            return error


def create_one(emulator: EmulatorProcess) -> CreateGroupResult | DingTalkError:
    """One create call: its result, or the error the client raised."""
    return asyncio.run(_one(emulator))


async def _message(emulator: EmulatorProcess, open_conversation_id: str, text: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        ) as tokens,
    ):
        robot = RobotService(
            session, tokens, robot_code=emulator.app_key, base_url=emulator.base_url
        )
        groups = GroupService(session, tokens, base_url=emulator.base_url, rate_limit=None)
        await groups.add_admins(open_conversation_id, ["u1"])
        sent = await robot.send(
            GroupMessage(open_conversation_id=open_conversation_id, message=Text(text))
        )
        return sent.process_query_key


def post_message(emulator: EmulatorProcess, open_conversation_id: str, text: str) -> str:
    """Make u1 an admin and have the app's robot post `text`; returns the process query key."""
    return asyncio.run(_message(emulator, open_conversation_id, text))
