"""The refusals of the scene-group API that a caller acts on differently: each class is named
by the codes in `scenegroups/api.py`."""

from __future__ import annotations

from ._replies import ApiError

__all__ = ["GroupTemplateError", "MemberLimitError"]


class GroupTemplateError(ApiError):
    """The group template stands in the way: it does not exist or went offline
    (`groupTemplate.notFound`), this organisation or app may not use it
    (`groupTemplate.permessionDenied.*`, DingTalk's spelling), or the group has no
    template of this app (`groupPermissionDenied`, `groupTemplatePermissionDenied`, ...).
    Nothing was changed; check the template in the developer console, or use the group
    API for groups made without one."""

    refusal = True


class MemberLimitError(ApiError):
    """`member.exceed`: the group would hold more people than DingTalk allows (1,000).
    Nothing was changed; remove members first, or split the list."""

    refusal = True
