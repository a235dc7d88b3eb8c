"""Remote parity: every control of the emulator exists in process and remotely, under the same
name and signature, and the same awaited script gives the same effects in both modes."""

from __future__ import annotations

import abc
import importlib
import inspect
import pkgutil
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import dingtalk_im_async.emulator as emulator_package
from dingtalk_im_async.emulator import (
    CannedReply,
    CardStore,
    DingTalkEmulator,
    EmulatorControls,
    ErrorReply,
    Fault,
    GroupControls,
    PostedMessage,
    RemoteEmulator,
    RobotControls,
    StoredCard,
    StreamControls,
)
from dingtalk_im_async.emulator.settings import setting_names

CREATE = "im.group.create"

#: What the in-process emulator has that is not a control, and why it has no remote twin.
IN_PROCESS_ONLY = {
    "settings": "the settings object itself; both modes read it with `get_settings()`",
    "store": "the live group objects handlers change; both modes read `list_groups()`",
    "stores": "every family's live store, for handlers",
    "groups": "`CreatedGroup`s with each create's body: in-process tests' shortcut",
    "requests": "the journal lines as a list; both modes read `read_journal()`",
    "journal": "the live journal object",
    "traffic": "the live per-API counters; both modes read `get_counters()`",
    "stream": "the live Stream gateway; its commands are the Stream controls",
    "routes": "the routes the server was built with",
    "host": "where the server listens; remotely, the URL is the client's argument",
    "port": "the bound port; remotely, part of `base_url`",
    "quota_used": "a live counter; both modes read `get_counters().quota_used`",
    "start": "the server's lifecycle (remotely: `async with RemoteEmulator(url)`)",
    "close": "the server's lifecycle (remotely: the client's own `close()`)",
    "traffic_for": "the live `ApiTraffic` of an API",
    "faults_for": "the live `FaultInjector` of an API; both modes schedule with the controls",
    "calls": "a live count; both modes read `get_counters().api(api).calls`",
    "windows": "per-second counts for pacing tests, kept in process",
    "qps_limit_for": "the limit in force; both modes read `get_settings()`",
    "token_fetches": "a live count; both modes read the token API's counters",
    "groups_created": "a live count; both modes read `get_counters().groups`",
    "rate_limited": "a live count; both modes read `get_counters().rate_limited`",
    "issue_token": "a token straight from the store; remotely, fetch one like any client",
    "is_valid_token": "checks a token against the store",
    "issue_corp_token": "a corp token straight from the store; remotely, fetch one like any client",
    "tenants": "the live tickets, corp tokens and per-organisation usage; both modes read "
    "`get_tenants()`",
    "quota_month": "the month `quota_used` counts in; both modes read `get_tenants().month`",
    "revoke_tokens_of": "what a token-revoked fault does to its call's tenant; both modes "
    "use `revoke_tokens()` / `revoke_org_tokens()`",
}
#: Earlier names kept with a DeprecationWarning (tests/emulator/test_emulator_legacy.py).
LEGACY = {"faults", "token_faults", "create_calls", "create_windows", *setting_names()} - {
    "app_key",
    "app_secret",
    "robot_code",
}


def control_classes() -> set[type]:
    """Every `...Controls` ABC of the emulator package, the families' included."""
    found: set[type] = set()
    for info in pkgutil.walk_packages(emulator_package.__path__, emulator_package.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__name__.endswith("Controls")
                and abc.ABC in value.__bases__
            ):
                found.add(value)
    return found


def control_names() -> set[str]:
    """Every control's name, the families' included (a new family's too, once it has one)."""
    return {name for kind in control_classes() for name in vars(kind) if not name.startswith("_")}


def test_every_controls_class_is_a_base_of_both_modes() -> None:
    assert {EmulatorControls, GroupControls, RobotControls, StreamControls} <= control_classes()
    for kind in control_classes():
        assert issubclass(DingTalkEmulator, kind), kind
        assert issubclass(RemoteEmulator, kind), kind


def _parameters(function: Any) -> list[tuple[str, Any, Any]]:
    signature = inspect.signature(function)
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("name", sorted(control_names()))
def test_a_control_has_the_same_name_and_signature_in_both_modes(name: str) -> None:
    in_process = inspect.getattr_static(DingTalkEmulator, name)
    remote = inspect.getattr_static(RemoteEmulator, name)
    if isinstance(in_process, property):
        assert isinstance(remote, property)
        return
    assert _parameters(in_process) == _parameters(remote)
    assert not getattr(in_process, "__isabstractmethod__", False)
    assert not getattr(remote, "__isabstractmethod__", False)


def test_every_public_name_of_the_emulator_is_a_control_or_in_process_for_a_reason() -> None:
    public = {name for name in dir(DingTalkEmulator()) if not name.startswith("_")}
    unexplained = public - control_names() - set(IN_PROCESS_ONLY) - LEGACY
    assert unexplained == set()
    assert set(IN_PROCESS_ONLY) <= public  # no reason kept for a name that went


class Recorder:
    """The controls, with the names a script used written down."""

    def __init__(self, target: object) -> None:
        self.target = target
        self.used: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.used.add(name)
        return getattr(self.target, name)


@pytest.fixture(params=["in process", "remote"])
async def controls(
    request: pytest.FixtureRequest, emulator: DingTalkEmulator
) -> AsyncIterator[Recorder]:
    if request.param == "in process":
        yield Recorder(emulator)
        return
    async with RemoteEmulator(emulator.base_url) as remote:
        yield Recorder(remote)


async def test_every_control_works_awaited_in_both_modes(
    controls: Recorder, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    c: Any = controls
    assert (c.app_key, c.app_secret, c.robot_code) == (
        emulator.app_key,
        emulator.app_secret,
        emulator.robot_code,
    )
    assert (c.base_url, c.oapi_base_url) == (emulator.base_url, emulator.oapi_base_url)

    await c.configure(qps_limit=50, visible_users=["boss", "u1"])
    assert (await c.get_settings()) == emulator.settings
    assert emulator.settings.visible_users == frozenset({"boss", "u1"})

    group = await c.add_group(name="g", owner="boss", members=["u1"])
    assert [found.chatid for found in await c.list_groups()] == [group.chatid]
    assert (await c.get_group(group.open_conversation_id)).members == ["boss", "u1"]
    await c.install_robot(group.chatid, "bot2")
    assert "bot2" in emulator.store.by_chatid(group.chatid).robots  # type: ignore[union-attr]
    await c.remove_robot(group.chatid, "bot2")
    assert "bot2" not in emulator.store.by_chatid(group.chatid).robots  # type: ignore[union-attr]
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    message = PostedMessage(
        process_query_key="k1", robot_code="r", msg_key="sampleText", msg_param={}
    )
    emulator.store.post(stored, message)
    assert await c.mark_read("k1", "u1") == ["u1"]

    await c.schedule(Fault.SLOW, 2, api=CREATE, delay=(0.01, 0.02))
    await c.schedule_reply(ErrorReply(status=403, code="x", message="y"), api=CREATE)
    await c.fail_next(api=CREATE)
    await c.reply_next(body=b"{}", api=CREATE)
    await c.delay_next(seconds=0.01, api=CREATE)
    await c.drop_next(api=CREATE)
    await c.reply_token_next(body=b"{}")
    await c.every(Fault.TOKEN_REVOKED, 10, api=CREATE)
    await c.set_rates({Fault.SYSTEM_BUSY: 0.25}, api=CREATE, seed=1)
    counters = await c.get_counters()
    assert counters == await emulator.get_counters()
    assert counters.api(CREATE).pending == 7
    assert counters.api("oauth2.accessToken").pending == 1
    assert counters.api(CREATE).rates == {Fault.SYSTEM_BUSY: 0.25}
    assert emulator.faults_for(CREATE).draw().reply is None  # type: ignore[union-attr]
    await c.clear_faults(CREATE)
    await c.clear_faults()
    assert all(traffic.faults.pending == 0 for traffic in emulator.traffic.values())

    async with session.get(emulator.base_url + "/v1.0/nothing"):
        pass
    [line] = await c.read_journal(limit=1)
    assert (line.path, line.status) == ("/v1.0/nothing", 404)
    assert await c.read_journal(since=1) == []

    token = emulator.issue_token()
    await c.revoke_tokens()
    assert not emulator.is_valid_token(token)

    await c.configure_stream(ack_timeout=5.0, drop_rate=0.0)
    assert emulator.stream.settings.ack_timeout == 5.0
    data = await c.push_message("hi", sender_staff_id="boss")
    assert data["senderStaffId"] == "boss"
    assert await c.push_event("chat_disband", {"openConversationId": "c"})
    assert (await c.stream_stats()).pushes == 2
    assert await c.disconnect_streams() == await c.drop_streams() == await c.zombify_streams() == 0
    await c.expire_webhooks()
    await c.fail_webhooks(1, errcode=300001)
    await c.fail_stream_opens(1, status=503)
    await c.reject_stream_tickets(1)

    async with session.post(
        emulator.base_url + "/v1.0/im/sceneGroup/create",
        json={"title": "s", "template_id": "t", "owner_user_id": "boss", "uuid": "k"},
        headers={"x-acs-dingtalk-access-token": emulator.issue_token()},
    ) as made:
        scene_id = (await made.json())["open_conversation_id"]
    [scene] = await c.list_scene_groups()
    assert (scene.open_conversation_id, scene.template_id, scene.uuid) == (scene_id, "t", "k")
    assert (await c.get_scene_group(scene_id)).group.members == ["boss"]

    emulator.stores.of(CardStore).add(
        StoredCard(out_track_id="card-1", card_template_id="t", callback_type="STREAM")
    )
    assert [card.out_track_id for card in await c.list_cards()] == ["card-1"]
    assert (await c.get_card("card-1")).state == "PROCESSING"
    assert await c.press_card("card-1", action_ids=["stop"], params={"a": 1})
    assert emulator.stores.of(CardStore).get("card-1").actions[0].action_ids == ["stop"]  # type: ignore[union-attr]

    await c.configure(suites={"s1": "sec1"}, corp_ids=["corp-a"])
    got = await c.get_settings()  # remotely, the suites' keys only (secrets may be real)
    assert got.changed(suites=got.shown_suites) == emulator.settings.changed(
        suites=emulator.settings.shown_suites
    )
    assert set(got.suites) == {"s1"}
    ticket = await c.suite_ticket("s1")
    assert ticket == emulator.tenants.ticket("s1")
    rotated = await c.rotate_suite_ticket("s1")
    assert rotated != ticket
    assert emulator.suite_ticket("s1") == rotated
    corp_token = emulator.issue_corp_token("s1", "corp-a")
    await c.revoke_org_tokens("corp-a", suite_key="s1")
    assert emulator.tenants.owner(corp_token) is None
    await c.authorise_org("s1", "corp-b")
    await c.relieve_org("s1", "corp-a")
    report = await c.get_tenants()
    assert [suite.corp_ids for suite in report.suites] == [("corp-b",)]
    assert report.organisations == (await emulator.get_tenants()).organisations
    await c.start_next_month()
    await c.set_clock(advance=1.0)
    assert (await c.get_tenants()).month != report.month

    await c.reset()
    assert await c.list_groups() == []
    assert await c.list_scene_groups() == []
    assert emulator.settings.qps_limit == 50

    assert control_names() <= controls.used


@pytest.mark.parametrize("mode", ["in process", "remote"])
async def test_mistakes_raise_the_same_errors_in_both_modes(
    mode: str, emulator: DingTalkEmulator
) -> None:
    async with RemoteEmulator(emulator.base_url) as remote:
        c: Any = emulator if mode == "in process" else remote
        with pytest.raises(ValueError, match="no group has the id"):
            await c.get_group("nope")
        with pytest.raises(ValueError, match="no scene group has the id"):
            await c.get_scene_group("nope")
        with pytest.raises(ValueError, match=r"no route serves the API 'im\.nope'"):
            await c.schedule(Fault.SLOW, api="im.nope")
        with pytest.raises(ValueError, match="count must be a positive integer"):
            await c.fail_next(0, api=CREATE)
        with pytest.raises(TypeError, match="unknown emulator settings"):
            await c.configure(qps=1)
        with pytest.raises(ValueError, match="fixed when the emulator starts"):
            await c.configure(app_secret="other")
        group = await c.add_group(name="g", owner="o")
        with pytest.raises(ValueError, match="exists already"):
            await c.add_group(name="h", owner="o", chatid=group.chatid)
        with pytest.raises(TypeError, match="unknown Stream settings"):
            await c.configure_stream(nope=1)
        with pytest.raises(ValueError, match="rate of"):
            await c.set_rates({Fault.SLOW: 2.0}, api=CREATE)
    assert emulator.faults_for(CREATE).rates == {}


async def test_in_process_commands_also_work_without_await(emulator: DingTalkEmulator) -> None:
    emulator.fail_next(api=CREATE)
    emulator.configure(qps_limit=3)
    emulator.reset()
    assert emulator.settings.qps_limit == 3
    assert repr(emulator.reset()) == "Done()"
    canned = CannedReply(body=b"x")
    emulator.schedule_reply(canned, api=CREATE)
    assert emulator.faults_for(CREATE).pending == 1
