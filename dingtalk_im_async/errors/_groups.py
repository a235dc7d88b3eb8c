"""The refusals of the group-management API that a caller acts on differently: each
class is named by the codes in `groups/api.py`."""

from __future__ import annotations

from ._replies import ApiError

__all__ = ["GroupDisbandedError", "GroupNotFoundError", "SubAdminLimitError", "UnknownUserError"]


class GroupNotFoundError(ApiError):
    """The group id names no group this app can reach: `invalideChatId` (DingTalk's
    spelling; update and convert), `invalidParameter.openConversationId.invalid`
    (sub-admins) or the legacy errcodes 40016 (`chat/get`) and 34001 (nicknames).
    Nothing was changed; check which of the two ids you passed (update, read and
    nicknames take the chatid, admins the openConversationId)."""

    refusal = True


class GroupDisbandedError(ApiError):
    """`group.diaband` (DingTalk's spelling, group management) or `group.disbanded` (robot
    messages): the group was disbanded; nothing was changed or posted, and nothing will
    be. Drop it from your list."""

    refusal = True


class UnknownUserError(ApiError):
    """`staff.not.found` or `invalid.staffid` (the legacy errcodes 40003 and 60124 for
    nicknames): a userId is not an employee the app can see, or not in the group.
    Nothing was changed; fix the list of users."""

    refusal = True


class SubAdminLimitError(ApiError):
    """`subadmin.exceed`: the group would have more admins than DingTalk allows. Nothing
    was changed; remove an admin first."""

    refusal = True
