"""A chat bot that creates DingTalk groups on command, welcomes people in them, and says who
has read the welcome.

    /group <name> <member> [<member> ...]   create a group owned by the sender, post a welcome card
    /welcome <name>                         post the welcome card again (e.g. once the robot is in)
    /seen <name>                            who has read the welcome card
    /help                                   show the commands

Quote names with spaces: /group "Launch team" alice bob

    python examples/bot.py                    # type commands as manager4220
    python examples/bot.py --as someUserId

Against DingTalk when DINGTALK_APP_KEY and DINGTALK_APP_SECRET are set,
otherwise against the built-in emulator, where `/pretend-read <name> <user>...`
stands for members opening the group. `GroupBot.handle` is the whole bot:
connect it to whatever delivers your chat messages; here it is the console.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shlex
import sys

from attrs import define, field

from dingtalk_im_async import (
    ActionCard,
    CreateGroupRequest,
    DingTalkClient,
    DingTalkError,
    GroupMessage,
    GroupService,
    InvalidCredentialsError,
    InvalidTokenError,
    PermissionCheckError,
    RateLimitError,
    RequestValidationError,
    RobotNotInGroupError,
    RobotService,
    ServerError,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator

logger = logging.getLogger("group_bot")

USAGE = (
    "Commands:\n"
    "  /group <name> <member> [<member> ...]  create a group that you own, with a welcome card\n"
    "  /welcome <name>                        post the welcome card again\n"
    "  /seen <name>                           who has read the welcome card\n"
    "  /help                                  show this message"
)


@define(kw_only=True)
class Group:
    """What the bot remembers of a group it made: ids, who is in it, its welcome card."""

    name: str
    open_conversation_id: str
    chatid: str
    members: tuple[str, ...]
    welcome_key: str | None = None  # the welcome card's processQueryKey, once posted


def welcome_card(group: Group, owner: str) -> GroupMessage:
    members = "、".join(group.members)
    return GroupMessage(
        open_conversation_id=group.open_conversation_id,
        message=ActionCard(
            title=f"欢迎加入 {group.name}",
            text=f"### 欢迎加入 {group.name}\n\n群主：{owner}\n\n成员：{members}",
            single_title="查看群公告",
            single_url="https://www.dingtalk.com",
        ),
    )


@define(kw_only=True)
class GroupBot:
    """Turns chat commands into DingTalk calls and every outcome into a reply."""

    groups: GroupService
    robot: RobotService
    made: dict[str, Group] = field(factory=dict)  # by name

    async def handle(self, sender: str, text: str) -> str:
        """Answer one message from `sender` (a DingTalk userId) with the reply to send."""
        try:
            words = shlex.split(text)
        except ValueError:
            return "I could not read that: a quote is not closed."
        if not words or words[0] == "/help":
            return USAGE
        command, *args = words
        if command == "/group":
            if len(args) < 2:
                return "Usage: /group <name> <member> [<member> ...]"
            return await self.create(sender, args[0], args[1:])
        if command in ("/welcome", "/seen"):
            if len(args) != 1:
                return f"Usage: {command} <name>"
            group = self.made.get(args[0])
            if group is None:
                return f"I have not made a group called {args[0]!r}."
            if command == "/welcome":
                return await self.welcome(sender, group)
            return await self.seen(group)
        return f"I don't know {command!r}.\n{USAGE}"

    async def create(self, sender: str, name: str, members: list[str]) -> str:
        try:
            result = await self.groups.create(
                CreateGroupRequest(name=name, owner=sender, useridlist=members)
            )
        except DingTalkError as error:
            return reply_for(error)
        everyone = tuple(dict.fromkeys([sender, *members]))
        group = Group(
            name=name,
            open_conversation_id=result.open_conversation_id,
            chatid=result.chatid,
            members=everyone,
        )
        self.made[name] = group
        created = f"Created {name!r} with {len(members)} member(s): {result.chatid}"
        return f"{created}\n{await self.welcome(sender, group)}"

    async def welcome(self, sender: str, group: Group) -> str:
        """Post the welcome card, if the robot is in the group (it must be, to post)."""
        try:
            if not await self.robot.installed(group.open_conversation_id):
                return (
                    f"My robot is not in {group.name!r} yet, so no welcome card: add it "
                    f"(group settings > robots), then say /welcome {group.name}"
                )
            sent = await self.robot.send(welcome_card(group, sender))
        except RobotNotInGroupError:
            return f"My robot is not in {group.name!r}: add it, then say /welcome {group.name}"
        except DingTalkError as error:
            if error.verdict is Verdict.UNKNOWN:
                # Posting is not idempotent: sending again could show the card twice.
                return "The welcome card may or may not be in the group; I won't post it twice."
            return f"No welcome card: {reply_for(error)}"
        group.welcome_key = sent.process_query_key
        return "Welcome card posted."

    async def seen(self, group: Group) -> str:
        """Who has read the welcome card, from DingTalk's read status, page by page."""
        if group.welcome_key is None:
            return f"{group.name!r} has no welcome card yet: /welcome {group.name}"
        try:
            readers = [
                user
                async for page in self.robot.read_status(
                    group.open_conversation_id, group.welcome_key
                )
                for user in page.read_user_ids
            ]
        except DingTalkError as error:
            return f"I could not read that: {reply_for(error)}"
        total = len(group.members)
        if not readers:
            return f"Nobody has read the welcome card in {group.name!r} yet (0 of {total})."
        return (
            f"{len(readers)} of {total} members read the welcome card in {group.name!r}: "
            + ", ".join(readers)
        )


def reply_for(error: DingTalkError) -> str:
    """What the person who typed the command should read about a failure."""
    if isinstance(error, RequestValidationError):
        return f"That group can't be made: {error}"
    if isinstance(error, PermissionCheckError):
        return "DingTalk refused: you must be visible to this bot's app to own a group."
    if isinstance(error, RateLimitError):
        return "DingTalk is busy right now; nothing was created. Try again in a few seconds."
    if isinstance(error, TransportError) and error.verdict is Verdict.NOT_SENT:
        return "I could not reach DingTalk; nothing was created. Try again."
    if error.verdict is Verdict.UNKNOWN:
        # Creating a group is not idempotent: asking again could make a second one.
        return "DingTalk did not answer clearly; the group may exist. Check before asking again."
    if isinstance(error, (InvalidCredentialsError, InvalidTokenError)):
        logger.error("the bot's DingTalk credentials were refused: %s", error)
        return "My DingTalk credentials were refused; please tell an admin."
    if isinstance(error, ServerError):
        return f"DingTalk kept failing (request id {error.request_id}); try again later."
    logger.error("unexpected DingTalk error: %s", error)
    return f"DingTalk refused: {error}"


async def console(bot: GroupBot, sender: str, emulator: DingTalkEmulator | None) -> None:
    """Read commands from stdin (without blocking the event loop) until end of input."""
    print(f"Chatting as {sender}. Type /help, or Ctrl-D to quit.")
    while line := await asyncio.to_thread(sys.stdin.readline):
        if line.strip().startswith("/pretend-read") and emulator is not None:
            print(pretend_read(bot, emulator, shlex.split(line)[1:]))
        elif line.strip():
            print(await bot.handle(sender, line))


def pretend_read(bot: GroupBot, emulator: DingTalkEmulator, args: list[str]) -> str:
    """Emulator only: these members open the group and read the welcome card."""
    group = bot.made.get(args[0]) if args else None
    if group is None or group.welcome_key is None:
        return "Usage: /pretend-read <name of a group with a welcome card> <user> [<user> ...]"
    try:
        emulator.store.mark_read(group.welcome_key, *args[1:])
    except ValueError as error:
        return str(error)
    return f"(emulator) {', '.join(args[1:])} read the card in {group.name!r}"


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A chat bot that creates DingTalk groups.")
    parser.add_argument("--as", dest="sender", default="manager4220", help="your DingTalk userId")
    args = parser.parse_args(argv)
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    async with contextlib.AsyncExitStack() as stack:
        base_url, emulator = None, None
        if not (app_key and app_secret):
            emulator = await stack.enter_async_context(DingTalkEmulator())
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
            print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {base_url}")
        # The robot is the app's own: its code is the app key (robot_code=... for another).
        client = await stack.enter_async_context(
            DingTalkClient(app_key=app_key, app_secret=app_secret, base_url=base_url)
        )
        await console(GroupBot(groups=client.groups, robot=client.robot), args.sender, emulator)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
