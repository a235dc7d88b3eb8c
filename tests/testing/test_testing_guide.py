"""The code shown on docs/testing.md, run as part of the suite so the page stays true.

`open_team_room` stands for an application's own code; the tests below it are
what that application would write in its own test suite.
"""

from __future__ import annotations

# --8<-- [start:imports]
import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    PermissionCheckError,
    RateLimitError,
    RetryPolicy,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, EmulatedDingTalk, Fault

CREATE = "im.group.create"  # faults and counters are per API, named as DingTalk names them
# --8<-- [end:imports]


# --8<-- [start:code]
async def open_team_room(
    groups: GroupService, team: str, lead: str, members: list[str]
) -> str | None:
    """Create the team's group; None when DingTalk is rate limiting (try again later)."""
    try:
        result = await groups.create(
            CreateGroupRequest(name=f"{team} team", owner=lead, useridlist=members)
        )
    except RateLimitError:
        return None
    return result.open_conversation_id


# --8<-- [end:code]


# --8<-- [start:fixture]
async def test_open_team_room_creates_the_group(dingtalk_emulator: EmulatedDingTalk) -> None:
    emulator = dingtalk_emulator.emulator
    room = await open_team_room(dingtalk_emulator.groups, "Search", "lead", ["ann", "bo"])

    (group,) = await emulator.list_groups()
    assert (group.open_conversation_id, group.members) == (room, ["lead", "ann", "bo"])
    (create,) = [line for line in await emulator.read_journal() if line.api == CREATE]
    assert create.body == {"name": "Search team", "owner": "lead", "useridlist": ["ann", "bo"]}


async def test_open_team_room_returns_none_when_rate_limited(
    dingtalk_emulator: EmulatedDingTalk,
) -> None:
    emulator = dingtalk_emulator.emulator
    await emulator.fail_next(
        status=403, code="Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", api=CREATE
    )

    assert await open_team_room(dingtalk_emulator.groups, "Search", "lead", ["ann"]) is None
    assert await emulator.list_groups() == []


# --8<-- [end:fixture]


# --8<-- [start:marker]
@pytest.mark.dingtalk_emulator(visible_users=["lead", "ann"])
async def test_open_team_room_needs_an_owner_the_app_can_see(
    dingtalk_emulator: EmulatedDingTalk,
) -> None:
    with pytest.raises(PermissionCheckError):
        await open_team_room(dingtalk_emulator.groups, "Ops", "someone", ["ann"])
    assert await dingtalk_emulator.emulator.list_groups() == []


async def test_a_reply_lost_on_the_way_back_leaves_the_group_behind(
    dingtalk_emulator: EmulatedDingTalk,
) -> None:
    emulator = dingtalk_emulator.emulator
    await emulator.schedule(Fault.DROPPED_MID_RESPONSE, api=CREATE)

    with pytest.raises(TransportError) as raised:
        await open_team_room(dingtalk_emulator.groups, "Ops", "lead", ["ann"])

    assert raised.value.verdict is Verdict.UNKNOWN  # so the caller must not just retry
    assert len(await emulator.list_groups()) == 1  # and indeed the group exists
    counters = await emulator.get_counters()
    assert counters.api(CREATE).injected == {Fault.DROPPED_MID_RESPONSE: 1}


# --8<-- [end:marker]


# --8<-- [start:emulator]
async def test_open_team_room_with_an_emulator_of_your_own() -> None:
    async with (
        DingTalkEmulator(visible_users=["lead", "ann"]) as emulator,
        aiohttp.ClientSession() as session,
    ):
        tokens = AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )
        groups = GroupService(
            session,
            tokens,
            base_url=emulator.base_url,
            retry=RetryPolicy(initial_wait=0, max_wait=0),  # retries without waiting
        )

        with pytest.raises(PermissionCheckError):  # "someone" is not visible to the app
            await open_team_room(groups, "Ops", "someone", ["ann"])

        emulator.fail_next(2, status=500, code="system.error", api=CREATE)  # retried, then works
        assert await open_team_room(groups, "Ops", "lead", ["ann"]) is not None
        assert emulator.calls(CREATE) == 4  # in process, no await needed
        (group,) = emulator.groups  # with the body of the create that made it
        assert group.request["owner"] == "lead"


# --8<-- [end:emulator]


def test_the_guide_shows_imports_that_work() -> None:
    """Every name the guide's snippets use comes from the imports it shows, which run."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    guide = (root / "docs" / "testing.md").read_text(encoding="utf-8")
    assert '--8<-- "tests/testing/test_testing_guide.py:imports"' in guide
    source = Path(__file__).read_text(encoding="utf-8")
    imports = source.split("# --8<-- [start:imports]\n", 1)[1].split("# --8<-- [end:imports]")[0]
    namespace: dict[str, object] = {}
    exec(imports, namespace)  # the import lines the guide shows
    for name in ("EmulatedDingTalk", "DingTalkEmulator", "Fault", "GroupService"):
        assert name in namespace, name
