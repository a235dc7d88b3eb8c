"""Each documented lifecycle refusal becomes its typed error with its verdict, from the
emulator's real rules where it has them and from scheduled replies otherwise; a success
reply that says `false`, or a read back that does not match the docs, is never returned."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    AdminRole,
    ApiError,
    CreateGroupResult,
    DingTalkError,
    GroupDisbandedError,
    GroupNotFoundError,
    GroupService,
    InvalidParameterError,
    InvalidTokenError,
    LegacyRefusalError,
    PermissionCheckError,
    RateLimitError,
    ResponseError,
    SubAdminLimitError,
    UnknownUserError,
    UnsuccessfulReplyError,
    UpdateGroupRequest,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, ErrcodeReply, Fault
from tests.support.lifecycle_support import (
    ADMINS_API,
    GET_API,
    UPDATE_API,
    admins,
    lifecycle_service,
    new_group,
)


@pytest.fixture
def groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return lifecycle_service(emulator, session)


@pytest.fixture
async def group(groups: GroupService) -> CreateGroupResult:
    return await new_group(groups, members=["alice", "bob"])


async def raised(call: Awaitable[Any]) -> DingTalkError:
    with pytest.raises(DingTalkError) as caught:
        await call
    return caught.value


def disband(emulator: DingTalkEmulator, group: CreateGroupResult) -> None:
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    stored.status = 2


# -- what the emulator decides itself ---------------------------------------------------


async def test_update_of_an_unknown_chatid_is_group_not_found(groups: GroupService) -> None:
    error = await raised(groups.update(UpdateGroupRequest(chatid="chat404", name="n")))
    assert isinstance(error, GroupNotFoundError)
    assert (error.status, error.code, error.verdict) == (400, "invalideChatId", Verdict.REJECTED)


async def test_update_with_an_open_conversation_id_is_group_not_found(
    groups: GroupService, group: CreateGroupResult
) -> None:
    """The commonest mistake: the wrong one of the two ids."""
    request = UpdateGroupRequest(chatid=group.open_conversation_id, name="n")
    assert isinstance(await raised(groups.update(request)), GroupNotFoundError)


async def test_update_of_a_disbanded_group(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    disband(emulator, group)
    error = await raised(groups.update(UpdateGroupRequest(chatid=group.chatid, name="n")))
    assert isinstance(error, GroupDisbandedError)
    assert (error.code, error.verdict) == ("group.diaband", Verdict.REJECTED)


@pytest.mark.parametrize(
    "change",
    [{"add_useridlist": ["stranger"]}, {"del_useridlist": ["stranger"]}, {"owner": "stranger"}],
)
async def test_touching_a_user_the_app_cannot_see_is_a_permission_refusal(
    groups: GroupService,
    emulator: DingTalkEmulator,
    group: CreateGroupResult,
    change: dict[str, Any],
) -> None:
    emulator.configure(visible_users=frozenset({"manager4220", "alice", "bob"}))
    error = await raised(groups.update(UpdateGroupRequest(chatid=group.chatid, **change)))
    assert isinstance(error, PermissionCheckError)
    assert error.verdict is Verdict.REJECTED
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert stored.members == ["manager4220", "alice", "bob"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"owner": "carol"}, "must already be a member"),
        ({"owner": "carol", "add_useridlist": ["carol"]}, "must already be a member"),
        ({"del_useridlist": ["manager4220"]}, "cannot be removed"),
        ({"add_useridlist": [f"u{n}" for n in range(41)]}, "at most 40 members"),
    ],
)
async def test_owner_and_member_limits_are_invalid_parameters(
    groups: GroupService,
    emulator: DingTalkEmulator,
    group: CreateGroupResult,
    change: dict[str, Any],
    reason: str,
) -> None:
    error = await raised(groups.update(UpdateGroupRequest(chatid=group.chatid, **change)))
    assert isinstance(error, InvalidParameterError)
    assert reason in error.message
    assert error.verdict is Verdict.REJECTED
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert stored.owner == "manager4220"
    assert len(stored.members) == 3  # a refused update changes nothing


async def test_convert_refusals(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    missing = await raised(groups.open_conversation_id("chat404"))
    assert isinstance(missing, GroupNotFoundError)
    assert missing.code == "invalideChatId"
    emulator.configure(visible_users=frozenset({"alice"}))  # the owner left the app's visibility
    hidden = await raised(groups.open_conversation_id(group.chatid))
    assert isinstance(hidden, PermissionCheckError)
    assert hidden.message == "群主不在应用可见性内"


async def test_admin_refusals(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    cid = group.open_conversation_id
    missing = await raised(groups.update_admins(admins("cid404+/=", ["alice"], AdminRole.ADMIN)))
    assert isinstance(missing, GroupNotFoundError)
    assert missing.code == "invalidParameter.openConversationId.invalid"
    wrong_id = await raised(
        groups.update_admins(admins(group.chatid, ["alice"], AdminRole.ADMIN))
    )  # the other id
    assert isinstance(wrong_id, GroupNotFoundError)
    stranger = await raised(groups.update_admins(admins(cid, ["carol"], AdminRole.ADMIN)))
    assert isinstance(stranger, UnknownUserError)
    assert stranger.code == "staff.not.found"
    disband(emulator, group)
    gone = await raised(groups.update_admins(admins(cid, ["alice"], AdminRole.MEMBER)))
    assert isinstance(gone, GroupDisbandedError)
    for error in (missing, wrong_id, stranger, gone):
        assert error.verdict is Verdict.REJECTED


async def test_too_many_admins(groups: GroupService, emulator: DingTalkEmulator) -> None:
    crowd = [f"user{n}" for n in range(60)]
    group = await new_group(groups, members=crowd)
    await groups.update_admins(admins(group.open_conversation_id, crowd[:50], AdminRole.ADMIN))
    error = await raised(
        groups.update_admins(admins(group.open_conversation_id, crowd[50:51], AdminRole.ADMIN))
    )
    assert isinstance(error, SubAdminLimitError)
    assert (error.code, error.verdict) == ("subadmin.exceed", Verdict.REJECTED)
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert len(stored.sub_admins) == 50


async def test_reading_an_unknown_chatid(groups: GroupService) -> None:
    error = await raised(groups.get("chat404"))
    assert isinstance(error, GroupNotFoundError)
    assert (error.status, error.code, error.verdict) == (200, "40016", Verdict.REJECTED)
    assert error.body["errmsg"] == "不合法的chatid"


async def test_reading_without_the_read_permission(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    emulator.configure(denied_scopes=emulator.settings.denied_scopes | {"qyapi_chat_read"})
    error = await raised(groups.get(group.chatid))
    assert isinstance(error, LegacyRefusalError)
    assert (error.code, error.verdict) == ("60011", Verdict.REJECTED)


async def test_a_revoked_token_on_the_legacy_read_is_replayed_once(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    emulator.revoke_tokens()
    assert (await groups.get(group.chatid)).owner == "manager4220"
    assert emulator.token_fetches == 2
    assert [r.status for r in emulator.requests if r.api == GET_API] == [200, 200]
    statuses = [r.query for r in emulator.requests if r.api == GET_API]
    assert statuses == [{"chatid": group.chatid}] * 2


async def test_a_token_refused_twice_on_the_legacy_read(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    emulator.faults_for(GET_API).schedule(Fault.TOKEN_REVOKED, 2)
    error = await raised(groups.get(group.chatid))
    assert isinstance(error, InvalidTokenError)
    assert (error.code, error.verdict) == ("40014", Verdict.REJECTED)


# -- codes the emulator has no rule for: scheduled replies --------------------------------


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("invalid.staffid", UnknownUserError),
        ("invalidParamter.role", ApiError),
        ("invalidParameter.orgId.invalid", ApiError),
        ("permession.checkFailed", PermissionCheckError),
        ("parameter.invalid", InvalidParameterError),
    ],
)
async def test_documented_admin_codes(
    groups: GroupService,
    emulator: DingTalkEmulator,
    group: CreateGroupResult,
    code: str,
    error_class: type[ApiError],
) -> None:
    emulator.fail_next(status=400, code=code, message="说明", api=ADMINS_API)
    error = await raised(
        groups.update_admins(admins(group.open_conversation_id, ["alice"], AdminRole.ADMIN))
    )
    assert type(error) is error_class
    assert (error.code, error.verdict) == (code, Verdict.REJECTED)


@pytest.mark.parametrize(
    ("errcode", "error_class", "verdict"),
    [
        (43007, LegacyRefusalError, Verdict.REJECTED),
        (49000, LegacyRefusalError, Verdict.REJECTED),
        (70001, LegacyRefusalError, Verdict.REJECTED),
        (40016, GroupNotFoundError, Verdict.REJECTED),
        (-1, RateLimitError, Verdict.REJECTED),
        (12345, ApiError, Verdict.UNKNOWN),
    ],
)
async def test_legacy_errcodes_of_the_read(
    groups: GroupService,
    emulator: DingTalkEmulator,
    group: CreateGroupResult,
    errcode: int,
    error_class: type[ApiError],
    verdict: Verdict,
) -> None:
    emulator.faults_for(GET_API).schedule_reply(ErrcodeReply(errcode=errcode, errmsg="说明"))
    error = await raised(groups.get(group.chatid))
    assert type(error) is error_class
    assert (error.status, error.code, error.verdict) == (200, str(errcode), verdict)


# -- success-shaped replies that are not a success ---------------------------------------


async def test_update_answered_success_false_is_an_unknown_outcome(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    emulator.reply_next(body=b'{"success": false}', api=UPDATE_API)
    error = await raised(groups.update(UpdateGroupRequest(chatid=group.chatid, name="n")))
    assert isinstance(error, UnsuccessfulReplyError)
    assert error.verdict is Verdict.UNKNOWN
    assert (error.status, dict(error.reply)) == (200, {"success": False})
    assert "success" in str(error)


@pytest.mark.parametrize("body", [b'{"success": "false"}', b'{"success": ""}'])
async def test_admins_answered_anything_but_the_string_true(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult, body: bytes
) -> None:
    emulator.reply_next(body=body, api=ADMINS_API)
    error = await raised(
        groups.update_admins(admins(group.open_conversation_id, ["alice"], AdminRole.ADMIN))
    )
    assert isinstance(error, UnsuccessfulReplyError)
    assert error.verdict is Verdict.UNKNOWN


@pytest.mark.parametrize(
    ("api", "body"),
    [
        (ADMINS_API, b'{"success": true}'),  # a boolean where DingTalk documents the string
        (UPDATE_API, b'{"success": "true"}'),  # and the other way round
        (UPDATE_API, b"{}"),
    ],
)
async def test_a_success_flag_of_the_wrong_type_is_a_response_error(
    groups: GroupService,
    emulator: DingTalkEmulator,
    group: CreateGroupResult,
    api: str,
    body: bytes,
) -> None:
    emulator.reply_next(body=body, api=api)
    call: Callable[[], Awaitable[Any]] = (
        (
            lambda: groups.update_admins(
                admins(group.open_conversation_id, ["alice"], AdminRole.ADMIN)
            )
        )
        if api == ADMINS_API
        else (lambda: groups.update(UpdateGroupRequest(chatid=group.chatid, name="n")))
    )
    error = await raised(call())
    assert isinstance(error, ResponseError)
    assert error.verdict is Verdict.UNKNOWN


@pytest.mark.parametrize(
    "body",
    [
        b'{"errcode": 0, "errmsg": "ok"}',  # no chat_info
        b'{"errcode": 0, "chat_info": []}',
        b'{"errcode": 0, "chat_info": {"name": "n", "owner": "o"}}',  # no useridlist
        b'{"errcode": 0, "chat_info": {"name": "n", "owner": "o", "useridlist": "abc"}}',
        b'{"errcode": 0, "chat_info": {"name": 5, "owner": "o", "useridlist": []}}',
        b'{"errcode": 0, "chat_info": {"name": "n", "owner": "o", "useridlist": [],'
        b' "status": "1"}}',
        b'{"errcode": "0", "chat_info": {}}',
        b'{"chat_info": {"name": "n", "owner": "o", "useridlist": []}}',
    ],
)
async def test_a_read_back_that_does_not_match_the_docs_is_a_response_error(
    groups: GroupService, emulator: DingTalkEmulator, group: CreateGroupResult, body: bytes
) -> None:
    emulator.reply_next(body=body, api=GET_API)
    error = await raised(groups.get(group.chatid))
    assert isinstance(error, ResponseError)
    assert error.status == 200
