"""What scrubbing secrets costs an error, however many secrets are registered.

    python benchmarks/redaction.py

`_core/redaction.py` runs on error paths only: each error's texts taken from a
reply go through `redact`. This times `redact` on a 1 KB echoed error page
(the legacy URL with its `access_token`), and the construction of a whole
`ApiError` from a legacy body quoting that URL, with 0 to 10,000 secrets
registered (a fleet of tenants' tokens), and `register` + `forget` (what a
token change costs). Rounds alternate between the counts; each figure is the
median of the rounds with their spread (min-max), in microseconds.
"""

from __future__ import annotations

import secrets
import statistics
import time
from collections.abc import Callable

from dingtalk_im_async._core import redaction
from dingtalk_im_async.errors import COMMON_CODES

COUNTS = (0, 100, 1_000, 10_000)
ROUNDS = 7
TARGET = "/oapi/chat/get?chatid=chat" + "0" * 32 + "&access_token=" + "ab" * 16
PAGE = f"<html>404 Not Found: GET {TARGET}</html>" + "x" * 800
BODY = {"errcode": 40035, "errmsg": f"bad request {TARGET}", "request_id": "r1"}


def _per_call(work: Callable[[], object], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        work()
    return (time.perf_counter() - started) / number * 1e6


def main() -> None:
    held = {count: [secrets.token_hex(16) for _ in range(count)] for count in COUNTS}
    figures: dict[tuple[str, int], list[float]] = {}
    for _ in range(ROUNDS):
        for count in COUNTS:  # alternating: every count in every round
            for value in held[count]:
                redaction.register(value)
            works = {
                "redact a 1 KB page": (lambda: redaction.redact(PAGE), 100),
                "build the ApiError": (
                    lambda: COMMON_CODES.legacy_error(status=200, body=BODY),
                    100,
                ),
                "register + forget": (
                    lambda: (redaction.register("z" * 32), redaction.forget("z" * 32)),
                    1_000,
                ),
            }
            for name, (work, number) in works.items():
                figures.setdefault((name, count), []).append(_per_call(work, number))
            for value in held[count]:
                redaction.forget(value)
    print(f"{'':22}" + "".join(f"{count:>22,} registered" for count in COUNTS))
    for name in ("redact a 1 KB page", "build the ApiError", "register + forget"):
        cells = []
        for count in COUNTS:
            values = figures[(name, count)]
            cells.append(f"{statistics.median(values):10.1f} ({min(values):.1f}-{max(values):.1f})")
        print(f"{name:22}" + "".join(f"{cell:>33}" for cell in cells))


if __name__ == "__main__":
    main()
