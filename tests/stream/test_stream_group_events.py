"""Group changes made through the API reach a subscribed Stream client as events."""

from __future__ import annotations

from dingtalk_im_async import CreateGroupRequest, DingTalkClient, UpdateGroupRequest
from dingtalk_im_async.stream import MembersAddedEvent, OwnerChangedEvent, TitleChangedEvent
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.stream_support import stream_client, take


async def test_an_update_pushes_the_events_it_causes() -> None:
    async with (
        DingTalkEmulator() as emulator,
        DingTalkClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            oapi_base_url=emulator.oapi_base_url,
        ) as client,
        stream_client(emulator, messages=False) as stream,
    ):
        created = await client.groups.create(
            CreateGroupRequest(name="团队", owner="manager4220", useridlist=["alice"])
        )
        await client.groups.update(
            UpdateGroupRequest(chatid=created.chatid, add_useridlist=["bob"], name="新团队")
        )
        await client.groups.update(UpdateGroupRequest(chatid=created.chatid, owner="bob"))
        items = await take(stream, 3)
    by_kind = {type(item): item for item in items}
    added = by_kind[MembersAddedEvent]
    assert isinstance(added, MembersAddedEvent)
    assert added.user_ids == ("bob",)
    assert added.open_conversation_id == created.open_conversation_id
    title = by_kind[TitleChangedEvent]
    assert isinstance(title, TitleChangedEvent)
    assert title.title == "新团队"
    owner = by_kind[OwnerChangedEvent]
    assert isinstance(owner, OwnerChangedEvent)
    assert owner.owner == "bob"
