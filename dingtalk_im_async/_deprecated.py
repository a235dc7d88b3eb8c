"""The last release's names that moved or went: each still works, with a DeprecationWarning
saying what to use instead, until the release after this one.

Modules ask `resolve(module, name)` from their `__getattr__`; what each old
name stands for is written here once (`MOVED`), as `module:attribute`, and
imported by name when asked for. (The errors package keeps its own old
helpers, `errors/_last_release.py`: it imports nothing above it.)
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["MOVED", "resolve"]

_GROUP_MODELS = "dingtalk_im_async.groups.models"
_ROBOT_MODELS = "dingtalk_im_async.robot.models"
_MESSAGES = "dingtalk_im_async.robot.messages"
_GROUPS_API = "dingtalk_im_async.groups.api"
_ROBOT_API = "dingtalk_im_async.robot.api"
_ENDPOINT = "dingtalk_im_async._core.endpoint"

_GROUP_NAMES = (
    "AdminRole",
    "ChatBannedType",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "GetGroupRequest",
    "GroupInfo",
    "GroupStatus",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OpenConversationIdRequest",
    "OpenConversationIdResult",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "UpdateAdminsRequest",
    "UpdateAdminsResult",
    "UpdateGroupRequest",
    "UpdateGroupResult",
    "ValidationType",
)
_ROBOT_NAMES = (
    "GroupMessage",
    "GroupRobot",
    "GroupRobots",
    "GroupRobotsQuery",
    "MAX_READ_STATUS_PAGE",
    "MAX_RECALL_KEYS",
    "OpenRobotType",
    "ReadStatusPage",
    "ReadStatusQuery",
    "RecallRequest",
    "RecallResult",
    "SendResult",
    "SendStatus",
)
_MESSAGE_NAMES = (
    "ActionCard",
    "Button",
    "ButtonCard",
    "DOCUMENTED_MSG_KEYS",
    "FILE_TYPES",
    "File",
    "Image",
    "Link",
    "MSG_PARAM_MAX_BYTES",
    "Markdown",
    "RawMessage",
    "RobotMessage",
    "Text",
    "encode_msg_param",
    "message_from_wire",
)


def _at(module: str, names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"{module}:{name}" for name in names}


_MODELS = {
    **_at(_GROUP_MODELS, _GROUP_NAMES),
    **_at(_ROBOT_MODELS, _ROBOT_NAMES),
    **_at(_MESSAGES, _MESSAGE_NAMES),
    "NAME_MAX_CHARS": "dingtalk_im_async.groups._fields:NAME_MAX_CHARS",
}

#: Old module -> old name -> where it is now (`module:attribute`), or what builds it.
MOVED: Mapping[str, Mapping[str, str]] = {
    "dingtalk_im_async": {
        "Endpoint": f"{_ENDPOINT}:Endpoint",
        "Host": f"{_ENDPOINT}:Host",
        "GetGroupRequest": f"{_GROUP_MODELS}:GetGroupRequest",
        "OpenConversationIdRequest": f"{_GROUP_MODELS}:OpenConversationIdRequest",
        "OpenConversationIdResult": f"{_GROUP_MODELS}:OpenConversationIdResult",
        "RateLimitedRetry": "dingtalk_im_async.bulk:RateLimitedRetry",
    },
    "dingtalk_im_async.endpoints": {
        **_at(_ENDPOINT, ("Endpoint", "Host", "TOKEN_API", "TOKEN_PATH", "api_name")),
        **_at(
            _GROUPS_API,
            (
                "CONVERT_TO_OPEN_CONVERSATION_ID",
                "CREATE_GROUP",
                "GET_GROUP",
                "SUB_ADMINISTRATORS",
                "UPDATE_GROUP",
            ),
        ),
        **_at(
            _ROBOT_API,
            (
                "QUERY_GROUP_ROBOTS",
                "QUERY_READ_STATUS",
                "RECALL_GROUP_MESSAGES",
                "SEND_GROUP_MESSAGE",
            ),
        ),
    },
    "dingtalk_im_async.models": _MODELS,
    "dingtalk_im_async.models.groups": _at(
        _GROUP_MODELS, ("CreateGroupRequest", "CreateGroupResult")
    ),
    "dingtalk_im_async.models.lifecycle": _at(
        _GROUP_MODELS,
        (
            "AdminRole",
            "GetGroupRequest",
            "GroupInfo",
            "GroupStatus",
            "OpenConversationIdRequest",
            "OpenConversationIdResult",
            "UpdateAdminsRequest",
            "UpdateAdminsResult",
            "UpdateGroupRequest",
            "UpdateGroupResult",
        ),
    ),
    "dingtalk_im_async.models.robot": {
        **_at(_MESSAGES, _MESSAGE_NAMES),
        "GroupMessage": f"{_ROBOT_MODELS}:GroupMessage",
    },
    "dingtalk_im_async.models.robot_inputs": _at(_MESSAGES, ("message_from_wire",)),
    "dingtalk_im_async.models.robot_results": _at(_ROBOT_MODELS, _ROBOT_NAMES),
    "dingtalk_im_async.groups": {
        "CREATE_GROUP_PATH": f"{_GROUPS_API}:CREATE_GROUP.path",
    },
    "dingtalk_im_async.robot": {},
    "dingtalk_im_async.redis_pacer": _at(
        "dingtalk_im_async.fleet", ("RESERVE_SCRIPT", "RedisPacer")
    ),
}

#: What to use instead, where the new home alone does not say it.
_INSTEAD = {
    "Endpoint": "endpoints are declared in a family's api.py (see CONTRIBUTING.md)",
    "Host": "endpoints are declared in a family's api.py (see CONTRIBUTING.md)",
    "GetGroupRequest": "GroupService.get takes the chatid",
    "OpenConversationIdRequest": "GroupService.open_conversation_id takes the chatid",
    "OpenConversationIdResult": "GroupService.open_conversation_id returns the id itself",
    "RateLimitedRetry": "BulkOptions(rate_limited_retries=..., rate_limited_backoff=...)",
    "CREATE_GROUP_PATH": "dingtalk_im_async.groups.api.CREATE_GROUP.path",
}


def resolve(module: str, name: str) -> Any:
    """The object the old `module.name` stands for, with a DeprecationWarning; an
    `AttributeError` for a name the module never had."""
    target = MOVED.get(module, {}).get(name)
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    home, _, path = target.partition(":")
    value: Any = importlib.import_module(home)
    for part in path.split("."):
        value = getattr(value, part)
    instead = _INSTEAD.get(name, f"import it from {home}")
    warnings.warn(
        f"{module}.{name} is deprecated and goes in the next release: {instead}",
        DeprecationWarning,
        stacklevel=3,
    )
    return value
