"""`dingtalk-im send`: the app's robot posts one message into one group."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click

from .._core.wire import to_wire
from ..emulator import DingTalkEmulator
from ..errors import DingTalkError, RequestValidationError, Verdict
from ..robot.messages import Markdown, RobotMessage, Text, message_from_wire
from ..robot.models import GroupMessage, SendResult
from ._client import Target, connect, connection_options, target_from
from ._shown import error_text
from ._signals import exiting_on_signals

__all__ = ["send"]

#: What the failure line says about whether the message is in the group, by verdict.
_OUTCOME = {
    Verdict.NOT_SENT: "nothing was sent",
    Verdict.REJECTED: "DingTalk refused it; nothing was posted",
    Verdict.UNKNOWN: "the message MAY have been posted: check the group before sending again",
}


@click.command("send")
@click.option(
    "--group", "open_conversation_id", required=True, help="openConversationId of the group."
)
@click.option("--text", help="Send this plain text (sampleText).")
@click.option("--markdown", help="Send this Markdown (sampleMarkdown); needs --title.")
@click.option("--title", help="Title of a Markdown message (what notifications show).")
@click.option("--msg-key", help="Any message kind by DingTalk's msgKey (with --msg-param).")
@click.option("--msg-param", help="The kind's fields as a JSON object (with --msg-key).")
@click.option(
    "--robot-code",
    envvar="DINGTALK_ROBOT_CODE",
    show_envvar=True,
    help="The robot that posts; default: the app's own robot (its code is the app key).",
)
@click.option("--cool-app-code", help="Needed only when the robot came with a group cool app.")
@click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON.")
@connection_options
def send(
    *,
    open_conversation_id: str,
    text: str | None,
    markdown: str | None,
    title: str | None,
    msg_key: str | None,
    msg_param: str | None,
    robot_code: str | None,
    cool_app_code: str | None,
    as_json: bool,
    **given: Any,
) -> None:
    """Post one message into a group as the app's robot (POST
    /v1.0/robot/groupMessages/send) and print its processQueryKey.

    The robot must already be in the group. With --emulator the group is made
    in the in-process emulator first, with the robot in it.
    """
    target = target_from(given)
    try:
        message = GroupMessage(
            open_conversation_id=open_conversation_id,
            message=_message(text, markdown, title, msg_key, msg_param),
            robot_code=robot_code,
            cool_app_code=cool_app_code,
        )
    except (RequestValidationError, ValueError) as error:
        raise click.UsageError(f"invalid message: {error}") from None
    with exiting_on_signals("the message may or may not have been sent") as signals:
        try:
            result = asyncio.run(_send(target, message))
        except DingTalkError as error:
            click.echo(f"failed: {error_text(error)}", err=True)
            click.echo(f"({_OUTCOME[error.verdict]})", err=True)
            sys.exit(signals.exit_code or 1)
    if signals.exit_code:
        sys.exit(signals.exit_code)
    fields = to_wire(result)
    if as_json:
        click.echo(json.dumps(fields, ensure_ascii=False))
    else:
        click.echo(f"processQueryKey  {result.process_query_key}")


def _message(
    text: str | None,
    markdown: str | None,
    title: str | None,
    msg_key: str | None,
    msg_param: str | None,
) -> RobotMessage:
    """The one message the options describe; a usage error for none, several or half of one."""
    chosen = [name for name, value in (("--text", text), ("--markdown", markdown)) if value]
    if msg_key is not None or msg_param is not None:
        chosen.append("--msg-key")
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --text, --markdown, --msg-key")
    if text is not None:
        return Text(text)
    if markdown is not None:
        if title is None:
            raise click.UsageError("--markdown needs --title")
        return Markdown(title, markdown)
    if msg_key is None or msg_param is None:
        raise click.UsageError("--msg-key and --msg-param go together")
    try:
        param = json.loads(msg_param)
    except ValueError as error:
        raise click.UsageError(f"--msg-param is not JSON: {error}") from None
    return message_from_wire(msg_key, param)


async def _send(target: Target, message: GroupMessage) -> SendResult:
    async with connect(target, robot_code=message.robot_code) as connection:
        if connection.emulator is not None:
            await _emulated_group(connection.emulator, message.open_conversation_id)
        return await connection.client.robot.send(message)


async def _emulated_group(emulator: DingTalkEmulator, open_conversation_id: str) -> None:
    """Make the group `--emulator` posts into, with the app's robot installed."""
    await emulator.add_group(
        name="emulated group", owner="manager4220", open_conversation_id=open_conversation_id
    )
