"""The scene-group API (场景群): every endpoint of the family, and the error codes it adds.

Scene groups are made from a group template; they are the only group API a
third-party app may call (all but disband and mute, which are `internal_only`),
and their create takes a dedup key, `uuid` (`dedup_key`), which makes it safe
to send again. Codes are those each page documents
(https://open.dingtalk.com/document/development/create-a-scene-group and the
pages named below); a code DingTalk spells wrong is kept as it is (sic).
"""

from __future__ import annotations

from .._core.endpoint import Family
from ..errors import (
    ErrorCodes,
    GroupDisbandedError,
    GroupNotFoundError,
    GroupTemplateError,
    InvalidParameterError,
    MemberLimitError,
    SubAdminLimitError,
    UnknownUserError,
    require_success,
)
from .member_models import (
    MuteSceneGroupMembersRequest,
    MuteSceneGroupMembersResult,
    SceneGroupMembersPage,
    SceneGroupMembersQuery,
    SceneGroupMuteQuery,
    SceneGroupMuteSettings,
    SceneGroupNickRequest,
    SceneGroupNickResult,
    SceneGroupRobot,
    TemplateRobotQuery,
    UpdateSceneGroupAdminsRequest,
    UpdateSceneGroupAdminsResult,
)
from .models import (
    CreateSceneGroupRequest,
    CreateSceneGroupResult,
    DisbandSceneGroupRequest,
    DisbandSceneGroupResult,
    GetSceneGroupRequest,
    SceneGroupInfo,
    SceneGroupMembersRequest,
    SceneGroupMembersResult,
    UpdateSceneGroupRequest,
    UpdateSceneGroupResult,
)

__all__ = [
    "ADD_SCENE_GROUP_MEMBERS",
    "CREATE_SCENE_GROUP",
    "DISBAND_SCENE_GROUP",
    "GET_SCENE_GROUP",
    "MUTE_SCENE_GROUP_MEMBERS",
    "QUERY_SCENE_GROUP_MEMBERS",
    "REMOVE_SCENE_GROUP_MEMBERS",
    "SCENE_GROUPS",
    "SCENE_GROUP_ADMINS",
    "SCENE_GROUP_MUTE_SETTINGS",
    "SCENE_GROUP_NICKS",
    "SCENE_GROUP_TEMPLATE_ROBOT",
    "UPDATE_SCENE_GROUP",
]

_DOCS = "https://open.dingtalk.com/document/development/"

SCENE_GROUPS = Family(
    "scenegroups",
    codes=ErrorCodes(
        classes={
            # The template: missing or offline, or the group has none of this app's.
            "groupTemplate.notFound": GroupTemplateError,
            "groupPermissionDenied": GroupTemplateError,
            "groupTemplatePermissionDenied": GroupTemplateError,
            "member.exceed": MemberLimitError,
            # The group id names no group (DingTalk's ids are encrypted: a wrong one fails
            # to decrypt); spellings as each page has them.
            "cidEncryptError": GroupNotFoundError,
            "invalidOpenConversationId": GroupNotFoundError,
            "openConversationIdDecriptFailed": GroupNotFoundError,  # sic
            "groupDisbang": GroupDisbandedError,  # sic
            "member.notFound": UnknownUserError,
            "userNotInGroup": UnknownUserError,
            "userNotExists": UnknownUserError,
            "invalidUserId": UnknownUserError,
            "invalidUserIds": UnknownUserError,
            "paramIllegal": InvalidParameterError,
            "paramBlank": InvalidParameterError,
            "invalidParams": InvalidParameterError,
            "commonParamIllegal": InvalidParameterError,
        },
        prefixes=(("groupTemplate.permessionDenied.", GroupTemplateError),),  # sic
        # Documented refusals without a class of their own: the API is still in gray
        # release, the app may not call it, a cool app is missing or not the app's.
        refusals={
            "grayControlDenied",
            "apiPermissionDenied",
            "coolAppUninstalled",
            "coolAppUnexist",
            "coolAppPermissionDenied",
            "auth.error",
        },
    ),
)

#: Not safe to repeat as such (a second call makes a second group), unless the request
#: carries its dedup key, `uuid`: then DingTalk makes one group per key.
CREATE_SCENE_GROUP = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroup/create",
    request=CreateSceneGroupRequest,
    result=CreateSceneGroupResult,
    repeat_safe=False,
    dedup_key="uuid",
    doc=_DOCS + "create-a-scene-group",
)
# After create: each of these sets state or reads it, so each is safe to repeat.
UPDATE_SCENE_GROUP = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroup/update",
    request=UpdateSceneGroupRequest,
    result=UpdateSceneGroupResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "api-updatescenegroup",
)
ADD_SCENE_GROUP_MEMBERS = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroup/member/add",
    request=SceneGroupMembersRequest,
    result=SceneGroupMembersResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "api-addscenegroupmember",
)
REMOVE_SCENE_GROUP_MEMBERS = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroup/member/delete",
    request=SceneGroupMembersRequest,
    result=SceneGroupMembersResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "api-removescenegroupmember",
)
QUERY_SCENE_GROUP_MEMBERS = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroups/members/batchQuery",
    request=SceneGroupMembersQuery,
    result=SceneGroupMembersPage,
    repeat_safe=True,
    doc=_DOCS + "query-group-members",
)
GET_SCENE_GROUP = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroups/query",
    request=GetSceneGroupRequest,
    result=SceneGroupInfo,
    repeat_safe=True,
    doc=_DOCS + "query-group-information",
)
SCENE_GROUP_ADMINS = SCENE_GROUPS.endpoint(
    "PUT",
    "/v1.0/im/sceneGroups/subAdmins",
    request=UpdateSceneGroupAdminsRequest,
    result=UpdateSceneGroupAdminsResult,
    repeat_safe=True,
    check=require_success,
    codes=ErrorCodes(classes={"subAdminNumberExcessive": SubAdminLimitError}),
    doc=_DOCS + "update-group-administrators",
)
SCENE_GROUP_NICKS = SCENE_GROUPS.endpoint(
    "PUT",
    "/v1.0/im/sceneGroups/members/groupNicks",
    request=SceneGroupNickRequest,
    result=SceneGroupNickResult,
    repeat_safe=True,
    check=require_success,
    codes=ErrorCodes(classes={"groupNickForbid": InvalidParameterError}),  # prohibited words
    doc=_DOCS + "update-group-nicknames",
)
#: Internal apps only; a success is HTTP 200 without a body.
MUTE_SCENE_GROUP_MEMBERS = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/sceneGroups/muteMembers/set",
    request=MuteSceneGroupMembersRequest,
    result=MuteSceneGroupMembersResult,
    repeat_safe=True,
    internal_only=True,
    empty_reply=True,
    codes=ErrorCodes(
        classes={
            "invalidParameter.openConversationIdDecError": GroupNotFoundError,
            "invalidParameter.openConversationIdError": GroupNotFoundError,
            "invalidGroupParams": GroupNotFoundError,  # no such group, or no members
            "cannot.find.user": UnknownUserError,
            "invalidParameter.userIdList": InvalidParameterError,
            "invalidParameter.muteStatusError": InvalidParameterError,
        },
        # The owner (and admins) cannot be muted; the group is another organisation's.
        refusals={"cannot.ban.owner", "group.org.checkFailed"},
    ),
    doc=_DOCS + "set-group-members-access-control",
)
#: Internal apps only.
SCENE_GROUP_MUTE_SETTINGS = SCENE_GROUPS.endpoint(
    "GET",
    "/v1.0/im/sceneGroups/muteSettings",
    request=SceneGroupMuteQuery,
    result=SceneGroupMuteSettings,
    repeat_safe=True,
    internal_only=True,
    codes=ErrorCodes(
        classes={
            "invalidParam.openConversationIdDecryptFailed": GroupNotFoundError,
            "invalidParam.openConversationIdEmpry": InvalidParameterError,  # sic
        },
        refusals={"group.org.checkFailed"},
    ),
    doc=_DOCS + "query-group-silence-status",
)
#: Internal apps only: the only documented way to dismiss a group.
DISBAND_SCENE_GROUP = SCENE_GROUPS.endpoint(
    "POST",
    "/v1.0/im/chat/scenegroup/disband",
    request=DisbandSceneGroupRequest,
    result=DisbandSceneGroupResult,
    repeat_safe=True,
    internal_only=True,
    check=require_success,
    doc=_DOCS + "api-dsbandopenscenegroup",
)
SCENE_GROUP_TEMPLATE_ROBOT = SCENE_GROUPS.endpoint(
    "GET",
    "/v1.0/im/sceneGroups/templates/robots",
    request=TemplateRobotQuery,
    result=SceneGroupRobot,
    repeat_safe=True,
    result_key="result",
    codes=ErrorCodes(
        classes={
            "not.found": GroupNotFoundError,
            "unavailable": GroupTemplateError,  # the group has no template
            "auth.failed": GroupTemplateError,  # its template is another app's
            "invalidParam.sceneGroupPermissionDenied": GroupTemplateError,
            "invalidParam.openConversationIdEmpry": InvalidParameterError,  # sic
            "invalidParam.robotCodeEmpry": InvalidParameterError,  # sic
            "invalidParam": InvalidParameterError,
        },
        refusals={"robotDisabled", "robotNotFound", "unauthorized"},
    ),
    doc=_DOCS + "search-group-scene-template-robot",
)
