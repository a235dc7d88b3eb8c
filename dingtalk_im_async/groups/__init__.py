"""Group management: the groups `group/create` makes, changed, read back, their admins and
member nicknames. A family exports its models' names and its service."""

from __future__ import annotations

import importlib

from . import models
from .models import *  # noqa: F403 - the family's public names are its models' __all__
from .service import GroupService

__all__ = ["GroupService"]
__all__ += models.__all__


def __getattr__(name: str) -> object:
    # Names of the last release that moved or went, by name: `_deprecated` imports this.
    return importlib.import_module("dingtalk_im_async._deprecated").resolve(__name__, name)
