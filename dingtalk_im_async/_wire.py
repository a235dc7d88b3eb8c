"""The one cattrs converter: Python names to the spec's wire names and back.

Unstructure functions are generated once at import, so a call costs a
generated function call and nothing else. Structuring is strict (a number
where a string belongs is an error, not `str(123)`), because a reply that
does not match the spec must become a `ResponseError`.
"""

from __future__ import annotations

import enum
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .errors import ResponseError
from .models import (
    ChatBannedType,
    ConversationTag,
    CreateGroupRequest,
    CreateGroupResult,
    ManagementOptions,
    ManagementType,
    MentionAllAuthority,
    OwnerType,
    Searchable,
    ShowHistoryType,
    ValidationType,
)

__all__ = ["converter", "request_body", "result_from_body"]

converter = cattrs.Converter()


def _strict_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _conversation_tag(value: object, _type: object) -> ConversationTag | int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    try:
        return ConversationTag(value)
    except ValueError:
        return value


def _enum_value(member: enum.Enum) -> Any:
    return member.value


converter.register_structure_hook(str, _strict_str)
# str/int enums would otherwise pass through as members (cattrs treats them as str/int).
for _enum_type in (
    OwnerType,
    ConversationTag,
    MentionAllAuthority,
    ShowHistoryType,
    ValidationType,
    Searchable,
    ChatBannedType,
    ManagementType,
):
    converter.register_unstructure_hook(_enum_type, _enum_value)

converter.register_unstructure_hook(
    ManagementOptions,
    make_dict_unstructure_fn(
        ManagementOptions,
        converter,
        _cattrs_omit_if_default=True,
        mention_all_authority=override(rename="mentionAllAuthority"),
        show_history_type=override(rename="showHistoryType"),
        validation_type=override(rename="validationType"),
        chat_banned_type=override(rename="chatBannedType"),
        management_type=override(rename="managementType"),
    ),
)
# The generated functions are also kept by name: calling them directly skips the
# converter's per-call dispatch on the class.
_unstructure_request = make_dict_unstructure_fn(
    CreateGroupRequest,
    converter,
    _cattrs_omit_if_default=True,
    owner_type=override(rename="ownerType"),
    conversation_tag=override(rename="conversationTag"),
    management_options=override(rename="managementOptions"),
)
converter.register_unstructure_hook(CreateGroupRequest, _unstructure_request)
#: Python attribute -> wire name of each reply field.
RESULT_WIRE_NAMES = {
    "open_conversation_id": "openConversationId",
    "chatid": "chatid",
    "conversation_tag": "conversationTag",
}
_structure_result = make_dict_structure_fn(
    CreateGroupResult,
    converter,
    open_conversation_id=override(rename=RESULT_WIRE_NAMES["open_conversation_id"]),
    conversation_tag=override(
        rename=RESULT_WIRE_NAMES["conversation_tag"], struct_hook=_conversation_tag
    ),
)
converter.register_structure_hook(CreateGroupResult, _structure_result)


def request_body(request: CreateGroupRequest) -> dict[str, Any]:
    """The JSON object the spec expects for `request`; unset fields are left out."""
    body: dict[str, Any] = _unstructure_request(request)
    return body


def result_from_body(body: object, *, status: int) -> CreateGroupResult:
    """Decode a success reply, turning any mismatch with the spec into `ResponseError`."""
    if not isinstance(body, dict):
        raise ResponseError("expected a JSON object", status=status, excerpt=repr(body))
    try:
        return _structure_result(body, CreateGroupResult)
    except (cattrs.BaseValidationError, TypeError, ValueError) as error:
        reason = "; ".join(_describe(error)) or "fields do not match the spec"
        raise ResponseError(
            f"unexpected create-group reply ({reason})", status=status, excerpt=repr(body)
        ) from error


def _describe(error: BaseException) -> list[str]:
    """Name the wire fields that failed and why."""
    if isinstance(error, cattrs.ClassValidationError):
        return [_wire_path(note) for note in cattrs.transform_error(error)]
    return [type(error).__name__]


def _wire_path(note: str) -> str:
    """cattrs names fields by their Python names; the reader of the error knows the wire's."""
    for python_name, wire_name in RESULT_WIRE_NAMES.items():
        note = note.replace(f"$.{python_name}", f"$.{wire_name}")
    return note
