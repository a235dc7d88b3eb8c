"""Answering a bot message: through its `sessionWebhook` while that is valid, else the robot API.

The webhook needs no token and lands in the conversation the message came
from, but it expires (per message, 20 to 90 minutes observed) and carries
only text and Markdown. After it expires, or for other kinds of message, the
reply goes through the robot API (`RobotService.send(GroupMessage(...))`),
which reaches groups only. The webhook answers HTTP 200 with an `errcode`
envelope; a non-zero errcode is raised as its typed error, with its verdict.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from attrs import define
from yarl import URL

from .._core import json_codec as _json
from .._core.http import JSON_HEADERS, exchange
from ..errors import (
    COMMON_CODES,
    ErrorCodes,
    RateLimitError,
    ReplyUnavailableError,
    RequestValidationError,
    SessionWebhookExpiredError,
)
from ..robot.messages import RobotMessage
from ._robot_contract import GroupMessage, Markdown, RobotSender, Text
from .models import BotMessage

__all__ = ["Replier", "ReplyResult", "webhook_body"]

logger = logging.getLogger("dingtalk_im_async.stream")

#: What a sessionWebhook's errcodes raise: 300001 its session is over; 130101 "send too
#: fast, exceed 20 times per minute"
#: (https://open.dingtalk.com/document/development/custom-robots-send-group-messages).
WEBHOOK_CODES = COMMON_CODES | ErrorCodes(
    classes={"300001": SessionWebhookExpiredError, "130101": RateLimitError}
)

WEBHOOK = "webhook"
ROBOT = "robot"
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@define(frozen=True, kw_only=True)
class ReplyResult:
    """How a reply went."""

    route: str
    """`"webhook"` (the message's sessionWebhook) or `"robot"` (the robot API)."""
    robot_result: object = None
    """What the robot API returned; None for the webhook, which returns nothing."""


def webhook_body(content: Text | Markdown, at_user_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON the sessionWebhook takes for `content`, @-mentioning `at_user_ids`."""
    body: dict[str, Any]
    if isinstance(content, Text):
        body = {"msgtype": "text", "text": {"content": content.content}}
    else:
        body = {"msgtype": "markdown", "markdown": {"title": content.title, "text": content.text}}
    if at_user_ids:
        body["at"] = {"atUserIds": list(at_user_ids)}
    return body


class Replier:
    """Replies to `BotMessage`s over `session` (the caller's aiohttp session).

    - `robot`: what sends `GroupMessage`s once the webhook cannot (e.g.
      `client.robot`); without it such replies raise `ReplyUnavailableError`;
    - `margin`: a webhook that expires within this many seconds is not used;
    - `allow_http`: accept a plain-http webhook to a host that is not loopback.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        robot: RobotSender | None = None,
        margin: float = 5.0,
        timeout: float = 10.0,
        allow_http: bool = False,
    ) -> None:
        if robot is not None and not isinstance(robot, RobotSender):
            raise TypeError("robot must have an async send(GroupMessage) method")
        self._session = session
        self._robot = robot
        self._margin = margin
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._allow_http = allow_http

    async def reply(
        self,
        message: BotMessage,
        content: str | RobotMessage,
        *,
        at_sender: bool = False,
    ) -> ReplyResult:
        """Answer `message` with `content` (a `str` is sent as `Text`).

        `at_sender` @-mentions the sender in a webhook reply (the robot API's
        plain messages cannot). Raises the webhook's or the robot API's typed
        errors; `ReplyUnavailableError` when neither route can carry it.
        """
        if isinstance(content, str):
            content = Text(content)
        if isinstance(content, (Text, Markdown)) and message.webhook_usable(margin=self._margin):
            mention = (message.sender_staff_id,) if at_sender and message.sender_staff_id else ()
            try:
                await self._post(message, webhook_body(content, mention))
            except SessionWebhookExpiredError:
                if self._robot is None or not message.is_group:
                    raise
                logger.info(
                    "sessionWebhook of %s expired early; replying through the robot API",
                    message.msg_id,
                )
            else:
                return ReplyResult(route=WEBHOOK)
        return await self._send_by_robot(message, content)

    async def _post(self, message: BotMessage, body: dict[str, Any]) -> None:
        # The webhook answers with the legacy host's envelope (HTTP 200, `errcode`), and its
        # URL carries the session: `legacy` keeps aiohttp's errors, which hold it, out.
        await exchange(
            self._session,
            "POST",
            self._webhook_url(message),
            data=_json.encode(body),
            headers=JSON_HEADERS,
            timeout=self._timeout,
            legacy=True,
            codes=WEBHOOK_CODES,
        )

    def _webhook_url(self, message: BotMessage) -> URL:
        url = URL(message.session_webhook or "")
        plain_ok = self._allow_http or url.host in _LOOPBACK
        if (
            not url.host
            or url.scheme not in ("https", "http")
            or (url.scheme == "http" and not plain_ok)
        ):
            raise RequestValidationError("session_webhook", "must be an https URL")
        return url

    async def _send_by_robot(self, message: BotMessage, content: RobotMessage) -> ReplyResult:
        if self._robot is None:
            why = (
                f"cannot carry a {type(content).__name__}"
                if message.webhook_usable(margin=self._margin)
                else "has expired"
            )
            raise ReplyUnavailableError(
                f"message {message.msg_id}: its sessionWebhook {why}, and no robot was given "
                "to reply with"
            )
        if not message.is_group:
            raise ReplyUnavailableError(
                f"message {message.msg_id} came from a one-to-one chat, which the group robot "
                "API cannot reach, and its sessionWebhook cannot carry this reply"
            )
        result = await self._robot.send(
            GroupMessage(open_conversation_id=message.open_conversation_id, message=content)
        )
        return ReplyResult(route=ROBOT, robot_result=result)
