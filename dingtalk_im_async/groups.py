"""`GroupService`: the IM group API, one line per endpoint over the shared transport."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

from ._service import ServiceBase, operation
from .bulk import DEFAULT_PACING, BulkRun, RateLimitedRetry
from .endpoints import (
    CONVERT_TO_OPEN_CONVERSATION_ID,
    CREATE_GROUP,
    GET_GROUP,
    SUB_ADMINISTRATORS,
    UPDATE_GROUP,
)
from .models import (
    AdminRole,
    CreateGroupRequest,
    CreateGroupResult,
    GetGroupRequest,
    GroupInfo,
    OpenConversationIdRequest,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)
from .pacing import Pacer

__all__ = ["CREATE_GROUP_PATH", "GroupService"]

CREATE_GROUP_PATH = CREATE_GROUP.path


class GroupService(ServiceBase):
    """DingTalk's group API over a caller-owned, shared `aiohttp.ClientSession`.

    One instance serves any number of concurrent calls; keep it for the life
    of the application. `base_url` defaults to `$DINGTALK_BASE_URL`, else
    `https://api.dingtalk.io`, and `oapi_base_url` (the legacy host) to
    `$DINGTALK_OAPI_BASE_URL`, else `https://oapi.dingtalk.io`; `timeout` is
    per HTTP request, in seconds; `rate_limit` paces every call per API (20
    per second by default; a `Pacer`, or None for none).

    Two ids name a group: keep both from `create`'s result. `update` and
    `get` take the `chatid`; admins (and robot messages) the
    `open_conversation_id`. Only chatid -> openConversationId converts
    (`open_conversation_id(chatid)`); there is no way back.
    """

    def __repr__(self) -> str:
        return f"GroupService(base_url={self.base_url!r})"

    @operation(CREATE_GROUP)
    async def create(self, request: CreateGroupRequest) -> CreateGroupResult:
        """Create one group (`POST /v1.0/im/group/create`).

        Not idempotent: an error whose `verdict` is `UNKNOWN` means the group
        may exist. Only HTTP 500 `system.error` is retried.
        """
        return await self._transport.call(CREATE_GROUP, request)

    def create_many(
        self,
        requests: Iterable[CreateGroupRequest] | AsyncIterable[CreateGroupRequest],
        *,
        concurrency: int = 10,
        rate_limit: float | Pacer | object | None = DEFAULT_PACING,
        rate_limited_retries: int = 3,
        rate_limited_backoff: float = 1.0,
    ) -> BulkRun[CreateGroupRequest, CreateGroupResult]:
        """Create a group per request, yielding a `BulkOutcome` for each as it finishes.

        Reads `requests` (sync or async) lazily and keeps at most
        `concurrency` calls in flight. Calls are paced by the service's
        `rate_limit` unless this run's `rate_limit` says otherwise (a number
        of calls per second, a `Pacer` such as a fleet's `RedisPacer`, or
        None). An input refused with `RateLimitError` is put back after
        `rate_limited_backoff` seconds, at most `rate_limited_retries` times;
        no other error is retried here, since creating is not idempotent.

            async with groups.create_many(requests) as outcomes:
                async for outcome in outcomes:
                    print(outcome.index, outcome.result or outcome.error)

        Leaving the `async with` block early cancels the calls in flight.
        """
        return BulkRun(
            self.create,
            requests,
            concurrency=concurrency,
            rate_limit=rate_limit,
            rate_limited=RateLimitedRetry(
                retries=rate_limited_retries, backoff=rate_limited_backoff
            ),
        )

    # -- after create: update, ids, admins, the read back ---------------------------------

    @operation(UPDATE_GROUP)
    async def update(self, request: UpdateGroupRequest) -> UpdateGroupResult:
        """Change the group `request.chatid` (`POST /v1.0/im/group/update`): members, owner,
        name, icon, settings, in one call; unset fields are left as they are.

        Safe to repeat: it sets state, so an `UNKNOWN` outcome may be sent again.
        """
        return await self._transport.call(UPDATE_GROUP, request)

    @operation(CONVERT_TO_OPEN_CONVERSATION_ID)
    async def open_conversation_id(self, chatid: str) -> str:
        """The openConversationId of the group `chatid` (`POST
        /v1.0/im/chat/{chatId}/convertToOpenConversationId`): the only conversion."""
        request = OpenConversationIdRequest(chatid=chatid)
        return (
            await self._transport.call(CONVERT_TO_OPEN_CONVERSATION_ID, request)
        ).open_conversation_id

    @operation(SUB_ADMINISTRATORS)
    async def update_admins(self, request: UpdateAdminsRequest) -> UpdateAdminsResult:
        """Make `request.user_ids` admins of the group, or plain members again, as
        `request.role` says (`POST /v1.0/im/subAdministrators`, keyed by the
        openConversationId). Safe to repeat."""
        return await self._transport.call(SUB_ADMINISTRATORS, request)

    @operation(SUB_ADMINISTRATORS)
    async def add_admins(
        self, open_conversation_id: str, user_ids: Iterable[str]
    ) -> UpdateAdminsResult:
        """Make `user_ids` admins of the group `open_conversation_id` (role 2)."""
        request = UpdateAdminsRequest(
            open_conversation_id=open_conversation_id, user_ids=user_ids, role=AdminRole.ADMIN
        )
        return await self._transport.call(SUB_ADMINISTRATORS, request)

    @operation(SUB_ADMINISTRATORS)
    async def remove_admins(
        self, open_conversation_id: str, user_ids: Iterable[str]
    ) -> UpdateAdminsResult:
        """Make the admins `user_ids` of the group `open_conversation_id` plain members again
        (role 3); they stay in the group."""
        request = UpdateAdminsRequest(
            open_conversation_id=open_conversation_id, user_ids=user_ids, role=AdminRole.MEMBER
        )
        return await self._transport.call(SUB_ADMINISTRATORS, request)

    @operation(GET_GROUP)
    async def get(self, chatid: str) -> GroupInfo:
        """Read the group `chatid` back (the legacy `GET {oapi}/chat/get`, the only
        documented read): name, owner, members, settings, status.

        The token travels in the query string there; it is never logged, nor put in an
        error. Unknown chatids raise `GroupNotFoundError`.
        """
        return await self._transport.call(GET_GROUP, GetGroupRequest(chatid=chatid))
