"""The multi-organisation mode of `dingtalk-im emulator --suite KEY=SECRET --corp-id ...`, driven
from outside: the banner names the suite (never its secret), a client fetches corp tokens over
HTTP, and `RemoteEmulator` reads the tickets and per-organisation usage."""

from __future__ import annotations

import asyncio
import signal

import aiohttp

from dingtalk_im_async.testing import RemoteEmulator
from tests.support.emulator_process import COMMAND, STARTUP_SECONDS
from tests.support.tenant_support import CORP_A, CORP_B, SECRET, SUITE


async def test_the_command_line_starts_the_multi_organisation_mode() -> None:
    process = await asyncio.create_subprocess_exec(
        str(COMMAND),
        "emulator",
        "--port",
        "0",
        "--suite",
        f"{SUITE}={SECRET}",
        "--corp-id",
        CORP_A,
        "--corp-id",
        CORP_B,
        "--monthly-call-quota",
        "100",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or "Ctrl-C" not in lines[-1]:
            line = await asyncio.wait_for(process.stdout.readline(), STARTUP_SECONDS)
            lines.append(line.decode())
        text = "".join(lines)
        assert f"Suite {SUITE} installed in {CORP_A}, {CORP_B}" in text
        assert SECRET not in text
        base = next(line.split("=", 1)[1].strip() for line in lines if "DINGTALK_BASE_URL" in line)

        async with RemoteEmulator(base) as remote, aiohttp.ClientSession() as session:
            settings = await remote.get_settings()
            # the suite's key, never its secret: it may be real
            assert (dict(settings.suites), settings.corp_ids) == (
                {SUITE: "<hidden>"},
                (CORP_A, CORP_B),
            )
            ticket = await remote.rotate_suite_ticket(SUITE)
            assert await remote.suite_ticket(SUITE) == ticket
            body = {
                "suiteKey": SUITE,
                "suiteSecret": SECRET,
                "authCorpId": CORP_B,
                "suiteTicket": ticket,
            }
            async with session.post(f"{base}/v1.0/oauth2/corpAccessToken", json=body) as reply:
                assert reply.status == 200
                token = (await reply.json())["accessToken"]
            headers = {"x-acs-dingtalk-access-token": token}
            query = {"openConversationId": "cid0"}
            async with session.post(
                f"{base}/v1.0/im/sceneGroups/query", json=query, headers=headers
            ) as reply:
                assert (await reply.json())["code"] == "cidEncryptError"
            report = await remote.get_tenants()
            org = report.org(CORP_B)
            assert (org.calls, org.token_fetches, org.quota_used, org.quota_limit) == (1, 1, 1, 100)
            assert report.cross_tenant_calls == 0
            await remote.revoke_org_tokens(CORP_B)
            async with session.post(
                f"{base}/v1.0/im/sceneGroups/query", json=query, headers=headers
            ) as reply:
                assert (await reply.json())["code"] == "InvalidAuthentication"
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
