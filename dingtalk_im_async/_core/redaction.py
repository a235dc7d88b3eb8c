"""The one place secrets are scrubbed from text a reply or a library exception gave us.

A reply may echo the request (a 404 page printing the URL, an `errmsg`
repeating the query with its `access_token`), and an aiohttp exception may
name the URL; whatever of that text reaches an error, a log line or the CLI
goes through `redact` first. Two nets:

- by value: every secret `register`ed (tokens as providers obtain them, app
  and suite secrets, suite tickets, corp tokens), until `forget` drops it;
  counted, so two holders of one secret do not unregister it for each other,
  and bounded (`MAX_REGISTERED`: the oldest goes first), so a fleet of
  tenants' tokens cannot grow it without end;
- by shape: the value after a name that is a secret by nature
  (`access_token=`, `"accessToken": "..."`, `x-acs-dingtalk-access-token: ...`,
  `suiteTicket`, `appSecret`, ...), registered or not.

Only error paths call `redact`; its cost is that of the text, not of how many
secrets are held (`benchmarks/redaction.py`). Registering happens when a token
changes, never per call.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = [
    "MAX_REGISTERED",
    "MIN_SECRET_CHARS",
    "PLACEHOLDER",
    "RedactedError",
    "forget",
    "names_secret",
    "redact",
    "register",
    "scrubbed",
]

#: What a secret is replaced with. It cannot itself be taken for a secret's value, so
#: redacting twice changes nothing.
PLACEHOLDER = "<redacted>"
#: Most secrets held at once; past it the oldest registration is dropped (the shapes
#: below still catch a dropped token wherever it follows its name).
MAX_REGISTERED = 65_536
#: Shorter values are not registered: scrubbing every "t" or "token" from a message
#: would ruin it, and no DingTalk secret is that short (tokens have 32 characters).
MIN_SECRET_CHARS = 6

#: Names whose value is a secret, whatever the case and separator (`access_token`,
#: `accessToken`, `x-acs-dingtalk-access-token`, `suite_ticket`, `appSecret`, ...).
_NAMES = (
    r"(?:x-acs-dingtalk-)?access[_-]?token",
    r"corp[_-]?(?:access[_-]?)?token",
    r"(?:suite|jsapi)?[_-]?ticket",
    r"(?:app|suite|client|corp)[_-]?secret",
    r"permanent[_-]?code",
)
#: The name, then what joins it to its value in a query (`=`, `%3D`), JSON or a Python
#: repr (`": "`, `': '`, with escaped quotes too) or a header line (`: `), then the value.
_SHAPE = re.compile(
    # A name starts a word, or follows a percent-escape (`%3Faccess_token%3D...`).
    r"(?P<name>(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))(?:" + "|".join(_NAMES) + r"))"
    r"(?P<joint>(?:\\?[\"'])?\s*(?:=|%3[dD]|:)\s*(?:\\?[\"'])?)"
    r"(?P<value>[^\s\"'&,;#<>()\[\]{}\\]+)",
    re.IGNORECASE,
)

_NAME = re.compile("|".join(_NAMES), re.IGNORECASE)

# Secret -> how many holders registered it; insertion order is age, for the bound.
_registered: dict[str, int] = {}
#: Up to this many texts to look for, each is searched for in turn (`in`, at C speed);
#: past it, one pass over the text looks each position up by its first characters, so
#: the cost stays that of the text's length, however many tenants' tokens are held.
_SCAN_MAX = 48
# The texts looked for: each secret and its percent-encoded forms where they differ,
# counted (two secrets may share a form), and indexed by their first characters. Both
# are kept up to date by `register` and `forget`, so neither is ever rebuilt.
_needles: dict[str, int] = {}
_by_prefix: dict[str, list[str]] = {}


def register(secret: str) -> None:
    """Scrub `secret` from every derived text from now on (until as many `forget`s)."""
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_CHARS:
        return
    count = _registered.pop(secret, 0)
    _registered[secret] = count + 1  # re-inserted: now the youngest
    if count == 0:
        for needle in _forms(secret):
            _add_needle(needle)
    while len(_registered) > MAX_REGISTERED:
        _drop(next(iter(_registered)))


def forget(secret: str) -> None:
    """Undo one `register(secret)` (the token was replaced, the provider closed)."""
    count = _registered.get(secret)
    if count is None:
        return
    if count > 1:
        _registered[secret] = count - 1
    else:
        _drop(secret)


def redact(text: str) -> str:
    """`text` without any registered secret nor any value that is a secret by its name."""
    if len(_needles) <= _SCAN_MAX:
        for needle in sorted(_needles, key=len, reverse=True):
            if needle in text:
                text = text.replace(needle, PLACEHOLDER)
    else:
        text = _replace_indexed(text)
    if _could_name_a_secret(text):
        text = _SHAPE.sub(_keep_name, text)
    return text


def _forms(secret: str) -> set[str]:
    """The secret, and as percent-encoded in a path, a query or a form."""
    return {secret, *(quote(secret, safe=safe) for safe in ("", "/", "/:@"))}


def _add_needle(needle: str) -> None:
    count = _needles.get(needle, 0)
    _needles[needle] = count + 1
    if count == 0:
        group = _by_prefix.setdefault(needle[:MIN_SECRET_CHARS], [])
        group.append(needle)
        group.sort(key=len, reverse=True)  # the longest match wins


def _drop(secret: str) -> None:
    del _registered[secret]
    for needle in _forms(secret):
        count = _needles.get(needle, 0)
        if count > 1:
            _needles[needle] = count - 1
            continue
        _needles.pop(needle, None)
        prefix = needle[:MIN_SECRET_CHARS]
        group = _by_prefix.get(prefix, [])
        if needle in group:
            group.remove(needle)
        if not group:
            _by_prefix.pop(prefix, None)


def _replace_indexed(text: str) -> str:
    """Every registered secret in `text` replaced, in one pass over its positions."""
    width = MIN_SECRET_CHARS
    index = _by_prefix
    parts: list[str] = []
    done = position = 0
    end = len(text) - width
    while position <= end:
        candidates = index.get(text[position : position + width])
        if candidates is not None:
            found = next((n for n in candidates if text.startswith(n, position)), None)
            if found is not None:
                parts += (text[done:position], PLACEHOLDER)
                position = done = position + len(found)
                continue
        position += 1
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def names_secret(name: str) -> bool:
    """Whether a field called `name` (a JSON key, a header) holds a secret by nature."""
    return _NAME.fullmatch(name) is not None


def _could_name_a_secret(text: str) -> bool:
    """A cheap first look: every name above ends in one of these words."""
    lowered = text.lower()
    return any(word in lowered for word in ("token", "ticket", "secret", "code"))


def _keep_name(match: re.Match[str]) -> str:
    return match["name"] + match["joint"] + PLACEHOLDER


class RedactedError(Exception):
    """Stands in, in an error's chain, for a library exception whose text held a secret and
    which could not be rebuilt without it: its class's name and its text, scrubbed."""


def scrubbed(error: BaseException | None, *, depth: int = 8) -> BaseException | None:
    """`error` fit to be kept as a cause: itself if nothing in it or its chain needs
    scrubbing, else a copy of the same class rebuilt from scrubbed arguments (or a
    `RedactedError`), chained to its own cause scrubbed likewise."""
    if error is None or depth <= 0:
        return None
    cause, context = error.__cause__, error.__context__
    clean_cause = scrubbed(cause, depth=depth - 1)
    clean_context = clean_cause if context is cause else scrubbed(context, depth=depth - 1)
    if _is_clean(error) and clean_cause is cause and clean_context is context:
        return error
    copy = _rebuilt(error)
    if cause is not None:
        copy.__cause__ = clean_cause
    elif not error.__suppress_context__:
        copy.__cause__ = clean_context
    copy.__suppress_context__ = True
    return copy.with_traceback(error.__traceback__)


def _texts(error: BaseException) -> tuple[str, ...]:
    return (str(error), repr(error), repr(error.args), repr(getattr(error, "__dict__", {})))


def _is_clean(error: BaseException) -> bool:
    try:
        return all(redact(text) == text for text in _texts(error))
    except Exception:  # noqa: BLE001 - a repr that fails cannot be checked: not clean
        return False


def _rebuilt(error: BaseException) -> BaseException:
    args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in error.args)
    try:
        copy = type(error)(*args)
    except Exception:  # noqa: BLE001 - a class whose constructor wants more: a stand-in
        copy = None
    if copy is None or not _is_clean(copy):
        name = f"{type(error).__module__}.{type(error).__qualname__}"
        copy = RedactedError(f"{name}: {redact(str(error))}")
    return copy
