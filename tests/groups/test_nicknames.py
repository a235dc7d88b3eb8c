"""Members' nicknames (`GroupService.update_nick`, the legacy `topapi/chat/updategroupnick`):
the call, its checks before any I/O, DingTalk's codes and their verdicts, bulk runs and the
`dingtalk-im group nick` command, all against the emulator."""

from __future__ import annotations

import json

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateGroupResult,
    DingTalkClient,
    GroupNotFoundError,
    GroupService,
    InvalidParameterError,
    RequestValidationError,
    UnknownUserError,
    UnsuccessfulReplyError,
    UpdateGroupNickRequest,
    UpdateGroupNickResult,
    Verdict,
)
from dingtalk_im_async._core.service import endpoint_of
from dingtalk_im_async.testing import CannedReply, DingTalkEmulator, ErrcodeReply
from tests.support.cli_subprocess import run_cli
from tests.support.lifecycle_support import lifecycle_service, new_group

NICK_API = "oapi.topapi.chat.updategroupnick"


@pytest.fixture
def groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return lifecycle_service(emulator, session)


def nick(
    group: CreateGroupResult, userid: str = "alice", name: str = "小爱"
) -> UpdateGroupNickRequest:
    return UpdateGroupNickRequest(chatid=group.chatid, userid=userid, group_nick=name)


def nicks(emulator: DingTalkEmulator, group: CreateGroupResult) -> dict[str, str]:
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    return stored.nicks


async def test_a_member_gets_a_nickname_in_the_group(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    result = await groups.update_nick(nick(group))
    assert result == UpdateGroupNickResult(success=True)
    assert nicks(emulator, group) == {"alice": "小爱"}
    logged = emulator.requests[-1]
    assert logged.api == NICK_API
    assert logged.path == "/oapi/topapi/chat/updategroupnick"
    # DingTalk's keys, snake_case; the token in the query, never in the body
    assert logged.body == {"chatid": group.chatid, "userid": "alice", "group_nick": "小爱"}
    assert "access_token" not in logged.query


async def test_setting_it_again_is_safe(groups: GroupService, emulator: DingTalkEmulator) -> None:
    group = await new_group(groups)
    await groups.update_nick(nick(group, name="一"))
    await groups.update_nick(nick(group, name="一"))
    assert nicks(emulator, group) == {"alice": "一"}
    endpoint = endpoint_of(groups.update_nick)
    assert endpoint is not None
    assert endpoint.repeat_safe


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"chatid": " "}, "chatid"),
        ({"userid": ""}, "userid"),
        ({"group_nick": "  "}, "group_nick"),
        ({"group_nick": 5}, "group_nick"),
    ],
)
def test_a_bad_request_is_refused_before_any_io(fields: dict[str, object], named: str) -> None:
    arguments: dict[str, object] = {"chatid": "chat1", "userid": "u", "group_nick": "n", **fields}
    with pytest.raises(RequestValidationError) as caught:
        UpdateGroupNickRequest(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == named


async def test_the_emulator_refuses_what_dingtalk_documents(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    with pytest.raises(GroupNotFoundError) as unknown_group:
        await groups.update_nick(
            UpdateGroupNickRequest(chatid="chatnothere", userid="alice", group_nick="n")
        )
    assert unknown_group.value.code == "34001"
    with pytest.raises(UnknownUserError) as stranger:
        await groups.update_nick(nick(group, userid="stranger"))
    assert stranger.value.code == "60124"
    for error in (unknown_group.value, stranger.value):
        assert error.verdict is Verdict.REJECTED
    assert nicks(emulator, group) == {}


@pytest.mark.parametrize(
    ("errcode", "cls"),
    [
        (40003, UnknownUserError),
        (41049, InvalidParameterError),  # the nickname holds prohibited content
        (400002, InvalidParameterError),
    ],
)
async def test_each_documented_errcode_raises_its_class_rejected(
    groups: GroupService, emulator: DingTalkEmulator, errcode: int, cls: type[Exception]
) -> None:
    group = await new_group(groups)
    emulator.faults_for(NICK_API).schedule_reply(ErrcodeReply(errcode=errcode, errmsg="说明"))
    with pytest.raises(cls) as caught:
        await groups.update_nick(nick(group))
    assert caught.value.verdict is Verdict.REJECTED  # type: ignore[attr-defined]


async def test_a_reply_without_success_is_unknown_and_put_back_in_bulk(
    emulator: DingTalkEmulator,
) -> None:
    refused = CannedReply(status=200, body=b'{"errcode":0,"errmsg":"ok","success":false}')
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
    ) as client:
        group = await new_group(client.groups, members=["alice", "bob"])
        emulator.faults_for(NICK_API).schedule_reply(refused)
        with pytest.raises(UnsuccessfulReplyError) as caught:
            await client.groups.update_nick(nick(group))
        assert caught.value.verdict is Verdict.UNKNOWN
        emulator.faults_for(NICK_API).schedule_reply(refused)
        requests = [nick(group, "alice", "甲"), nick(group, "bob", "乙")]
        async with client.many(client.groups.update_nick, requests, rate_limited_backoff=0) as run:
            outcomes = [outcome async for outcome in run]
    assert all(outcome.ok for outcome in outcomes)
    assert sum(outcome.rate_limited_retries for outcome in outcomes) == 1  # put back once
    assert nicks(emulator, group) == {"alice": "甲", "bob": "乙"}


async def test_the_command_sets_a_nickname(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    oapi = {"DINGTALK_OAPI_BASE_URL": emulator.oapi_base_url}
    done = await run_cli(
        emulator, ["group", "nick", group.chatid, "--user", "bob", "--nick", "小波"], **oapi
    )
    assert (done.code, done.output) == (0, f"bob is '小波' in {group.chatid}\n")
    as_json = await run_cli(
        emulator,
        ["group", "nick", group.chatid, "--user", "bob", "--nick", "波", "--json"],
        **oapi,
    )
    assert json.loads(as_json.output) == {"success": True}
    assert nicks(emulator, group) == {"bob": "波"}
    refused = await run_cli(
        emulator, ["group", "nick", "chatnothere", "--user", "bob", "--nick", "x"], **oapi
    )
    assert refused.code == 1
    assert "verdict: rejected" in refused.output
    blank = await run_cli(emulator, ["group", "nick", group.chatid, "--user", "bob", "--nick", " "])
    assert blank.code == 2
    assert "group_nick" in blank.output
