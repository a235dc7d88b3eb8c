"""Create one group: against DingTalk when credentials are set, else the built-in emulator.

DINGTALK_APP_KEY=... DINGTALK_APP_SECRET=... python examples/create_group.py
python examples/create_group.py          # no credentials: runs the emulator in-process
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    ConversationTag,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    ManagementOptions,
    OwnerType,
)
from dingtalk_im_async.testing import DingTalkEmulator


async def main() -> int:
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    async with contextlib.AsyncExitStack() as stack:
        base_url = None
        if not (app_key and app_secret):
            emulator = await stack.enter_async_context(DingTalkEmulator())
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
            print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {base_url}")
        session = await stack.enter_async_context(aiohttp.ClientSession())
        tokens = AppTokenProvider(
            session, app_key=app_key, app_secret=app_secret, base_url=base_url
        )
        groups = GroupService(session, tokens, base_url=base_url)
        try:
            result = await groups.create(
                CreateGroupRequest(
                    name="测试群",
                    owner=os.environ.get("DINGTALK_OWNER", "manager4220"),
                    useridlist=[os.environ.get("DINGTALK_USER", "userId")],
                    owner_type=OwnerType.EMP,
                    conversation_tag=ConversationTag.INTERNAL,
                    management_options=ManagementOptions(searchable=1),
                )
            )
        except DingTalkError as error:
            print(f"failed: {error}")
            return 1
    print(f"created: openConversationId={result.open_conversation_id} chatid={result.chatid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
