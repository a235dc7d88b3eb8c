"""A bot that hears @-messages over Stream mode, answers, and creates groups on request.

    python examples/stream_bot.py        # no credentials: a demo on the built-in emulator
    DINGTALK_APP_KEY=... DINGTALK_APP_SECRET=... python examples/stream_bot.py

Someone writes "@bot group 发布小组 alice" in a group (or to the bot); the bot
answers in that conversation, creates an internal group owned by the asker
with alice in it, and welcomes the asker there; when people join one of its
groups later, it greets them. With credentials it runs until Ctrl-C (exit
status 130, no traceback); without, it starts the emulator, pushes one such
message to itself, prints what happened and stops. The guide:
docs/guides/stream-bot.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

from dingtalk_im_async import (
    CreateGroupRequest,
    DingTalkClient,
    DingTalkError,
    GroupMessage,
    GroupService,
    Text,
    Verdict,
)
from dingtalk_im_async.stream import (
    BotMessage,
    GroupDisbandedEvent,
    MembersAddedEvent,
    RobotSender,
    StreamClient,
    StreamEvent,
)
from dingtalk_im_async.testing import DingTalkEmulator

logger = logging.getLogger("hearing_bot")

# --8<-- [start:bot]
HELP = 'Say "group <name> [member ...]" and I will make you a group.'


class HearingBot:
    """Answers "@bot group <name> [member ...]" with a new group owned by the asker,
    welcomes them in it, and greets whoever joins a group later."""

    def __init__(self, stream: StreamClient, groups: GroupService, robot: RobotSender) -> None:
        self.stream = stream
        self.groups = groups
        self.robot = robot
        stream.on_message(self.hear)
        stream.on_event(self.notice)

    async def hear(self, message: BotMessage) -> None:
        words = message.plain_text.split()
        asker = message.sender_staff_id
        if len(words) < 2 or words[0] != "group" or not asker:
            await self.stream.reply(message, HELP)
            return
        name, members = words[1], words[2:]
        request = CreateGroupRequest(name=name, owner=asker, useridlist=[asker, *members])
        try:
            created = await self.groups.create(request)
        except DingTalkError as error:
            maybe = (
                " It may exist: check before asking again."
                if error.verdict is Verdict.UNKNOWN
                else ""
            )
            await self.stream.reply(message, f"I could not create {name}: {error}.{maybe}")
            return
        await self.stream.reply(message, f"Created {name}; see you there.", at_sender=True)
        welcome = Text(f"Welcome, {message.sender_nick or asker}! This group is yours.")
        await self.robot.send(
            GroupMessage(open_conversation_id=created.open_conversation_id, message=welcome)
        )

    async def notice(self, event: StreamEvent) -> None:
        match event:
            case MembersAddedEvent(open_conversation_id=group, user_ids=newcomers):
                greeting = Text(f"Welcome, {', '.join(newcomers)}!")
                await self.robot.send(GroupMessage(open_conversation_id=group, message=greeting))
            case GroupDisbandedEvent(open_conversation_id=group):
                logger.info("group %s was disbanded", group)
            case _:
                logger.debug("ignoring %s", event.event_type)


# --8<-- [end:bot]

#: What the demo asks the bot, as manager4220 @-mentioning it in a group.
DEMO_MESSAGE = "group 发布小组 alice"


async def serve(app_key: str, app_secret: str, base_url: str | None) -> int:
    """Run the bot until Ctrl-C or SIGTERM, then close the stream cleanly; the exit status
    is 128 + the signal's number, as for any command stopped by one."""
    async with DingTalkClient(app_key=app_key, app_secret=app_secret, base_url=base_url) as client:
        stream = StreamClient(
            app_key=app_key, app_secret=app_secret, base_url=base_url, robot=client.robot
        )
        HearingBot(stream, client.groups, client.robot)
        stopped_by = [0]
        closing: list[asyncio.Future[None]] = []

        def stop(signum: int) -> None:
            stopped_by[0] = stopped_by[0] or signum
            closing.append(asyncio.ensure_future(stream.close()))

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Where the loop cannot take signals (Windows), Ctrl-C stays a KeyboardInterrupt.
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop, signum)
        print("Listening; @-mention the bot with 'group <name> [member ...]'. Ctrl-C stops.")
        await stream.run()  # returns once closed
        print("Stopped.")
        return 128 + stopped_by[0] if stopped_by[0] else 0


async def demo() -> None:
    """The bot on the emulator: one message pushed to it, and what it did, printed."""
    async with DingTalkEmulator() as emulator:
        print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {emulator.base_url}")
        async with DingTalkClient(
            app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
        ) as client:
            stream = StreamClient(
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
                robot=client.robot,
            )
            HearingBot(stream, client.groups, client.robot)
            running = asyncio.ensure_future(stream.run())
            while not stream.connected:  # noqa: ASYNC110 - a demo's wait for its connection
                await asyncio.sleep(0.01)
            print(f"manager4220: @bot {DEMO_MESSAGE}")
            emulator.stream.inject_message(DEMO_MESSAGE, sender_staff_id="manager4220")
            while not any(group.messages for group in emulator.store):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            await stream.close()
            await running
        for post in emulator.stream.webhook_posts:
            print(f"bot (in the conversation): {post.body['text']['content']}")
        for group in emulator.store:
            for message in group.messages:
                print(f"bot (in {group.name}): {message.msg_param['content']}")


def main() -> int:
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    if not (app_key and app_secret):
        asyncio.run(demo())
        return 0
    return asyncio.run(serve(app_key, app_secret, os.environ.get("DINGTALK_BASE_URL")))


if __name__ == "__main__":
    raise SystemExit(main())
