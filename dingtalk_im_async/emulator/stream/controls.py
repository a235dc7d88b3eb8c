"""The Stream gateway's controls: push messages and events, break connections, read its stats.

The same shape as `groups/controls.py`: `StreamControls` written once, carried
out in process on `emulator.stream` by `LocalStreamControls`, served under
`/_emulator/stream/` by `ADMIN_ROUTES`, sent there by `RemoteStreamControls`.
The gateway's timing and fault rates (`GatewaySettings`, `StreamFaults`) change
with `configure_stream(**fields)`. Near 400 lines because its eleven controls
each come in the family shape's four forms; splitting them would break the
shape every family copies.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Mapping
from typing import Any

import attrs

from .._admin_kit import ADMIN_PREFIX, AdminCall, AdminClient, AdminRoute
from ..controls import DONE, Done
from .gateway import StreamGateway
from .settings import GatewaySettings, GatewayStats, StreamFaults

__all__ = [
    "ADMIN_EVENTS_PATH",
    "ADMIN_MESSAGES_PATH",
    "ADMIN_ROUTES",
    "LocalStreamControls",
    "RemoteStreamControls",
    "StreamControls",
]

#: Where another process (curl, `dingtalk-im listen`'s hint) pushes a bot message and an event.
ADMIN_MESSAGES_PATH = f"{ADMIN_PREFIX}/stream/messages"
ADMIN_EVENTS_PATH = f"{ADMIN_PREFIX}/stream/events"
_SETTING_FIELDS = frozenset(a.name for a in attrs.fields(GatewaySettings))
_FAULT_FIELDS = frozenset(a.name for a in attrs.fields(StreamFaults))


class StreamControls(abc.ABC):
    """Push over the emulated Stream gateway and break its connections on command."""

    @abc.abstractmethod
    async def push_message(
        self,
        text: str = "hello",
        *,
        sender_staff_id: str = "user123",
        open_conversation_id: str | None = None,
        conversation_type: str = "2",
    ) -> dict[str, Any]:
        """Push a user's message to the bot; returns its data (`msgId`, `sessionWebhook`, ...)."""

    @abc.abstractmethod
    async def push_event(self, event_type: str, data: Mapping[str, Any] | None = None) -> str:
        """Push an event (`chat_update_title`, ...) whose data holds `data`; returns its
        `eventId`."""

    @abc.abstractmethod
    async def disconnect_streams(self) -> int:
        """Send `disconnect` on every routable connection now; returns how many."""

    @abc.abstractmethod
    async def drop_streams(self) -> int:
        """Cut every connection's TCP without a close frame; returns how many."""

    @abc.abstractmethod
    async def zombify_streams(self) -> int:
        """Make every live connection silent (pings answered, nothing sent); returns how many."""

    @abc.abstractmethod
    def expire_webhooks(self) -> Awaitable[None]:
        """End every sessionWebhook handed out so far."""

    @abc.abstractmethod
    def fail_webhooks(self, count: int = 1, *, errcode: int, errmsg: str = "") -> Awaitable[None]:
        """Answer the next `count` posts to valid sessionWebhooks with this errcode."""

    @abc.abstractmethod
    def fail_stream_opens(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "系统错误",
    ) -> Awaitable[None]:
        """Answer the next `count` calls to `connections/open` with this error."""

    @abc.abstractmethod
    def reject_stream_tickets(self, count: int = 1) -> Awaitable[None]:
        """Refuse the WebSocket handshake of the next `count` connections (HTTP 403)."""

    @abc.abstractmethod
    async def stream_stats(self) -> GatewayStats:
        """What the gateway did so far: tickets, connections, pushes, acks, redeliveries, ..."""

    @abc.abstractmethod
    def configure_stream(self, **changes: Any) -> Awaitable[None]:
        """Change the gateway's timing (`GatewaySettings` fields, e.g. `ack_timeout`) and
        fault rates (`StreamFaults` fields, e.g. `drop_rate`); an unknown name is a
        TypeError, and nothing changes unless all are valid."""


class LocalStreamControls(StreamControls):
    """The Stream controls carried out on the emulator's own gateway."""

    stream: StreamGateway

    async def push_message(
        self,
        text: str = "hello",
        *,
        sender_staff_id: str = "user123",
        open_conversation_id: str | None = None,
        conversation_type: str = "2",
    ) -> dict[str, Any]:
        return self.stream.inject_message(
            text,
            sender_staff_id=sender_staff_id,
            open_conversation_id=open_conversation_id,
            conversation_type=conversation_type,
        )

    async def push_event(self, event_type: str, data: Mapping[str, Any] | None = None) -> str:
        if not isinstance(event_type, str) or not event_type:
            raise ValueError("eventType is required")
        return self.stream.push_event(event_type, data)

    async def disconnect_streams(self) -> int:
        return self.stream.send_disconnect()

    async def drop_streams(self) -> int:
        return self.stream.drop_connections()

    async def zombify_streams(self) -> int:
        return self.stream.make_zombies()

    def expire_webhooks(self) -> Done:
        self.stream.expire_webhooks()
        return DONE

    def fail_webhooks(self, count: int = 1, *, errcode: int, errmsg: str = "") -> Done:
        self.stream.fail_webhooks(_count(count), errcode=errcode, errmsg=errmsg)
        return DONE

    def fail_stream_opens(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "系统错误",
    ) -> Done:
        self.stream.fail_opens(_count(count), status=status, code=code, message=message)
        return DONE

    def reject_stream_tickets(self, count: int = 1) -> Done:
        self.stream.reject_tickets(_count(count))
        return DONE

    async def stream_stats(self) -> GatewayStats:
        return attrs.evolve(self.stream.stats)

    def configure_stream(self, **changes: Any) -> Done:
        _check_changes(changes)
        settings = {k: v for k, v in changes.items() if k in _SETTING_FIELDS}
        faults = {k: v for k, v in changes.items() if k in _FAULT_FIELDS}
        new_settings = attrs.evolve(self.stream.settings, **settings)
        new_faults = attrs.evolve(self.stream.faults, **faults)
        # The gateway's parts share these objects: change them in place, once all are valid.
        for name in settings:
            setattr(self.stream.settings, name, getattr(new_settings, name))
        for name in faults:
            setattr(self.stream.faults, name, getattr(new_faults, name))
        return DONE


_TYPES = {
    a.name: str(a.type) for a in (*attrs.fields(GatewaySettings), *attrs.fields(StreamFaults))
}


def _check_changes(changes: Mapping[str, Any]) -> None:
    """A TypeError for a name that is no Stream setting or a value of the wrong type."""
    unknown = sorted(set(changes) - _SETTING_FIELDS - _FAULT_FIELDS)
    if unknown:
        raise TypeError(f"unknown Stream settings {unknown}")
    for name, value in changes.items():
        _check_type(name, value)


def _check_type(name: str, value: Any) -> None:
    """A TypeError unless `value` fits the field's declared type (numbers, flags, None)."""
    declared = _TYPES[name]
    if value is None:
        fits = "None" in declared
    elif isinstance(value, bool):
        fits = "bool" in declared
    else:
        fits = isinstance(value, (int, float)) and ("float" in declared or "int" in declared)
        fits = fits and (isinstance(value, int) or "float" in declared)
    if not fits:
        raise TypeError(f"{name} must be {declared}, got {value!r}")


def _count(count: Any) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    return count


class RemoteStreamControls(StreamControls, AdminClient):
    """The Stream controls sent to a running emulator's admin API."""

    async def push_message(
        self,
        text: str = "hello",
        *,
        sender_staff_id: str = "user123",
        open_conversation_id: str | None = None,
        conversation_type: str = "2",
    ) -> dict[str, Any]:
        body = {
            "text": text,
            "senderStaffId": sender_staff_id,
            "openConversationId": open_conversation_id,
            "conversationType": conversation_type,
        }
        found: dict[str, Any] = await self._admin("POST", "/stream/messages", body)
        return found

    async def push_event(self, event_type: str, data: Mapping[str, Any] | None = None) -> str:
        body = {"eventType": event_type, "data": dict(data or {})}
        return str((await self._admin("POST", "/stream/events", body))["eventId"])

    async def disconnect_streams(self) -> int:
        return int((await self._admin("POST", "/stream/disconnect"))["connections"])

    async def drop_streams(self) -> int:
        return int((await self._admin("POST", "/stream/drop"))["connections"])

    async def zombify_streams(self) -> int:
        return int((await self._admin("POST", "/stream/zombies"))["connections"])

    async def expire_webhooks(self) -> None:
        await self._admin("POST", "/stream/webhooks/expire")

    async def fail_webhooks(self, count: int = 1, *, errcode: int, errmsg: str = "") -> None:
        body = {"count": count, "errcode": errcode, "errmsg": errmsg}
        await self._admin("POST", "/stream/webhooks/failures", body)

    async def fail_stream_opens(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "系统错误",
    ) -> None:
        body = {"count": count, "status": status, "code": code, "message": message}
        await self._admin("POST", "/stream/open-failures", body)

    async def reject_stream_tickets(self, count: int = 1) -> None:
        await self._admin("POST", "/stream/ticket-rejections", {"count": count})

    async def stream_stats(self) -> GatewayStats:
        return GatewayStats(**(await self._admin("GET", "/stream/stats")))

    async def configure_stream(self, **changes: Any) -> None:
        _check_changes(changes)  # here first, so a mistake raises what it raises in process
        await self._admin("PATCH", "/stream/settings", changes)


# -- the admin routes ----------------------------------------------------------------------


def _local(call: AdminCall) -> LocalStreamControls:
    return call.controls(LocalStreamControls)


async def _message(call: AdminCall) -> Any:
    """`{"text", "senderStaffId", "openConversationId", "conversationType"}`, all optional."""
    body = await call.body()
    cid = body.get("openConversationId")
    return await _local(call).push_message(
        str(body.get("text", "hello")),
        sender_staff_id=str(body.get("senderStaffId") or "user123"),
        open_conversation_id=cid if isinstance(cid, str) and cid else None,
        conversation_type=str(body.get("conversationType") or "2"),
    )


async def _event(call: AdminCall) -> Any:
    """`{"eventType", "data"}`."""
    body = await call.body()
    data = body.get("data")
    event_type = body.get("eventType")
    if not isinstance(event_type, str):
        raise ValueError("eventType is required")
    event_id = await _local(call).push_event(event_type, data if isinstance(data, dict) else {})
    return {"eventId": event_id}


async def _disconnect(call: AdminCall) -> Any:
    return {"connections": await _local(call).disconnect_streams()}


async def _drop(call: AdminCall) -> Any:
    return {"connections": await _local(call).drop_streams()}


async def _zombies(call: AdminCall) -> Any:
    return {"connections": await _local(call).zombify_streams()}


async def _expire(call: AdminCall) -> Any:
    await _local(call).expire_webhooks()
    return {"expired": True}


async def _fail_webhooks(call: AdminCall) -> Any:
    """`{"count", "errcode", "errmsg"}`."""
    body = await call.body()
    errcode = body.get("errcode")
    if isinstance(errcode, bool) or not isinstance(errcode, int):
        raise ValueError("errcode must be an integer")
    await _local(call).fail_webhooks(
        body.get("count", 1), errcode=errcode, errmsg=str(body.get("errmsg", ""))
    )
    return {"scheduled": body.get("count", 1)}


async def _fail_opens(call: AdminCall) -> Any:
    """`{"count", "status", "code", "message"}`."""
    body = await call.body()
    status = body.get("status", 500)
    if isinstance(status, bool) or not isinstance(status, int):
        raise ValueError("status must be an integer")
    await _local(call).fail_stream_opens(
        body.get("count", 1),
        status=status,
        code=str(body.get("code", "system.error")),
        message=str(body.get("message", "系统错误")),
    )
    return {"scheduled": body.get("count", 1)}


async def _reject(call: AdminCall) -> Any:
    """`{"count"}`."""
    count = (await call.body()).get("count", 1)
    await _local(call).reject_stream_tickets(count)
    return {"scheduled": count}


async def _stats(call: AdminCall) -> Any:
    return attrs.asdict(await _local(call).stream_stats())


async def _settings(call: AdminCall) -> Any:
    stream = _local(call).stream
    return {**attrs.asdict(stream.settings), **attrs.asdict(stream.faults)}


async def _configure(call: AdminCall) -> Any:
    """Fields of `GatewaySettings` and `StreamFaults` by their Python names."""
    await _local(call).configure_stream(**(await call.body()))
    return await _settings(call)


ADMIN_ROUTES = (
    AdminRoute(method="POST", path="/stream/messages", handler=_message),
    AdminRoute(method="POST", path="/stream/events", handler=_event),
    AdminRoute(method="POST", path="/stream/disconnect", handler=_disconnect),
    AdminRoute(method="POST", path="/stream/drop", handler=_drop),
    AdminRoute(method="POST", path="/stream/zombies", handler=_zombies),
    AdminRoute(method="POST", path="/stream/webhooks/expire", handler=_expire),
    AdminRoute(method="POST", path="/stream/webhooks/failures", handler=_fail_webhooks),
    AdminRoute(method="POST", path="/stream/open-failures", handler=_fail_opens),
    AdminRoute(method="POST", path="/stream/ticket-rejections", handler=_reject),
    AdminRoute(method="GET", path="/stream/stats", handler=_stats),
    AdminRoute(method="GET", path="/stream/settings", handler=_settings),
    AdminRoute(method="PATCH", path="/stream/settings", handler=_configure),
)
