"""A path (or method) no route serves gets DingTalk's JSON answer, never aiohttp's text page."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator

NOT_FOUND = {
    "code": "InvalidAction.NotFound",
    "message": "Specified api is not found, please check your url and method.",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1.0/im/group/nonexistent"),
        ("GET", "/v1.0/im/group/create"),  # a served path, the wrong method
        ("PUT", "/v1.0/oauth2/accessToken"),
    ],
)
async def test_v1_paths_get_invalid_action_not_found(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, method: str, path: str
) -> None:
    async with session.request(method, emulator.base_url + path, json={}) as response:
        body = await response.json()
        assert response.status == 404
        assert response.content_type == "application/json"
        request_id = response.headers["x-acs-request-id"]
    assert body == {**NOT_FOUND, "requestid": request_id}
    assert emulator.calls("im.group.create") == emulator.token_fetches == 0


async def test_unknown_topapi_paths_get_errcode_22_naming_the_api(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    url = emulator.oapi_base_url + "/topapi/v2/user/notexist?access_token=test"
    async with session.post(url, json={}) as response:
        body = await response.json()
        assert response.status == 200
    message = "不合法ApiName，ApiName = dingtalk.oapi.v2.user.notexist"
    assert body["errcode"] == 22
    assert body["errmsg"] == f"Invalid method[submsg={message}]"
    assert body["sub_msg"] == message
    assert len(body["request_id"]) == 13


@pytest.mark.parametrize("path", ["/oapi/chat/nothing", "/oauth2/corpAccessToken", "/nothing"])
async def test_other_unknown_paths_get_errcode_404(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, path: str
) -> None:
    async with session.get(emulator.base_url + path) as response:
        assert response.status == 200
        assert await response.json() == {"errcode": 404, "errmsg": "请求的URI地址不存在"}


async def test_unknown_calls_are_journaled_without_an_api_or_a_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    url = emulator.oapi_base_url + "/chat/nothing?access_token=tok-123&chatid=c1"
    async with session.get(url):
        pass
    [logged] = emulator.requests
    assert (logged.api, logged.method, logged.path) == (None, "GET", "/oapi/chat/nothing")
    assert (logged.has_token, logged.query, logged.status) == (True, {"chatid": "c1"}, 200)
    assert "tok-123" not in repr(emulator.requests)
