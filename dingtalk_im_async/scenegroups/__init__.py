"""Scene groups (场景群): groups made from a group template, the group API third-party apps
may call, with a dedup key on create. A family exports its models' names and its service."""

from __future__ import annotations

from . import models
from .models import *  # noqa: F403 - the family's public names are its models' __all__
from .service import SceneGroupService

__all__ = ["SceneGroupService"]
__all__ += models.__all__
