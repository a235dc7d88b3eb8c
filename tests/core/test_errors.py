"""Each documented DingTalk error becomes its own exception, with all its fields."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async import (
    ApiError,
    ConversationTag,
    CreateGroupRequest,
    GroupService,
    InvalidParameterError,
    InvalidTokenError,
    PermissionCheckError,
    RateLimitError,
    ServerError,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider

REQUEST = CreateGroupRequest(name="测试群", owner="manager4220", useridlist=["userId"])


def service_for(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, retry=INSTANT_RETRIES
    )


@pytest.mark.parametrize(
    ("status", "code", "error_class"),
    [
        (400, "parameter.invalid", InvalidParameterError),
        (400, "permession.checkFailed", PermissionCheckError),
        (500, "system.error", ServerError),
        (400, "InvalidAuthentication", InvalidTokenError),
        (400, "AuthenticationFailed.MissingParameter", InvalidTokenError),
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", RateLimitError),
        (403, "Forbidden.AccessDenied.QpsLimitForApi", RateLimitError),
        (403, "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi", RateLimitError),
        (429, "system.busy", RateLimitError),
        (403, "Forbidden.AccessDenied.IpNotInWhiteList", ApiError),
        (400, "some.future.code", ApiError),
    ],
)
async def test_error_code_maps_to_its_exception_with_all_fields(
    groups: GroupService,
    emulator: DingTalkEmulator,
    status: int,
    code: str,
    error_class: type[ApiError],
) -> None:
    emulator.fail_next(5, status=status, code=code, message="说明", api="im.group.create")
    with pytest.raises(ApiError) as caught:
        await groups.create(REQUEST)
    error = caught.value
    assert type(error) is error_class
    assert (error.status, error.code, error.message) == (status, code, "说明")
    assert error.request_id
    assert len(error.request_id) == 36
    assert str(error) == f"HTTP {status} {code}: 说明 (request id {error.request_id})"


async def test_owner_outside_the_apps_visibility_is_a_permission_error(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(visible_users={"manager4220", "userId"}) as emulator:
        service = service_for(emulator, session)
        with pytest.raises(PermissionCheckError) as caught:
            await service.create(CreateGroupRequest(name="n", owner="stranger", useridlist=["u"]))
        assert caught.value.message == "群主不在应用可见性内"
        assert await service.create(REQUEST)
        assert len(emulator.groups) == 1


async def test_normal_group_needs_whitelisting(session: aiohttp.ClientSession) -> None:
    normal = CreateGroupRequest(
        name="n", owner="o", useridlist=["u"], conversation_tag=ConversationTag.NORMAL
    )
    async with DingTalkEmulator() as emulator:
        with pytest.raises(PermissionCheckError):
            await service_for(emulator, session).create(normal)
        assert emulator.groups == []
    async with DingTalkEmulator(whitelisted=True) as emulator:
        result = await service_for(emulator, session).create(normal)
        assert result.conversation_tag is ConversationTag.NORMAL


async def test_unknown_token_is_invalid_token_error(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    service = GroupService(session, StaticTokenProvider("not-a-token"), base_url=emulator.base_url)
    with pytest.raises(InvalidTokenError) as caught:
        await service.create(REQUEST)
    assert caught.value.code == "InvalidAuthentication"
    assert caught.value.status == 400


async def test_app_without_group_permission_is_refused(session: aiohttp.ClientSession) -> None:
    async with DingTalkEmulator(has_group_permission=False) as emulator:
        with pytest.raises(ApiError) as caught:
            await service_for(emulator, session).create(REQUEST)
    assert caught.value.status == 403
    assert caught.value.code == "Forbidden.AccessDenied.AccessTokenPermissionDenied"


async def test_emulator_requires_the_token_header(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with session.post(
        emulator.base_url + "/v1.0/im/group/create", json={"name": "n"}
    ) as response:
        body = await response.json()
        assert response.status == 400
        assert body["code"] == "AuthenticationFailed.MissingParameter"
        assert body["requestid"] == response.headers["x-acs-request-id"]


async def test_server_side_validation_is_parameter_invalid(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token = emulator.issue_token()
    async with session.post(
        emulator.base_url + "/v1.0/im/group/create",
        json={"name": "x" * 21, "owner": "o", "useridlist": ["u"]},
        headers={"x-acs-dingtalk-access-token": token},
    ) as response:
        body = await response.json()
    assert (response.status, body["code"]) == (400, "parameter.invalid")
    assert emulator.groups == []
