"""The admin API under `/_emulator/`, over real HTTP: every route, its JSON errors, no secrets."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateGroupRequest,
    GroupMessage,
    GroupService,
    RobotService,
    Text,
    TransportError,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import app_provider

CREATE = "im.group.create"
REQUEST = CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1", "u2"])


async def admin(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    status: int = 200,
    raw: bytes | None = None,
) -> Any:
    """Call the admin API; assert the status and a JSON reply."""
    kwargs: dict[str, Any] = {"json": body}
    if raw is not None:
        kwargs = {"data": raw, "headers": {"Content-Type": "application/json"}}
    async with session.request(method, f"{emulator.base_url}/_emulator{path}", **kwargs) as reply:
        assert reply.status == status, await reply.text()
        assert reply.content_type == "application/json"
        return await reply.json()


@pytest.fixture
def robot(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> RobotService:
    return RobotService(
        session,
        app_provider(emulator, session),
        robot_code=emulator.robot_code,
        base_url=emulator.base_url,
    )


async def test_credentials_are_the_emulators_own(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    found = await admin(session, emulator, "GET", "/credentials")
    assert found == {
        "appKey": emulator.app_key,
        "appSecret": emulator.app_secret,
        "robotCode": emulator.robot_code,
        "baseUrl": emulator.base_url,
        "oapiBaseUrl": emulator.oapi_base_url,
        "dashboardUrl": emulator.base_url + "/",
    }


async def test_groups_show_members_admins_messages_and_read_status(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    groups: GroupService,
    robot: RobotService,
) -> None:
    created = await groups.create(REQUEST)
    await groups.add_admins(created.open_conversation_id, ["u1"])
    sent = await robot.send(
        GroupMessage(open_conversation_id=created.open_conversation_id, message=Text("hi"))
    )
    read = await admin(
        session,
        emulator,
        "POST",
        f"/messages/{quote(sent.process_query_key, safe='')}/read",
        {"userIds": ["u2"]},
    )
    assert read == {"readBy": ["u2"]}

    [group] = (await admin(session, emulator, "GET", "/groups"))["groups"]
    assert group["openConversationId"] == created.open_conversation_id
    assert group["owner"] == "manager4220"
    assert group["members"] == ["manager4220", "u1", "u2"]
    assert group["subAdmins"] == ["u1"]
    assert group["robots"] == [emulator.robot_code]
    [message] = group["messages"]
    assert message["processQueryKey"] == sent.process_query_key
    assert message["msgParam"] == {"content": "hi"}
    assert message["readBy"] == ["u2"]
    assert message["unreadBy"] == ["manager4220", "u1"]
    # The read status the robot API reports is the one the admin call drove.
    readers = [
        user
        async for page in robot.read_status(created.open_conversation_id, sent.process_query_key)
        for user in page.read_user_ids
    ]
    assert readers == ["u2"]
    by_chatid = await admin(session, emulator, "GET", f"/groups/{group['chatid']}")
    assert by_chatid == group


async def test_mark_read_rejects_strangers_and_unknown_messages(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    groups: GroupService,
    robot: RobotService,
) -> None:
    created = await groups.create(REQUEST)
    sent = await robot.send(
        GroupMessage(open_conversation_id=created.open_conversation_id, message=Text("hi"))
    )
    path = f"/messages/{quote(sent.process_query_key, safe='')}/read"
    stranger = await admin(session, emulator, "POST", path, {"userIds": ["x"]}, status=400)
    assert stranger["error"] == "bad-request"
    assert "not members" in stranger["message"]
    missing = await admin(
        session, emulator, "POST", "/messages/nope/read", {"userIds": ["u1"]}, status=404
    )
    assert missing["error"] == "not-found"
    bad = await admin(session, emulator, "POST", path, {"userIds": "u1"}, status=400)
    assert "userIds" in bad["message"]


async def test_robot_installs_per_group(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    created = await groups.create(REQUEST)
    gid = quote(created.open_conversation_id, safe="")  # base64: may hold "/" and "+"
    added = await admin(session, emulator, "PUT", f"/groups/{gid}/robots/other-bot")
    assert added == {"robots": sorted([emulator.robot_code, "other-bot"])}
    assert (
        "other-bot" in emulator.store.by_open_conversation_id(created.open_conversation_id).robots
    )  # type: ignore[union-attr]
    removed = await admin(
        session, emulator, "DELETE", f"/groups/{gid}/robots/{emulator.robot_code}"
    )
    assert removed == {"robots": ["other-bot"]}
    missing = await admin(session, emulator, "PUT", "/groups/nope/robots/x", status=404)
    assert missing["error"] == "not-found"


async def test_journal_has_api_status_fault_and_timing_but_no_secret(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    token = emulator.issue_token()
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR)
    await groups.create(REQUEST)  # a token fetch, a failed create, a retried create
    oapi = f"{emulator.oapi_base_url}/chat/get?access_token={token}&chatid=x&corpsecret=s3"
    async with session.get(oapi) as reply:
        assert reply.status == 200
    page = await admin(session, emulator, "GET", "/requests")
    lines = page["requests"]
    assert page["total"] == len(lines) == 4
    assert [line["api"] for line in lines[:3]] == [
        "oauth2.accessToken",
        "im.group.create",
        "im.group.create",
    ]
    failed = lines[1]
    assert (failed["status"], failed["fault"], failed["failed"]) == (500, "system-error", True)
    assert lines[2]["status"] == 200
    assert lines[2]["failed"] is False
    assert all(line["elapsedMs"] >= 0 for line in lines)
    assert lines[3]["query"] == {"chatid": "x", "corpsecret": "<hidden>"}
    text = json.dumps(page)
    assert emulator.app_secret not in text
    assert token not in text
    assert "s3" not in text
    assert "access_token" not in text
    tail = await admin(session, emulator, "GET", "/requests?since=2&limit=1")
    assert [line["index"] for line in tail["requests"]] == [3]
    bad = await admin(session, emulator, "GET", "/requests?since=-1", status=400)
    assert "since" in bad["message"]


async def test_admin_calls_are_not_api_calls(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    for path in ("/groups", "/counters", "/requests", "/qps", "/credentials", "/visible-users"):
        await admin(session, emulator, "GET", path)
    await admin(session, emulator, "POST", "/faults", {"api": "im.group.create", "fault": "slow"})
    await admin(session, emulator, "POST", "/reset")
    async with session.get(emulator.base_url + "/") as page:
        assert page.status == 200
    assert emulator.requests == []
    assert all(traffic.calls == 0 for traffic in emulator.traffic.values())
    counters = await admin(session, emulator, "GET", "/counters")
    assert counters["totals"]["calls"] == 0
    assert counters["totals"]["requests"] == 0


async def test_counters_per_api(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.configure(qps_limits={**emulator.settings.qps_limits, "im.group.create": 50})
    await groups.create(REQUEST)
    emulator.faults_for("im.group.create").schedule(Fault.HTML_PAGE, 2)
    counters = await admin(session, emulator, "GET", "/counters")
    by_api = {item["api"]: item for item in counters["apis"]}
    create = by_api["im.group.create"]
    assert (create["calls"], create["pending"], create["qpsLimit"]) == (1, 2, 50)
    assert by_api["oauth2.accessToken"]["calls"] == 1
    assert counters["totals"]["groups"] == 1
    assert counters["totals"]["calls"] == 2


async def test_faults_scheduled_per_api_by_count_rate_or_reply(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    scheduled = await admin(
        session, emulator, "POST", "/faults", {"api": "im.group.create", "fault": "html-page"}
    )
    assert scheduled == {"api": "im.group.create", "pending": 1, "rates": {}}
    await admin(
        session,
        emulator,
        "POST",
        "/faults",
        {"api": "im.group.create", "reply": {"status": 403, "code": "x.y", "message": "no"}},
    )
    assert emulator.faults_for("im.group.create").pending == 2
    await admin(
        session,
        emulator,
        "POST",
        "/faults",
        {"api": "oapi.chat.get", "fault": "slow", "count": 3, "delaySeconds": 0.01},
    )
    assert emulator.faults_for("oapi.chat.get").pending == 3
    rated = await admin(
        session,
        emulator,
        "POST",
        "/faults",
        {"api": "im.group.update", "rates": {"system-busy": 0.25}, "seed": 7},
    )
    assert rated["rates"] == {"system-busy": 0.25}
    assert emulator.faults_for("im.group.update").rates == {Fault.SYSTEM_BUSY: 0.25}

    emulator.faults_for("im.group.create").clear()
    await admin(session, emulator, "POST", "/faults", {"api": CREATE, "fault": "connection-closed"})
    with pytest.raises(TransportError):
        await groups.create(REQUEST)
    assert emulator.faults_for("im.group.create").injected[Fault.CONNECTION_CLOSED] == 1

    cleared = await admin(session, emulator, "DELETE", "/faults?api=oapi.chat.get")
    assert cleared == {"cleared": "oapi.chat.get"}
    assert emulator.faults_for("oapi.chat.get").pending == 0
    assert emulator.faults_for("im.group.update").rates
    await admin(session, emulator, "DELETE", "/faults")
    assert emulator.faults_for("im.group.update").rates == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"api": "im.nope", "fault": "slow"}, "no route serves the API 'im.nope'"),
        ({"fault": "slow"}, "api is required"),
        ({"api": CREATE, "fault": "nope"}, "unknown fault"),
        ({"api": CREATE, "fault": "canned-reply"}, "unknown fault"),
        ({"api": CREATE, "fault": "slow", "count": 0}, "count"),
        ({"api": CREATE, "fault": "slow", "delaySeconds": "soon"}, "delay"),
        ({"api": CREATE, "fault": "slow", "delay": {"high": 1}}, "delay"),
        ({"api": CREATE, "fault": "slow", "every": 0}, "positive integer"),
        ({"api": CREATE, "rates": {"system-error": 2}}, "between 0 and 1"),
        ({"api": CREATE, "rates": ["system-error"]}, "rates"),
        ({"api": CREATE, "reply": "boom"}, "reply"),
        ([1, 2], "JSON object"),
    ],
)
async def test_bad_fault_requests_get_json_errors(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, body: Any, message: str
) -> None:
    found = await admin(session, emulator, "POST", "/faults", body, status=400)
    assert found["error"] == "bad-request"
    assert message in found["message"]
    assert all(traffic.faults.pending == 0 for traffic in emulator.traffic.values())


async def test_a_body_that_is_not_json_is_a_json_error(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    found = await admin(session, emulator, "PUT", "/qps", raw=b"{nope", status=400)
    assert found == {"error": "bad-request", "message": "the body is not JSON"}


async def test_qps_limit_global_and_per_api(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    assert await admin(session, emulator, "GET", "/qps") == {"limit": None, "perApi": {}}
    found = await admin(
        session, emulator, "PUT", "/qps", {"limit": 5, "perApi": {"im.group.create": 2}}
    )
    assert found == {"limit": 5, "perApi": {"im.group.create": 2}}
    assert emulator.qps_limit_for("im.group.create") == 2
    assert emulator.qps_limit_for("oapi.chat.get") == 5
    await admin(session, emulator, "PUT", "/qps", {"limit": None})
    assert emulator.settings.qps_limit is None
    for bad in ({"limit": -1}, {"limit": "5"}, {"perApi": {"im.nope": 1}}, {"perApi": 3}):
        await admin(session, emulator, "PUT", "/qps", bad, status=400)
    assert emulator.settings.qps_limits == {"im.group.create": 2}


async def test_the_qps_limit_set_over_http_refuses_calls(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    await admin(session, emulator, "PUT", "/qps", {"perApi": {"im.group.create": 1}})
    run = groups.create_many([REQUEST] * 3, concurrency=3, rate_limited_retries=0)
    async with run as outcomes:
        errors = [outcome.error async for outcome in outcomes if outcome.error is not None]
    assert emulator.traffic_for("im.group.create").rate_limited == len(errors) >= 1


async def test_visible_users(session: aiohttp.ClientSession, emulator: DingTalkEmulator) -> None:
    assert await admin(session, emulator, "GET", "/visible-users") == {"users": None}
    found = await admin(session, emulator, "PUT", "/visible-users", {"users": ["b", "a"]})
    assert found == {"users": ["a", "b"]}
    assert emulator.settings.visible_users == frozenset({"a", "b"})
    await admin(session, emulator, "PUT", "/visible-users", {"users": [1]}, status=400)
    await admin(session, emulator, "PUT", "/visible-users", {"users": None})
    assert emulator.settings.visible_users is None


async def test_reset_forgets_state_but_keeps_settings(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.configure(qps_limit=9)
    await groups.create(REQUEST)
    emulator.faults_for("im.group.create").schedule(Fault.SLOW)
    assert await admin(session, emulator, "POST", "/reset") == {"reset": True}
    assert len(emulator.store) == 0
    assert emulator.requests == []
    assert emulator.calls("im.group.create") == 0
    assert emulator.faults_for("im.group.create").pending == 0
    assert emulator.settings.qps_limit == 9


async def test_dashboard_and_assets_are_served(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    for path in ("/", "/_emulator/"):
        async with session.get(emulator.base_url + path) as page:
            assert page.status == 200
            assert page.content_type == "text/html"
            assert "/_emulator/assets/dashboard.js" in await page.text()
    for name, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        async with session.get(f"{emulator.base_url}/_emulator/assets/{name}") as asset:
            assert asset.status == 200
            assert asset.content_type == kind
    await admin(session, emulator, "GET", "/assets/secrets.txt", status=404)
