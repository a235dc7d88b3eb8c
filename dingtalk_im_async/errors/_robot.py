"""The refusals of the robot message API that say what to do about them: each class is
named by the codes in `robot/api.py`."""

from __future__ import annotations

from ._replies import ApiError

__all__ = [
    "RobotNotInGroupError",
    "RobotNotOwnedError",
    "RobotStoppedError",
    "UnknownSendResultError",
]


class _HintedApiError(ApiError):
    """An `ApiError` whose message ends with what to do about it (`hint`)."""

    hint = ""

    def __str__(self) -> str:
        return f"{super().__str__()}. {self.hint}"


class RobotNotInGroupError(_HintedApiError):
    """`invalidParameter.robotCode.empty` (and the recall and read-status spellings): the
    robot is not installed in the group. Nothing was posted."""

    refusal = True
    hint = (
        "Add the app's robot to the group first (group settings > robots, or a group cool "
        "app), then send again; `RobotService.installed(open_conversation_id)` checks"
    )


class RobotNotOwnedError(_HintedApiError):
    """`invalidParameter.robotCode.auth` or `not.allowed.robotCode`: the robot belongs to
    another app than the one whose token was used. Nothing was posted."""

    refusal = True
    hint = (
        "Use the robot code of this app's own robot: for an internal app's robot that is "
        "the app key (`DingTalkClient(robot_code=...)` defaults to it), or the token of "
        "the app that owns the robot"
    )


class RobotStoppedError(_HintedApiError):
    """`bot.stopped`: the robot is disabled in the group or the developer console."""

    refusal = True
    hint = "Enable the robot again (developer console, or the group's robot settings)"


class UnknownSendResultError(_HintedApiError):
    """`unknown.send.result`: DingTalk itself does not know whether the message was posted.

    Always `UNKNOWN`: sending again may post it twice, so nothing resends it.
    """

    hint = (
        "The message may have been posted: look at the group (or its read status) "
        "before sending it again"
    )
