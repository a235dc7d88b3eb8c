"""A span per API call through OpenTelemetry's API, when it is installed (the `otel` extra).

Without `opentelemetry-api`, `traced` returns the transport's `call` as it is:
nothing is imported, nothing runs per call. With it, each call is one CLIENT
span, `DingTalk <api name>`, a child of the caller's current span, carrying:

- `dingtalk.api`, `http.request.method`, `server.address`, `url.path`;
- `http.response.status_code` of the last reply, and for a failure `error.type`,
  `dingtalk.error.code`, `dingtalk.request_id` and `dingtalk.verdict`
  (`not_sent`, `rejected` or `unknown`), with the span's status ERROR;
- `dingtalk.retries` (sends again after HTTP 500 `system.error`),
  `dingtalk.replayed` (sent again with a fresh token) and
  `dingtalk.pacing.wait` (seconds waited for pacing slots).

Never a token: no header, query or body is recorded. The legacy host takes the
token in the query string, so for its calls `opentelemetry-instrumentation-aiohttp-client`
(which records each request's full URL, and an exception naming it) is
suppressed; the call's own span carries the URL's path, status and outcome.
`without_http_spans` does the same for a Stream reply to a sessionWebhook, whose
URL is a capability to post into the conversation.

The transport notes what only it sees (the status of a success, retries, the
replay, pacing waits) on the `CallFacts` of the call being traced, found in
`CALL_FACTS`: None when tracing is off, so a note costs one context lookup.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from attrs import define

from ..errors import DingTalkError
from .endpoint import Endpoint, Host

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

__all__ = ["CALL_FACTS", "TRACING", "CallFacts", "traced", "without_http_spans"]

#: Whether calls are traced: OpenTelemetry's API is installed (the `otel` extra). Looked up,
#: not imported: the API is imported on the first traced call, so it costs nothing at start-up.
TRACING = importlib.util.find_spec("opentelemetry") is not None
INSTRUMENTATION_NAME = "dingtalk_im_async"

_Call = TypeVar("_Call", bound=Callable[..., Awaitable[Any]])
_Send = TypeVar("_Send", bound=Callable[..., Awaitable[Any]])


class _Hosts(Protocol):
    """What the span reads of the transport: where its calls go."""

    base_url: str
    oapi_base_url: str


@define(kw_only=True)
class CallFacts:
    """What the transport saw during one traced call."""

    status: int | None = None
    """The HTTP status of the reply that succeeded."""
    sends_again: int = 0
    """HTTP sends after the first: retries, and the replay with its own retries."""
    replayed: bool = False
    """Whether the call was sent again with a fresh token after its token was refused."""
    pacing_wait: float = 0.0
    """Seconds spent waiting for pacing slots, over every send."""

    def counting(self, attempt: _Send) -> _Send:
        """`attempt`, counting each of its sends in `sends_again`."""

        def counted(*args: Any) -> Awaitable[Any]:
            self.sends_again += 1
            return attempt(*args)

        return counted  # type: ignore[return-value]


#: The facts of the call being traced in this task; None when tracing is off.
CALL_FACTS: ContextVar[CallFacts | None] = ContextVar("dingtalk_call_facts", default=None)


def traced(call: _Call) -> _Call:
    """`Transport.call`, wrapped in a span per call when OpenTelemetry's API is installed."""
    if not TRACING:
        return call

    @functools.wraps(call)
    async def traced_call(
        transport: _Hosts, endpoint: Endpoint[Any, Any], request: Any, **options: Any
    ) -> Any:
        trace = _api()
        tracer = _tracer()
        legacy = endpoint.host is Host.OAPI
        base = transport.oapi_base_url if legacy else transport.base_url
        with (
            tracer.start_as_current_span(
                f"DingTalk {endpoint.api}",
                kind=trace.SpanKind.CLIENT,
                attributes={
                    "dingtalk.api": endpoint.api,
                    "http.request.method": endpoint.method,
                    "server.address": _host(base),
                    "url.path": endpoint.path,
                },
                record_exception=False,
                set_status_on_exception=False,
            ) as span,
            without_http_spans(legacy),
        ):
            facts = CallFacts()
            reset = CALL_FACTS.set(facts)
            try:
                result = await call(transport, endpoint, request, **options)
            except BaseException as error:
                if span.is_recording():
                    _describe_failure(span, error)
                    _describe(span, facts)
                raise
            finally:
                CALL_FACTS.reset(reset)
            if span.is_recording():
                if facts.status is not None:
                    span.set_attribute("http.response.status_code", facts.status)
                _describe(span, facts)
            return result

    return traced_call  # type: ignore[return-value]


@functools.cache
def _api() -> ModuleType:
    """OpenTelemetry's trace API, imported on the first traced call."""
    from opentelemetry import trace

    return trace


@functools.cache
def _tracer() -> Tracer:
    return _api().get_tracer(INSTRUMENTATION_NAME)  # type: ignore[no-any-return]


def _host(base_url: str) -> str:
    return base_url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]


def _describe(span: Any, facts: CallFacts) -> None:
    replays = 1 if facts.replayed else 0
    span.set_attribute("dingtalk.retries", facts.sends_again - replays)
    span.set_attribute("dingtalk.replayed", facts.replayed)
    span.set_attribute("dingtalk.pacing.wait", facts.pacing_wait)


def _describe_failure(span: Any, error: BaseException) -> None:
    """The failure's type, code, status, request id and verdict; never the request itself."""
    trace = _api()
    span.set_attribute("error.type", type(error).__name__)
    if not isinstance(error, DingTalkError):  # cancelled, or not ours: an unknown outcome
        span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
        return
    span.set_attribute("dingtalk.verdict", error.verdict.value)
    status = getattr(error, "status", None)
    if isinstance(status, int) and status:
        span.set_attribute("http.response.status_code", status)
    for attribute, name in (("dingtalk.error.code", "code"), ("dingtalk.request_id", "request_id")):
        value = getattr(error, name, None)
        if value:
            span.set_attribute(attribute, str(value))
    span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(error).__name__}: {error}"))


@contextlib.contextmanager
def without_http_spans(secret_in_url: bool = True) -> Iterator[None]:
    """No HTTP span from an aiohttp instrumentation while a URL carries a secret (the legacy
    host's token, a sessionWebhook's session): it would record the URL, and exceptions
    naming it. Nothing to do when no instrumentation is installed."""
    if not secret_in_url:
        yield
        return
    try:
        from opentelemetry.instrumentation.utils import suppress_http_instrumentation
    except ImportError:  # no instrumentation package: no HTTP spans to suppress
        yield
        return
    with suppress_http_instrumentation():
        yield
