"""The coalescer behind `AnswerCard`: one sender per card turns the growing text into few
streaming frames, paced with every other card's.

- One sender per card takes a pacing slot of `card.streaming` (the
  transport's pacer, shared by every card of the app) and only then builds
  the frame from the newest text: at most one update per card waits for the
  pacer, and a newer text replaces it. A card's frames are `interval` apart.
- A frame is built once; retries (after a 403 QPS refusal, with DingTalk's
  advised 1 s pause; after an unknown outcome) send the same frame, the same
  `guid`, so DingTalk applies it once.
- Appending (the default), a frame carries only text not sent yet, at most
  `frame_bytes` of it; the last character written waits for the final frame,
  because DingTalk refuses an empty frame (`param.stream.contentEmpty`).
  Sending the whole text (`full`), frames stop once it outgrows `frame_bytes`
  and the final frame carries all of it (a final full update).
"""

from __future__ import annotations

import asyncio
import logging

from attrs import define

from .._core.retry import pause
from .._core.transport import Transport
from ..errors import DingTalkError, RateLimitError, Verdict
from ..pacing import Pacer
from .api import STREAM_CARD
from .models import StreamingUpdate

__all__ = ["FRAME_RETRIES", "RATE_LIMITED_PAUSE", "STREAM_FRAME_BYTES", "AnswerOptions", "Sender"]

logger = logging.getLogger("dingtalk_im_async.cards")

#: Content of one streaming frame DingTalk advises at most: "单次不要超过 1 K"
#: (https://open.dingtalk.com/document/development/api-streamingupdate).
STREAM_FRAME_BYTES = 1024
#: Pause after a QPS refusal: "遇到限流错误时，可以在程序中sleep 1秒"
#: (https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server).
RATE_LIMITED_PAUSE = 1.0
#: Further tries of one frame after a rate refusal or an unknown outcome.
FRAME_RETRIES = 3


@define(frozen=True, kw_only=True)
class AnswerOptions:
    """How an answer is sent: from `ClientSettings` unless `answer()` says otherwise."""

    interval: float
    """Seconds between two frames of one card, at least."""
    finish_timeout: float
    """Seconds the last update may take, cancellation or not."""
    frame_bytes: int = STREAM_FRAME_BYTES
    """Content of one frame, at most (UTF-8 bytes); the final full update excepted."""


def _head(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` UTF-8 bytes (one character at least)."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore") or text[:1]


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class _Granted:
    """A pacer whose first slot was taken already, before the frame was built; the frame's
    retries wait for slots of their own."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer
        self._free = True

    async def wait(self, api: str) -> None:
        if self._free:
            self._free = False
            return
        await self._pacer.wait(api)


class Sender:
    """Sends one card's text as streaming frames (see the module docstring)."""

    def __init__(
        self,
        *,
        out_track_id: str,
        key: str,
        full: bool,
        placeholder: str,
        options: AnswerOptions,
        transport: Transport,
        pacer: Pacer | None,
    ) -> None:
        self.out_track_id = out_track_id
        self.key = key
        self.full = full
        self._placeholder = placeholder
        self._options = options
        self._transport = transport
        self._pacer = pacer
        #: Everything written so far.
        self.text = ""
        #: Streaming frames sent (each one call to `card.streaming`).
        self.frames = 0
        #: The error that ended the card's updates for good, if one did.
        self.failure: DingTalkError | None = None
        self._sent = 0  # appending: characters confirmed sent
        self._shown = ""  # whole text: the last text confirmed sent
        self._news = asyncio.Event()
        self._next_at = 0.0
        self._closing = False
        self._in_flight = False
        self._outgrown = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def append(self, delta: str) -> None:
        self.text += delta
        self._news.set()

    async def _run(self) -> None:
        """Send the newest text whenever there is news, a frame per interval at most."""
        loop = asyncio.get_running_loop()
        try:
            while not self._closing:
                await self._news.wait()
                self._news.clear()
                delay = self._next_at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if self._closing or self._next_frame(final=False, failed=False) is None:
                    continue
                await self._pace()
                built = self._next_frame(final=False, failed=False)
                if built is None:  # the text only grows: what was there is there still
                    continue
                self._in_flight = True
                try:
                    await self._deliver(*built)
                finally:
                    self._in_flight = False
                if self._next_frame(final=False, failed=False) is not None:
                    self._news.set()  # what one frame could not hold
        except DingTalkError as error:
            self.failure = error
            logger.warning("card %s: updates failed (%s)", self.out_track_id, error)

    async def _pace(self) -> None:
        """Take a slot of `card.streaming` now; the frame is built after it, and the card's
        next frame waits `interval` from here."""
        if self._pacer is not None:
            await self._pacer.wait(STREAM_CARD.api)
        self._next_at = asyncio.get_running_loop().time() + self._options.interval

    def _next_frame(self, *, final: bool, failed: bool) -> tuple[StreamingUpdate, str] | None:
        """The next frame and what the card shows once it is sent (None: nothing now)."""
        text, limit = self.text, self._options.frame_bytes
        if not self.full:
            end = len(text) if final else len(text) - 1  # the last character waits
            remaining = text[self._sent : end]
            if not remaining:
                if not final:
                    return None
                remaining = self._placeholder  # an empty answer
            chunk = _head(remaining, limit)
            last = final and len(chunk) == len(remaining)
            frame = self._frame(chunk, full=False, last=last, failed=failed)
            return frame, text[: self._sent] + chunk
        if not final:
            if not text or text == self._shown:
                return None
            if _size(text) > limit:
                if not self._outgrown:
                    self._outgrown = True
                    logger.info(
                        "card %s: over %d bytes; the rest goes in the final update",
                        self.out_track_id,
                        limit,
                    )
                return None
            return self._frame(text, full=True, last=False, failed=False), text
        shown = text or self._placeholder
        if failed and _size(shown) > limit:
            shown = self._shown or _head(text, limit - 3) + "…"
        return self._frame(shown, full=True, last=True, failed=failed), shown

    def _frame(self, content: str, *, full: bool, last: bool, failed: bool) -> StreamingUpdate:
        return StreamingUpdate(
            out_track_id=self.out_track_id,
            key=self.key,
            content=content,
            is_full=full,
            is_finalize=last and not failed,
            is_error=last and failed,
        )

    async def _deliver(self, frame: StreamingUpdate, shown: str) -> None:
        """Send one frame; the same frame (the same guid) again after a QPS refusal or an
        unknown outcome, `FRAME_RETRIES` times at most."""
        pacer: Pacer | None = None if self._pacer is None else _Granted(self._pacer)
        tries = 0
        while True:
            try:
                await self._transport.call(STREAM_CARD, frame, pacer=pacer)
                break
            except RateLimitError:
                if tries >= FRAME_RETRIES:
                    raise
                await pause(RATE_LIMITED_PAUSE)
            except DingTalkError as error:
                if error.verdict is not Verdict.UNKNOWN or tries >= FRAME_RETRIES:
                    raise
            tries += 1
            pacer = self._pacer
        self.frames += 1
        if self.full:
            self._shown = shown
        else:
            self._sent = len(shown)

    async def stop(self) -> None:
        """No more intermediate frames: a frame on the wire is let finish, a wait is cut."""
        self._closing = True
        task = self._task
        if task is None:
            return
        self._news.set()
        if not self._in_flight:
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # the caller's own cancellation

    async def end(self, failed: bool) -> None:
        """The final frame, after the frames the rest of the text needs: finished, or failed
        (`is_error`). The interval is kept and a pacing slot taken, as for any frame."""
        loop = asyncio.get_running_loop()
        while True:
            delay = self._next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._pace()
            built = self._next_frame(final=True, failed=failed)
            assert built is not None  # the final frame always has content
            frame, shown = built
            await self._deliver(frame, shown)
            if frame.is_finalize or frame.is_error:
                return
