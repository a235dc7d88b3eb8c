"""Post one announcement into many groups, resumably: run it again after a crash to finish.

python examples/announce.py                    # no credentials: 25 demo groups on the emulator
DINGTALK_APP_KEY=... DINGTALK_APP_SECRET=... \
    python examples/announce.py groups.txt --title 维护通知 --text "今晚 22:00 系统维护"

`groups.txt` holds one openConversationId per line. Every group gets the
message once: a journal (`groups.txt.journal`, JSON Lines) records each group
before its message is sent and after DingTalk answers, and a second run skips
every group that was sent, or may have been (a send is not idempotent: an
unknown outcome is listed, never resent). Refused groups and groups left
unsent when the monthly call quota ran out are sent by the next run.

Ctrl-C stops taking groups and waits for the messages in flight, so each of
them is journaled with its real outcome and the groups never taken are sent
by the next run (exit status 130); a second Ctrl-C abandons the messages in
flight, which the next run then lists as unknown.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from attrs import define, field

from dingtalk_im_async import (
    CallQuotaExceededError,
    CreateGroupRequest,
    DingTalkClient,
    DingTalkError,
    GroupMessage,
    Markdown,
    RunStoppedError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator

#: Journal statuses. A group whose last line is one of `SETTLED` is never sent again.
SENDING, SENT, UNKNOWN, REFUSED, NOT_SENT = "sending", "sent", "unknown", "refused", "not_sent"
SETTLED = frozenset({SENDING, SENT, UNKNOWN})
DEMO_GROUPS = 25


def last_statuses(journal: Path) -> dict[str, str]:
    """Each group's last journal status; a line torn by a crash is skipped."""
    last: dict[str, str] = {}
    if journal.exists():
        for line in journal.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(line)
                last[entry["group"]] = entry["status"]
    return last


@define(kw_only=True)
class Summary:
    """What one run did, and what earlier runs had done."""

    groups: int = 0
    sent: int = 0
    already_sent: int = 0
    unknown: list[str] = field(factory=list)  # may be in their groups: look, do not resend
    refused: list[str] = field(factory=list)  # DingTalk said no: fix, then run again
    not_sent: int = 0  # the quota ran out (or the run stopped) before them: run again
    quota_spent: bool = False
    interrupted: bool = False  # Ctrl-C: the groups not taken are sent by the next run

    @property
    def done(self) -> bool:
        return not (self.unknown or self.refused or self.not_sent)

    def lines(self, journal: Path | None) -> list[str]:
        rows = [
            f"announcement to {self.groups} groups",
            f"  sent now        {self.sent:6}",
            f"  already sent    {self.already_sent:6}  (by an earlier run)",
            f"  unknown         {len(self.unknown):6}  (may be in their group: look, not resent)",
            f"  refused         {len(self.refused):6}  (sent again by the next run)",
            f"  not sent        {self.not_sent:6}  (sent by the next run)",
        ]
        if self.quota_spent:
            rows.append("stopped: the organisation's monthly API call quota is spent")
        if self.interrupted:
            rows.append("interrupted: run again to send to the groups not sent")
        rows += [f"  unknown: {group}" for group in self.unknown]
        rows += [f"  refused: {reason}" for reason in self.refused]
        if journal is None:
            rows.append("journal: none kept (the demo groups live in this run's emulator only)")
        else:
            rows.append(f"journal: {journal}")
        return rows


@define
class Journal:
    """Appends one flushed JSON line per event, so a crash loses at most a torn last line."""

    stream: TextIO

    def note(self, group: str, status: str, **details: str) -> None:
        self.stream.write(json.dumps({"group": group, "status": status, **details}) + "\n")
        self.stream.flush()

    def sending(
        self, messages: Iterable[GroupMessage], stop: asyncio.Event
    ) -> Iterator[GroupMessage]:
        """The messages, each journaled as `sending` when the bulk run takes it, which is
        right before its call starts; none after `stop` is set."""
        for message in messages:
            if stop.is_set():
                return
            self.note(message.open_conversation_id, SENDING)
            yield message


async def announce(
    client: DingTalkClient,
    group_ids: list[str],
    message: Markdown,
    journal_path: Path,
    *,
    concurrency: int = 10,
    stop: asyncio.Event | None = None,
) -> Summary:
    """Send `message` to every group the journal has not settled; journal every outcome.
    Once `stop` is set, no group is taken: those in flight finish, the rest are not sent."""
    stop = stop or asyncio.Event()
    before = last_statuses(journal_path)
    summary = Summary(groups=len(group_ids))
    todo = []
    for group in group_ids:
        if before.get(group) == SENT:
            summary.already_sent += 1
        elif before.get(group) in SETTLED:  # interrupted mid-send, or an unknown answer
            summary.unknown.append(group)
        else:
            todo.append(GroupMessage(open_conversation_id=group, message=message))
    with journal_path.open("a", encoding="utf-8") as stream:
        journal = Journal(stream)
        taken = journal.sending(todo, stop)
        run = client.many(client.robot.send, taken, concurrency=concurrency)
        finished = 0
        async with run as outcomes:
            async for outcome in outcomes:
                finished += 1
                group = outcome.request.open_conversation_id
                error = outcome.error
                if outcome.result is not None:
                    summary.sent += 1
                    journal.note(group, SENT, key=outcome.result.process_query_key)
                elif isinstance(error, (CallQuotaExceededError, RunStoppedError)):
                    summary.quota_spent = True
                    summary.not_sent += 1
                    journal.note(group, NOT_SENT)
                elif isinstance(error, DingTalkError) and error.verdict is not Verdict.UNKNOWN:
                    summary.refused.append(f"{group}: {error}")
                    journal.note(group, REFUSED, error=str(error))
                else:
                    summary.unknown.append(group)
                    journal.note(group, UNKNOWN, error=str(error))
    if stop.is_set():
        summary.interrupted = True
        summary.not_sent += len(todo) - finished
    return summary


async def demo_groups(client: DingTalkClient, count: int) -> list[str]:
    """Groups to announce to on the emulator (each with the app's robot in it)."""
    made = []
    for number in range(1, count + 1):
        request = CreateGroupRequest(
            name=f"演示群-{number:03d}", owner="manager4220", useridlist=["alice", "bob"]
        )
        made.append((await client.groups.create(request)).open_conversation_id)
    return made


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Post one announcement into many groups.")
    parser.add_argument("groups", nargs="?", type=Path, help="one openConversationId per line")
    parser.add_argument("--title", default="系统维护通知")
    parser.add_argument("--text", default="今晚 22:00 至 22:30 系统维护，期间暂停服务。")
    parser.add_argument("--journal", type=Path, help="default: GROUPS.journal")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second; 0: no pacing")
    args = parser.parse_args(argv)
    stop = _stop_on_ctrl_c()
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    async with contextlib.AsyncExitStack() as stack:
        base_url = os.environ.get("DINGTALK_BASE_URL")
        if not (app_key and app_secret):
            emulator = await stack.enter_async_context(DingTalkEmulator())
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
            print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {base_url}")
        elif args.groups is None:
            parser.error("name the groups file (one openConversationId per line)")
        client = await stack.enter_async_context(
            DingTalkClient(
                app_key=app_key,
                app_secret=app_secret,
                base_url=base_url,
                rate_limit=args.rate or None,
            )
        )
        kept: Path | None
        if args.groups is None:
            group_ids = await demo_groups(client, DEMO_GROUPS)
            journal, kept = Path(os.devnull), None  # its groups end with this run's emulator
        else:
            text = args.groups.read_text(encoding="utf-8")
            group_ids = [line.strip() for line in text.splitlines() if line.strip()]
            journal = kept = args.journal or args.groups.with_name(args.groups.name + ".journal")
        message = Markdown(args.title, args.text)
        summary = await announce(
            client, group_ids, message, journal, concurrency=args.concurrency, stop=stop
        )
    print("\n".join(summary.lines(kept)))
    if summary.interrupted:
        return 128 + signal.SIGINT
    return 0 if summary.done else 1


def _stop_on_ctrl_c() -> asyncio.Event:
    """An event the first Ctrl-C sets; the second cancels the run (its messages in flight
    stay `sending` in the journal: the next run lists them as unknown)."""
    stop = asyncio.Event()
    task = asyncio.current_task()

    def on_ctrl_c() -> None:
        if stop.is_set() and task is not None:
            task.cancel()
        stop.set()
        print("Stopping: finishing the messages in flight (Ctrl-C again abandons them)")

    # Where the loop cannot take signals (Windows), Ctrl-C stays a KeyboardInterrupt.
    with contextlib.suppress(NotImplementedError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, on_ctrl_c)
    return stop


def _run() -> int:
    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):  # a second Ctrl-C: abandoned
        print("Abandoned: the messages in flight may have been posted (run again to list them)")
        return 128 + signal.SIGINT


if __name__ == "__main__":
    raise SystemExit(_run())
