"""How the emulated gateway delivers: routing, acknowledgements, redelivery, and faults.

Each push (a bot message or an event) goes to one live connection that
subscribed to it, picked at random, as DingTalk balances an app's connections
(https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol, 常见问题
"负载均衡"); with none, it waits for one. A redelivery is routed afresh, so it may
reach another connection (another instance of the bot). A push is
done when an acknowledgement with code 200 and no `status: LATER` comes back
for any of its frames; an unacknowledged frame is sent again after
`ack_timeout` (a failure acknowledgement after `later_delay`), up to
`max_redeliveries` times, with a new `messageId` unless switched off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from typing import Any

from attrs import define, field

from . import data as make
from .link import GatewayLink
from .settings import GatewaySettings, GatewayStats, StreamAck, StreamFaults

__all__ = ["AckHook", "Delivery"]

logger = logging.getLogger("dingtalk_im_async.emulator")

#: Called with the acknowledgement that settled a push (a card callback's carries the app's
#: card update in its data).
AckHook = Callable[[StreamAck], None]


@define(kw_only=True, eq=False)
class _Push:
    key: str
    frame_type: str
    topic: str
    data: str
    headers: dict[str, str]
    client_id: str = ""
    duplicate: bool = False
    attempts: int = 0
    acked: bool = False
    message_ids: list[str] = field(factory=list)
    timer: asyncio.TimerHandle | None = None
    on_ack: AckHook | None = None


class Delivery:
    """The gateway's delivery state, shared by every connection of the app."""

    def __init__(
        self,
        *,
        app_id: str,
        settings: GatewaySettings,
        faults: StreamFaults,
        stats: GatewayStats,
        rng: random.Random,
    ) -> None:
        self.app_id = app_id
        self.settings = settings
        self.faults = faults
        self.stats = stats
        self.rng = rng
        self.links: dict[str, GatewayLink] = {}
        self.acks: list[StreamAck] = []
        self._waiting: list[_Push] = []
        self._by_message_id: dict[str, _Push] = {}
        self._system: dict[str, str] = {}  # messageId of a ping / disconnect -> its topic
        self._open: set[_Push] = set()

    @property
    def unacknowledged(self) -> int:
        """Pushes (duplicates left out) not acknowledged yet and not given up."""
        return sum(1 for push in self._open if not push.duplicate)

    def push(
        self,
        frame_type: str,
        topic: str,
        data: str,
        headers: dict[str, str],
        key: str,
        on_ack: AckHook | None = None,
        client_id: str = "",
    ) -> None:
        """Push a frame to a connection of `client_id` (the app's key or a suite's)."""
        self.stats.pushes += 1
        push = _Push(
            key=key,
            frame_type=frame_type,
            topic=topic,
            data=data,
            headers=headers,
            on_ack=on_ack,
            client_id=client_id,
        )
        self._start(push)

    def _start(self, push: _Push) -> None:
        self._open.add(push)
        self._route(push)

    def _route(self, push: _Push) -> None:
        links = [
            link
            for link in self.links.values()
            if link.routable
            and link.client_id == push.client_id
            and link.subscribed(push.frame_type, push.topic)
        ]
        if not links:
            self._waiting.append(push)
            return
        link = self.rng.choice(links)
        if push.message_ids and not self.settings.new_message_id_on_redelivery:
            message_id = push.message_ids[0]
        else:
            message_id = make.message_id()
            push.message_ids.append(message_id)
            self._by_message_id[message_id] = push
        headers = {
            "appId": self.app_id,
            "connectionId": link.connection_id,
            "contentType": "application/json",
            "messageId": message_id,
            "time": str(make.now_ms()),
            "topic": push.topic,
            **push.headers,
        }
        link.send(make.frame_text(push.frame_type, headers, push.data))
        self.stats.frames += 1
        loop = asyncio.get_running_loop()
        push.timer = loop.call_later(self.settings.ack_timeout, self._timed_out, push)

    def _timed_out(self, push: _Push) -> None:
        push.timer = None
        if not push.acked:
            self._again(push)

    def _again(self, push: _Push) -> None:
        push.attempts += 1
        if push.attempts > self.settings.max_redeliveries:
            self.stats.given_up += 1
            self._close(push)
            return
        self.stats.redeliveries += 1
        self._route(push)

    def _close(self, push: _Push) -> None:
        self._open.discard(push)
        if push.timer is not None:
            push.timer.cancel()
            push.timer = None
        for message_id in push.message_ids:
            self._by_message_id.pop(message_id, None)

    def link_opened(self, link: GatewayLink) -> None:
        self.links[link.connection_id] = link
        waiting, self._waiting = self._waiting, []
        for push in waiting:
            self._route(push)

    def link_closed(self, link: GatewayLink) -> None:
        self.links.pop(link.connection_id, None)

    def send_system(self, link: GatewayLink, topic: str, data: dict[str, Any]) -> None:
        message_id = make.message_id()
        self._system[message_id] = topic
        headers = {
            "contentType": "application/json",
            "messageId": message_id,
            "time": str(make.now_ms()),
            "topic": topic,
        }
        link.send(make.frame_text("SYSTEM", headers, make.encode(data)))

    # -- acknowledgements ------------------------------------------------------

    def received(self, link: GatewayLink, text: str) -> None:
        """A message from a client: an acknowledgement, or something to record as unknown."""
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        headers = body.get("headers") if isinstance(body, dict) else None
        message_id = headers.get("messageId") if isinstance(headers, dict) else None
        if not isinstance(message_id, str):
            self.acks.append(_ack(link, "", body, "unknown"))
            return
        assert isinstance(body, dict)
        push = self._by_message_id.get(message_id)
        kind = "push" if push is not None else self._system.pop(message_id, "unknown")
        record = _ack(link, message_id, body, kind)
        self.acks.append(record)
        if push is None:
            return
        if self.rng.random() < self.faults.ack_loss_rate:
            self.stats.acks_lost += 1
            return
        if self.faults.ack_delay > 0:
            asyncio.get_running_loop().call_later(self.faults.ack_delay, self._settle, push, record)
        else:
            self._settle(push, record)

    def _settle(self, push: _Push, ack: StreamAck) -> None:
        if push.acked or push not in self._open:
            return
        if ack.code == 200 and _status(ack.data) != "LATER":
            push.acked = True
            self.stats.acked += 1
            self._close(push)
            if push.on_ack is not None and not push.duplicate:
                try:
                    push.on_ack(ack)
                except Exception:  # the hook's failure is not the delivery's
                    logger.exception("acknowledgement hook of push %s failed", push.key)
            if not push.duplicate and self.rng.random() < self.faults.duplicate_rate:
                self.stats.duplicates += 1
                twin = _Push(
                    key=push.key,
                    frame_type=push.frame_type,
                    topic=push.topic,
                    data=push.data,
                    headers=push.headers,
                    client_id=push.client_id,
                    duplicate=True,
                )
                self._start(twin)
            return
        self.stats.failure_acks += 1
        if push.timer is not None:
            push.timer.cancel()
        loop = asyncio.get_running_loop()
        push.timer = loop.call_later(self.settings.later_delay, self._timed_out, push)

    def shutdown(self) -> None:
        for push in list(self._open):
            self._close(push)
        self._waiting.clear()


def _ack(link: GatewayLink, message_id: str, body: Any, kind: str) -> StreamAck:
    fields = body if isinstance(body, dict) else {}
    code = fields.get("code")
    message = fields.get("message")
    return StreamAck(
        message_id=message_id,
        code=code if isinstance(code, int) else None,
        message=message if isinstance(message, str) else None,
        data=fields.get("data"),
        connection_id=link.connection_id,
        kind=kind,
    )


def _status(data: Any) -> str | None:
    """`status` inside an acknowledgement's `data` (a JSON string), if any."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, str) else None
