"""Secrets this process knows, scrubbed from any text shown to a person (placeholder until
the shared redaction module lands: register, forget, redact)."""

from __future__ import annotations

__all__ = ["forget", "redact", "register"]

_SECRETS: set[str] = set()
MASK = "<redacted>"


def register(secret: str) -> None:
    """Scrub `secret` from every text `redact` sees from now on."""
    if secret:
        _SECRETS.add(secret)


def forget(secret: str) -> None:
    """Stop scrubbing `secret` (a token that was replaced)."""
    _SECRETS.discard(secret)


def redact(text: str) -> str:
    """`text` with every registered secret masked."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
