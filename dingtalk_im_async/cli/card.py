"""`dingtalk-im card`: send a card to groups, change its data, and end a card left typing.

Many groups (the groups of a create run's results, say) go through `dingtalk-im
bulk --operation card`, one record per card (docs/cards.md shows how to turn a
results file into card records).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from .._core.wire import to_wire
from ..cards.models import (
    CallbackType,
    CreateAndDeliverRequest,
    GroupSpace,
    StreamingUpdate,
    UpdateCardRequest,
)
from ..errors import DingTalkError, PartialDeliveryError, RequestValidationError, Verdict
from ._client import Connection, Target, connect, connection_options, target_from
from ._shown import error_text
from ._signals import exiting_on_signals

__all__ = ["card"]

T = TypeVar("T")

#: What the failure line says about the card, by verdict.
_OUTCOME = {
    Verdict.NOT_SENT: "nothing was sent",
    Verdict.REJECTED: "DingTalk refused it; nothing was changed",
    Verdict.UNKNOWN: "it MAY have taken effect: sending the same card again (the same "
    "--out-track-id) is safe",
}


def _params(pairs: tuple[str, ...], data_json: str | None) -> dict[str, str]:
    """`--param KEY=VALUE` pairs over `--data-json`'s object (its values as strings)."""
    params: dict[str, str] = {}
    if data_json is not None:
        try:
            loaded = json.loads(data_json)
        except ValueError as error:
            raise click.UsageError(f"--data-json is not JSON: {error}") from None
        if not isinstance(loaded, dict):
            raise click.UsageError("--data-json must be a JSON object")
        params.update(
            {
                key: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for key, v in loaded.items()
            }
        )
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise click.UsageError(f"--param takes KEY=VALUE, got {pair!r}")
        params[key] = value
    return params


def _run(target: Target, call: Callable[[Connection], Awaitable[T]], *, unknown: str) -> T:
    """Run `call` on a connection; a failure prints its verdict and exits 1."""

    async def main() -> T:
        async with connect(target) as connection:
            return await call(connection)

    with exiting_on_signals(unknown) as signals:
        try:
            result = asyncio.run(main())
        except PartialDeliveryError as partial:
            for space, message in partial.failed.items():
                click.echo(f"not delivered to {space}: {message}", err=True)
            click.echo(f"card {partial.out_track_id} exists; sending it again is safe", err=True)
            sys.exit(signals.exit_code or 1)
        except DingTalkError as error:
            click.echo(f"failed: {error_text(error)}", err=True)
            click.echo(f"({_OUTCOME[error.verdict]})", err=True)
            sys.exit(signals.exit_code or 1)
    if signals.exit_code:
        sys.exit(signals.exit_code)
    return result


@click.group("card")
def card() -> None:
    """Interactive cards: send one to groups, change its data, end one left typing."""


@card.command("send")
@click.option(
    "--group",
    "groups",
    multiple=True,
    required=True,
    help="openConversationId of a group (repeat for several); the robot must be in it.",
)
@click.option("--template", required=True, help="The card template's id (cardTemplateId).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A card parameter.")
@click.option("--data-json", help="The card parameters as a JSON object.")
@click.option(
    "--out-track-id",
    help="The card's id (at most 64 characters); give one to make sending again safe. "
    "Default: a new random one.",
)
@click.option(
    "--robot-code",
    envvar="DINGTALK_ROBOT_CODE",
    show_envvar=True,
    help="The robot that delivers; default: the app's own robot (its code is the app key).",
)
@click.option("--stream-callbacks", is_flag=True, help="Button presses come over Stream mode.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@connection_options
def send_card(
    *,
    groups: tuple[str, ...],
    template: str,
    params: tuple[str, ...],
    data_json: str | None,
    out_track_id: str | None,
    robot_code: str | None,
    stream_callbacks: bool,
    as_json: bool,
    **given: Any,
) -> None:
    """Create a card and deliver it to groups (POST
    /v1.0/card/instances/createAndDeliver); prints each group's carrierId.

    With --emulator the groups are made in the in-process emulator first.
    """
    target = target_from(given)
    fields: dict[str, Any] = {
        "card_template_id": template,
        "spaces": [GroupSpace(open_conversation_id=cid, robot_code=robot_code) for cid in groups],
        "card_data": _params(params, data_json),
        "callback_type": CallbackType.STREAM if stream_callbacks else None,
    }
    if out_track_id is not None:
        fields["out_track_id"] = out_track_id
    try:
        request = CreateAndDeliverRequest(**fields)
    except RequestValidationError as error:
        raise click.UsageError(f"invalid card: {error}") from None

    async def call(connection: Connection) -> Any:
        if connection.emulator is not None:
            for cid in groups:
                await connection.emulator.add_group(
                    name="emulated group", owner="manager4220", open_conversation_id=cid
                )
        return await connection.client.cards.create_and_deliver(request)

    result = _run(target, call, unknown="the card may or may not have been sent")
    if as_json:
        click.echo(json.dumps(to_wire(result), ensure_ascii=False))
        return
    again = "  (it existed: delivered again)" if result.replayed else ""
    click.echo(f"outTrackId  {result.out_track_id}{again}")
    for delivery in result.deliveries:
        click.echo(f"{delivery.space}  carrierId {delivery.carrier_id}")


@card.command("update")
@click.argument("out_track_id")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A card parameter.")
@click.option("--data-json", help="The card parameters as a JSON object.")
@click.option(
    "--merge", is_flag=True, help="Change only the keys given (default: replace them all)."
)
@connection_options
def update_card(
    *, out_track_id: str, params: tuple[str, ...], data_json: str | None, merge: bool, **given: Any
) -> None:
    """Give a card new data (PUT /v1.0/card/instances), everywhere it is shown."""
    target = target_from(given)
    try:
        request = UpdateCardRequest(
            out_track_id=out_track_id, card_data=_params(params, data_json), merge=merge
        )
    except RequestValidationError as error:
        raise click.UsageError(f"invalid update: {error}") from None

    async def call(connection: Connection) -> Any:
        return await connection.client.cards.update(request)

    _run(target, call, unknown="the update may or may not have been applied; it is safe to repeat")
    click.echo(f"updated {out_track_id}")


@card.command("end")
@click.argument("out_track_ids", nargs=-1, required=True)
@click.option("--key", default="content", show_default=True, help="The card's streaming variable.")
@click.option(
    "--text",
    default="（已中断）",
    show_default=True,
    help="Appended to what the card shows (DingTalk refuses an empty frame).",
)
@click.option("--finished", is_flag=True, help="Mark it finished instead of failed.")
@connection_options
def end_card(
    *, out_track_ids: tuple[str, ...], key: str, text: str, finished: bool, **given: Any
) -> None:
    """End AI cards left "typing" (by a process that crashed): one final streaming frame
    each (PUT /v1.0/card/streaming), failed unless --finished."""
    target = target_from(given)
    try:
        frames = [
            StreamingUpdate(
                out_track_id=track,
                key=key,
                content=text,
                is_finalize=finished,
                is_error=not finished,
            )
            for track in out_track_ids
        ]
    except RequestValidationError as error:
        raise click.UsageError(str(error)) from None

    async def call(connection: Connection) -> list[str]:
        failed = []
        for frame in frames:
            try:
                await connection.client.cards.stream(frame)
            except DingTalkError as error:
                click.echo(f"{frame.out_track_id}: {error}", err=True)
                failed.append(frame.out_track_id)
        return failed

    failed = _run(target, call, unknown="some cards may have been ended")
    for frame in frames:
        if frame.out_track_id not in failed:
            click.echo(f"ended {frame.out_track_id} ({'finished' if finished else 'failed'})")
    if failed:
        sys.exit(1)
