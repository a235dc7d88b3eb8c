"""Per-organisation limits over real HTTP: each organisation spends its own monthly quota
(token fetches exempt) until the emulator's clock reaches next month, and a corp token's
QPS window is its (suite, organisation, API)'s."""

from __future__ import annotations

import asyncio

import aiohttp

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.tenant_support import CORP_A, CORP_B, call, corp_token, tenant_emulator

QUERY = "/v1.0/im/sceneGroups/query"
QUOTA_CODE = "Forbidden.AccessDenied.ApiCountLimitForOrg"
QPS_CODE = "Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi"


async def code_of(session: aiohttp.ClientSession, emulator: DingTalkEmulator, token: str) -> str:
    """The code a query for a group that does not exist gets: `cidEncryptError` when it got
    past the gateway."""
    _, reply = await call(session, emulator, QUERY, token, {"openConversationId": "cid0"})
    code: str = reply["code"]
    return code


async def test_each_organisation_spends_its_own_quota_until_next_month(
    session: aiohttp.ClientSession,
) -> None:
    async with tenant_emulator(monthly_call_quota=2) as emulator:
        token_a = await corp_token(session, emulator, CORP_A)
        assert [await code_of(session, emulator, token_a) for _ in range(3)] == [
            "cidEncryptError",
            "cidEncryptError",
            QUOTA_CODE,
        ]
        # Token fetches are exempt; B and the app's own organisation have quotas of their own.
        token_b = await corp_token(session, emulator, CORP_B)
        assert await code_of(session, emulator, token_b) == "cidEncryptError"
        assert await code_of(session, emulator, emulator.issue_token()) == "cidEncryptError"
        report = await emulator.get_tenants()
        assert (report.org(CORP_A).quota_used, report.org(CORP_A).quota_refused) == (2, 1)
        assert report.org(CORP_B).quota_used == 1
        assert report.org(emulator.stream.corp_id).quota_used == 1

        async with session.post(
            emulator.base_url + "/_emulator/clock", json={"nextMonth": True}
        ) as reply:
            clock = await reply.json()
        assert clock["month"] != report.month
        assert await code_of(session, emulator, token_a) == "cidEncryptError"
        assert (await emulator.get_tenants()).org(CORP_A).quota_used == 1
        assert emulator.quota_used == 0


async def test_a_corp_tokens_qps_window_is_its_suite_organisation_and_api(
    session: aiohttp.ClientSession,
) -> None:
    async with tenant_emulator(suite_qps_limit=1, qps_limit=1000) as emulator:
        token_a = await corp_token(session, emulator, CORP_A)
        token_b = await corp_token(session, emulator, CORP_B)
        loop = asyncio.get_running_loop()
        started = loop.time()
        codes = [await code_of(session, emulator, token_a) for _ in range(5)]
        other = await code_of(session, emulator, token_b)
        if loop.time() - started < 0.9:  # all within two one-second windows at most
            assert codes.count(QPS_CODE) >= 3
        # B's first call of the second is its own window's first, whatever A did.
        assert other == "cidEncryptError"
        report = await emulator.get_tenants()
        assert report.org(CORP_A).rate_limited == codes.count(QPS_CODE)
        assert report.org(CORP_B).rate_limited == 0
        # The internal app is not under the suite's limit.
        app_token = emulator.issue_token()
        assert [await code_of(session, emulator, app_token) for _ in range(3)] == [
            "cidEncryptError"
        ] * 3
