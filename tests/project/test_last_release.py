"""Every public name of the last release still imports, from where it was: the ones that
stay do so quietly, the ones that moved or went with a DeprecationWarning saying what to
use instead (for one release)."""

from __future__ import annotations

import importlib
import warnings

import pytest

import dingtalk_im_async

#: `dingtalk_im_async.__all__` of the last release.
LAST_RELEASE_FACE = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_OAPI_BASE_URL",
    "MSG_PARAM_MAX_BYTES",
    "OAPI_BASE_URL_ENV",
    "ActionCard",
    "AdminRole",
    "ApiError",
    "AppTokenProvider",
    "BulkOutcome",
    "BulkRun",
    "Button",
    "ButtonCard",
    "CachedToken",
    "CallQuotaExceededError",
    "ChatBannedType",
    "ClientClosedError",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "DingTalkClient",
    "DingTalkError",
    "Endpoint",
    "File",
    "GetGroupRequest",
    "GroupDisbandedError",
    "GroupInfo",
    "GroupMessage",
    "GroupNotFoundError",
    "GroupRobot",
    "GroupRobots",
    "GroupService",
    "GroupStatus",
    "Host",
    "Image",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LegacyRefusalError",
    "Link",
    "LocalPacer",
    "ManagementOptions",
    "ManagementType",
    "Markdown",
    "MemoryTokenCache",
    "MentionAllAuthority",
    "MissingExtraError",
    "OpenConversationIdRequest",
    "OpenConversationIdResult",
    "OpenRobotType",
    "OwnerType",
    "Pacer",
    "PacingError",
    "PermissionCheckError",
    "RateLimitError",
    "RateLimitedRetry",
    "RawMessage",
    "ReadStatusPage",
    "ReadStatusQuery",
    "RecallResult",
    "RedisPacer",
    "RedisTokenCache",
    "ReplyUnavailableError",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "RobotMessage",
    "RobotNotInGroupError",
    "RobotNotOwnedError",
    "RobotService",
    "RobotStoppedError",
    "RunStoppedError",
    "Searchable",
    "SendResult",
    "SendStatus",
    "ServerError",
    "SessionWebhookExpiredError",
    "ShowHistoryType",
    "StaticTokenProvider",
    "SubAdminLimitError",
    "Text",
    "TokenCache",
    "TokenCacheError",
    "TokenProvider",
    "TransportError",
    "UnknownSendResultError",
    "UnknownUserError",
    "UnsuccessfulReplyError",
    "UpdateAdminsRequest",
    "UpdateAdminsResult",
    "UpdateGroupRequest",
    "UpdateGroupResult",
    "ValidationType",
    "Verdict",
    "pacer_key",
]

#: The last release's public modules and the names each offered (its `__all__`).
LAST_RELEASE_MODULES = {
    "dingtalk_im_async.endpoints": "CONVERT_TO_OPEN_CONVERSATION_ID CREATE_GROUP GET_GROUP "
    "QUERY_GROUP_ROBOTS QUERY_READ_STATUS RECALL_GROUP_MESSAGES SEND_GROUP_MESSAGE "
    "SUB_ADMINISTRATORS TOKEN_API TOKEN_PATH UPDATE_GROUP Endpoint Host api_name",
    "dingtalk_im_async.models": "MSG_PARAM_MAX_BYTES NAME_MAX_CHARS ActionCard AdminRole "
    "Button ButtonCard ChatBannedType ConversationTag CreateGroupRequest CreateGroupResult "
    "File GetGroupRequest GroupInfo GroupMessage GroupRobot GroupRobots GroupRobotsQuery "
    "GroupStatus Image Link ManagementOptions ManagementType Markdown MentionAllAuthority "
    "OpenConversationIdRequest OpenConversationIdResult OpenRobotType OwnerType RawMessage "
    "ReadStatusPage ReadStatusQuery RecallRequest RecallResult RobotMessage Searchable "
    "SendResult SendStatus ShowHistoryType Text UpdateAdminsRequest UpdateAdminsResult "
    "UpdateGroupRequest UpdateGroupResult ValidationType",
    "dingtalk_im_async.models.groups": "CreateGroupRequest CreateGroupResult",
    "dingtalk_im_async.models.lifecycle": "AdminRole GetGroupRequest GroupInfo GroupStatus "
    "OpenConversationIdRequest OpenConversationIdResult UpdateAdminsRequest "
    "UpdateAdminsResult UpdateGroupRequest UpdateGroupResult",
    "dingtalk_im_async.models.robot": "DOCUMENTED_MSG_KEYS FILE_TYPES MSG_PARAM_MAX_BYTES "
    "ActionCard Button ButtonCard File GroupMessage Image Link Markdown RawMessage "
    "RobotMessage Text encode_msg_param",
    "dingtalk_im_async.models.robot_inputs": "message_from_wire",
    "dingtalk_im_async.models.robot_results": "MAX_READ_STATUS_PAGE MAX_RECALL_KEYS "
    "GroupRobot GroupRobots GroupRobotsQuery OpenRobotType ReadStatusPage ReadStatusQuery "
    "RecallRequest RecallResult SendResult SendStatus",
    "dingtalk_im_async.groups": "CREATE_GROUP_PATH GroupService",
    "dingtalk_im_async.robot": "RobotService",
    "dingtalk_im_async.redis_pacer": "RESERVE_SCRIPT RedisPacer",
    "dingtalk_im_async.errors": "ApiError CallQuotaExceededError ClientClosedError "
    "DingTalkError GroupDisbandedError InvalidCredentialsError InvalidParameterError "
    "InvalidTokenError LegacyRefusalError MissingExtraError PacingError PermissionCheckError "
    "RateLimitError ReplyUnavailableError RequestValidationError ResponseError "
    "RobotNotInGroupError RobotNotOwnedError RobotStoppedError RunStoppedError ServerError "
    "SessionWebhookExpiredError TransportError UnknownSendResultError Verdict api_error_for "
    "is_token_refusal legacy_error_for mark_not_sent GroupNotFoundError SubAdminLimitError "
    "UnknownUserError UnsuccessfulReplyError require_success DOCUMENTED_REFUSALS "
    "LEGACY_REFUSALS EXCERPT_CHARS",
    "dingtalk_im_async.pacing": "DEFAULT_RATE HEADROOM PACER_KEY_PREFIX RUN_PACER "
    "SERVICE_PACER LocalPacer Pacer check_rate pacer_for pacer_key spacing_for",
    "dingtalk_im_async.tokens": "AppTokenProvider StaticTokenProvider TokenProvider",
    "dingtalk_im_async.token_cache": "CachedToken MemoryTokenCache TokenCache TokenCacheError",
    "dingtalk_im_async.fleet": "DEFAULT_TIMEOUT RESERVE_SCRIPT RedisBacked RedisPacer "
    "RedisTokenCache",
    "dingtalk_im_async.auth": "StaticTokenProvider TokenProvider",
    "dingtalk_im_async.bulk": "DEFAULT_PACING BulkOutcome BulkRun RateLimitedRetry",
    "dingtalk_im_async.client": "DingTalkClient",
}

#: The modules that are only a forwarding address now: every name in them warns.
MOVED_MODULES = {
    "dingtalk_im_async.endpoints",
    "dingtalk_im_async.models",
    "dingtalk_im_async.models.groups",
    "dingtalk_im_async.models.lifecycle",
    "dingtalk_im_async.models.robot",
    "dingtalk_im_async.models.robot_inputs",
    "dingtalk_im_async.models.robot_results",
    "dingtalk_im_async.redis_pacer",
}
#: Names that left the face (or their module) and warn.
LEFT = {
    "dingtalk_im_async": {
        "Endpoint",
        "Host",
        "GetGroupRequest",
        "OpenConversationIdRequest",
        "OpenConversationIdResult",
        "RateLimitedRetry",
    },
    "dingtalk_im_async.groups": {"CREATE_GROUP_PATH"},
    "dingtalk_im_async.errors": {
        "api_error_for",
        "legacy_error_for",
        "mark_not_sent",
        "DOCUMENTED_REFUSALS",
        "LEGACY_REFUSALS",
    },
}


def _import(module: str, name: str) -> tuple[object, list[warnings.WarningMessage]]:
    """`from module import name`, with the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(importlib.import_module(module), name)
    return value, [w for w in caught if issubclass(w.category, DeprecationWarning)]


@pytest.mark.parametrize("name", LAST_RELEASE_FACE)
def test_every_name_of_the_last_releases_face_still_imports(name: str) -> None:
    value, warned = _import("dingtalk_im_async", name)
    assert value is not None
    moved = name in LEFT["dingtalk_im_async"]
    assert bool(warned) is moved, name
    assert (name in dingtalk_im_async.__all__) is not moved
    if moved:
        assert "deprecated" in str(warned[0].message)
        assert warned[0].filename == __file__  # it points at the importing line


@pytest.mark.parametrize(
    ("module", "name"),
    [(module, name) for module, names in LAST_RELEASE_MODULES.items() for name in names.split()],
)
def test_every_name_of_the_last_releases_modules_still_imports(module: str, name: str) -> None:
    value, warned = _import(module, name)
    assert value is not None
    moved = module in MOVED_MODULES or name in LEFT.get(module, set())
    assert bool(warned) is moved, (module, name)


def test_a_name_that_never_was_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = dingtalk_im_async.nothing_here  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        exec("from dingtalk_im_async.models.robot import nothing_here", {})


def test_what_moved_is_the_same_object_as_its_new_home() -> None:
    from dingtalk_im_async.groups.api import CREATE_GROUP
    from dingtalk_im_async.robot.messages import message_from_wire

    assert _import("dingtalk_im_async.endpoints", "CREATE_GROUP")[0] is CREATE_GROUP
    assert _import("dingtalk_im_async.groups", "CREATE_GROUP_PATH")[0] == CREATE_GROUP.path
    assert (
        _import("dingtalk_im_async.models.robot_inputs", "message_from_wire")[0]
        is message_from_wire
    )
    assert _import("dingtalk_im_async.models", "Text")[0] is dingtalk_im_async.Text
