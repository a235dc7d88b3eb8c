"""What a test can read back from the emulator: groups, the request log, counts, and reset."""

from __future__ import annotations

import aiohttp

from dingtalk_im_async import CreateGroupRequest, GroupService, ManagementOptions
from dingtalk_im_async.testing import DingTalkEmulator, Fault, LoggedRequest
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.raw_http import CREATE_PATH, TOKEN_PATH, create, post

REQUEST = CreateGroupRequest(
    name="测试群",
    owner="manager4220",
    useridlist=["u1", "u2"],
    management_options=ManagementOptions(searchable=1),
)


async def test_each_group_keeps_the_request_that_made_it(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    first = await groups.create(REQUEST)
    second = await groups.create(CreateGroupRequest(name="二", owner="o", useridlist=["u"]))
    assert [(g.open_conversation_id, g.chatid) for g in emulator.groups] == [
        (first.open_conversation_id, first.chatid),
        (second.open_conversation_id, second.chatid),
    ]
    assert emulator.groups[0].request == {
        "name": "测试群",
        "owner": "manager4220",
        "useridlist": ["u1", "u2"],
        "managementOptions": {"searchable": 1},
    }
    assert emulator.groups[1].request["name"] == "二"
    assert all(g.fault is None for g in emulator.groups)


async def test_request_log_has_path_token_presence_and_body_but_no_secrets(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    await groups.create(REQUEST)
    token = emulator.issue_token()
    await post(session, emulator.base_url + CREATE_PATH, json_body={"name": "x"})
    assert emulator.requests == [
        LoggedRequest(
            api="oauth2.accessToken",
            path=TOKEN_PATH,
            has_token=False,
            body={"appKey": emulator.app_key, "appSecret": "<hidden>"},
            status=200,
        ),
        LoggedRequest(
            api="im.group.create",
            path=CREATE_PATH,
            has_token=True,
            body=emulator.groups[0].request,
            status=200,
        ),
        LoggedRequest(
            api="im.group.create",
            path=CREATE_PATH,
            has_token=False,
            body={"name": "x"},
            status=400,
        ),
    ]
    logged = repr(emulator.requests) + repr(emulator.groups)
    assert token not in logged
    assert emulator.app_secret not in logged


async def test_non_json_bodies_are_logged_as_none(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    await post(session, emulator.base_url + TOKEN_PATH, data={"appKey": "k", "appSecret": "s"})
    [logged] = emulator.requests
    assert logged.body is None


async def test_counts_of_token_fetches_creates_groups_and_refusals(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=1000) as emulator:
        service = GroupService(
            session,
            app_provider(emulator, session),
            base_url=emulator.base_url,
            retry=INSTANT_RETRIES,
        )
        for _ in range(3):
            await service.create(REQUEST)
        await create(session, emulator, {"name": ""})
        emulator.faults_for("im.group.create").schedule(Fault.HTML_PAGE)
        await create(session, emulator)
    assert emulator.token_fetches == 1
    assert emulator.calls("im.group.create") == 5
    assert emulator.groups_created == len(emulator.groups) == 3
    assert emulator.rate_limited == 0
    assert sum(emulator.windows("im.group.create").values()) == 5
    assert emulator.faults_for("im.group.create").injected == {Fault.HTML_PAGE: 1}


async def test_reset_forgets_state_but_keeps_settings(session: aiohttp.ClientSession) -> None:
    async with DingTalkEmulator(visible_users=["o", "u"], qps_limit=50) as emulator:
        token = emulator.issue_token()
        await create(session, emulator, token=token)
        emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR)
        emulator.faults_for("oauth2.accessToken").set_rates({Fault.SLOW: 0.5}, seed=1)
        emulator.reset()
        assert emulator.groups == []
        assert emulator.requests == []
        assert (
            emulator.token_fetches,
            emulator.calls("im.group.create"),
            emulator.groups_created,
        ) == (0, 0, 0)
        assert emulator.windows("im.group.create") == {}
        assert emulator.faults_for("im.group.create").pending == 0
        assert emulator.faults_for("oauth2.accessToken").rates == {}
        assert (await create(session, emulator, token=token)).json()["code"] == (
            "InvalidAuthentication"
        )
        assert (emulator.settings.visible_users, emulator.settings.qps_limit) == (
            frozenset({"o", "u"}),
            50,
        )
        assert (await create(session, emulator)).status == 200


async def test_recording_can_be_switched_off_for_benchmarks(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(record_requests=False, record_groups=False) as emulator:
        service = GroupService(session, app_provider(emulator, session), base_url=emulator.base_url)
        result = await service.create(REQUEST)
    assert result.open_conversation_id.startswith("cid")
    assert emulator.requests == []
    assert emulator.groups == []
    assert (emulator.token_fetches, emulator.calls("im.group.create"), emulator.groups_created) == (
        1,
        1,
        1,
    )
