"""`GroupService`: the group-management API, one line per endpoint over the shared transport."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterable, Iterable

from .._core.fields import IdList
from .._core.service import ServiceBase
from ..bulk import BulkRun, bulk_options
from ..pacing import Pacer
from ..settings import BulkOptions
from .api import (
    CONVERT_TO_OPEN_CONVERSATION_ID,
    CREATE_GROUP,
    GET_GROUP,
    SUB_ADMINISTRATORS,
    UPDATE_GROUP,
    UPDATE_GROUP_NICK,
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
    UpdateGroupNickRequest,
    UpdateGroupNickResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)

__all__ = ["GroupService"]


class GroupService(ServiceBase):
    """DingTalk's group API over a caller-owned, shared `aiohttp.ClientSession`.

    One instance serves any number of concurrent calls; keep it for the life
    of the application. `settings` (a `ClientSettings`, or any of its fields
    by name) says where calls go and how: `base_url` defaults to
    `$DINGTALK_BASE_URL`, else `https://api.dingtalk.io`, and `oapi_base_url`
    (the legacy host) to `$DINGTALK_OAPI_BASE_URL`, else
    `https://oapi.dingtalk.io`; calls are paced per API (20 per second by
    default), or by `pacer`.

    Two ids name a group: keep both from `create`'s result. `update`, `get`
    and nicknames take the `chatid`; admins (and robot messages) the
    `open_conversation_id`. Only chatid -> openConversationId converts
    (`open_conversation_id(chatid)`); there is no way back.
    """

    def __repr__(self) -> str:
        return f"GroupService(base_url={self.base_url!r})"

    async def create(self, request: CreateGroupRequest) -> CreateGroupResult:
        """Create one group (`POST /v1.0/im/group/create`).

        Not idempotent: an error whose `verdict` is `UNKNOWN` means the group
        may exist. Only HTTP 500 `system.error` is retried.
        """
        return await self._transport.call(CREATE_GROUP, request)

    def create_many(
        self,
        requests: Iterable[CreateGroupRequest] | AsyncIterable[CreateGroupRequest],
        options: BulkOptions | None = None,
        *,
        pacer: Pacer | None = None,
        **by_name: object,
    ) -> BulkRun[CreateGroupRequest, CreateGroupResult]:
        """Create a group per request, yielding a `BulkOutcome` for each as it finishes.

        Reads `requests` (sync or async) lazily; `options` (a `BulkOptions`, or
        any of its fields by name) sets how many calls are in flight, their
        rate (the service's pacing by default; `pacer` for a fleet's
        `RedisPacer`) and how often an input refused with `RateLimitError` is
        put back. No other error is retried here, since creating is not
        idempotent.

            async with groups.create_many(requests) as outcomes:
                async for outcome in outcomes:
                    print(outcome.index, outcome.result or outcome.error)

        Leaving the `async with` block early cancels the calls in flight.
        """
        chosen, run_pacer = bulk_options(options, by_name, pacer=pacer)
        return BulkRun(self.create, requests, chosen, pacer=run_pacer)

    async def update(self, request: UpdateGroupRequest) -> UpdateGroupResult:
        """Change the group `request.chatid` (`POST /v1.0/im/group/update`): members, owner,
        name, icon, settings, in one call; unset fields are left as they are.

        Safe to repeat: it sets state, so an `UNKNOWN` outcome may be sent again.
        """
        return await self._transport.call(UPDATE_GROUP, request)

    async def open_conversation_id(self, chatid: str) -> str:
        """The openConversationId of the group `chatid` (`POST
        /v1.0/im/chat/{chatId}/convertToOpenConversationId`): the only conversion."""
        request = OpenConversationIdRequest(chatid=chatid)
        result = await self._transport.call(CONVERT_TO_OPEN_CONVERSATION_ID, request)
        return result.open_conversation_id

    async def update_admins(self, request: UpdateAdminsRequest) -> UpdateAdminsResult:
        """Make `request.user_ids` admins of the group, or plain members again, as
        `request.role` says (`POST /v1.0/im/subAdministrators`, keyed by the
        openConversationId). Safe to repeat."""
        return await self._transport.call(SUB_ADMINISTRATORS, request)

    async def get(self, chatid: str) -> GroupInfo:
        """Read the group `chatid` back (the legacy `GET {oapi}/chat/get`, the only
        documented read): name, owner, members, settings, status.

        The token travels in the query string there; it is never logged, nor put in an
        error. Unknown chatids raise `GroupNotFoundError`.
        """
        return await self._transport.call(GET_GROUP, GetGroupRequest(chatid=chatid))

    async def update_nick(self, request: UpdateGroupNickRequest) -> UpdateGroupNickResult:
        """Set a member's nickname in the group `request.chatid` (the legacy `POST
        {oapi}/topapi/chat/updategroupnick`). Safe to repeat: it sets state."""
        return await self._transport.call(UPDATE_GROUP_NICK, request)

    # -- deprecated --------------------------------------------------------------------

    async def add_admins(self, open_conversation_id: str, user_ids: IdList) -> UpdateAdminsResult:
        """Deprecated: `update_admins(UpdateAdminsRequest(..., role=AdminRole.ADMIN))`."""
        _deprecated("add_admins", "AdminRole.ADMIN")
        return await self.update_admins(
            UpdateAdminsRequest(
                open_conversation_id=open_conversation_id, user_ids=user_ids, role=AdminRole.ADMIN
            )
        )

    async def remove_admins(
        self, open_conversation_id: str, user_ids: IdList
    ) -> UpdateAdminsResult:
        """Deprecated: `update_admins(UpdateAdminsRequest(..., role=AdminRole.MEMBER))`."""
        _deprecated("remove_admins", "AdminRole.MEMBER")
        return await self.update_admins(
            UpdateAdminsRequest(
                open_conversation_id=open_conversation_id, user_ids=user_ids, role=AdminRole.MEMBER
            )
        )


def _deprecated(method: str, role: str) -> None:
    warnings.warn(
        f"GroupService.{method} is deprecated: use update_admins(UpdateAdminsRequest("
        f"open_conversation_id=..., user_ids=..., role={role}))",
        DeprecationWarning,
        stacklevel=3,
    )
