"""A span per call through OpenTelemetry (the `otel` extra), recorded by the SDK's in-memory
exporter: what each span says, that it never holds a token, and that an aiohttp
instrumentation on the caller's session nests under it without leaking the legacy
host's token (which travels in the URL)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import aiohttp
import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    PermissionCheckError,
    RetryPolicy,
    TransportError,
)
from dingtalk_im_async.stream import BotMessage, StreamClient
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import INSTANT_RETRIES

CREATE = "im.group.create"
REQUEST = CreateGroupRequest(name="测试群", owner="manager4220", useridlist=["userId"])


class Gate(SpanProcessor):
    """Hands spans to the exporter only while a test of this module records (the provider is
    global, and the rest of the suite's calls would pile up in memory)."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner
        self.open = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.open:
            self.inner.on_end(span)


EXPORTER = InMemorySpanExporter()
GATE = Gate(SimpleSpanProcessor(EXPORTER))
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(GATE)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The SDK's in-memory exporter, recording this test's spans."""
    trace.set_tracer_provider(PROVIDER)  # once per process; later calls only warn
    EXPORTER.clear()
    GATE.open = True
    yield EXPORTER
    GATE.open = False
    EXPORTER.clear()


@pytest.fixture
async def instrumented(spans: InMemorySpanExporter) -> AsyncIterator[aiohttp.ClientSession]:
    """A session of the caller's with opentelemetry-instrumentation-aiohttp-client, as its
    docs show it (no url_filter)."""
    async with aiohttp.ClientSession(
        trace_configs=[create_trace_config(tracer_provider=PROVIDER)]
    ) as session:
        yield session


def service(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **settings: Any
) -> GroupService:
    return service_and_tokens(emulator, session, **settings)[0]


def service_and_tokens(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **settings: Any
) -> tuple[GroupService, AppTokenProvider]:
    tokens = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    settings.setdefault("rate_limit", None)
    settings.setdefault("retry", INSTANT_RETRIES)
    groups = GroupService(
        session,
        tokens,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        **settings,
    )
    return groups, tokens


def ours(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name.startswith("DingTalk ")]


def everything_said(spans: Sequence[ReadableSpan]) -> str:
    """Every name, attribute, event and status text of the spans, as one string."""
    parts = []
    for span in spans:
        parts += [span.name, repr(dict(span.attributes or {})), repr(span.status.description)]
        for event in span.events:
            parts += [event.name, repr(dict(event.attributes or {}))]
    return "\n".join(parts)


async def test_a_call_is_one_client_span_with_its_api_status_and_no_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    groups, tokens = service_and_tokens(emulator, session)
    await groups.create(REQUEST)
    [span] = ours(spans)
    assert span.name == "DingTalk im.group.create"
    assert span.kind is trace.SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    assert attributes == {
        "dingtalk.api": CREATE,
        "http.request.method": "POST",
        "server.address": emulator.base_url.split("://")[1],
        "url.path": "/v1.0/im/group/create",
        "http.response.status_code": 200,
        "dingtalk.retries": 0,
        "dingtalk.replayed": False,
        "dingtalk.pacing.wait": 0.0,
    }
    assert span.status.status_code is trace.StatusCode.UNSET
    token = await tokens.get_token()
    assert token not in everything_said(spans.get_finished_spans())


async def test_the_span_is_a_child_of_the_callers_span(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    with trace.get_tracer("the caller").start_as_current_span("handle request") as parent:
        await service(emulator, session).create(REQUEST)
    [span] = ours(spans)
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id


async def test_retries_and_a_replay_are_counted(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    groups = service(emulator, session, retry=RetryPolicy(attempts=3, initial_wait=0, max_wait=0))
    emulator.faults_for(CREATE).schedule(Fault.SYSTEM_ERROR, 2)
    await groups.create(REQUEST)
    emulator.faults_for(CREATE).schedule(Fault.TOKEN_REVOKED)
    await groups.create(REQUEST)
    retried, replayed = ours(spans)
    assert (retried.attributes or {})["dingtalk.retries"] == 2
    assert (retried.attributes or {})["dingtalk.replayed"] is False
    assert (replayed.attributes or {})["dingtalk.retries"] == 0
    assert (replayed.attributes or {})["dingtalk.replayed"] is True


async def test_a_refusal_says_its_code_status_verdict_and_request_id(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    await emulator.configure(visible_users=["manager4220", "userId"])
    with pytest.raises(PermissionCheckError) as refused:
        await service(emulator, session).create(
            CreateGroupRequest(name="n", owner="stranger", useridlist=["userId"])
        )
    [span] = ours(spans)
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "PermissionCheckError"
    assert attributes["dingtalk.error.code"] == "permession.checkFailed"
    assert attributes["dingtalk.verdict"] == "rejected"
    assert attributes["http.response.status_code"] == 400
    assert attributes["dingtalk.request_id"] == refused.value.request_id
    assert span.status.status_code is trace.StatusCode.ERROR


async def test_an_unknown_outcome_says_so(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    emulator.faults_for(CREATE).schedule(Fault.DROPPED_MID_RESPONSE)
    with pytest.raises(TransportError):
        await service(emulator, session).create(REQUEST)
    [span] = ours(spans)
    assert (span.attributes or {})["dingtalk.verdict"] == "unknown"


async def test_the_pacing_wait_is_measured(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    groups = service(emulator, session, rate_limit=5)
    for _ in range(3):
        await groups.create(REQUEST)
    waits = [(span.attributes or {})["dingtalk.pacing.wait"] for span in ours(spans)]
    assert isinstance(waits[2], float)
    assert waits[2] > 0.1  # 5 per second: about 0.2 s apart


async def test_an_instrumented_session_nests_its_http_span_under_the_call(
    emulator: DingTalkEmulator, instrumented: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    groups, tokens = service_and_tokens(emulator, instrumented)
    await tokens.get_token()
    spans.clear()
    await groups.create(REQUEST)
    [call] = ours(spans)
    [http] = [span for span in spans.get_finished_spans() if span is not call]
    assert http.parent is not None
    assert http.parent.span_id == call.context.span_id
    assert (http.attributes or {}).get("http.status_code", 200) == 200


async def test_a_legacy_call_with_an_instrumented_session_records_no_token(
    emulator: DingTalkEmulator, instrumented: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    """`chat/get` takes the token in its URL: the instrumentation's span (full URL, and an
    exception naming it) would record it, so there is none for legacy calls; the call's own
    span says what happened."""
    groups, tokens = service_and_tokens(emulator, instrumented)
    created = await groups.create(REQUEST)
    token = await tokens.get_token()
    info = await groups.get(created.chatid)
    assert info.chatid == created.chatid
    legacy = [span for span in ours(spans) if span.name == "DingTalk oapi.chat.get"]
    assert len(legacy) == 1
    assert (legacy[0].attributes or {})["http.response.status_code"] == 200
    assert token not in everything_said(spans.get_finished_spans())


async def test_the_control_an_instrumented_legacy_url_does_record_the_token(
    emulator: DingTalkEmulator, instrumented: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    """Why the suppression is needed: the same session, asked for the legacy URL directly,
    records the token (so the check above can see a leak)."""
    token = emulator.issue_token()
    async with instrumented.get(
        f"{emulator.oapi_base_url}/chat/get", params={"access_token": token, "chatid": "c"}
    ) as response:
        await response.read()
    assert token in everything_said(spans.get_finished_spans())


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listen backlog is full: a connection to it hangs in the handshake."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port: int = server.getsockname()[1]
        waiting = []
        for _ in range(3):
            client = socket.socket()
            client.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                client.connect(("127.0.0.1", port))
            waiting.append(client)
        try:
            yield port
        finally:
            for client in waiting:
                client.close()


async def test_a_legacy_call_that_cannot_connect_records_no_token(
    emulator: DingTalkEmulator,
    instrumented: aiohttp.ClientSession,
    spans: InMemorySpanExporter,
    unanswered_port: int,
) -> None:
    """aiohttp's connect timeout names the URL in its message; that must not reach a span
    either."""
    tokens = AppTokenProvider(
        instrumented,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    groups = GroupService(
        instrumented,
        tokens,
        base_url=emulator.base_url,
        oapi_base_url=f"http://127.0.0.1:{unanswered_port}",
        timeout=0.3,
        rate_limit=None,
    )
    token = await tokens.get_token()
    with pytest.raises(TransportError):
        await groups.get("chat1")
    [span] = [span for span in ours(spans) if span.name == "DingTalk oapi.chat.get"]
    assert (span.attributes or {})["dingtalk.verdict"] in ("not_sent", "unknown")
    assert token not in everything_said(spans.get_finished_spans())


def test_without_opentelemetry_the_call_is_not_wrapped() -> None:
    """No `otel` extra: nothing is imported and `Transport.call` is the plain method."""
    script = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"
        "from dingtalk_im_async._core import tracing, transport\n"
        "assert tracing.TRACING is False\n"
        "assert not hasattr(transport.Transport.call, '__wrapped__')\n"
        "assert not any(name.startswith('opentelemetry') and sys.modules[name]"
        " for name in sys.modules)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr


def test_with_opentelemetry_the_call_is_wrapped() -> None:
    from dingtalk_im_async._core import tracing, transport

    assert tracing.TRACING is True
    assert hasattr(transport.Transport.call, "__wrapped__")


async def test_a_stream_reply_through_an_instrumented_session_records_no_session(
    emulator: DingTalkEmulator, instrumented: aiohttp.ClientSession, spans: InMemorySpanExporter
) -> None:
    """A sessionWebhook's URL lets anyone post into the conversation: no span holds it."""
    async with StreamClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        session=instrumented,
        events=False,
    ) as stream:
        emulator.stream.inject_message("hi")
        message = await asyncio.wait_for(anext(aiter(stream)), 10)
        assert isinstance(message, BotMessage)
        await stream.reply(message, "hello")
    assert message.session_webhook is not None
    session = message.session_webhook.split("session=", 1)[1]
    assert [post.body["text"] for post in emulator.stream.webhook_posts] == [{"content": "hello"}]
    assert session not in everything_said(spans.get_finished_spans())
