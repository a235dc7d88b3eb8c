"""The one cattrs converter: Python names to DingTalk's wire names and back, for every model.

Every attrs class is handled by the same two hook factories: attribute names
become camelCase on the wire (`open_conversation_id` <-> `openConversationId`)
unless the field's metadata names its wire key (`wire("add_useridlist")`:
DingTalk's own exceptions). Fields equal to their default are left out of
bodies, so optional fields default to None: an update that renames a group
never sends (and so never resets) its settings. Structuring is strict (a
number where a string belongs is an error, not `str(123)`): a reply that
does not match the docs must become a `ResponseError`, which the transport
raises from `describe_mismatch`. The CLI reads inputs and writes results
through this converter too.
"""

from __future__ import annotations

import enum
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import models
from .models import CreateGroupResult, GroupMessage, SendStatus
from .models._common import WIRE_KEY
from .models.robot import encode_msg_param
from .models.robot_inputs import message_from_wire

__all__ = [
    "converter",
    "describe_mismatch",
    "from_wire",
    "request_body",
    "result_from_body",
    "to_wire",
    "wire_name",
]

T = TypeVar("T")

converter = cattrs.Converter()


@functools.cache
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """The key a field has on the wire: its metadata's, else its name in camelCase."""
    named = attribute.metadata.get(WIRE_KEY)
    return named if isinstance(named, str) else _camel(attribute.name)


def _renames(cls: type) -> dict[str, Any]:
    return {
        field.name: override(rename=wire_name(field))
        for field in attrs.fields(cls)
        if wire_name(field) != field.name
    }


def _unstructure_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
    return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_renames(cls))


def _structure_factory(cls: type) -> Callable[[Any, type], Any]:
    return make_dict_structure_fn(cls, converter, **_renames(cls))


def _strict_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _strict_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _strict_int(value: object, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _is_string_tuple(cls: Any) -> bool:
    return bool(cls == tuple[str, ...])


def _strict_strings(value: object, _type: object) -> tuple[str, ...]:
    """A list of strings: a lone string is refused (cattrs would split it into letters)."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    return tuple(_strict_str(item, str) for item in value)


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


converter.register_unstructure_hook_factory(attrs.has, _unstructure_factory)
converter.register_structure_hook_factory(attrs.has, _structure_factory)
# str/int enums would otherwise pass through as members (cattrs dispatches on their str/int
# base first), so each enum the models export is registered by class.
for _enum in [value for value in vars(models).values() if _is_enum(value)]:
    converter.register_unstructure_hook(_enum, _enum_value)
converter.register_structure_hook(str, _strict_str)
converter.register_structure_hook(bool, _strict_bool)
converter.register_structure_hook(int, _strict_int)
converter.register_structure_hook_func(_is_string_tuple, _strict_strings)


def to_wire(obj: Any) -> dict[str, Any]:
    """The JSON object DingTalk expects for a request (or writes for a result)."""
    body: dict[str, Any] = converter.unstructure(obj)
    return body


def from_wire(cls: type[T], data: Any) -> T:
    """`cls` from a decoded wire object; raises cattrs' errors on a mismatch."""
    return converter.structure(data, cls)


def describe_mismatch(cls: type, error: BaseException) -> str:
    """Why `data` did not fit `cls`, naming the wire fields (as the reader of a reply knows
    them), for a `ResponseError`."""
    if isinstance(error, cattrs.ClassValidationError):
        notes = cattrs.transform_error(error)
        return "; ".join(_wire_path(cls, note) for note in notes)
    return type(error).__name__


def _wire_path(cls: type, note: str) -> str:
    if attrs.has(cls):
        for field in attrs.fields(cls):
            note = note.replace(f"$.{field.name}", f"$.{wire_name(field)}")
    return note


# -- the create-group shortcuts the first release exported ------------------------------


def request_body(request: Any) -> dict[str, Any]:
    """The JSON object the spec expects for `request`; unset fields are left out."""
    return to_wire(request)


def result_from_body(
    body: object,
    *,
    status: int,
    cls: type[T] = CreateGroupResult,  # type: ignore[assignment]
) -> T:
    """Decode a success reply, turning any mismatch with the docs into `ResponseError`."""
    from .errors import ResponseError

    if not isinstance(body, dict):
        raise ResponseError("expected a JSON object", status=status, excerpt=repr(body))
    try:
        return from_wire(cls, body)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        reason = describe_mismatch(cls, error) or "fields do not match the docs"
        raise ResponseError(
            f"unexpected {cls.__name__} reply ({reason})", status=status, excerpt=repr(body)
        ) from error


# -- lifecycle: replies read back (GroupInfo) -------------------------------------------


def _enum_or_int_parts(cls: Any) -> tuple[type[enum.IntEnum], bool] | None:
    """(the IntEnum, whether None is allowed) of `SomeIntEnum | int [| None]`, else None."""
    if not isinstance(cls, types.UnionType) and typing.get_origin(cls) is not typing.Union:
        return None
    args = set(typing.get_args(cls))
    optional = type(None) in args
    rest = args - {type(None), int}
    if int not in args or len(rest) != 1:
        return None
    (member,) = rest
    if isinstance(member, type) and issubclass(member, enum.IntEnum):
        return member, optional
    return None


def _enum_or_int_hook(cls: Any) -> Callable[[object, Any], Any]:
    """The structure hook of `SomeIntEnum | int [| None]`, built once per type: a documented
    value as its enum member, any other integer kept as it is (a reply with a value DingTalk
    added later must not hide the group); None where the type allows it.

    Members are looked up in a dict made here: inspecting the type and calling the enum
    for every value cost microseconds per reply.
    """
    parts = _enum_or_int_parts(cls)
    assert parts is not None  # only registered for such types
    enum_type, optional = parts
    members: dict[int, enum.IntEnum] = {member.value: member for member in enum_type}

    def structure(value: object, _type: Any) -> Any:
        if value is None and optional:
            return None
        number = _strict_int(value, int)
        return members.get(number, number)

    return structure


converter.register_structure_hook_factory(
    lambda cls: _enum_or_int_parts(cls) is not None, _enum_or_int_hook
)


# -- robot messages ----------------------------------------------------------------------

#: Keys a `GroupMessage` is read from (the CLI's bulk input): wire name -> Python name, its
#: fields' own and the two the `message` field stands for on the wire.
_GROUP_MESSAGE_KEYS = {
    **{wire_name(f): f.name for f in attrs.fields(GroupMessage) if f.name != "message"},
    "msgKey": "msg_key",
    "msgParam": "msg_param",
}


def _group_message_to_wire(message: GroupMessage) -> dict[str, Any]:
    """The send body: `message` becomes `msgKey` and the JSON string `msgParam`."""
    body = {
        "openConversationId": message.open_conversation_id,
        "msgKey": message.message.msg_key,
        "msgParam": encode_msg_param(message.message.msg_param()),
    }
    if message.robot_code is not None:
        body["robotCode"] = message.robot_code
    if message.cool_app_code is not None:
        body["coolAppCode"] = message.cool_app_code
    return body


def _group_message_from_wire(data: Any, _type: object) -> GroupMessage:
    """A `GroupMessage` from a send body (or a bulk input record): `msgParam` may be the JSON
    string or an object; documented kinds become their typed message."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = _GROUP_MESSAGE_KEYS.get(key, key) if isinstance(key, str) else ""
        if name not in _GROUP_MESSAGE_KEYS.values():
            raise ValueError(f"unknown field {key!r}")
        if name in fields:
            raise ValueError(f"{name}: given twice")
        fields[name] = value
    for required in ("open_conversation_id", "msg_key", "msg_param"):
        if required not in fields:
            raise ValueError(f"{required}: missing")
    msg_key, msg_param = fields.pop("msg_key"), fields.pop("msg_param")
    if isinstance(msg_param, str):
        try:
            msg_param = json.loads(msg_param)
        except ValueError as error:
            raise ValueError(f"msg_param: not JSON ({error})") from None
    if not isinstance(msg_key, str):
        raise TypeError(f"msg_key: expected a string, got {type(msg_key).__name__}")
    return GroupMessage(message=message_from_wire(msg_key, msg_param), **fields)


def _documented_or_raw(documented: type[enum.Enum], raw: type) -> Callable[[Any, Any], Any]:
    """A structure hook for `Documented | raw`: the member for a documented value, any other
    value of the raw type kept as it is (an unknown status must not hide a reply)."""
    check = _strict_str if raw is str else _strict_int

    def structure(value: object, _type: object) -> Any:
        plain = check(value, raw)
        try:
            return documented(plain)
        except ValueError:
            return plain

    return structure


converter.register_unstructure_hook(GroupMessage, _group_message_to_wire)
converter.register_structure_hook(GroupMessage, _group_message_from_wire)
converter.register_structure_hook_func(
    lambda cls: cls == (SendStatus | str), _documented_or_raw(SendStatus, str)
)
# `OpenRobotType | int | None` is served by the `IntEnum | int [| None]` hook above.
