"""Deprecated: `RedisPacer` lives in `dingtalk_im_async.fleet` (and the package itself);
importing it from here still works, with a DeprecationWarning, until the next release."""

from __future__ import annotations

import importlib


def __getattr__(name: str) -> object:
    return importlib.import_module("dingtalk_im_async._deprecated").resolve(__name__, name)
