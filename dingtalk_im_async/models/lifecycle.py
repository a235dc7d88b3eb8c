"""Deprecated: moved into the families (`dingtalk_im_async.groups`, `dingtalk_im_async.robot`);
every name still works, with a DeprecationWarning, until the next release."""

from __future__ import annotations

import importlib


def __getattr__(name: str) -> object:
    return importlib.import_module("dingtalk_im_async._deprecated").resolve(__name__, name)
