"""The robot message API: every endpoint of the family, and the error codes it adds.

All its refusals come as HTTP 400 but `system.error`
(https://open.dingtalk.com/document/development/the-robot-sends-a-group-message and the
pages linked from each declaration).
"""

from __future__ import annotations

from .._core.endpoint import Family
from ..errors import (
    ErrorCodes,
    GroupDisbandedError,
    InvalidParameterError,
    RateLimitError,
    RobotNotInGroupError,
    RobotNotOwnedError,
    RobotStoppedError,
    UnknownSendResultError,
)
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

__all__ = [
    "QUERY_GROUP_ROBOTS",
    "QUERY_READ_STATUS",
    "RECALL_GROUP_MESSAGES",
    "ROBOT",
    "SEND_GROUP_MESSAGE",
]

_DOCS = "https://open.dingtalk.com/document/development/"

ROBOT = Family(
    "robot",
    codes=ErrorCodes(
        classes={
            "invalidParameter.robotCode.empty": RobotNotInGroupError,
            "invalidParameter.robotCode.notExsit": RobotNotInGroupError,  # sic
            "invalidParameter.robotCode": RobotNotInGroupError,  # recall's spelling
            "invalidParameter.robotCode.auth": RobotNotOwnedError,
            "not.allowed.robotCode": RobotNotOwnedError,
            "bot.stopped": RobotStoppedError,
            "group.disbanded": GroupDisbandedError,
            "unknown.send.result": UnknownSendResultError,
            # Rate limits come as HTTP 400: nothing was posted; slow down.
            "send.too.fast": RateLimitError,
            "send.byToken.tooFast": RateLimitError,
            "too.many.group": RateLimitError,
            "too.many.people": RateLimitError,
            # The request itself is wrong: fix it.
            "invalidParameter.msgParam.tooLong": InvalidParameterError,
            "invalidParameter.msgParam.invalid": InvalidParameterError,
            "invalidParameter.msgKey.invalid": InvalidParameterError,
            "invalidParameter.msgKey.empty": InvalidParameterError,
            "invalidParameter.msg.unsupport": InvalidParameterError,
            "invalidParameter.param.invalid": InvalidParameterError,
            "invalidParameter.robotCode.missing": InvalidParameterError,
            "invalidParameter.robotCode.invalid": InvalidParameterError,
            "invalid.openConversationId": InvalidParameterError,
            "miss.openConversationId": InvalidParameterError,
            "illegal.openconevrsation.id": InvalidParameterError,  # sic, the robots query's
            "invalid.processQueryKey": InvalidParameterError,
            "invalidParameter.processQueryKey.missing": InvalidParameterError,
            "invalidParameter.processQueryKeys.overMax": InvalidParameterError,
            "invalidParameter.pageSize.invalid": InvalidParameterError,
            "invalidParameter.cursor.invalid": InvalidParameterError,
        },
        refusals={
            "processQueryKey.expireTime",  # read status not ready yet, or expired
            "only.groupAdmin.canAtAll",
            "conversation.org.notMatch",
            "conversation.org.dismatch",
            "send.forbidden",
            "bot.forbidden.sendMessage",
            "unauthorized",
            "auth.error",
            "reject",
            "template.not.existed",
            "template.stopped",
            "contain.unsafe.url",
            "contain.notAllowed.text",
            "contain.notAllowed.picture",
            "contain.notAllowed.content",
        },
    ),
)

#: Not safe to repeat: a second send posts the message twice.
SEND_GROUP_MESSAGE = ROBOT.endpoint(
    "POST",
    "/v1.0/robot/groupMessages/send",
    request=GroupMessage,
    result=SendResult,
    repeat_safe=False,
    doc=_DOCS + "the-robot-sends-a-group-message",
)
#: A message recalled twice is recalled.
RECALL_GROUP_MESSAGES = ROBOT.endpoint(
    "POST",
    "/v1.0/robot/groupMessages/recall",
    request=RecallRequest,
    result=RecallResult,
    repeat_safe=True,
    doc=_DOCS + "enterprise-chatbot-withdraws-internal-group-messages",
)
QUERY_READ_STATUS = ROBOT.endpoint(
    "POST",
    "/v1.0/robot/groupMessages/query",
    request=ReadStatusQuery,
    result=ReadStatusPage,
    repeat_safe=True,
    doc=_DOCS + "chatbot-queries-the-read-status-of-a-message",
)
QUERY_GROUP_ROBOTS = ROBOT.endpoint(
    "POST",
    "/v1.0/robot/groups/robots/query",
    request=GroupRobotsQuery,
    result=GroupRobots,
    repeat_safe=True,
    doc=_DOCS + "obtain-the-list-of-robots-in-the-group",
)
