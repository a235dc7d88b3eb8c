"""Dedup keys: the value a bulk run gives an input whose request carries none.

Some creates take a key DingTalk deduplicates on (an endpoint's `dedup_key`:
a scene-group create's `uuid`, a card's `outTrackId`), which makes them safe
to send again after an unknown outcome. A bulk run fills a missing key from
its run id and the input's position, never from the input's content, so two
identical rows still make two objects, and a run resumed with the same id
(`BulkOptions.run_id`, the id `dingtalk-im bulk` records in its results file)
derives the same keys for the same inputs.

A derived key is short (`dt-` + at most 32 characters of run id + `-` + the
position: under 50 characters) because DingTalk caps some of these keys
(`outTrackId` at 64 characters).
"""

from __future__ import annotations

import re
import uuid
from typing import Any, TypeVar

import attrs

from .endpoint import Endpoint

__all__ = ["KEY_PREFIX", "RUN_ID_CHARS", "check_run_id", "derived_key", "new_run_id", "with_key"]

RequestT = TypeVar("RequestT")

#: What every derived key starts with.
KEY_PREFIX = "dt-"
#: Longest run id a caller may give.
RUN_ID_CHARS = 32
_RUN_ID = re.compile(rf"[0-9A-Za-z_-]{{1,{RUN_ID_CHARS}}}")


def new_run_id() -> str:
    """A fresh run id: 32 lowercase hex digits (a random UUID)."""
    return uuid.uuid4().hex


def check_run_id(value: str) -> str:
    """`value` if it is 1 to 32 letters, digits, `-` or `_`; else a ValueError (or a
    TypeError for what is not a string)."""
    if not isinstance(value, str):
        raise TypeError(f"run_id must be a string, got {type(value).__name__}")
    if not _RUN_ID.fullmatch(value):
        raise ValueError(
            f"run_id must be 1 to {RUN_ID_CHARS} letters, digits, '-' or '_', got {value!r}"
        )
    return value


def derived_key(run_id: str, position: int) -> str:
    """The dedup key of the input at `position` of the run `run_id`: the same run and
    position always give the same key, and no other pair gives it."""
    return f"{KEY_PREFIX}{run_id}-{position}"


def with_key(
    endpoint: Endpoint[RequestT, Any], request: RequestT, run_id: str, position: int
) -> RequestT:
    """`request` with its dedup key filled in (`derived_key(run_id, position)`) when the
    endpoint has one and the request carries none; else `request` itself."""
    key = endpoint.dedup_key
    if key is None or not isinstance(request, endpoint.request_type):
        return request
    if getattr(request, key) is not None:
        return request
    filled: RequestT = attrs.evolve(request, **{key: derived_key(run_id, position)})  # type: ignore[misc]
    return filled
