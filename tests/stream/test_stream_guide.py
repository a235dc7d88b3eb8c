"""The bot of docs/guides/stream-bot.md, run against the emulator: it hears an @-message, answers,
creates a group for the asker and welcomes them in it.

The welcome goes through the robot API (`RobotService`, issue 13); until it
reaches this branch, the test passes a `RobotSender` that keeps what it was
asked to send: the seam `client.robot` fills in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import (
    CreateGroupRequest,
    DingTalkClient,
    UpdateGroupRequest,
)
from dingtalk_im_async.stream import (
    StreamClient,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.examples_support import load_example
from tests.support.stream_support import FAST, eventually

#: The bot of examples/stream_bot.py, which the guide shows.
stream_bot = load_example("stream_bot")
HELP = stream_bot.HELP
HearingBot = stream_bot.HearingBot


@pytest.fixture
async def bot_and_client(
    emulator: DingTalkEmulator,
) -> AsyncIterator[tuple[HearingBot, DingTalkClient]]:
    """The guide's bot on the emulator, its welcomes posted by the real robot API."""
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
    ) as client:
        stream = StreamClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            robot=client.robot,
            settings=FAST,
        )
        bot = HearingBot(stream, client.groups, client.robot)
        running = asyncio.ensure_future(stream.run())
        await eventually(lambda: stream.connected)
        yield bot, client
        await stream.close()
        await asyncio.wait({running})


def posted(emulator: DingTalkEmulator, open_conversation_id: str) -> list[str]:
    """The texts the robot posted into a group, as the emulator stored them."""
    group = emulator.store.by_open_conversation_id(open_conversation_id)
    assert group is not None
    return [message.msg_param["content"] for message in group.messages]


async def test_it_creates_a_group_for_the_asker_answers_and_welcomes_them(
    emulator: DingTalkEmulator, bot_and_client: tuple[HearingBot, DingTalkClient]
) -> None:
    emulator.stream.inject_message("group 发布小组 alice", sender_staff_id="manager4220")
    await eventually(lambda: bool(emulator.groups) and bool(emulator.groups[0].request))
    [group] = emulator.groups
    await eventually(lambda: bool(posted(emulator, group.open_conversation_id)))
    assert group.request["owner"] == "manager4220"
    assert group.request["useridlist"] == ["manager4220", "alice"]
    [answer] = emulator.stream.webhook_posts
    assert answer.body["text"] == {"content": "Created 发布小组; see you there."}
    assert answer.body["at"] == {"atUserIds": ["manager4220"]}
    assert posted(emulator, group.open_conversation_id) == [
        "Welcome, Emulated User! This group is yours."
    ]


async def test_anything_else_gets_the_help(
    emulator: DingTalkEmulator, bot_and_client: tuple[HearingBot, DingTalkClient]
) -> None:
    emulator.stream.inject_message("hello?")
    await eventually(lambda: bool(emulator.stream.webhook_posts))
    assert emulator.stream.webhook_posts[0].body["text"] == {"content": HELP}
    assert emulator.groups == []


async def test_a_refusal_is_explained_and_nobody_is_welcomed(
    emulator: DingTalkEmulator, bot_and_client: tuple[HearingBot, DingTalkClient]
) -> None:
    emulator.configure(visible_users=frozenset({"someone-else"}))
    emulator.stream.inject_message("group 小组 alice", sender_staff_id="manager4220")
    await eventually(lambda: bool(emulator.stream.webhook_posts))
    text = emulator.stream.webhook_posts[0].body["text"]["content"]
    assert text.startswith("I could not create 小组: HTTP 400 permession.checkFailed")
    assert "may exist" not in text  # a refusal: nothing was created
    assert emulator.groups == []


async def test_newcomers_added_through_the_api_are_greeted_in_their_group(
    emulator: DingTalkEmulator, bot_and_client: tuple[HearingBot, DingTalkClient]
) -> None:
    """An update adds members; the emulator pushes `chat_add_member`; the bot greets them."""
    _, client = bot_and_client
    created = await client.groups.create(
        CreateGroupRequest(name="团队", owner="manager4220", useridlist=["alice"])
    )
    await client.groups.update(
        UpdateGroupRequest(chatid=created.chatid, add_useridlist=["bob", "carol"])
    )
    await eventually(lambda: bool(posted(emulator, created.open_conversation_id)))
    assert posted(emulator, created.open_conversation_id) == ["Welcome, bob, carol!"]
