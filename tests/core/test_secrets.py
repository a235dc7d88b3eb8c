"""Tokens and app secrets never appear in reprs, exception text or log records, even under
chaos (the CLI's output and results file: tests/cli/test_secrets_cli.py)."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    RetryPolicy,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.chaos import ChaosRun
from tests.support.secret_scan import exception_texts, leaks, record_texts

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


async def test_no_token_or_secret_in_errors_reprs_or_logs(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    service = GroupService(
        session, provider, base_url=emulator.base_url, retry=RetryPolicy(initial_wait=0, max_wait=0)
    )
    errors: list[DingTalkError] = []
    emulator.fail_next(3, status=500, code="system.error", api="im.group.create")
    emulator.fail_next(1, status=400, code="parameter.invalid", api="im.group.create")
    emulator.reply_next(
        status=502,
        body=b"<html>bad gateway</html>",
        content_type="text/html",
        api="im.group.create",
    )
    emulator.drop_next(1, api="im.group.create")
    for _ in range(4):
        try:
            await service.create(REQUEST)
        except DingTalkError as error:
            errors.append(error)
    await service.create(REQUEST)
    token = await provider.get_token()
    bad_token_service = GroupService(
        session, StaticTokenProvider("leaky-token-value"), base_url=emulator.base_url
    )
    try:
        await bad_token_service.create(REQUEST)
    except DingTalkError as error:
        errors.append(error)

    assert len(errors) == 5
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(provider), repr(service), repr(bad_token_service.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(StaticTokenProvider("leaky-token-value"))]
    for secret in (token, emulator.app_secret, "leaky-token-value"):
        assert not [text for text in texts if secret in text]
    assert any("retrying" in record.getMessage() for record in caplog.records)


@pytest.mark.slow  # the chaos runs of tests/core/test_chaos.py (shared: run once per session)
@pytest.mark.parametrize("run_name", ["chaos_run", "debug_chaos_run"])
def test_no_secret_or_token_anywhere_in_a_chaos_run(
    run_name: str, request: pytest.FixtureRequest
) -> None:
    """Every fault at once, DEBUG logging of every logger captured (tests/support/chaos.py): neither
    the app secret nor any token the emulator issued is in a log record, the text, repr,
    arguments or traceback of an error or its causes, or a repr of the client's objects."""
    run: ChaosRun = request.getfixturevalue(run_name)
    secrets = {run.app_secret, *run.issued_tokens}
    assert run.tokens_sent == run.issued_tokens  # the spy saw every token in use
    assert len(run.issued_tokens) >= run.injected[Fault.TOKEN_REVOKED] >= 5
    levels = {record.levelno for record in run.log_records}
    assert {logging.DEBUG, logging.WARNING} <= levels  # the capture really was at DEBUG
    texts = [text for record in run.log_records for text in record_texts(record)]
    texts += [repr(outcome) for outcome in run.outcomes]
    errors = [outcome.error for outcome in run.outcomes if outcome.error is not None]
    assert {type(error).__name__ for error in errors} >= {"TransportError", "ResponseError"}
    texts += [text for error in errors for text in exception_texts(error)]
    texts += run.reprs
    assert leaks(texts, secrets) == []
