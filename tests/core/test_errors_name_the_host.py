"""A connection that fails names the host it tried (a wrong or unset host shows at once),
never the URL: on the legacy host the URL carries the access token."""

from __future__ import annotations

import socket
import traceback

import aiohttp
import pytest

from dingtalk_im_async import GroupService, StaticTokenProvider, TransportError, Verdict

TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed"


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on: connects to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def said(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + repr(error.args)


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy host", "v1.0 host"])
async def test_a_refused_connection_names_the_host_and_port(
    session: aiohttp.ClientSession, legacy: bool
) -> None:
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    groups = GroupService(
        session, StaticTokenProvider(TOKEN), base_url=base, oapi_base_url=base, timeout=5
    )
    # chat/get carries the token in the query string; the v1.0 call in a header
    call = groups.get if legacy else groups.open_conversation_id
    with pytest.raises(TransportError) as caught:
        await call("chat-id")
    assert f"could not connect to 127.0.0.1:{port}" in str(caught.value)
    assert caught.value.verdict is Verdict.NOT_SENT
    assert TOKEN not in said(caught.value)


async def test_an_unknown_host_is_named(session: aiohttp.ClientSession) -> None:
    groups = GroupService(
        session,
        StaticTokenProvider(TOKEN),
        base_url="https://no-such-host.invalid",
        oapi_base_url="https://no-such-host.invalid",
        timeout=5,
    )
    with pytest.raises(TransportError) as caught:
        await groups.get("chat-id")
    assert "could not connect to no-such-host.invalid" in str(caught.value)
    assert TOKEN not in said(caught.value)
