"""Per-API inspection: calls, windows and faults of one API, and the old create-only names."""

from __future__ import annotations

import aiohttp

from dingtalk_im_async._core.endpoint import TOKEN_API
from dingtalk_im_async.groups.api import CREATE_GROUP
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.emulator_routes import ECHO_API, call_echo, emulator_with_test_routes
from tests.support.raw_http import TOKEN_PATH, create, post


async def test_the_create_only_names_are_views_of_the_per_api_accounting(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    await post(
        session,
        emulator.base_url + TOKEN_PATH,
        json_body={"appKey": emulator.app_key, "appSecret": emulator.app_secret},
    )
    await create(session, emulator)
    await create(session, emulator, token=None)
    assert emulator.faults_for("im.group.create") is emulator.faults_for(CREATE_GROUP.api)
    assert emulator.faults_for("oauth2.accessToken") is emulator.faults_for(TOKEN_API)
    assert emulator.calls("im.group.create") == emulator.calls(CREATE_GROUP.api) == 2
    assert emulator.token_fetches == emulator.calls(TOKEN_API) == 1
    assert emulator.windows("im.group.create") is emulator.windows(CREATE_GROUP.api)
    assert sum(emulator.windows(TOKEN_API).values()) == 1


async def test_reset_clears_every_api_but_keeps_its_injector(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_with_test_routes(qps_limits={ECHO_API: 5}) as emulator:
        faults = emulator.faults_for(ECHO_API)
        faults.schedule(Fault.SYSTEM_ERROR, 2)
        await call_echo(session, emulator)
        emulator.reset()
        assert emulator.faults_for(ECHO_API) is faults
        assert (faults.pending, emulator.calls(ECHO_API), emulator.windows(ECHO_API)) == (0, 0, {})
        assert emulator.qps_limit_for(ECHO_API) == 5
        assert (await call_echo(session, emulator)).status == 200
