"""`dingtalk-im listen`: print the app's bot messages and events as JSON lines, to debug its
Stream subscriptions. Status goes to stderr, so stdout can be piped to `jq` or a file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from typing import Any

import click

from .._core.wire import to_wire
from ..emulator import ADMIN_MESSAGES_PATH
from ..errors import DingTalkError
from ..stream import BotMessage, StreamClient, StreamItem, StreamSettings
from ._client import Target, connect, connection_options, target_from
from ._signals import Signals, exiting_on_signals

__all__ = ["listen", "record_of"]

#: Shown instead of the session in a sessionWebhook: it lets anyone post into the chat.
HIDDEN = "<hidden>"


def record_of(item: StreamItem) -> dict[str, Any]:
    """One output line: `kind` (`message` or `event`), then the item's wire fields."""
    wire = to_wire(item)
    if isinstance(item, BotMessage):
        if item.session_webhook is not None:
            base, _, _ = item.session_webhook.partition("?")
            wire["sessionWebhook"] = f"{base}?session={HIDDEN}"
        return {"kind": "message", **wire}
    return {"kind": "event", **wire}


@click.command("listen")
@click.option(
    "--messages/--no-messages",
    default=True,
    show_default=True,
    help="Bot messages: one-to-one chats and group @-mentions (topic /v1.0/im/bot/messages/get).",
)
@click.option(
    "--events/--no-events",
    default=True,
    show_default=True,
    help="Events: every type the app ticked in the developer console (topic *).",
)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many items.")
@click.option("-v", "--verbose", is_flag=True, help="Log connections and reconnects on stderr.")
@connection_options
def listen(
    *,
    messages: bool,
    events: bool,
    count: int | None,
    verbose: bool,
    **given: Any,
) -> None:
    """Print incoming bot messages and events as JSON lines until Ctrl-C (or --count).

    Each frame is acknowledged as it arrives, so DingTalk does not redeliver
    it: while this runs it takes the app's messages from other listeners.
    With --count N, frames after the N-th are answered LATER, not acknowledged,
    so DingTalk delivers them again to the app's next listener.
    """
    if not messages and not events:
        raise click.UsageError("--no-messages and --no-events leave nothing to listen to")
    target = target_from(given)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    if verbose:
        logging.getLogger("dingtalk_im_async.stream").setLevel(logging.INFO)
    with exiting_on_signals("stopped listening") as signals:
        asyncio.run(_listen(target, messages=messages, events=events, count=count, signals=signals))
    sys.exit(signals.exit_code or 0)


async def _listen(
    target: Target,
    *,
    messages: bool,
    events: bool,
    count: int | None,
    signals: Signals | None = None,
) -> None:
    """Listen until `count` items, or a signal that `signals` (the command's) took over."""
    async with contextlib.AsyncExitStack() as stack:
        connection = await stack.enter_async_context(connect(target))
        if connection.emulator is not None:
            _err(f"Emulator at {connection.base_url}. Push a bot message with:")
            _err(
                f"  curl -X POST {connection.base_url}{ADMIN_MESSAGES_PATH} "
                "-H 'Content-Type: application/json' -d '{\"text\": \"hello\"}'"
            )
        stream = StreamClient(
            app_key=connection.app_key,
            app_secret=connection.app_secret,
            base_url=connection.base_url,
            messages=messages,
            events=events,
            allow_http=target.settings.allow_http,
            settings=StreamSettings(max_items=count),
        )
        stop = asyncio.Event()
        stack.enter_context((signals or Signals()).on_loop(lambda _signum: stop.set()))
        try:
            await stream.start()
        except DingTalkError as error:
            raise click.ClickException(f"cannot listen: {error}") from None
        stack.push_async_callback(stream.close)
        _err(f"Listening as app {connection.app_key} (Ctrl-C to stop).")
        printed: list[int] = [0]
        printing = asyncio.ensure_future(_print(stream, count, printed))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({printing, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            printing.cancel()
            await asyncio.wait({printing})
        failure = None if printing.cancelled() else printing.exception()
        if failure is not None:
            raise click.ClickException(f"stopped: {failure}")
        declined = stream.stats.deferred
        later = (
            f"; {declined} more answered LATER, for DingTalk to deliver again" if declined else ""
        )
        _err(f"Stopped after {printed[0]} item(s){later}.")


async def _print(stream: StreamClient, count: int | None, printed: list[int]) -> None:
    """Print each item as it comes, counting them in `printed`, until `count`."""
    async for item in stream:
        sys.stdout.write(json.dumps(record_of(item), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        printed[0] += 1
        if count is not None and printed[0] >= count:
            return


def _err(text: str) -> None:
    click.echo(text, err=True)
