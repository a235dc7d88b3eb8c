"""The group store: always kept, keyed by both ids, holding each group's current state."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async import CreateGroupRequest, GroupService, ManagementOptions
from dingtalk_im_async.emulator.store import DISBANDED, NORMAL, OPTION_KEYS
from dingtalk_im_async.testing import DingTalkEmulator, GroupStore, StoredGroup
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.raw_http import create


async def test_created_groups_are_stored_under_both_ids_even_without_recording(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(record_groups=False, record_requests=False) as emulator:
        groups = GroupService(
            session,
            app_provider(emulator, session),
            base_url=emulator.base_url,
            retry=INSTANT_RETRIES,
        )
        result = await groups.create(
            CreateGroupRequest(
                name="项目群",
                owner="lead",
                useridlist=["u1", "u2", "u1"],
                extidlist=["ext1"],
                icon="@lADPmedia",
                conversation_tag=2,
                management_options=ManagementOptions(searchable=1, chat_banned_type=1),
            )
        )
    assert emulator.groups == []
    assert emulator.groups_created == len(emulator.store) == 1
    group = emulator.store.by_chatid(result.chatid)
    assert group is not None
    assert emulator.store.by_open_conversation_id(result.open_conversation_id) is group
    assert (group.name, group.owner, group.owner_type) == ("项目群", "lead", "emp")
    assert group.members == ["lead", "u1", "u2"]  # the owner is a member, once each
    assert group.ext_members == ["ext1"]
    assert group.icon == "@lADPmedia"
    assert group.options == {**dict.fromkeys(OPTION_KEYS, 0), "searchable": 1, "chatBannedType": 1}
    assert (group.conversation_tag, group.status, group.disbanded) == (2, NORMAL, False)
    assert group.sub_admins == set()
    assert group.robots == {emulator.app_key}  # the app's robot, by default its app key
    assert group.messages == []


async def test_the_robot_code_setting_is_installed_in_new_groups(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(robot_code="dingrobot1") as emulator:
        await create(session, emulator)
    [group] = emulator.store
    assert group.robots == {"dingrobot1"}


async def test_refused_creates_store_nothing_and_reset_forgets_the_store(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    await create(session, emulator, {"name": ""})
    await create(session, emulator, token="0" * 32)
    assert len(emulator.store) == 0
    await create(session, emulator)
    assert len(emulator.store) == 1
    emulator.reset()
    assert (len(emulator.store), emulator.groups_created) == (0, 0)


def test_a_taken_id_is_refused_and_state_changes_in_place() -> None:
    store = GroupStore()
    group = store.add(StoredGroup(chatid="chat1", open_conversation_id="cid1", name="n", owner="o"))
    with pytest.raises(ValueError, match="chatid 'chat1'"):
        store.add(StoredGroup(chatid="chat1", open_conversation_id="cid2", name="n", owner="o"))
    with pytest.raises(ValueError, match="openConversationId 'cid1'"):
        store.add(StoredGroup(chatid="chat2", open_conversation_id="cid1", name="n", owner="o"))
    group.status = DISBANDED
    assert store.by_open_conversation_id("cid1") is group
    assert group.disbanded
    assert [g.chatid for g in store] == ["chat1"]
    assert store.by_chatid("chat9") is None
    assert repr(store) == "GroupStore(groups=1)"
