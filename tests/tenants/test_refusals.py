"""What a third-party app may not do is refused before any I/O, with a typed error whose
verdict is `not sent`: an API reserved for internal apps, a call for an organisation that
removed the app, a fetch with no suite ticket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import DisbandSceneGroupRequest, SuiteClient, Verdict
from dingtalk_im_async._core.endpoint import declared_endpoints
from dingtalk_im_async.errors import (
    InternalOnlyError,
    NoSuiteTicketError,
    OrganisationRelievedError,
    verdict_of,
)
from dingtalk_im_async.scenegroups import MuteSceneGroupMembersRequest, MuteStatus
from dingtalk_im_async.tenants import MemorySuiteTicketStore
from dingtalk_im_async.testing import DingTalkEmulator

SUITE = "suite-key-1"
#: The APIs DingTalk documents for internal apps only (`appType-企业内部应用`).
INTERNAL_APIS = {
    "im.group.create",
    "im.group.update",
    "im.subAdministrators",
    "oapi.chat.get",
    "im.chat.scenegroup.disband",
    "im.sceneGroups.muteMembers.set",
}


@pytest.fixture
async def suite(emulator: DingTalkEmulator) -> AsyncIterator[SuiteClient]:
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret="suite-secret-1",
        tickets=MemorySuiteTicketStore(SUITE),
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        allow_http=True,
    ) as client:
        yield client


def test_the_internal_only_apis_are_declared_so() -> None:
    internal = {endpoint.api for endpoint in declared_endpoints() if endpoint.internal_only}
    assert internal >= INTERNAL_APIS


async def test_every_internal_only_api_is_refused_before_any_io(
    suite: SuiteClient, emulator: DingTalkEmulator
) -> None:
    corp = suite.for_corp("ding-corp-a")
    for endpoint in declared_endpoints():
        if endpoint.internal_only:
            with pytest.raises(InternalOnlyError) as caught:
                await corp._transport.call(endpoint, None)
            assert caught.value.api == endpoint.api
            assert verdict_of(caught.value) is Verdict.NOT_SENT
    with pytest.raises(InternalOnlyError):
        await corp.scene_groups.disband(DisbandSceneGroupRequest(open_conversation_id="cid"))
    with pytest.raises(InternalOnlyError):
        await corp.scene_groups.mute_members(
            MuteSceneGroupMembersRequest(
                open_conversation_id="cid",
                user_id_list=["u"],
                mute_status=MuteStatus.MUTED,
                mute_duration=60_000,
            )
        )
    assert emulator.requests == []
    assert not hasattr(corp, "groups")  # the group API is for internal apps only


async def test_a_relieved_organisation_is_refused_before_any_io(
    suite: SuiteClient, emulator: DingTalkEmulator
) -> None:
    await suite.tickets.put("a-ticket", suite_key=SUITE, born_at=1)
    await suite.tokens.relieve("ding-corp-a")
    corp = suite.for_corp("ding-corp-a")
    with pytest.raises(OrganisationRelievedError) as caught:
        await corp.tokens.get_token()
    assert caught.value.corp_id == "ding-corp-a"
    assert caught.value.verdict is Verdict.NOT_SENT
    assert await suite.tickets.is_relieved("ding-corp-a")
    assert emulator.requests == []
    # Installed again: its calls are accepted again.
    await suite.tokens.authorise("ding-corp-a")
    assert "ding-corp-a" not in suite.tokens.relieved


async def test_no_ticket_yet_is_a_typed_not_sent_error(
    suite: SuiteClient, emulator: DingTalkEmulator
) -> None:
    suite.tokens.ticket_wait = 0.0
    with pytest.raises(NoSuiteTicketError) as caught:
        await suite.for_corp("ding-corp-a").tokens.get_token()
    assert caught.value.verdict is Verdict.NOT_SENT
    assert emulator.requests == []


async def test_the_suite_secret_is_in_no_repr(suite: SuiteClient) -> None:
    shown = repr(suite) + repr(suite.tokens) + repr(suite.for_corp("ding-corp-a"))
    shown += repr(suite.for_corp("ding-corp-a").tokens) + repr(suite.tickets)
    assert "suite-secret-1" not in shown
