"""The group-management API: every endpoint of the family, and the error codes it adds.

DingTalk documents every one of them for internal apps only (`appType-企业内部应用`):
a third-party app manages groups through the scene-group family instead.

Each declaration is the single source for its API: method, host, path, API
name, request and result types, whether it is safe to repeat, its codes
and DingTalk's page. `GroupService` calls them; the emulator's routes, bulk
runs and the docs read them.
"""

from __future__ import annotations

from .._core.endpoint import Family, Host
from ..errors import (
    ErrorCodes,
    GroupDisbandedError,
    GroupNotFoundError,
    InvalidParameterError,
    SubAdminLimitError,
    UnknownUserError,
    require_success,
)
from .models import (
    CreateGroupRequest,
    CreateGroupResult,
    GetGroupRequest,
    GroupInfo,
    OpenConversationIdRequest,
    OpenConversationIdResult,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupNickRequest,
    UpdateGroupNickResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)

__all__ = [
    "CONVERT_TO_OPEN_CONVERSATION_ID",
    "CREATE_GROUP",
    "GET_GROUP",
    "GROUPS",
    "SUB_ADMINISTRATORS",
    "UPDATE_GROUP",
    "UPDATE_GROUP_NICK",
]

_DOCS = "https://open.dingtalk.com/document/development/"

GROUPS = Family(
    "groups",
    codes=ErrorCodes(
        classes={
            "invalideChatId": GroupNotFoundError,  # sic, DingTalk's spelling (update, convert)
            "invalidParameter.openConversationId.invalid": GroupNotFoundError,  # sub-admins
            "40016": GroupNotFoundError,  # the legacy read's invalid chatid
            "group.diaband": GroupDisbandedError,  # sic
            "staff.not.found": UnknownUserError,
            "invalid.staffid": UnknownUserError,
            "subadmin.exceed": SubAdminLimitError,
        },
        # Documented for sub-admins: a bad org or role value. Fix the request.
        refusals={"invalidParameter.orgId.invalid", "invalidParamter.role"},  # sic
    ),
)

#: Not safe to repeat: `group/create` has no deduplication key, so a second call makes a
#: second group.
CREATE_GROUP = GROUPS.endpoint(
    "POST",
    "/v1.0/im/group/create",
    request=CreateGroupRequest,
    result=CreateGroupResult,
    repeat_safe=False,
    internal_only=True,
    doc=_DOCS + "create-common-group-new-version-v2",
)
# After create: each of these sets state or reads it, so each is safe to repeat.
UPDATE_GROUP = GROUPS.endpoint(
    "POST",
    "/v1.0/im/group/update",
    request=UpdateGroupRequest,
    result=UpdateGroupResult,
    repeat_safe=True,
    internal_only=True,
    check=require_success,
    doc=_DOCS + "api-updategroup",
)
CONVERT_TO_OPEN_CONVERSATION_ID = GROUPS.endpoint(
    "POST",
    "/v1.0/im/chat/{chatId}/convertToOpenConversationId",
    request=OpenConversationIdRequest,
    result=OpenConversationIdResult,
    repeat_safe=True,
    internal_only=True,
    doc=_DOCS + "obtain-group-openconversationid",
)
SUB_ADMINISTRATORS = GROUPS.endpoint(
    "POST",
    "/v1.0/im/subAdministrators",
    request=UpdateAdminsRequest,
    result=UpdateAdminsResult,
    repeat_safe=True,
    internal_only=True,
    check=require_success,
    doc=_DOCS + "batch-setup-group-administrator",
)
#: The only documented read of these groups, on the legacy host.
GET_GROUP = GROUPS.endpoint(
    "GET",
    "/chat/get",
    host=Host.OAPI,
    request=GetGroupRequest,
    result=GroupInfo,
    repeat_safe=True,
    internal_only=True,
    result_key="chat_info",
    # 43007 needs authorisation, 49000 not a chat of the app, 70001 not allowed.
    codes=ErrorCodes(refusals={"43007", "49000", "70001"}),
    doc=_DOCS + "obtain-a-group-session",
)
#: A member's nickname in the group, on the legacy host: it sets state, so safe to repeat.
UPDATE_GROUP_NICK = GROUPS.endpoint(
    "POST",
    "/topapi/chat/updategroupnick",
    host=Host.OAPI,
    request=UpdateGroupNickRequest,
    result=UpdateGroupNickResult,
    repeat_safe=True,
    internal_only=True,
    check=require_success,
    codes=ErrorCodes(
        classes={
            "34001": GroupNotFoundError,  # invalid chatid
            "40003": UnknownUserError,  # invalid userid
            "60124": UnknownUserError,  # the user is not in the group
            "41049": InvalidParameterError,  # the nickname holds prohibited content
            "400002": InvalidParameterError,  # a parameter is wrong
        }
    ),
    doc="https://help.dingtalk.io/open/development/set-a-group-nickname",
)
