"""Organisations over real HTTP: a corp token sees only its organisation's groups and messages,
what it makes is its organisation's, internal-only APIs refuse it, and every call that reached
into another organisation's data is counted in `crossTenantCalls`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator, EmulatedDingTalk
from tests.support.tenant_support import (
    CORP_A,
    CORP_B,
    SUITE,
    call,
    corp_token,
    create_scene_group,
    tenant_emulator,
)

SEND = "/v1.0/robot/groupMessages/send"
QUERY = "/v1.0/im/sceneGroups/query"


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    async with tenant_emulator() as emu:
        yield emu


def text(content: str) -> str:
    return json.dumps({"content": content})


async def send(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, token: str, cid: str, robot: str
) -> tuple[int, dict[str, object]]:
    body = {
        "robotCode": robot,
        "openConversationId": cid,
        "msgKey": "sampleText",
        "msgParam": text("hi"),
    }
    return await call(session, emulator, SEND, token, body)


async def test_a_corp_token_sees_only_its_own_organisations_groups(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    token_b = await corp_token(session, emulator, CORP_B)
    cid = await create_scene_group(session, emulator, token_a, "A 的群")
    assert (await emulator.get_group(cid)).corp_id == CORP_A

    status, seen = await call(session, emulator, QUERY, token_a, {"openConversationId": cid})
    assert (status, seen["title"]) == (200, "A 的群")
    status, refused = await call(session, emulator, QUERY, token_b, {"openConversationId": cid})
    # Unknown to B: the answer for an id that names no group, not "exists, but no template".
    assert (status, refused["code"]) == (400, "cidEncryptError")
    # The internal app's token is its own organisation: it does not see A's group either.
    status, refused = await call(
        session, emulator, QUERY, emulator.issue_token(), {"openConversationId": cid}
    )
    assert (status, refused["code"]) == (400, "cidEncryptError")

    lines = (await emulator.read_journal())[-3:]
    assert [(line.corp_id, line.data_corp_ids) for line in lines] == [
        (CORP_A, (CORP_A,)),
        (CORP_B, (CORP_A,)),
        (None, (CORP_A,)),
    ]
    report = await emulator.get_tenants()
    assert report.cross_tenant_calls == 2
    assert report.org(CORP_B).cross_tenant_calls == 1
    assert report.org(CORP_A).cross_tenant_calls == 0
    assert report.org(emulator.stream.corp_id).cross_tenant_calls == 1
    assert report.org(CORP_A).calls == 2


async def test_robot_messages_record_the_organisation_of_the_token_that_sent_them(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    token_b = await corp_token(session, emulator, CORP_B)
    cid = await create_scene_group(session, emulator, token_a)
    # The suite's robot is its suite key; the group made by A's token has it installed.
    status, sent = await send(session, emulator, token_a, cid, SUITE)
    assert status == 200, sent
    [message] = (await emulator.get_group(cid)).messages
    assert message.corp_id == CORP_A
    assert message.robot_code == SUITE
    status, refused = await send(session, emulator, token_b, cid, SUITE)
    assert (status, refused["code"]) == (400, "invalid.openConversationId")
    status, wrong_robot = await send(session, emulator, token_a, cid, emulator.robot_code)
    assert (status, wrong_robot["code"]) == (400, "invalidParameter.robotCode.auth")
    assert "suiteKey" in str(wrong_robot["message"])
    assert len((await emulator.get_group(cid)).messages) == 1
    assert (await emulator.get_tenants()).cross_tenant_calls == 1


async def test_the_internal_apps_groups_stay_its_own(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    own = await create_scene_group(session, emulator, emulator.issue_token(), "内部群")
    assert (await emulator.get_group(own)).corp_id is None
    token_a = await corp_token(session, emulator, CORP_A)
    status, refused = await call(session, emulator, QUERY, token_a, {"openConversationId": own})
    assert (status, refused["code"]) == (400, "cidEncryptError")
    # The same dedup key in two organisations makes two groups.
    body = {"title": "t", "template_id": "tpl", "owner_user_id": "boss", "uuid": "same-key"}
    _, first = await call(session, emulator, "/v1.0/im/sceneGroup/create", token_a, body)
    token_b = await corp_token(session, emulator, CORP_B)
    _, second = await call(session, emulator, "/v1.0/im/sceneGroup/create", token_b, body)
    assert first["open_conversation_id"] != second["open_conversation_id"]
    _, replay = await call(session, emulator, "/v1.0/im/sceneGroup/create", token_a, body)
    assert replay["open_conversation_id"] == first["open_conversation_id"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1.0/im/group/create", {"title": "t", "owner": "boss", "useridlist": ["boss"]}),
        ("/v1.0/im/group/update", {"chatid": "chat00"}),
        ("/v1.0/im/chat/scenegroup/disband", {"open_conversation_id": "cid00"}),
    ],
)
async def test_internal_only_apis_refuse_a_corp_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, path: str, body: dict[str, object]
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    status, refused = await call(session, emulator, path, token_a, body)
    assert (status, refused["code"]) == (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied")
    assert len(emulator.store) == 0


async def test_legacy_chat_get_refuses_a_corp_token_as_the_oapi_host_does(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    group = await emulator.add_group(name="内部群", owner="boss")
    token_a = await corp_token(session, emulator, CORP_A)
    status, refused = await call(
        session, emulator, "/oapi/chat/get", token_a, {"chatid": group.chatid}, method="GET"
    )
    assert (status, refused["errcode"]) == (200, 88)
    assert refused["sub_code"] == "60011"
    status, seen = await call(
        session,
        emulator,
        "/oapi/chat/get",
        emulator.issue_token(),
        {"chatid": group.chatid},
        method="GET",
    )
    assert (status, seen["errcode"]) == (200, 0)


@pytest.mark.dingtalk_emulator(suites={SUITE: "suite-secret-1"}, corp_ids=[CORP_A])
async def test_the_marker_takes_the_suites_and_organisations(
    dingtalk_emulator: EmulatedDingTalk, session: aiohttp.ClientSession
) -> None:
    emu = dingtalk_emulator.emulator
    assert isinstance(emu, DingTalkEmulator)
    assert emu.settings.corp_ids == (CORP_A,)
    token = await corp_token(session, emu, CORP_A)
    assert (await call(session, emu, QUERY, token, {"openConversationId": "c"}))[0] == 400
    assert (await emu.get_tenants()).org(CORP_A).calls == 1


async def test_a_card_is_its_creating_organisations(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    token_b = await corp_token(session, emulator, CORP_B)
    card = {"outTrackId": "card-a", "cardTemplateId": "tpl", "cardData": {"cardParamMap": {}}}
    status, _ = await call(session, emulator, "/v1.0/card/instances", token_a, card)
    assert status == 200
    assert (await emulator.get_card("card-a")).corp_id == CORP_A
    update = {"outTrackId": "card-a", "cardData": {"cardParamMap": {"k": "v"}}}
    status, refused = await call(
        session, emulator, "/v1.0/card/instances", token_b, update, method="PUT"
    )
    assert (status, refused["code"]) == (400, "param.cardNotExist")
    frame = {"outTrackId": "card-a", "guid": "g1", "key": "k", "content": "x", "isFull": True}
    status, refused = await call(
        session, emulator, "/v1.0/card/streaming", token_b, frame, method="PUT"
    )
    assert (status, refused["code"]) == (400, "param.stream.outTrackId")
    status, _ = await call(session, emulator, "/v1.0/card/instances", token_a, update, method="PUT")
    assert status == 200
    assert (await emulator.get_card("card-a")).card_data == {"k": "v"}
    report = await emulator.get_tenants()
    assert (report.org(CORP_B).cross_tenant_calls, report.cross_tenant_calls) == (2, 2)
