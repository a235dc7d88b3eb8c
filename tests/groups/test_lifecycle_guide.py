"""The code on docs/lifecycle.md, run against the emulator: a group's life from create to a
new owner, both ids kept, bulk changes, and what each refusal means."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest
from attrs import define

from dingtalk_im_async import (
    AdminRole,
    CreateGroupRequest,
    DingTalkClient,
    DingTalkError,
    GroupDisbandedError,
    GroupNotFoundError,
    PermissionCheckError,
    UnknownUserError,
    UpdateGroupRequest,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.lifecycle_support import UPDATE_API, admins


@pytest.fixture
async def client(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        rate_limit=None,
    ) as dingtalk:
        yield dingtalk


# --8<-- [start:ids]
@define(frozen=True)
class ProjectGroup:
    """What to keep of a group: BOTH ids. update and get take the chatid; admins and robot
    messages the openConversationId; only chatid -> openConversationId converts."""

    chatid: str
    open_conversation_id: str


async def keep_both_ids(client: DingTalkClient, name: str, owner: str) -> ProjectGroup:
    created = await client.groups.create(
        CreateGroupRequest(name=name, owner=owner, useridlist=[owner])
    )
    return ProjectGroup(created.chatid, created.open_conversation_id)


async def repair(client: DingTalkClient, chatid: str) -> ProjectGroup:
    """Only the chatid was stored: convert it (the other way round is impossible)."""
    return ProjectGroup(chatid, await client.groups.open_conversation_id(chatid))


# --8<-- [end:ids]


# --8<-- [start:lifecycle]
async def run_project(client: DingTalkClient) -> None:
    groups = client.groups
    # 1. create: keep both ids
    created = await groups.create(
        CreateGroupRequest(name="发布项目", owner="manager4220", useridlist=["alice"])
    )
    chatid, cid = created.chatid, created.open_conversation_id
    # 2. add members (keyed by chatid); only the fields set are sent
    await groups.update(UpdateGroupRequest(chatid=chatid, add_useridlist=["bob", "carol"]))
    # 3. make an admin (keyed by openConversationId)
    await groups.update_admins(admins(cid, ["bob"], AdminRole.ADMIN))
    # 4. read it back (the legacy chat/get, keyed by chatid)
    info = await groups.get(chatid)
    print(info.name, info.owner, info.members)
    # 5. hand it over: the new owner must already be a member
    await groups.update(UpdateGroupRequest(chatid=chatid, owner="alice", name="发布项目(交接)"))


# --8<-- [end:lifecycle]


# --8<-- [start:bulk]
async def add_to_every_group(
    client: DingTalkClient, chatids: Iterable[str], people: list[str]
) -> list[str]:
    """Add `people` to each group; return the chatids to look at by hand."""
    requests = (UpdateGroupRequest(chatid=chatid, add_useridlist=people) for chatid in chatids)
    to_check = []
    async with client.many(client.groups.update, requests, concurrency=10) as outcomes:
        async for outcome in outcomes:
            if not outcome.ok:  # unknown outcomes were already sent again: updates repeat safely
                print(outcome.request.chatid, outcome.verdict, outcome.error)
                to_check.append(outcome.request.chatid)
    return to_check


# --8<-- [end:bulk]


# --8<-- [start:handling]
async def add_member(client: DingTalkClient, chatid: str, user: str) -> str:
    """Add one person and say what happened."""
    try:
        await client.groups.update(UpdateGroupRequest(chatid=chatid, add_useridlist=[user]))
    except GroupNotFoundError:  # most often the openConversationId passed as a chatid
        return "no such group: pass the chatid"
    except GroupDisbandedError:
        return "the group was disbanded"
    except PermissionCheckError:  # the person is outside the app's visibility
        return f"the app cannot see {user}"
    except UnknownUserError:
        return f"{user} is not an employee the app knows"
    except DingTalkError as error:
        if error.verdict is Verdict.UNKNOWN:  # safe to repeat: an update sets state
            return "outcome unknown; sending it again is safe"
        return f"refused: {error}"
    return f"added {user}"


# --8<-- [end:handling]


async def test_the_lifecycle_walkthrough(
    client: DingTalkClient, emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    await run_project(client)
    (stored,) = emulator.store
    assert stored.owner == "alice"
    assert stored.name == "发布项目(交接)"
    assert stored.members == ["manager4220", "alice", "bob", "carol"]
    assert stored.sub_admins == {"bob"}
    assert capsys.readouterr().out == (
        "发布项目 manager4220 ('manager4220', 'alice', 'bob', 'carol')\n"
    )


async def test_both_ids_are_kept_and_the_chatid_repairs_the_other(
    client: DingTalkClient,
) -> None:
    kept = await keep_both_ids(client, "项目群", "manager4220")
    assert await repair(client, kept.chatid) == kept


async def test_adding_people_to_every_group_lists_what_to_check(
    client: DingTalkClient, emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = [await keep_both_ids(client, f"群{n}", "manager4220") for n in range(5)]
    emulator.faults_for(UPDATE_API).schedule(Fault.DROPPED_MID_RESPONSE)
    chatids = [group.chatid for group in kept] + ["chat404"]
    assert await add_to_every_group(client, chatids, ["hire1", "hire2"]) == ["chat404"]
    assert "chat404 Verdict.REJECTED" in capsys.readouterr().out
    for group in emulator.store:
        assert group.members == ["manager4220", "hire1", "hire2"]


async def test_add_member_explains_each_outcome(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    kept = await keep_both_ids(client, "项目群", "manager4220")
    assert await add_member(client, kept.chatid, "bob") == "added bob"
    assert await add_member(client, kept.open_conversation_id, "bob") == (
        "no such group: pass the chatid"
    )
    emulator.configure(visible_users=frozenset({"manager4220", "bob"}))
    assert await add_member(client, kept.chatid, "eve") == "the app cannot see eve"
    emulator.fail_next(status=400, code="staff.not.found", api=UPDATE_API)
    assert await add_member(client, kept.chatid, "bob") == "bob is not an employee the app knows"
    emulator.faults_for(UPDATE_API).schedule(Fault.DROPPED_MID_RESPONSE)
    assert await add_member(client, kept.chatid, "bob") == (
        "outcome unknown; sending it again is safe"
    )
    emulator.fail_next(status=400, code="parameter.invalid", message="说明", api=UPDATE_API)
    assert (await add_member(client, kept.chatid, "bob")).startswith(
        "refused: HTTP 400 parameter.invalid"
    )
    (stored,) = emulator.store
    stored.status = 2
    assert await add_member(client, kept.chatid, "bob") == "the group was disbanded"
