"""The code of docs/scene-groups.md, run against the emulator: what the page shows works."""

from __future__ import annotations

from dingtalk_im_async import (
    BulkOptions,
    CreateSceneGroupRequest,
    DingTalkClient,
    SceneGroupMembersRequest,
    SceneGroupOptions,
    SceneGroupRole,
    UpdateSceneGroupAdminsRequest,
)
from dingtalk_im_async.testing import DingTalkEmulator

# --8<-- [start:lifecycle]


async def project_group(client: DingTalkClient, project: str, team: list[str]) -> list[str]:
    """A group from the project template, its lead made admin; returns who is in it."""
    groups = client.scene_groups
    made = await groups.create(
        CreateSceneGroupRequest(
            title=f"项目-{project}",
            template_id="tpl-project",  # the developer console's 场景群 > 群模板
            owner_user_id="manager4220",
            user_ids=team,
            uuid=f"project-{project}",  # the dedup key: a second create finds this group
            management_options=SceneGroupOptions(searchable=1),
        )
    )
    cid = made.open_conversation_id  # every scene-group API takes this id
    await groups.add_members(SceneGroupMembersRequest(open_conversation_id=cid, user_ids=["qa1"]))
    lead = UpdateSceneGroupAdminsRequest(
        open_conversation_id=cid, role=SceneGroupRole.ADMIN, user_ids=[team[0]]
    )
    await groups.update_admins(lead)
    return [user async for page in groups.members(cid) for user in page.member_user_ids]


# --8<-- [end:lifecycle]


# --8<-- [start:bulk]
async def open_groups(
    client: DingTalkClient, titles: list[str], run_id: str | None = None
) -> dict[int, str]:
    """A group per title; run again with the printed run id after a crash: no duplicates."""
    requests = [
        CreateSceneGroupRequest(title=title, template_id="tpl-project", owner_user_id="manager4220")
        for title in titles
    ]
    made: dict[int, str] = {}
    run = client.many(client.scene_groups.create, requests, BulkOptions(run_id=run_id))
    print("run id:", run.run_id)  # each input's uuid is dt-<run id>-<its position>
    async with run:
        async for outcome in run:
            if outcome.result is not None:
                made[outcome.index] = outcome.result.open_conversation_id
    return made


# --8<-- [end:bulk]


async def test_the_lifecycle_of_the_guide(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    members = await project_group(client, "apollo", ["alice", "bob"])
    assert members == ["manager4220", "alice", "bob", "qa1"]
    again = await project_group(client, "apollo", ["alice", "bob"])
    assert again == members  # the same uuid: the same group, no second one
    [scene] = await emulator.list_scene_groups()
    assert scene.group.sub_admins == {"alice"}


async def test_the_bulk_of_the_guide_resumes_with_its_run_id(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    titles = ["群A", "群A", "群B"]  # identical titles still make their own groups
    first = await open_groups(client, titles, run_id="nightly-0701")
    again = await open_groups(client, titles, run_id="nightly-0701")
    assert again == first
    assert len(set(first.values())) == 3
    assert len(await emulator.list_scene_groups()) == 3
