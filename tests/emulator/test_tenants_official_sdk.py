"""The official SDK (`alibabacloud-dingtalk`'s `oauth2_1_0` and `im_1_0`), unchanged, against
the emulator's multi-organisation mode: its corp-token call gets a new token per fetch, the
documented refusals for a wrong ticket, secret or organisation, and the token it gets sees
only its own organisation's scene groups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alibabacloud_dingtalk.im_1_0 import models as im  # type: ignore[import-untyped]
from alibabacloud_dingtalk.im_1_0.client import Client as ImClient  # type: ignore[import-untyped]
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth  # type: ignore[import-untyped]
from alibabacloud_dingtalk.oauth2_1_0.client import (  # type: ignore[import-untyped]
    Client as OAuthClient,
)
from alibabacloud_tea_openapi import models as openapi_models  # type: ignore[import-untyped]
from alibabacloud_tea_util import models as util_models  # type: ignore[import-untyped]
from Tea.exceptions import TeaException  # type: ignore[import-untyped]

from dingtalk_im_async.testing import DingTalkEmulator

RUNTIME = util_models.RuntimeOptions(autoretry=False, max_attempts=1)
SUITE, SECRET = "suite-key-1", "suite-secret-1"


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    async with DingTalkEmulator(
        suites={SUITE: SECRET}, corp_ids=["ding-corp-a", "ding-corp-b"]
    ) as emu:
        yield emu


def config(emulator: DingTalkEmulator) -> Any:
    return openapi_models.Config(endpoint=f"127.0.0.1:{emulator.port}", protocol="http")


async def corp_token(emulator: DingTalkEmulator, **fields: str) -> Any:
    request = oauth.GetCorpAccessTokenRequest(
        suite_key=fields.get("suite_key", SUITE),
        suite_secret=fields.get("suite_secret", SECRET),
        auth_corp_id=fields.get("auth_corp_id", "ding-corp-a"),
        suite_ticket=fields.get("suite_ticket", emulator.suite_ticket(SUITE)),
    )
    client = OAuthClient(config(emulator))
    return await client.get_corp_access_token_with_options_async(request, {}, RUNTIME)


async def refusal(emulator: DingTalkEmulator, **fields: str) -> tuple[int, str]:
    with pytest.raises(TeaException) as caught:
        await corp_token(emulator, **fields)
    return caught.value.statusCode, caught.value.code


async def test_the_sdks_corp_token_call_gets_a_new_token_per_fetch(
    emulator: DingTalkEmulator,
) -> None:
    first = await corp_token(emulator)
    assert first.status_code == 200
    assert first.body.expire_in == 7200
    second = await corp_token(emulator)
    assert second.body.access_token != first.body.access_token
    # Earlier tokens stay valid after a new fetch and after a ticket rotation (a guess).
    await emulator.rotate_suite_ticket(SUITE)
    for token in (first.body.access_token, second.body.access_token):
        assert emulator.tenants.owner(token) is not None
    report = await emulator.get_tenants()
    assert report.org("ding-corp-a").token_fetches == 2
    assert report.org("ding-corp-b").token_fetches == 0


async def test_the_sdk_sees_the_documented_refusals(emulator: DingTalkEmulator) -> None:
    old = emulator.suite_ticket(SUITE)
    await emulator.rotate_suite_ticket(SUITE)
    assert await refusal(emulator, suite_ticket=old) == (400, "invalidSuiteTicket")
    assert await refusal(emulator, suite_secret="wrong") == (400, "invalidSuiteKey")
    assert await refusal(emulator, suite_key="unknown-suite") == (400, "invalidSuiteKey")
    assert await refusal(emulator, auth_corp_id="ding-corp-z") == (400, "invalidAuthInfo")
    # Nothing of the refused calls' secrets or tickets reached the journal.
    for line in emulator.requests:
        assert SECRET not in str(line.body)
        assert old not in str(line.body)


async def test_a_corp_token_from_the_sdk_sees_only_its_organisations_scene_groups(
    emulator: DingTalkEmulator,
) -> None:
    token_a = (await corp_token(emulator, auth_corp_id="ding-corp-a")).body.access_token
    token_b = (await corp_token(emulator, auth_corp_id="ding-corp-b")).body.access_token
    client = ImClient(config(emulator))
    made = await client.create_scene_group_with_options_async(
        im.CreateSceneGroupRequest(title="A 的群", template_id="t1", owner_user_id="boss"),
        im.CreateSceneGroupHeaders(x_acs_dingtalk_access_token=token_a),
        RUNTIME,
    )
    cid = made.body.open_conversation_id

    async def query(token: str) -> Any:
        return await client.get_scene_group_info_with_options_async(
            im.GetSceneGroupInfoRequest(open_conversation_id=cid),
            im.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=token),
            RUNTIME,
        )

    seen = await query(token_a)
    assert seen.body.title == "A 的群"
    with pytest.raises(TeaException) as caught:
        await query(token_b)
    assert caught.value.statusCode == 400
    report = await emulator.get_tenants()
    assert report.cross_tenant_calls == 1
    assert report.org("ding-corp-b").cross_tenant_calls == 1
    assert report.org("ding-corp-a").cross_tenant_calls == 0
    scene = await emulator.get_scene_group(cid)
    assert scene.corp_id == "ding-corp-a"
    assert scene.group.corp_id == "ding-corp-a"
    # Disband is for internal apps only: the corp token is refused, the group stays.
    with pytest.raises(TeaException) as internal_only:
        await client.dsband_open_scene_group_with_options_async(
            im.DsbandOpenSceneGroupRequest(open_conversation_id=cid),
            im.DsbandOpenSceneGroupHeaders(x_acs_dingtalk_access_token=token_a),
            RUNTIME,
        )
    assert (internal_only.value.statusCode, internal_only.value.code) == (
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    assert not scene.group.disbanded
