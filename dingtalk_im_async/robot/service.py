"""`RobotService`: the app's robot in groups (post, recall, read status, who is installed),
one line per endpoint over the shared transport."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import aiohttp
import attrs

from .._core.fields import IdList, check_text
from .._core.service import ServiceBase
from ..auth import TokenProvider
from ..errors import RequestValidationError
from ..pacing import Pacer
from ..settings import ClientSettings
from .api import QUERY_GROUP_ROBOTS, QUERY_READ_STATUS, RECALL_GROUP_MESSAGES, SEND_GROUP_MESSAGE
from .models import (
    MAX_READ_STATUS_PAGE,
    GroupMessage,
    GroupRobots,
    GroupRobotsQuery,
    ReadStatusPage,
    ReadStatusQuery,
    RecallRequest,
    RecallResult,
    SendResult,
)

__all__ = ["RobotService"]

R = TypeVar("R", GroupMessage, RecallRequest, ReadStatusQuery)


class RobotService(ServiceBase):
    """The robot `robot_code` posting into groups, over a caller-owned `aiohttp.ClientSession`.

    `robot_code` is the robot's code in DingTalk's developer console; for an
    internal app's own robot DingTalk uses the app key (what
    `DingTalkClient` passes unless told otherwise). The robot must already
    be installed in a group to post there (`installed()` checks). The other
    arguments are `GroupService`'s; `DingTalkClient.robot` shares the
    client's session, tokens and pacing.

    Every call counts against the organisation's monthly API quota (5,000
    on DingTalk's standard edition): `CallQuotaExceededError` once spent.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        robot_code: str,
        settings: ClientSettings | None = None,
        pacer: Pacer | None = None,
        **by_name: object,
    ) -> None:
        super().__init__(session, token_provider, settings=settings, pacer=pacer, **by_name)
        self._configure(robot_code=robot_code)

    def _configure(self, **own: Any) -> None:
        robot_code = own.pop("robot_code", None)
        super()._configure(**own)
        try:
            self.robot_code = check_text("robot_code", robot_code)
        except RequestValidationError as error:
            raise ValueError(f"robot_code: {error.rule}") from None

    def __repr__(self) -> str:
        return f"RobotService(robot_code={self.robot_code!r}, base_url={self.base_url!r})"

    async def send(self, message: GroupMessage) -> SendResult:
        """Post `message` into its group (`POST /v1.0/robot/groupMessages/send`) as this
        service's robot, unless the message names another `robot_code`.

        Not idempotent: an error whose `verdict` is `UNKNOWN` (a dropped reply,
        `UnknownSendResultError`) means the message may be in the group; it is
        never resent automatically. Only HTTP 500 `system.error` is retried.
        """
        return await self._transport.call(SEND_GROUP_MESSAGE, self._signed(message))

    async def recall(
        self, request: RecallRequest | str, process_query_keys: IdList | None = None
    ) -> RecallResult:
        """Take back 1 to 20 of this robot's messages in one group, by the keys `send`
        returned (`POST /v1.0/robot/groupMessages/recall`). `RecallResult.failed` maps
        each key that was not recalled to DingTalk's reason. No notice shows in the chat.

        `recall(open_conversation_id, keys)`, the last release's form, still works and
        warns: pass `RecallRequest(open_conversation_id=..., process_query_keys=...)`.
        """
        if isinstance(request, str):
            warnings.warn(
                "recall(open_conversation_id, keys) is deprecated: pass RecallRequest("
                "open_conversation_id=..., process_query_keys=...)",
                DeprecationWarning,
                stacklevel=2,
            )
            request = RecallRequest(
                open_conversation_id=request, process_query_keys=process_query_keys or ()
            )
        return await self._transport.call(RECALL_GROUP_MESSAGES, self._signed(request))

    async def read_status_page(self, query: ReadStatusQuery) -> ReadStatusPage:
        """One page of a message's read status (`POST /v1.0/robot/groupMessages/query`);
        `read_status()` walks them all."""
        return await self._transport.call(QUERY_READ_STATUS, self._signed(query))

    async def read_status(
        self,
        open_conversation_id: str,
        process_query_key: str,
        *,
        page_size: int = MAX_READ_STATUS_PAGE,
    ) -> AsyncIterator[ReadStatusPage]:
        """The read status of a message this robot sent, page by page (`page_size` readers
        per page, at most 200): each page's `send_status` and `read_user_ids`.

            readers = [
                user
                async for page in robot.read_status(cid, key)
                for user in page.read_user_ids
            ]

        DingTalk may answer `processQueryKey.expireTime` for a message sent
        moments ago (its read data is not ready yet) or long ago (expired).
        """
        query = ReadStatusQuery(
            process_query_key=process_query_key,
            open_conversation_id=open_conversation_id,
            robot_code=self.robot_code,
            max_results=page_size,
        )
        while True:
            page = await self.read_status_page(query)
            yield page
            if not page.has_more or not page.next_token:
                return
            query = attrs.evolve(query, next_token=page.next_token)

    async def robots(self, open_conversation_id: str) -> GroupRobots:
        """The robots installed in a group (`POST /v1.0/robot/groups/robots/query`)."""
        query = GroupRobotsQuery(open_conversation_id=open_conversation_id)
        return await self._transport.call(QUERY_GROUP_ROBOTS, query)

    async def installed(self, open_conversation_id: str) -> bool:
        """Whether this service's robot is installed in the group, i.e. may post there."""
        return (await self.robots(open_conversation_id)).has(self.robot_code)

    def _signed(self, request: R) -> R:
        """The request as this robot's unless it names another (anything else is left for
        the transport to refuse with `RequestValidationError`)."""
        if isinstance(request, GroupMessage) and request.robot_code is None:
            # Built directly: `attrs.evolve` costs microseconds on every send.
            return GroupMessage(
                open_conversation_id=request.open_conversation_id,
                message=request.message,
                robot_code=self.robot_code,
                cool_app_code=request.cool_app_code,
            )
        if isinstance(request, (RecallRequest, ReadStatusQuery)) and request.robot_code is None:
            return attrs.evolve(request, robot_code=self.robot_code)
        return request
