"""The legacy read carries the token in its query string (`access_token=`): it must never
show in a log line (every logger at DEBUG, aiohttp's included), in an error's text, repr,
arguments, attributes or cause chain, in a repr, or in the CLI's output."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async import (
    DingTalkClient,
    DingTalkError,
    GroupService,
    ResponseError,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import Fault
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.cli_subprocess import run_cli
from tests.support.lifecycle_support import GET_API, new_group
from tests.support.secret_scan import TokenRecordingEmulator, exception_texts, leaks, record_texts


@pytest.fixture
async def emulator() -> AsyncIterator[TokenRecordingEmulator]:
    async with TokenRecordingEmulator() as emu:
        yield emu


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def failures_of_the_read(
    emulator: TokenRecordingEmulator, session: aiohttp.ClientSession
) -> tuple[list[DingTalkError], list[object]]:
    """Read a group back under every kind of failure; the errors and the objects involved."""
    tokens = app_provider(emulator, session)
    groups = GroupService(
        session,
        tokens,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        timeout=0.2,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    )
    chatid = (await new_group(groups)).chatid
    errors: list[DingTalkError] = []

    async def read(service: GroupService = groups) -> None:
        try:
            await service.get(chatid)
        except DingTalkError as error:
            errors.append(error)

    await read()  # a success, for the DEBUG logs of a normal call
    injector = emulator.faults_for(GET_API)
    emulator.delay_next(seconds=1.0, api=GET_API)  # a timeout
    await read()
    injector.schedule(Fault.DROPPED_MID_RESPONSE)  # closed halfway through the body
    await read()
    injector.schedule(Fault.TRUNCATED_JSON)  # malformed JSON
    await read()
    emulator.reply_next(body=b"<html>bad gateway</html>", content_type="text/html", api=GET_API)
    await read()
    emulator.reply_next(  # a redirect, never followed
        status=302, headers={"Location": "https://elsewhere.example/x?y=1"}, api=GET_API
    )
    await read()
    emulator.reply_next(body=b'{"errmsg": "ok", "chat_info": {}}', api=GET_API)  # no errcode
    await read()
    injector.schedule(Fault.TOKEN_REVOKED, 2)  # refused, replayed, refused again
    await read()
    unreachable = GroupService(
        session,
        tokens,
        base_url=emulator.base_url,
        oapi_base_url=f"http://127.0.0.1:{closed_port()}",
    )
    await read(unreachable)  # a connection failure
    return errors, [groups, unreachable, emulator.requests]


async def test_the_query_string_token_is_in_no_error_log_or_repr(
    emulator: TokenRecordingEmulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, aiohttp's included
    for name in ("aiohttp.client", "aiohttp.internal", "dingtalk_im_async", "asyncio"):
        assert logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    errors, objects = await failures_of_the_read(emulator, session)

    kinds = [type(error).__name__ for error in errors]
    assert kinds == [
        "TransportError",  # timeout
        "TransportError",  # dropped mid-body
        "ResponseError",  # truncated JSON
        "ResponseError",  # HTML
        "ResponseError",  # redirect
        "ResponseError",  # no errcode
        "InvalidTokenError",
        "TransportError",  # connection refused
    ]
    assert errors[0].verdict is Verdict.UNKNOWN
    assert isinstance(errors[-1], TransportError)
    assert errors[-1].verdict is Verdict.NOT_SENT
    assert all(isinstance(error, (TransportError, ResponseError)) for error in errors[:6])
    assert len(emulator.issued) >= 2
    texts = [text for error in errors for text in exception_texts(error)]
    texts += [text for record in caplog.records for text in record_texts(record)]
    texts += [repr(item) for item in objects]
    assert caplog.records, "the DEBUG capture saw nothing: the check would prove nothing"
    assert not leaks(texts, emulator.issued)


async def test_the_token_is_not_in_a_client_or_result_repr(
    emulator: TokenRecordingEmulator,
) -> None:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
    ) as client:
        group = await new_group(client.groups)
        info = await client.groups.get(group.chatid)
        texts = [repr(client), repr(client.groups), repr(client.tokens), repr(info), str(info)]
    assert emulator.issued
    assert not leaks(texts, emulator.issued)


async def test_the_token_is_not_in_the_cli_output(emulator: TokenRecordingEmulator) -> None:
    oapi = {"DINGTALK_OAPI_BASE_URL": emulator.oapi_base_url}
    created = await run_cli(
        emulator, ["create-group", "--name", "群", "--owner", "o", "--user", "u", "--json"]
    )
    assert created.code == 0, created.output
    chatid = next(iter(emulator.store)).chatid
    outputs = [created.output]
    read = await run_cli(emulator, ["group", "info", chatid, "--json"], **oapi)
    assert read.code == 0
    assert chatid in read.output
    outputs.append(read.output)
    emulator.reply_next(body=b"{broken", api=GET_API)
    outputs.append((await run_cli(emulator, ["group", "info", chatid], **oapi)).output)
    emulator.delay_next(seconds=3, api=GET_API)
    slow = await run_cli(emulator, ["group", "info", chatid, "--timeout", "0.5"], **oapi)
    outputs.append(slow.output)
    unreachable = {"DINGTALK_OAPI_BASE_URL": f"http://127.0.0.1:{closed_port()}"}
    outputs.append((await run_cli(emulator, ["group", "info", chatid], **unreachable)).output)
    assert [read.code, slow.code] == [0, 1]
    assert "failed" in outputs[2]
    assert "failed" in outputs[3]
    assert "failed" in outputs[4]
    assert len(emulator.issued) >= 1
    assert not leaks(outputs, emulator.issued)
