"""Looking for secrets where they must never be: log records, exception text, reprs, output."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Iterator

from dingtalk_im_async.testing import DingTalkEmulator

__all__ = ["TokenRecordingEmulator", "exception_texts", "leaks", "record_texts"]


class TokenRecordingEmulator(DingTalkEmulator):
    """The emulator, remembering every token it hands out, so a test can look for them."""

    def __init__(self, **settings: object) -> None:
        super().__init__(**settings)  # type: ignore[arg-type]
        self.issued: set[str] = set()

    def issue_token(self) -> str:
        token = super().issue_token()
        self.issued.add(token)
        return token


def exception_texts(error: BaseException) -> Iterator[str]:
    """Everything an error shows: its and its causes' str, repr, args and attributes, and the
    formatted traceback a logger would print."""
    seen: set[int] = set()
    chain = [error]
    while chain:
        current = chain.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        yield repr(getattr(current, "__dict__", {}))
        chain += [link for link in (current.__cause__, current.__context__) if link is not None]
    yield "".join(traceback.format_exception(error))


def record_texts(record: logging.LogRecord) -> Iterator[str]:
    """A log record's message, raw message and arguments, exception and stack text."""
    yield record.getMessage()
    yield str(record.msg)
    yield repr(record.args)
    yield record.exc_text or ""
    yield record.stack_info or ""


def leaks(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Where any secret appears, each shown masked so a failing test does not leak it."""
    found = []
    for text in texts:
        for secret in secrets:
            if secret and secret in text:
                start = max(text.index(secret) - 60, 0)
                found.append(text[start : start + 140].replace(secret, f"<{secret[:4]}…>"))
    return found
