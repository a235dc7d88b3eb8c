"""`RedisPacer`'s former home: it lives in `fleet.py`, beside `RedisTokenCache`."""

from __future__ import annotations

from .fleet import RESERVE_SCRIPT, RedisPacer

__all__ = ["RESERVE_SCRIPT", "RedisPacer"]
