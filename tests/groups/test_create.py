"""Creating a group end to end over real HTTP against the emulator."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from dingtalk_im_async import (
    ConversationTag,
    CreateGroupRequest,
    GroupService,
    ManagementOptions,
    OwnerType,
    RequestValidationError,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider


async def test_create_returns_the_ids_the_server_assigned(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    result = await groups.create(
        CreateGroupRequest(
            name="测试群",
            owner="manager4220",
            useridlist=["userId"],
            owner_type=OwnerType.EMP,
            conversation_tag=ConversationTag.INTERNAL,
            management_options=ManagementOptions(searchable=1),
        )
    )
    [created] = emulator.groups
    assert result.open_conversation_id == created.open_conversation_id
    assert result.chatid == created.chatid
    assert result.conversation_tag is ConversationTag.INTERNAL
    assert result.open_conversation_id.startswith("cid")
    assert result.chatid.startswith("chat")


async def test_the_server_receives_the_spec_body_and_the_token_header(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(
        CreateGroupRequest(
            name="n",
            owner="o",
            useridlist=["u"],
            management_options=ManagementOptions(searchable=1),
        )
    )
    [created] = emulator.groups
    assert created.request == {
        "name": "n",
        "owner": "o",
        "useridlist": ["u"],
        "managementOptions": {"searchable": 1},
    }
    create_requests = [r for r in emulator.requests if r.path == "/v1.0/im/group/create"]
    assert [r.has_token for r in create_requests] == [True]


async def test_concurrent_creates_share_one_session_and_all_succeed(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    requests = [CreateGroupRequest(name=f"群{i}", owner="o", useridlist=["u"]) for i in range(50)]
    results = await asyncio.gather(*(groups.create(r) for r in requests))
    assert len({r.open_conversation_id for r in results}) == 50
    assert sorted(g.request["name"] for g in emulator.groups) == sorted(r.name for r in requests)
    assert emulator.token_fetches == 1


async def test_a_static_token_from_the_emulator_works(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    service = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    result = await service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
    assert result.open_conversation_id == emulator.groups[0].open_conversation_id


async def test_a_non_request_object_is_rejected_before_any_io(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await groups.create({"name": "n"})  # type: ignore[arg-type]
    assert caught.value.field == "request"
    assert emulator.requests == []


async def test_validation_rejects_before_anything_reaches_the_server(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    with pytest.raises(RequestValidationError):
        await groups.create(CreateGroupRequest(name="x" * 21, owner="o", useridlist=["u"]))
    assert emulator.requests == []
    assert emulator.token_fetches == 0


async def test_base_url_comes_from_the_environment_when_not_given(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DINGTALK_BASE_URL", emulator.base_url)
    service = GroupService(session, app_provider(emulator, session), retry=INSTANT_RETRIES)
    assert service.base_url == emulator.base_url
    await service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
    assert len(emulator.groups) == 1


def test_default_base_url_is_the_spec_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from dingtalk_im_async import DEFAULT_BASE_URL
    from dingtalk_im_async._hosts import resolve_base_url

    monkeypatch.delenv("DINGTALK_BASE_URL", raising=False)
    assert DEFAULT_BASE_URL == "https://api.dingtalk.io"
    assert resolve_base_url(None) == DEFAULT_BASE_URL
