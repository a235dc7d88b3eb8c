"""The route registry: handler modules' routes are served, tests can add routes, one per path."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async._core.endpoint import TOKEN_API, TOKEN_PATH, Host, declared_endpoints
from dingtalk_im_async.emulator._discovery import discovered_routes
from dingtalk_im_async.emulator.groups.create import create_group
from dingtalk_im_async.emulator.oauth.corp_token import TENANT_TOKEN_APIS
from dingtalk_im_async.groups.api import (
    CREATE_GROUP,
    GET_GROUP,
    UPDATE_GROUP,
)
from dingtalk_im_async.robot.api import (
    QUERY_GROUP_ROBOTS,
    QUERY_READ_STATUS,
    RECALL_GROUP_MESSAGES,
    SEND_GROUP_MESSAGE,
)
from dingtalk_im_async.testing import DingTalkEmulator, Route
from tests.support.emulator_routes import (
    ECHO_API,
    OAPI_ECHO_API,
    TOPAPI_ECHO_API,
    call_echo,
    echo,
    emulator_with_test_routes,
)


def test_handler_modules_register_the_token_and_create_routes() -> None:
    served = {(route.method, route.path, route.host, route.api) for route in discovered_routes()}
    assert ("POST", TOKEN_PATH, Host.API, TOKEN_API) in served
    assert ("POST", CREATE_GROUP.path, Host.API, CREATE_GROUP.api) in served
    token_route = next(route for route in discovered_routes() if route.api == TOKEN_API)
    assert token_route.authenticated is False


def test_a_route_is_named_like_the_client_endpoint_for_the_same_path() -> None:
    route = Route(method="GET", path="/chat/get", host=Host.OAPI, handler=echo)
    assert route.api == "oapi.chat.get"
    assert route.served_path == "/oapi/chat/get"
    assert Route(method="POST", path="/v1.0/im/chat/{chatId}/x", handler=echo).api == "im.chat.x"


ROBOT_APIS = {
    endpoint.api
    for endpoint in (
        SEND_GROUP_MESSAGE,
        RECALL_GROUP_MESSAGES,
        QUERY_READ_STATUS,
        QUERY_GROUP_ROBOTS,
    )
}


def test_every_api_of_the_routes_has_its_own_traffic() -> None:
    """One traffic record per API: the token's, each endpoint the families declare (named as
    the client names them), and the test routes'."""
    emulator = emulator_with_test_routes()
    declared = {endpoint.api for endpoint in declared_endpoints()}
    tokens = {TOKEN_API, *TENANT_TOKEN_APIS}
    assert set(emulator.traffic) == {ECHO_API, OAPI_ECHO_API, TOPAPI_ECHO_API} | tokens | declared
    assert {CREATE_GROUP.api, UPDATE_GROUP.api, GET_GROUP.api, *ROBOT_APIS} <= declared
    assert emulator.faults_for(ECHO_API) is not emulator.faults_for("im.group.create")


def test_two_routes_for_one_method_and_path_are_refused() -> None:
    twin = Route(method="POST", path=CREATE_GROUP.path, handler=create_group, api="im.twin")
    with pytest.raises(ValueError, match=r"two routes for POST /v1\.0/im/group/create"):
        DingTalkEmulator(extra_routes=[twin])


def test_an_api_no_route_serves_is_a_clear_error() -> None:
    emulator = DingTalkEmulator()
    with pytest.raises(ValueError, match=r"no route serves the API 'im\.group\.creat'"):
        emulator.faults_for("im.group.creat")
    with pytest.raises(ValueError, match="no route serves"):
        DingTalkEmulator(qps_limits={"im.group.creat": 20})


@pytest.mark.parametrize(
    ("method", "path"), [("FETCH", "/v1.0/x"), ("POST", "v1.0/no-slash"), ("POST", "/a b")]
)
def test_a_route_is_checked_when_built(method: str, path: str) -> None:
    with pytest.raises(ValueError):
        Route(method=method, path=path, handler=echo)


async def test_a_handler_gets_the_json_body_query_and_path_parameters(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_with_test_routes() as emulator:
        reply = await call_echo(session, emulator, chat_id="chat42", body={"name": "群"})
    assert reply.status == 200
    assert reply.json() == {
        "body": {"name": "群"},
        "query": {"x": "1"},
        "params": {"chatId": "chat42"},
    }
    assert reply.headers["x-acs-request-id"]
    assert emulator.calls(ECHO_API) == 1
