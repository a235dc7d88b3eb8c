"""How the emulator answers: DingTalk's JSON and error bodies, and the broken replies faults send.

Every DingTalk-made v1.0 reply carries `x-acs-request-id` and `x-acs-trace-id`,
and error bodies repeat the request id as `requestid`. Pages that stand for a
proxy or DingTalk's IP block carry neither, as the real ones do not. Legacy
oapi replies are always HTTP 200 with an `errcode`/`errmsg` envelope.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .._core.endpoint import Host
from ._ids import request_id, trace_id
from .faults import ErrcodeReply, ErrorReply, Fault, Injection, ScheduledReply

__all__ = [
    "HTML_BAD_GATEWAY",
    "IP_BLOCK_BODY",
    "JSON_HINT",
    "carry_out",
    "close_without_reply",
    "cut_off_mid_body",
    "empty_reply",
    "error_reply",
    "fault_reply",
    "html_page",
    "ip_blocked",
    "json_reply",
    "oapi_error",
    "oapi_reply",
    "oapi_request_id",
    "oapi_sub_error",
    "scheduled_reply",
    "truncated_json",
]

#: How a refusal of a body that is not a JSON object says what to send instead.
JSON_HINT = "send a JSON object with Content-Type: application/json"

JSON_TYPE = "application/json;charset=utf-8"
OAPI_JSON_TYPE = "application/json;charset=UTF-8"
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: What a proxy in front of DingTalk sends when the upstream fails.
HTML_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
#: DingTalk's answer to an IP that sent over 10,000 calls in 20 s (blocked for 5 minutes).
IP_BLOCK_BODY = b'{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"%s"}'


def _headers() -> dict[str, str]:
    return {
        "Content-Type": JSON_TYPE,
        "x-acs-request-id": request_id(),
        "x-acs-trace-id": trace_id(),
    }


def json_reply(status: int, payload: dict[str, Any]) -> web.Response:
    """A DingTalk JSON reply with request and trace id headers."""
    return web.Response(status=status, body=_encode(payload).encode(), headers=_headers())


def empty_reply(status: int = 200) -> web.Response:
    """A DingTalk reply without a body (e.g. a scene-group mute's success), with the ids."""
    headers = _headers()
    del headers["Content-Type"]
    return web.Response(status=status, headers=headers)


def error_reply(status: int, code: str, message: str, **extra: Any) -> web.Response:
    """A DingTalk error body: `code`, `message`, `requestid` (equal to the header's id)."""
    headers = _headers()
    payload = {"code": code, "message": message, "requestid": headers["x-acs-request-id"], **extra}
    return web.Response(status=status, body=_encode(payload).encode(), headers=headers)


def oapi_reply(**payload: Any) -> web.Response:
    """A legacy oapi success: HTTP 200, `errcode` 0, `errmsg` "ok" and the payload's keys."""
    return _oapi({"errcode": 0, "errmsg": "ok", **payload})


def oapi_error(errcode: int, errmsg: str, **extra: Any) -> web.Response:
    """A legacy oapi failure: HTTP 200 with `{"errcode", "errmsg", ...extra}`."""
    return _oapi({"errcode": errcode, "errmsg": errmsg, **extra})


def oapi_sub_error(sub_code: str, sub_msg: str) -> web.Response:
    """The oapi gateway's own refusals (bad token, no permission): `errcode` 88 and a sub code."""
    return oapi_error(
        88,
        f"ding talk error[subcode={sub_code},submsg={sub_msg}]",
        sub_code=sub_code,
        sub_msg=sub_msg,
        request_id=oapi_request_id(),
    )


def oapi_request_id() -> str:
    """13 lower-case characters, as the oapi gateway's `request_id`."""
    return request_id().replace("-", "")[:13].lower()


def _oapi(payload: dict[str, Any]) -> web.Response:
    body = _encode(payload).encode()
    return web.Response(status=200, body=body, headers={"Content-Type": OAPI_JSON_TYPE})


def html_page(status: int = 502, body: bytes = HTML_BAD_GATEWAY) -> web.Response:
    """An HTML error page, as a proxy or gateway in front of DingTalk sends it."""
    return web.Response(status=status, body=body, headers={"Content-Type": "text/html"})


def ip_blocked() -> web.Response:
    """HTTP 200 with DingTalk's IP-block body instead of a result."""
    body = IP_BLOCK_BODY % request_id().lower().encode()
    return web.Response(status=200, body=body, headers={"Content-Type": "application/json"})


def scheduled_reply(reply: ScheduledReply) -> web.Response:
    """The reply a test scheduled: its exact bytes, or its error with fresh request ids."""
    if isinstance(reply, ErrorReply):
        return error_reply(reply.status, reply.code, reply.message)
    if isinstance(reply, ErrcodeReply):
        return oapi_error(reply.errcode, reply.errmsg, **reply.extra)
    return web.Response(
        status=reply.status,
        body=reply.body,
        headers={"Content-Type": reply.content_type, **reply.headers},
    )


def fault_reply(fault: Fault, host: Host = Host.API) -> web.Response | None:
    """The reply that replaces the real answer for this fault, or None if it needs the answer.

    On the legacy oapi host the server errors are the envelope's `errcode` -1 (系统繁忙).
    """
    if host is Host.OAPI and fault in (Fault.SYSTEM_ERROR, Fault.SYSTEM_BUSY):
        return oapi_error(-1, "系统繁忙")
    if fault is Fault.SYSTEM_ERROR:
        return error_reply(500, "system.error", "请重试,若始终失败请提交工单")
    if fault is Fault.SYSTEM_BUSY:
        return error_reply(429, "system.busy", "系统繁忙,请稍后重试")
    if fault is Fault.HTML_PAGE:
        return html_page()
    if fault is Fault.IP_BLOCKED:
        return ip_blocked()
    return None


def _body_of(reply: web.Response) -> bytes:
    body = reply.body
    return body if isinstance(body, bytes) else b""


def truncated_json(reply: web.Response) -> web.Response:
    """The same reply, complete at the HTTP level, whose JSON body stops halfway."""
    body = _body_of(reply)
    return web.Response(status=reply.status, body=body[: len(body) // 2], headers=reply.headers)


async def cut_off_mid_body(request: web.Request, reply: web.Response) -> web.StreamResponse:
    """Send the headers (with the full Content-Length) and half the body, then hang up."""
    body = _body_of(reply)
    stream = web.StreamResponse(status=reply.status, headers=reply.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    _hang_up(request)
    return stream


def close_without_reply(request: web.Request) -> web.Response:
    """Close the connection before any byte of a reply; aiohttp then drops the returned reply."""
    _hang_up(request)
    return web.Response()


def _hang_up(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.close()


async def carry_out(
    request: web.Request,
    injection: Injection,
    answer: Callable[[], Awaitable[web.Response]],
    revoke_tokens: Callable[[], object],
    host: Host = Host.API,
) -> web.StreamResponse:
    """Reply to `request` as `injection` says; `answer()` gives the real reply where needed.

    For TOKEN_REVOKED the tokens are revoked before `answer()` runs.
    """
    if injection.delay:
        await asyncio.sleep(injection.delay)
    fault = injection.fault
    if injection.reply is not None:
        if getattr(injection.reply, "applied", False):
            await answer()  # carried out; the client never sees the real answer
        return scheduled_reply(injection.reply)
    if fault is Fault.CONNECTION_CLOSED:
        return close_without_reply(request)
    replacement = fault_reply(fault, host)
    if replacement is not None:
        return replacement
    if fault is Fault.TOKEN_REVOKED:
        revoke_tokens()
    reply = await answer()
    if fault is Fault.DROPPED_MID_RESPONSE:
        return await cut_off_mid_body(request, reply)
    if fault is Fault.TRUNCATED_JSON:
        return truncated_json(reply)
    return reply
