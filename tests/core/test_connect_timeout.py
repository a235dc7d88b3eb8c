"""A connection that never opened sent nothing: a connect that stalls (the server's accept
queue is full, the SYN is dropped) runs out its own bound, `connect_timeout` (at most half
of `timeout`), and its verdict is NOT_SENT, never "may have reached the server". Real
sockets: a listening port that never accepts, its accept queue filled first."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    ClientSettings,
    CreateGroupRequest,
    GroupService,
    StaticTokenProvider,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.secret_scan import exception_texts, leaks
from tests.support.stalled_socket import TokenThenStall, stalled_port

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


@pytest.fixture
def stalled() -> Iterator[str]:
    with stalled_port() as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("timeout", "connect_timeout", "bound"),
    [
        (1.0, None, 0.5),  # the default (3 s), capped at half of the call's timeout
        (3.0, 0.3, 0.3),
        (0.8, 0.8, 0.4),  # as long as the call's: capped, so the connect's bound runs out first
        (2.0, 0.25, 0.25),
    ],
)
async def test_a_stalled_connect_is_not_sent(
    stalled: str,
    session: aiohttp.ClientSession,
    timeout: float,
    connect_timeout: float | None,
    bound: float,
) -> None:
    chosen = {} if connect_timeout is None else {"connect_timeout": connect_timeout}
    token = secrets.token_hex(16)
    groups = GroupService(
        session,
        StaticTokenProvider(token),
        base_url=stalled,
        oapi_base_url=stalled,
        timeout=timeout,
        **chosen,
    )
    for call in (lambda: groups.create(REQUEST), lambda: groups.get("chat" + "0" * 32)):
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            await call()
        took = time.monotonic() - started
        error = caught.value
        assert error.verdict is Verdict.NOT_SENT
        assert error.reached_wire is False
        assert "may have reached" not in str(error)
        assert f"within {bound:g}s" in str(error)
        assert bound * 0.8 <= took < timeout
        assert leaks(list(exception_texts(error)), [token]) == []  # the legacy URL's token


async def test_a_slow_reply_after_the_connect_is_still_unknown(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """The connect's bound only covers the connect: a reply slower than the call's timeout
    over an open connection may have been acted on."""
    groups = GroupService(
        session,
        StaticTokenProvider(emulator.issue_token()),
        base_url=emulator.base_url,
        timeout=0.6,
        connect_timeout=0.1,
    )
    emulator.delay_next(1, seconds=2, api="im.group.create")
    with pytest.raises(TransportError) as caught:
        await groups.create(REQUEST)
    assert caught.value.verdict is Verdict.UNKNOWN


async def test_a_stalled_connect_after_the_token_is_not_sent(
    session: aiohttp.ClientSession,
) -> None:
    """A token, then the call's connect stalls (`TokenThenStall`): not sent."""
    async with TokenThenStall(secrets.token_hex(16)) as server:
        provider = AppTokenProvider(
            session, app_key="k", app_secret="s" * 16, base_url=server.base_url
        )
        groups = GroupService(
            session, provider, base_url=server.base_url, timeout=2, connect_timeout=0.2
        )
        with pytest.raises(TransportError) as caught:
            await groups.create(REQUEST)
        assert server.served == 1
        assert caught.value.verdict is Verdict.NOT_SENT


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "1", True])
def test_connect_timeout_must_be_a_positive_number(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="connect_timeout"):
        ClientSettings(connect_timeout=value)  # type: ignore[arg-type]
