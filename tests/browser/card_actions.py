"""An AI answer typed into a card while the page watches, with a Stream client that stops it
when the card's "stop" button is pressed: real client calls over HTTP, in a thread."""

from __future__ import annotations

import asyncio
import threading

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    CallbackType,
    CardCallback,
    CardCallbackReply,
    CardService,
    GroupSpace,
)
from dingtalk_im_async.stream import StreamClient

from .conftest import EmulatorProcess

#: ASCII, so that the screenshot reads in a headless browser without CJK fonts.
ANSWER = (
    "The answer is typed into the card while the model writes it: "
    "paced with every other card of the app, coalesced into few updates, "
    "and always ended, finished or failed. "
) * 3


class TypedAnswer:
    """Types `ANSWER` into an AI card in a group, a piece every `pause` seconds, until done
    or stopped by the card's button; `done` is set when the card is ended."""

    def __init__(self, emulator: EmulatorProcess, group_id: str, pause: float) -> None:
        self.emulator = emulator
        self.group_id = group_id
        self.pause = pause
        self.out_track_id = ""
        self.started = threading.Event()
        self.done = threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> TypedAnswer:
        self.thread.start()
        return self

    async def _run(self) -> None:
        emulator = self.emulator
        async with (
            aiohttp.ClientSession() as session,
            AppTokenProvider(
                session,
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
            ) as tokens,
        ):
            cards = CardService(
                session,
                tokens,
                robot_code=emulator.app_key,
                base_url=emulator.base_url,
                card_update_interval=0.3,
            )
            stream = StreamClient(
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
                session=session,
            )

            @stream.on_card_action
            async def pressed(press: CardCallback) -> CardCallbackReply | None:
                answer = cards.answering(press.out_track_id)
                if press.action_id == "stop" and answer is not None and answer.stop():
                    return CardCallbackReply(card_data={"stopped": "by the button"})
                return None

            async with stream:
                answer = cards.answer(
                    GroupSpace(open_conversation_id=self.group_id),
                    template_id="382e4302-551d-4880-bf29-a30acfab2e71.schema",
                    callback_type=CallbackType.STREAM,
                    card_data={"title": "AI assistant"},
                )
                async with answer:
                    self.out_track_id = answer.out_track_id
                    self.started.set()
                    for piece in ANSWER:
                        await answer.write(piece)
                        await asyncio.sleep(self.pause)
                self.stopped = answer.stopped
                await asyncio.sleep(0.5)  # the press's acknowledgement goes out
        self.done.set()
