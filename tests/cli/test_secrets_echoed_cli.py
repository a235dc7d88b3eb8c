"""`dingtalk-im`'s `failed:` line never shows the token a reply echoed back (the legacy host
carries it in the query string; a careless reply repeats the request target)."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys

import pytest

from dingtalk_im_async.cli import _shown
from tests.support.echo_server import echo_server, json_reply
from tests.support.secret_scan import leaks

ENTRY = "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')"


@pytest.mark.parametrize(
    "reply",
    [
        lambda target: json_reply(200, {"errcode": 40035, "errmsg": f"bad request {target}"}),
        lambda target: json_reply(502, {"echo": target}),
    ],
    ids=["errmsg", "gateway"],
)
async def test_the_failed_line_never_shows_an_echoed_token(reply: object) -> None:
    token = secrets.token_hex(16)
    app_secret = "cli-secret-" + secrets.token_hex(8)
    async with echo_server(token) as server:
        server.echo = lambda seen: reply(seen.target)  # type: ignore[operator]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DINGTALK_")}
        env.update(
            DINGTALK_APP_KEY="key",
            DINGTALK_APP_SECRET=app_secret,
            DINGTALK_BASE_URL=server.base_url,
            DINGTALK_OAPI_BASE_URL=server.oapi_base_url,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            ENTRY,
            "group",
            "info",
            "chat" + "1" * 32,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert f"access_token={token}" in server.seen[0].target
    assert process.returncode == 1
    assert "failed:" in stderr.decode()
    assert "<redacted>" in stderr.decode()
    assert leaks([stdout.decode(), stderr.decode()], [token, app_secret]) == []


def test_any_error_the_cli_shows_is_scrubbed() -> None:
    """Not only our errors (scrubbed when made): any exception a command reports."""
    token = secrets.token_hex(16)
    shown = _shown.error_text(RuntimeError(f"GET /chat/get?access_token={token}"))
    assert token not in shown
