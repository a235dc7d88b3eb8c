"""The emulator's lifecycle handlers, called below the client: the bodies DingTalk answers,
the limits, the envelope of the legacy read, and the group events a Stream gateway pushes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.emulator_routes import call_oapi
from tests.support.lifecycle_support import raw_admins, raw_update
from tests.support.raw_http import create, post


async def new_chat(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, members: list[str]
) -> tuple[str, str]:
    reply = await create(session, emulator, {"name": "群", "owner": "boss", "useridlist": members})
    assert reply.status == 200, reply.raw
    body = reply.json()
    return body["chatid"], body["openConversationId"]


# --8<-- [start:events]
class Sink:
    """Collects the events the store announces."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event_type: str, data: Mapping[str, Any]) -> None:
        self.events.append((event_type, dict(data)))


async def test_update_announces_each_kind_of_change_to_the_event_sinks(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    sink = Sink()
    emulator.store.on_event(sink)
    chatid, cid = await new_chat(session, emulator, ["a", "b"])
    body = {
        "chatid": chatid,
        "name": "新名字",
        "owner": "a",
        "add_useridlist": ["c"],
        "del_useridlist": ["b"],
        "add_extidlist": ["union1"],
    }
    assert (await raw_update(session, emulator, body)).json() == {"success": True}
    assert sink.events == [
        (
            "chat_add_member",
            {"openConversationId": cid, "chatId": chatid, "userId": ["c"], "unionId": ["union1"]},
        ),
        ("chat_remove_member", {"openConversationId": cid, "chatId": chatid, "userId": ["b"]}),
        ("chat_update_owner", {"openConversationId": cid, "owner": "a"}),
        ("chat_update_title", {"openConversationId": cid, "chatId": chatid, "title": "新名字"}),
    ]


# --8<-- [end:events]


async def test_an_update_that_changes_nothing_announces_nothing(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    """Adding a member twice (a repeated update) is a success that changes nothing."""
    sink = Sink()
    chatid, _ = await new_chat(session, emulator, ["a"])
    emulator.store.on_event(sink)
    body = {"chatid": chatid, "add_useridlist": ["a"], "del_useridlist": ["zed"], "name": "群"}
    assert (await raw_update(session, emulator, body)).status == 200
    assert sink.events == []
    stored = emulator.store.by_chatid(chatid)
    assert stored is not None
    assert stored.members == ["boss", "a"]


async def test_a_sink_can_unregister_and_a_failing_sink_does_not_fail_the_call(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept, dropped = Sink(), Sink()

    def broken(event_type: str, data: Mapping[str, Any]) -> None:
        raise RuntimeError("gateway down")

    emulator.store.on_event(broken)
    emulator.store.on_event(kept)
    emulator.store.on_event(dropped)()  # registered, then unregistered at once
    chatid, _ = await new_chat(session, emulator, ["a"])
    with caplog.at_level(logging.ERROR, logger="dingtalk_im_async.emulator"):
        reply = await raw_update(session, emulator, {"chatid": chatid, "name": "改名"})
    assert reply.status == 200
    assert [event for event, _ in kept.events] == ["chat_update_title"]
    assert dropped.events == []
    assert "chat_update_title" in caplog.text
    assert "gateway down" in caplog.text


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ([], "not a JSON object"),
        ({"name": "n"}, "chatid is mandatory"),
        ({"chatid": "X", "name": "x" * 21}, "name must be 1~20"),
        ({"chatid": "X", "ownerType": "boss", "owner": "a"}, "ownerType must be emp or ext"),
        ({"chatid": "X", "add_useridlist": "a"}, "add_useridlist must be an array"),
        ({"chatid": "X", "del_extidlist": [" "]}, "del_extidlist[0] must be a non-blank"),
        ({"chatid": "X", "icon": ""}, "icon must be a non-blank"),
        ({"chatid": "X", "managementOptions": {"chatBannedType": 2}}, "chatBannedType must be"),
        (
            {"chatid": "X", "add_useridlist": ["a"] * 30, "add_extidlist": ["e"] * 11},
            "at most 40 members may be added per call, got 41",
        ),
    ],
)
async def test_update_bodies_dingtalk_refuses_as_invalid_parameters(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, body: Any, detail: str
) -> None:
    chatid, _ = await new_chat(session, emulator, ["a"])
    if isinstance(body, dict) and body.get("chatid") == "X":
        body = {**body, "chatid": chatid}
    reply = await raw_update(session, emulator, body)
    assert reply.status == 400
    assert reply.json()["code"] == "parameter.invalid"
    assert detail in reply.json()["message"]
    assert reply.json()["requestid"] == reply.headers["x-acs-request-id"]


async def test_a_group_holds_at_most_1000_members(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    chatid, _ = await new_chat(session, emulator, [f"u{n}" for n in range(990)])  # 991 with boss
    more = {"chatid": chatid, "add_useridlist": [f"new{n}" for n in range(9)]}
    assert (await raw_update(session, emulator, more)).status == 200
    one_too_many = {"chatid": chatid, "add_useridlist": ["last"]}
    reply = await raw_update(session, emulator, one_too_many)
    assert (reply.status, reply.json()["code"]) == (400, "parameter.invalid")
    assert "at most 1000 members" in reply.json()["message"]


async def test_an_external_owner_must_be_an_external_member(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    chatid, _ = await new_chat(session, emulator, ["a"])
    await raw_update(session, emulator, {"chatid": chatid, "add_extidlist": ["union1"]})
    refused = {"chatid": chatid, "owner": "a", "ownerType": "ext"}
    assert (await raw_update(session, emulator, refused)).status == 400
    accepted = {"chatid": chatid, "owner": "union1", "ownerType": "ext"}
    assert (await raw_update(session, emulator, accepted)).status == 200
    stored = emulator.store.by_chatid(chatid)
    assert stored is not None
    assert (stored.owner, stored.owner_type) == ("union1", "ext")


async def test_removed_members_and_the_new_owner_are_no_longer_admins(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    chatid, cid = await new_chat(session, emulator, ["a", "b", "c"])
    admins = {"openConversationId": cid, "userIds": ["a", "b", "boss"], "role": 2}
    assert (await raw_admins(session, emulator, admins)).json() == {"success": "true"}
    stored = emulator.store.by_chatid(chatid)
    assert stored is not None
    assert stored.sub_admins == {"a", "b"}
    await raw_update(session, emulator, {"chatid": chatid, "owner": "a", "del_useridlist": ["b"]})
    assert stored.sub_admins == set()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"openConversationId": 5, "userIds": ["a"], "role": 2},
            "invalidParameter.openConversationId.invalid",
        ),
        (
            {"openConversationId": "cid404", "userIds": ["a"], "role": 2},
            "invalidParameter.openConversationId.invalid",
        ),
        ({"userIds": ["a"], "role": 4}, "invalidParamter.role"),
        ({"userIds": ["a"], "role": True}, "invalidParamter.role"),
        ({"userIds": [], "role": 2}, "invalid.staffid"),
        ({"userIds": [" "], "role": 2}, "invalid.staffid"),
        ({"userIds": "a", "role": 2}, "invalid.staffid"),
        ({"userIds": ["nobody"], "role": 3}, "staff.not.found"),
    ],
)
async def test_sub_admin_refusals_carry_the_documented_codes(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, body: dict[str, Any], code: str
) -> None:
    _, cid = await new_chat(session, emulator, ["a"])
    reply = await raw_admins(session, emulator, {"openConversationId": cid, **body})
    assert (reply.status, reply.json()["code"]) == (400, code)


async def test_admins_must_be_visible_to_the_app(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    _, cid = await new_chat(session, emulator, ["a"])
    emulator.configure(visible_users=frozenset({"boss"}))
    reply = await raw_admins(
        session, emulator, {"openConversationId": cid, "userIds": ["a"], "role": 2}
    )
    assert reply.json()["code"] == "staff.not.found"


async def test_chat_get_answers_in_the_legacy_envelope(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    chatid, _ = await new_chat(session, emulator, ["a"])
    await raw_update(
        session,
        emulator,
        {"chatid": chatid, "icon": "@i", "managementOptions": {"searchable": 1}},
    )
    reply = await call_oapi(session, emulator, "/chat/get", chatid=chatid)
    assert reply.status == 200
    assert reply.json() == {
        "errcode": 0,
        "errmsg": "ok",
        "chat_info": {
            "name": "群",
            "owner": "boss",
            "useridlist": ["boss", "a"],
            "conversationTag": 2,
            "mentionAllAuthority": 0,
            "showHistoryType": 0,
            "validationType": 0,
            "searchable": 1,
            "chatBannedType": 0,
            "managementType": 0,
            "status": 1,
            "chatid": chatid,
            "icon": "@i",
        },
    }
    unknown = await call_oapi(session, emulator, "/chat/get", chatid="chat404")
    assert unknown.json() == {"errcode": 40016, "errmsg": "不合法的chatid"}
    no_id = await call_oapi(session, emulator, "/chat/get")
    assert no_id.json()["errcode"] == 40016


async def test_convert_answers_unknown_chatids_with_the_documented_code(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    token = {"x-acs-dingtalk-access-token": emulator.issue_token()}
    chatid, cid = await new_chat(session, emulator, ["a"])
    url = emulator.base_url + "/v1.0/im/chat/{}/convertToOpenConversationId"
    found = await post(session, url.format(chatid), headers=token)
    assert found.json() == {"openConversationId": cid}
    missing = await post(session, url.format("chat404"), headers=token)
    assert (missing.status, missing.json()["code"]) == (400, "invalideChatId")


async def test_lifecycle_routes_need_their_permission(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    chatid, _ = await new_chat(session, emulator, ["a"])
    emulator.configure(denied_scopes=emulator.settings.denied_scopes | {"qyapi_chat_manage"})
    reply = await raw_update(session, emulator, {"chatid": chatid, "name": "n"})
    assert (reply.status, reply.json()["code"]) == (
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    stored = emulator.store.by_chatid(chatid)
    assert stored is not None
    assert stored.name == "群"
