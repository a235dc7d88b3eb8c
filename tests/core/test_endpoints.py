"""An endpoint is declared once, in its family's `api.py`, and everything else reads that
declaration: the service method that calls it, bulk runs, the emulator's routes, the docs."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from attrs import define, field

from dingtalk_im_async import GroupService, RobotService
from dingtalk_im_async._core.endpoint import Endpoint, Family, declared_endpoints
from dingtalk_im_async._core.service import ServiceBase, endpoint_of
from dingtalk_im_async._core.wire import wire
from dingtalk_im_async.emulator._discovery import discovered_routes
from dingtalk_im_async.emulator._replies import json_reply
from dingtalk_im_async.testing import Call, DingTalkEmulator, Route
from tests.conftest import app_provider

DECLARED = declared_endpoints()


def test_the_families_declare_their_endpoints() -> None:
    assert {endpoint.family for endpoint in DECLARED} == {"cards", "groups", "robot", "scenegroups"}
    assert all(endpoint.doc.startswith("https://") for endpoint in DECLARED)


@pytest.mark.parametrize("endpoint", DECLARED, ids=lambda endpoint: endpoint.api)
def test_every_declared_endpoint_has_an_emulator_route(endpoint: Endpoint[Any, Any]) -> None:
    """Reads both sides: a new declaration without a handler fails here."""
    served = {(r.method, r.host, r.path): r for r in discovered_routes()}
    route = served.get((endpoint.method, endpoint.host, endpoint.path))
    assert route is not None, f"no emulator route for {endpoint!r}"
    assert route.api == endpoint.api  # one QPS window, fault injector and counter per API


def services() -> dict[str, type[ServiceBase]]:
    """Each family's service class, by family name."""
    found: dict[str, type[ServiceBase]] = {}
    for family in {endpoint.family for endpoint in DECLARED}:
        package = importlib.import_module(f"dingtalk_im_async.{family}")
        [service] = [
            value
            for value in vars(package).values()
            if inspect.isclass(value)
            and issubclass(value, ServiceBase)
            and value is not ServiceBase
        ]
        found[family] = service
    return found


def test_each_endpoint_is_called_by_exactly_one_method_of_its_familys_service() -> None:
    called: dict[int, list[str]] = {}
    for family, service in services().items():
        for name, method in vars(service).items():
            endpoint = endpoint_of(method) if callable(method) else None
            if endpoint is not None and not name.startswith("_"):
                assert endpoint.family == family, name
                called.setdefault(id(endpoint), []).append(f"{service.__name__}.{name}")
    for endpoint in DECLARED:
        assert len(called.get(id(endpoint), [])) == 1, (endpoint, called.get(id(endpoint)))


def test_bulk_runs_read_whether_a_method_is_safe_to_repeat() -> None:
    assert endpoint_of(GroupService.update) is not None
    assert endpoint_of(GroupService.update).repeat_safe  # type: ignore[union-attr]
    assert not endpoint_of(GroupService.create).repeat_safe  # type: ignore[union-attr]
    assert not endpoint_of(RobotService.send).repeat_safe  # type: ignore[union-attr]
    assert endpoint_of(RobotService.read_status) is None  # walks pages: no one call
    assert endpoint_of(print) is None


def test_the_api_names_of_the_last_release_stay() -> None:
    names = {endpoint.api for endpoint in DECLARED}
    assert {
        "im.group.create",
        "im.group.update",
        "im.chat.convertToOpenConversationId",
        "im.subAdministrators",
        "oapi.chat.get",
        "robot.groupMessages.send",
        "robot.groupMessages.recall",
        "robot.groupMessages.query",
        "robot.groups.robots.query",
    } <= names


# -- PUT and DELETE, and two methods on one path ------------------------------------------


@define(frozen=True, kw_only=True)
class Thing:
    thing_id: str = field(metadata=wire("thingId"))
    label: str | None = None


@define(frozen=True, kw_only=True)
class Echoed:
    method: str
    body: Any = None
    query: dict[str, str] = field(factory=dict)


THINGS = Family("things")
PATH = "/v1.0/card/things/{thingId}"
CREATE_THING = THINGS.endpoint(
    "POST", PATH, request=Thing, result=Echoed, repeat_safe=False, doc="https://x"
)
UPDATE_THING = THINGS.endpoint(
    "PUT",
    PATH,
    request=Thing,
    result=Echoed,
    repeat_safe=True,
    api="card.things.update",  # POST has the path's name: the second method names itself
    doc="https://x",
)
DELETE_THING = THINGS.endpoint(
    "DELETE", PATH, request=Thing, result=Echoed, repeat_safe=True, api="card.things.delete",
    doc="https://x",
)  # fmt: skip


async def echo(call: Call) -> web.Response:
    return json_reply(
        200, {"method": call.request.method, "body": call.body, "query": dict(call.query)}
    )


ROUTES = [
    Route(method=endpoint.method, path=PATH, handler=echo, api=endpoint.api)
    for endpoint in (CREATE_THING, UPDATE_THING, DELETE_THING)
]


async def test_put_sends_a_json_body_delete_a_query_and_each_method_has_its_api(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(extra_routes=ROUTES) as emulator:
        service = GroupService(session, app_provider(emulator, session), base_url=emulator.base_url)
        transport = service._transport
        thing = Thing(thing_id="t/1", label="x")
        created = await transport.call(CREATE_THING, thing)
        updated = await transport.call(UPDATE_THING, thing)
        deleted = await transport.call(DELETE_THING, thing)
    assert (created.method, created.body) == ("POST", {"label": "x"})
    assert (updated.method, updated.body) == ("PUT", {"label": "x"})
    assert (deleted.method, deleted.query) == ("DELETE", {"label": "x"})
    assert CREATE_THING.api == "card.things"
    assert [emulator.calls(e.api) for e in (CREATE_THING, UPDATE_THING, DELETE_THING)] == [1, 1, 1]


def test_a_method_dingtalk_does_not_use_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="method"):
        THINGS.endpoint(
            "PATCH", PATH, request=Thing, result=Echoed, repeat_safe=True, doc="https://x"
        )
