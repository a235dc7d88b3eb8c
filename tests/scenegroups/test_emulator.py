"""The emulator's scene groups, called below the client: the contract outside checks call
(routes, bodies, the uuid replay, paging, disband), the limits and refusals, the template
allow list, group events, and the controls in both modes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async.emulator import GroupStore, SceneGroupStore, load_state, save_state
from dingtalk_im_async.stream import MembersAddedEvent, StreamEvent
from dingtalk_im_async.testing import DingTalkEmulator, RemoteEmulator
from tests.support.raw_http import Reply, post
from tests.support.stream_support import eventually, settle, stream_client

CREATE = "/v1.0/im/sceneGroup/create"


async def call(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    path: str,
    body: Any,
    *,
    method: str = "POST",
) -> Reply:
    headers = {"x-acs-dingtalk-access-token": emulator.issue_token()}
    if method == "POST":
        return await post(session, emulator.base_url + path, json_body=body, headers=headers)
    async with session.request(method, emulator.base_url + path, json=body, headers=headers) as r:
        return Reply(status=r.status, headers=r.headers, raw=await r.read())


async def make(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, **body: Any
) -> dict[str, Any]:
    chosen = {"title": "群", "template_id": "any-template", "owner_user_id": "boss", **body}
    reply = await call(session, emulator, CREATE, chosen)
    assert reply.status == 200, reply.raw
    made: dict[str, Any] = reply.json()
    return made


def refusal(reply: Reply) -> tuple[int, str]:
    return reply.status, reply.json()["code"]


async def test_the_contract_create_replay_page_add_disband_query(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    made = await make(session, emulator, user_ids=["a", "b", "c"], uuid="k1")
    assert set(made) == {"open_conversation_id", "chat_id"}
    cid = made["open_conversation_id"]
    again = await make(session, emulator, title="another title", uuid="k1")
    assert again == made
    add = {"open_conversation_id": cid, "user_ids": ["d"]}
    assert (await call(session, emulator, "/v1.0/im/sceneGroup/member/add", add)).json() == {
        "success": True
    }
    first = (
        await call(
            session,
            emulator,
            "/v1.0/im/sceneGroups/members/batchQuery",
            {"openConversationId": cid, "maxResults": 3},
        )
    ).json()
    assert (first["memberUserIds"], first["hasMore"]) == (["boss", "a", "b"], True)
    rest = (
        await call(
            session,
            emulator,
            "/v1.0/im/sceneGroups/members/batchQuery",
            {"openConversationId": cid, "maxResults": 3, "nextToken": first["nextToken"]},
        )
    ).json()
    assert (rest["memberUserIds"], rest["hasMore"]) == (["c", "d"], False)
    query = {"openConversationId": cid}
    before = (await call(session, emulator, "/v1.0/im/sceneGroups/query", query)).json()
    assert {key: before[key] for key in ("title", "ownerUserId", "templateId", "status")} == {
        "title": "群",
        "ownerUserId": "boss",
        "templateId": "any-template",
        "status": 1,
    }
    assert before["openConversationId"] == cid
    disband = await call(session, emulator, "/v1.0/im/chat/scenegroup/disband", query)
    assert disband.json() == {"success": True}
    after = (await call(session, emulator, "/v1.0/im/sceneGroups/query", query)).json()
    assert after["status"] == 2


async def test_a_list_of_templates_restricts_create(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    await emulator.configure(scene_group_templates=["tpl-a"])
    await make(session, emulator, template_id="tpl-a")
    other = {"title": "群", "template_id": "tpl-b", "owner_user_id": "boss"}
    assert refusal(await call(session, emulator, CREATE, other)) == (400, "groupTemplate.notFound")


async def test_a_group_holds_at_most_1000_people(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    crowd = [f"u{n}" for n in range(1000)]
    too_many = {"title": "群", "template_id": "t", "owner_user_id": "boss", "user_ids": crowd}
    assert refusal(await call(session, emulator, CREATE, too_many)) == (400, "member.exceed")
    made = await make(session, emulator, user_ids=crowd[:999])
    cid = made["open_conversation_id"]
    one_more = {"open_conversation_id": cid, "union_ids": ["outsider"]}
    reply = await call(session, emulator, "/v1.0/im/sceneGroup/member/add", one_more)
    assert refusal(reply) == (400, "member.exceed")
    removed = {"open_conversation_id": cid, "user_ids": ["u0"]}
    await call(session, emulator, "/v1.0/im/sceneGroup/member/delete", removed)
    assert (await call(session, emulator, "/v1.0/im/sceneGroup/member/add", one_more)).status == 200


NOPE = "cidnope"  # an id that names no group
PAGES = "/v1.0/im/sceneGroups/members/batchQuery"
MUTE = "/v1.0/im/sceneGroups/muteMembers/set"
NICKS = "/v1.0/im/sceneGroups/members/groupNicks"
REFUSALS = [
    (CREATE, {"title": "x" * 31, "template_id": "t", "owner_user_id": "o"}, "parameter.invalid"),
    (CREATE, {"title": "t", "owner_user_id": "o"}, "parameter.invalid"),
    (
        CREATE,
        {"title": "t", "template_id": "t", "owner_user_id": "o", "management_options": {"x": 1}},
        "parameter.invalid",
    ),
    (PAGES, {"openConversationId": NOPE, "maxResults": 5}, "cidEncryptError"),
    (PAGES, {"openConversationId": NOPE}, "paramBlank"),
    (PAGES, {"openConversationId": NOPE, "maxResults": 0}, "paramIllegal"),
    ("/v1.0/im/sceneGroups/query", {"openConversationId": NOPE}, "cidEncryptError"),
    ("/v1.0/im/chat/scenegroup/disband", {"openConversationId": NOPE}, "paramIllegal"),
    (
        "PUT /v1.0/im/sceneGroups/subAdmins",
        {"openConversationId": NOPE, "role": 2, "userIds": ["a"]},
        "invalidOpenConversationId",
    ),
    (
        f"PUT {NICKS}",
        {"openConversationId": NOPE, "userId": "a", "groupNick": "n"},
        "openConversationIdDecriptFailed",
    ),
    (
        MUTE,
        {"openConversationId": NOPE, "userIdList": ["a"], "muteStatus": 1, "muteDuration": 1},
        "invalidParameter.openConversationIdDecError",
    ),
    (
        MUTE,
        {"openConversationId": NOPE, "userIdList": ["a"], "muteStatus": 2, "muteDuration": 1},
        "invalidParameter.muteStatusError",
    ),
]


@pytest.mark.parametrize(("where", "body", "code"), REFUSALS)
async def test_refusals_as_each_page_documents_them(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    where: str,
    body: dict[str, Any],
    code: str,
) -> None:
    method, _, path = where.rpartition(" ")
    reply = await call(session, emulator, path, body, method=method or "POST")
    assert refusal(reply) == (400, code)


async def test_a_group_made_without_a_template_is_refused_by_the_template_apis(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    plain = await emulator.add_group(name="普通群", owner="boss", members=["a"])
    cid = plain.open_conversation_id
    for path, body in [
        ("/v1.0/im/sceneGroups/members/batchQuery", {"openConversationId": cid, "maxResults": 5}),
        ("/v1.0/im/sceneGroups/query", {"openConversationId": cid}),
    ]:
        assert refusal(await call(session, emulator, path, body)) == (400, "groupPermissionDenied")


async def test_members_of_a_disbanded_group_cannot_change(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    cid = (await make(session, emulator, user_ids=["a"]))["open_conversation_id"]
    await call(session, emulator, "/v1.0/im/chat/scenegroup/disband", {"openConversationId": cid})
    add = {"open_conversation_id": cid, "user_ids": ["b"]}
    reply = await call(session, emulator, "/v1.0/im/sceneGroup/member/add", add)
    assert refusal(reply) == (400, "groupDisbang")


async def test_owner_and_admins_cannot_be_muted_nor_strangers(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    made = await make(session, emulator, user_ids=["a"], subadmin_ids=["adm"])
    cid = made["open_conversation_id"]
    path = "/v1.0/im/sceneGroups/muteMembers/set"
    for user, code in [("boss", "cannot.ban.owner"), ("adm", "cannot.ban.owner")]:
        body = {"openConversationId": cid, "userIdList": [user], "muteStatus": 1, "muteDuration": 1}
        assert refusal(await call(session, emulator, path, body)) == (400, code)
    body = {"openConversationId": cid, "userIdList": ["zed"], "muteStatus": 1, "muteDuration": 1}
    assert refusal(await call(session, emulator, path, body)) == (400, "cannot.find.user")
    done = await call(session, emulator, path, {**body, "userIdList": ["a"]})
    assert (done.status, done.raw) == (200, b"")


class Sink:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event_type: str, data: Mapping[str, Any]) -> None:
        self.events.append((event_type, dict(data)))


async def test_scene_group_changes_are_group_events(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    sink = Sink()
    emulator.store.on_event(sink)
    made = await make(session, emulator, user_ids=["a", "b"])
    cid, chat = made["open_conversation_id"], made["chat_id"]
    members = "/v1.0/im/sceneGroup/member"
    await call(
        session, emulator, f"{members}/add", {"open_conversation_id": cid, "user_ids": ["c"]}
    )
    await call(
        session, emulator, f"{members}/delete", {"open_conversation_id": cid, "user_ids": ["b"]}
    )
    await call(
        session,
        emulator,
        "/v1.0/im/sceneGroup/update",
        {"open_conversation_id": cid, "title": "新", "owner_user_id": "a"},
    )
    await call(session, emulator, "/v1.0/im/chat/scenegroup/disband", {"openConversationId": cid})
    assert sink.events == [
        ("chat_add_member", {"openConversationId": cid, "chatId": chat, "userId": ["c"]}),
        ("chat_remove_member", {"openConversationId": cid, "chatId": chat, "userId": ["b"]}),
        ("chat_update_owner", {"openConversationId": cid, "owner": "a"}),
        ("chat_update_title", {"openConversationId": cid, "chatId": chat, "title": "新"}),
        ("chat_disband", {"openConversationId": cid, "chatId": chat}),
    ]


async def test_a_stream_connection_hears_scene_group_events(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    stream = stream_client(emulator)
    heard: list[StreamEvent] = []

    @stream.on_event
    async def notice(event: StreamEvent) -> None:
        heard.append(event)

    running = asyncio.ensure_future(stream.run())
    try:
        await eventually(lambda: stream.connected)
        cid = (await make(session, emulator))["open_conversation_id"]
        body = {"open_conversation_id": cid, "user_ids": ["newbie"]}
        await call(session, emulator, "/v1.0/im/sceneGroup/member/add", body)
        await eventually(lambda: len(heard) == 1)
    finally:
        await stream.close()
        await settle(running)
    [event] = heard
    assert isinstance(event, MembersAddedEvent)
    assert (event.open_conversation_id, event.user_ids) == (cid, ("newbie",))


async def test_robot_messages_reach_a_scene_group(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    """A scene group is a group of the group store: the app's robot is in it and posts."""
    cid = (await make(session, emulator, user_ids=["a"]))["open_conversation_id"]
    body = {
        "openConversationId": cid,
        "robotCode": emulator.robot_code,
        "msgKey": "sampleText",
        "msgParam": '{"content": "hi"}',
    }
    reply = await call(session, emulator, "/v1.0/robot/groupMessages/send", body)
    assert reply.status == 200, reply.raw
    [scene] = await emulator.list_scene_groups()
    assert [message.msg_param for message in scene.group.messages] == [{"content": "hi"}]


async def test_the_admin_api_and_a_remote_emulator_see_scene_groups(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    made = await make(session, emulator, user_ids=["a"], uuid="u-1")
    cid = made["open_conversation_id"]
    await call(
        session,
        emulator,
        "/v1.0/im/sceneGroups/muteMembers/set",
        {"openConversationId": cid, "userIdList": ["a"], "muteStatus": 1, "muteDuration": 60_000},
    )
    async with session.get(emulator.base_url + "/_emulator/scene-groups") as reply:
        [view] = (await reply.json())["sceneGroups"]
    assert (view["openConversationId"], view["templateId"], view["uuid"]) == (
        cid,
        "any-template",
        "u-1",
    )
    assert set(view["mutes"]) == {"a"}
    async with RemoteEmulator(emulator.base_url) as remote:
        [scene] = await remote.list_scene_groups()
        assert scene.muted("a") is not None
        assert (await remote.get_scene_group(cid)).group.chatid == made["chat_id"]
        assert [group.open_conversation_id for group in await remote.list_groups()] == [cid]
    await emulator.reset()
    assert await emulator.list_scene_groups() == []


async def test_a_state_file_keeps_what_only_scene_groups_have(
    tmp_path: Path, session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    """`dingtalk-im emulator --state`: scene groups come back as scene groups."""
    made = await make(session, emulator, user_ids=["a"], uuid="saved-1")
    await call(
        session,
        emulator,
        "/v1.0/im/sceneGroups/muteMembers/set",
        {
            "openConversationId": made["open_conversation_id"],
            "userIdList": ["a"],
            "muteStatus": 1,
            "muteDuration": 60_000,
        },
    )
    state = tmp_path / "state.json"
    scenes = emulator.stores.of(SceneGroupStore)
    assert save_state(emulator.store, state, scene_groups=scenes) == 1
    store, again = GroupStore(), SceneGroupStore()
    assert load_state(store, state, scene_groups=again) == 1
    scene = again.by_uuid(None, "saved-1")
    assert scene is not None
    assert scene.group is store.by_chatid(made["chat_id"])
    assert (scene.template_id, scene.muted("a") is not None) == ("any-template", True)
    assert load_state(GroupStore(), state) == 1  # read without scene groups: plain groups
