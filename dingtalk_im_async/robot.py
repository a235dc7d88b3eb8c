"""`RobotService`: the app's robot in groups (post, recall, read status, who is installed),
one line per endpoint over the shared transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import aiohttp

from ._retry import RetryPolicy
from ._service import ServiceBase, operation
from .auth import TokenProvider
from .endpoints import (
    QUERY_GROUP_ROBOTS,
    QUERY_READ_STATUS,
    RECALL_GROUP_MESSAGES,
    SEND_GROUP_MESSAGE,
)
from .errors import RequestValidationError
from .models import (
    GroupMessage,
    GroupRobots,
    GroupRobotsQuery,
    ReadStatusPage,
    ReadStatusQuery,
    RecallRequest,
    RecallResult,
    SendResult,
)
from .models._common import check_text
from .models.robot_results import MAX_READ_STATUS_PAGE
from .pacing import DEFAULT_RATE, Pacer

__all__ = ["RobotService"]


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
        base_url: str | None = None,
        oapi_base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limit: float | Pacer | None = DEFAULT_RATE,
        allow_http: bool = False,
    ) -> None:
        super().__init__(
            session,
            token_provider,
            base_url=base_url,
            oapi_base_url=oapi_base_url,
            timeout=timeout,
            retry=retry,
            rate_limit=rate_limit,
            allow_http=allow_http,
        )
        self._configure(robot_code=robot_code)

    def _configure(self, **settings: Any) -> None:
        robot_code = settings.pop("robot_code", None)
        super()._configure(**settings)
        try:
            self.robot_code = check_text("robot_code", robot_code)
        except RequestValidationError as error:
            raise ValueError(f"robot_code: {error.rule}") from None

    def __repr__(self) -> str:
        return f"RobotService(robot_code={self.robot_code!r}, base_url={self.base_url!r})"

    @operation(SEND_GROUP_MESSAGE)
    async def send(self, message: GroupMessage) -> SendResult:
        """Post `message` into its group (`POST /v1.0/robot/groupMessages/send`) as this
        service's robot, unless the message names another `robot_code`.

        Not idempotent: an error whose `verdict` is `UNKNOWN` (a dropped reply,
        `UnknownSendResultError`) means the message may be in the group; it is
        never resent automatically. Only HTTP 500 `system.error` is retried.
        """
        return await self._transport.call(SEND_GROUP_MESSAGE, self._signed(message))

    @operation(RECALL_GROUP_MESSAGES)
    async def recall(
        self, open_conversation_id: str, process_query_keys: Iterable[str]
    ) -> RecallResult:
        """Take back 1 to 20 of this robot's messages in one group, by the keys `send`
        returned (`POST /v1.0/robot/groupMessages/recall`). `RecallResult.failed` maps
        each key that was not recalled to DingTalk's reason. No notice shows in the chat."""
        return await self._transport.call(
            RECALL_GROUP_MESSAGES,
            RecallRequest(
                open_conversation_id=open_conversation_id,
                process_query_keys=process_query_keys,
                robot_code=self.robot_code,
            ),
        )

    @operation(QUERY_READ_STATUS)
    async def read_status_page(self, query: ReadStatusQuery) -> ReadStatusPage:
        """One page of a message's read status (`POST /v1.0/robot/groupMessages/query`);
        `read_status()` walks them all."""
        return await self._transport.call(QUERY_READ_STATUS, query)

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
            query = ReadStatusQuery(
                process_query_key=query.process_query_key,
                open_conversation_id=query.open_conversation_id,
                robot_code=query.robot_code,
                max_results=query.max_results,
                next_token=page.next_token,
            )

    @operation(QUERY_GROUP_ROBOTS)
    async def robots(self, open_conversation_id: str) -> GroupRobots:
        """The robots installed in a group (`POST /v1.0/robot/groups/robots/query`)."""
        return await self._transport.call(
            QUERY_GROUP_ROBOTS, GroupRobotsQuery(open_conversation_id=open_conversation_id)
        )

    async def installed(self, open_conversation_id: str) -> bool:
        """Whether this service's robot is installed in the group, i.e. may post there."""
        return (await self.robots(open_conversation_id)).has(self.robot_code)

    def _signed(self, message: GroupMessage) -> GroupMessage:
        """The message as this robot's unless it names another (anything else is left for
        the transport to refuse with `RequestValidationError`)."""
        if isinstance(message, GroupMessage) and message.robot_code is None:
            return GroupMessage(
                open_conversation_id=message.open_conversation_id,
                message=message.message,
                robot_code=self.robot_code,
                cool_app_code=message.cool_app_code,
            )
        return message
