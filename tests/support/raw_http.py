"""Raw HTTP calls to the emulator, below the client, to check exactly what the server says."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from attrs import define
from multidict import CIMultiDictProxy

from dingtalk_im_async.testing import DingTalkEmulator

CREATE_PATH = "/v1.0/im/group/create"
TOKEN_PATH = "/v1.0/oauth2/accessToken"
VALID_BODY = {"name": "n", "owner": "o", "useridlist": ["u"]}


@define(frozen=True, kw_only=True)
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)


async def post(
    session: aiohttp.ClientSession,
    url: str,
    *,
    json_body: Any = None,
    data: Any = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    async with session.post(url, json=json_body, data=data, headers=headers) as response:
        return Reply(status=response.status, headers=response.headers, raw=await response.read())


async def create(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    body: Any = None,
    *,
    token: str | None = None,
) -> Reply:
    """POST a create body with a valid token (issued now unless given)."""
    token = token if token is not None else emulator.issue_token()
    return await post(
        session,
        emulator.base_url + CREATE_PATH,
        json_body=VALID_BODY if body is None else body,
        headers={"x-acs-dingtalk-access-token": token},
    )
