"""The handler example on docs/testing.md ("Adding an endpoint"), served and called for real.

The two routes stand for what a handler module in `testing/handlers/` holds;
here they are served with `extra_routes`, which is how a test adds its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.emulator_handler_example import ROUTES
from tests.support.raw_http import create


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    """An emulator serving the example routes besides its own."""
    async with DingTalkEmulator(extra_routes=ROUTES) as emu:
        yield emu


# --8<-- [start:inspect]
async def test_the_example_endpoints_change_and_read_the_store(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    chatid = (await create(session, emulator)).json()["chatid"]
    token = emulator.issue_token()
    emulator.faults_for("im.example.rename").schedule(Fault.SYSTEM_ERROR)
    rename_url = f"{emulator.base_url}/v1.0/im/example/{chatid}/rename"
    headers = {"x-acs-dingtalk-access-token": token}
    for _ in range(2):  # the first gets the scheduled 500, the second renames
        async with session.post(rename_url, json={"name": "新名字"}, headers=headers) as reply:
            last_status = reply.status
    params = {"access_token": token, "chatid": chatid}
    async with session.get(emulator.oapi_base_url + "/example/name", params=params) as reply:
        assert await reply.json() == {"errcode": 0, "errmsg": "ok", "name": "新名字"}
    assert last_status == 200
    assert emulator.calls("im.example.rename") == 2
    assert emulator.faults_for("im.example.rename").injected == {Fault.SYSTEM_ERROR: 1}
    assert emulator.store.by_chatid(chatid).name == "新名字"  # type: ignore[union-attr]
    assert [(r.api, r.status) for r in emulator.requests[-3:]] == [
        ("im.example.rename", 500),
        ("im.example.rename", 200),
        ("oapi.example.name", 200),
    ]


# --8<-- [end:inspect]


async def test_the_example_answers_unknown_groups_in_each_hosts_shape(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token = emulator.issue_token()
    headers = {"x-acs-dingtalk-access-token": token}
    url = f"{emulator.base_url}/v1.0/im/example/chat0/rename"
    async with session.post(url, json={"name": "n"}, headers=headers) as reply:
        assert (reply.status, (await reply.json())["code"]) == (400, "invalideChatId")
    params = {"access_token": token, "chatid": "chat0"}
    async with session.get(emulator.oapi_base_url + "/example/name", params=params) as reply:
        assert await reply.json() == {"errcode": 40016, "errmsg": "不合法的chatid"}
