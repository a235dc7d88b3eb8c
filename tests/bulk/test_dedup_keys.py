"""Dedup keys (`Endpoint.dedup_key`): a request that carries one is safe to repeat, and a bulk
run gives every input without one a key from its run id and the input's position, never from
the content, so identical inputs make distinct objects and a resumed run makes none twice."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from attrs import define, field

from dingtalk_im_async import (
    BulkOptions,
    BulkRun,
    CreateGroupRequest,
    CreateSceneGroupRequest,
    DingTalkClient,
    Verdict,
)
from dingtalk_im_async._core.dedup import RUN_ID_CHARS, derived_key, new_run_id, with_key
from dingtalk_im_async._core.endpoint import Family
from dingtalk_im_async.groups.api import CREATE_GROUP
from dingtalk_im_async.scenegroups.api import CREATE_SCENE_GROUP, UPDATE_SCENE_GROUP
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import INSTANT_RETRIES
from tests.scenegroups.conftest import create_request

SCENE_CREATE = "im.sceneGroup.create"


@pytest.fixture
async def client(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    ) as made:
        yield made


def test_a_request_with_a_dedup_key_is_safe_to_repeat() -> None:
    assert CREATE_SCENE_GROUP.dedup_key == "uuid"
    assert not CREATE_SCENE_GROUP.repeat_safe
    assert not CREATE_SCENE_GROUP.safe_to_repeat(create_request())
    assert CREATE_SCENE_GROUP.safe_to_repeat(create_request(uuid="k"))
    assert UPDATE_SCENE_GROUP.safe_to_repeat(object())  # repeat_safe by nature
    assert CREATE_GROUP.dedup_key is None
    assert not CREATE_GROUP.safe_to_repeat(
        CreateGroupRequest(name="n", owner="o", useridlist=["u"])
    )


@define(frozen=True, kw_only=True)
class Thing:
    out_track_id: str | None = field(default=None)
    label: str = "x"


def test_any_family_may_name_a_field_of_its_request_and_nothing_else() -> None:
    family = Family("things")
    endpoint = family.endpoint(
        "POST", "/v1.0/things", request=Thing, result=Thing, repeat_safe=False,
        dedup_key="out_track_id", doc="https://example.invalid",
    )  # fmt: skip
    filled = with_key(endpoint, Thing(), "run1", 7)
    assert filled == Thing(out_track_id="dt-run1-7")
    assert with_key(endpoint, Thing(out_track_id="mine"), "run1", 7) == Thing(out_track_id="mine")
    with pytest.raises(TypeError, match="dedup_key 'nope' is no field"):
        family.endpoint(
            "POST", "/v1.0/others", request=Thing, result=Thing, repeat_safe=False,
            dedup_key="nope", doc="https://example.invalid",
        )  # fmt: skip


def test_derived_keys_are_short_stable_and_distinct() -> None:
    longest = derived_key("r" * RUN_ID_CHARS, 10**9)
    assert len(longest) < 50  # cards cap outTrackId at 64 characters
    assert derived_key("a", 1) == derived_key("a", 1)
    assert len({derived_key("a", 1), derived_key("a", 2), derived_key("a1", 1)}) == 3
    assert re.fullmatch(r"[0-9a-f]{32}", new_run_id())


@pytest.mark.parametrize("bad", ["", "has space", "x" * 33, "ü"])
def test_a_run_id_is_short_and_plain(bad: str) -> None:
    with pytest.raises(ValueError, match="run_id must be 1 to 32"):
        BulkOptions(run_id=bad)
    assert BulkOptions(run_id="run-1_A").run_id == "run-1_A"
    assert BulkOptions().run_id is None


def uuids(outcomes: list[Any]) -> list[str | None]:
    return [outcome.request.uuid for outcome in sorted(outcomes, key=lambda o: o.index)]


async def test_identical_inputs_make_one_group_each(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    same = create_request("同名")
    async with client.many(client.scene_groups.create, [same, same, same]) as run:
        outcomes = [outcome async for outcome in run]
    assert all(outcome.ok for outcome in outcomes)
    assert uuids(outcomes) == [f"dt-{run.run_id}-{index}" for index in range(3)]
    assert len({outcome.result.open_conversation_id for outcome in outcomes}) == 3  # type: ignore[union-attr]
    assert len(await emulator.list_scene_groups()) == 3


async def test_a_callers_uuid_is_kept(emulator: DingTalkEmulator, client: DingTalkClient) -> None:
    run = client.many(client.scene_groups.create, [create_request(uuid="mine"), create_request()])
    async with run:
        found = uuids([outcome async for outcome in run])
    assert found == ["mine", f"dt-{run.run_id}-1"]


async def test_an_unknown_outcome_is_put_back_and_finds_the_group_it_made(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    """The reply is cut after the group was made: the verdict is unknown, the input goes back
    with its key, and the second send gets the group the first one made."""
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, 3, api=SCENE_CREATE)
    requests = [create_request(f"群{n}") for n in range(6)]
    run = client.many(client.scene_groups.create, requests, concurrency=2, rate_limited_backoff=0)
    async with run:
        outcomes = [outcome async for outcome in run]
    assert all(outcome.ok for outcome in outcomes)
    assert sum(outcome.rate_limited_retries for outcome in outcomes) == 3
    scenes = await emulator.list_scene_groups()
    assert sorted(scene.group.name for scene in scenes) == [f"群{n}" for n in range(6)]
    assert emulator.calls(SCENE_CREATE) == 9


async def test_the_same_run_id_in_another_run_creates_nothing_twice(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    """What resuming across processes looks like: the second run, given the first's id,
    derives the same keys for the same positions."""
    requests = [create_request(f"群{n}") for n in range(4)]
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, 4, api=SCENE_CREATE)
    first = client.many(client.scene_groups.create, requests, rate_limited_retries=0)
    async with first:
        crashed = [outcome async for outcome in first]
    assert {outcome.verdict for outcome in crashed} == {Verdict.UNKNOWN}
    again = client.many(client.scene_groups.create, requests, BulkOptions(run_id=first.run_id))
    async with again:
        resumed = [outcome async for outcome in again]
    assert all(outcome.ok for outcome in resumed)
    assert len(await emulator.list_scene_groups()) == 4


async def test_without_a_dedup_key_an_unknown_create_is_never_sent_again(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, 1, api="im.group.create")
    request = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
    async with client.many(client.groups.create, [request], rate_limited_backoff=0) as run:
        [outcome] = [outcome async for outcome in run]
    assert outcome.verdict is Verdict.UNKNOWN
    assert outcome.request is request
    assert emulator.calls("im.group.create") == 1


async def test_a_runs_own_repeat_safe_overrides_the_key(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, 1, api=SCENE_CREATE)
    run: BulkRun[CreateSceneGroupRequest, Any] = BulkRun(
        client.scene_groups.create, [create_request()], repeat_safe=False
    )
    async with run:
        [outcome] = [outcome async for outcome in run]
    assert outcome.verdict is Verdict.UNKNOWN
    assert outcome.request.uuid == f"dt-{run.run_id}-0"  # the key is given all the same
