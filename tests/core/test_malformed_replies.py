"""Replies that are not what the API documents become ResponseError, never KeyError."""

from __future__ import annotations

import pytest

from dingtalk_im_async import CreateGroupRequest, GroupService, ResponseError
from dingtalk_im_async.testing import DingTalkEmulator

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
HTML_PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (502, HTML_PAGE, "text/html", "not JSON"),
        (200, HTML_PAGE, "text/html", "not JSON"),
        (200, b'{"openConversationId": "cid', "application/json", "not JSON"),
        (500, b"", "application/json", "empty body"),
        (200, b"", "application/json", "empty body"),
        (200, b'{"status":1111,"wait":5}', "application/json", "openConversationId"),
        (403, b'{"status":1111,"wait":5}', "application/json", "without a code"),
        (400, b'{"code": 5, "message": "x"}', "application/json", "without a code"),
        (200, b'["cid"]', "application/json", "JSON object"),
        (200, b"\xff\xfe\x00garbage", "application/json", "not JSON"),
        (200, b"[" * 100_000 + b"]" * 100_000, "application/json", "not JSON"),
    ],
)
async def test_undocumented_reply_raises_response_error_with_status_and_excerpt(
    groups: GroupService,
    emulator: DingTalkEmulator,
    status: int,
    body: bytes,
    content_type: str,
    reason: str,
) -> None:
    emulator.reply_next(status=status, body=body, content_type=content_type, api="im.group.create")
    with pytest.raises(ResponseError) as caught:
        await groups.create(REQUEST)
    assert caught.value.status == status
    assert reason in str(caught.value)
    assert len(caught.value.excerpt) <= 200
    assert emulator.calls("im.group.create") == 1


async def test_html_excerpt_is_kept_for_diagnosis(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.reply_next(status=502, body=HTML_PAGE, content_type="text/html", api="im.group.create")
    with pytest.raises(ResponseError) as caught:
        await groups.create(REQUEST)
    assert "502 Bad Gateway" in caught.value.excerpt


async def test_oversized_reply_is_refused(groups: GroupService, emulator: DingTalkEmulator) -> None:
    emulator.reply_next(status=200, body=b" " * (2 << 20) + b"{}", api="im.group.create")
    with pytest.raises(ResponseError, match="larger than"):
        await groups.create(REQUEST)
