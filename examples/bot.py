"""A chat bot that creates DingTalk groups on command.

    /group <name> <member> [<member> ...]   create an internal group owned by the sender
    /help                                   show the commands

Quote names with spaces: /group "Launch team" alice bob

    python examples/bot.py                    # type commands as manager4220
    python examples/bot.py --as someUserId

Against DingTalk when DINGTALK_APP_KEY and DINGTALK_APP_SECRET are set,
otherwise against the built-in emulator. `GroupBot.handle` is the whole bot:
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

import aiohttp
from attrs import define

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    InvalidCredentialsError,
    InvalidTokenError,
    PermissionCheckError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator

logger = logging.getLogger("group_bot")

USAGE = (
    "Commands:\n"
    "  /group <name> <member> [<member> ...]  create an internal group that you own\n"
    "  /help                                  show this message"
)


@define(frozen=True, kw_only=True)
class GroupBot:
    """Turns chat commands into group creations and every outcome into a reply."""

    groups: GroupService

    async def handle(self, sender: str, text: str) -> str:
        """Answer one message from `sender` (a DingTalk userId) with the reply to send."""
        try:
            words = shlex.split(text)
        except ValueError:
            return "I could not read that: a quote is not closed."
        if not words or words[0] == "/help":
            return USAGE
        if words[0] != "/group":
            return f"I don't know {words[0]!r}.\n{USAGE}"
        if len(words) < 3:
            return "Usage: /group <name> <member> [<member> ...]"
        name, *members = words[1:]
        try:
            result = await self.groups.create(
                CreateGroupRequest(name=name, owner=sender, useridlist=members)
            )
        except DingTalkError as error:
            return reply_for(error)
        return f"Created {name!r} with {len(members)} member(s): {result.chatid}"


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


async def console(bot: GroupBot, sender: str) -> None:
    """Read commands from stdin (without blocking the event loop) until end of input."""
    print(f"Chatting as {sender}. Type /help, or Ctrl-D to quit.")
    while line := await asyncio.to_thread(sys.stdin.readline):
        if line.strip():
            print(await bot.handle(sender, line))


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A chat bot that creates DingTalk groups.")
    parser.add_argument("--as", dest="sender", default="manager4220", help="your DingTalk userId")
    args = parser.parse_args(argv)
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    async with contextlib.AsyncExitStack() as stack:
        base_url = None
        if not (app_key and app_secret):
            emulator = await stack.enter_async_context(DingTalkEmulator())
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
            print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {base_url}")
        session = await stack.enter_async_context(aiohttp.ClientSession())
        tokens = await stack.enter_async_context(
            AppTokenProvider(session, app_key=app_key, app_secret=app_secret, base_url=base_url)
        )
        bot = GroupBot(groups=GroupService(session, tokens, base_url=base_url))
        await console(bot, args.sender)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
