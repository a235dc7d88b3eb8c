"""The converters of the card requests' fields: one named function per field, because attrs'
mypy plugin reads `__init__`'s parameter types from them; each checks with `_fields`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._core.fields import IdList, check_text, to_enum
from ..errors import RequestValidationError
from . import _fields
from .options import CallbackType, UserIdType
from .spaces import CardSpace, SpaceOptions, SpaceType, check_spaces


def _out_track_id(value: str | None) -> str:
    return _fields.out_track_id(value)


def _new_out_track_id(value: str | None) -> str | None:
    """A create's id; None is left for a bulk run to fill (`_core.dedup`)."""
    return None if value is None else _fields.out_track_id(value)


def _template_id(value: str) -> str:
    return check_text("card_template_id", value)


def _card_data(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return _fields.card_data(value)


def _private_data(
    value: Mapping[str, Mapping[str, str]] | None,
) -> Mapping[str, Mapping[str, str]]:
    return _fields.private_data(value)


def _optional_card_data(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else _fields.card_data(value)


def _optional_private_data(
    value: Mapping[str, Mapping[str, str]] | None,
) -> Mapping[str, Mapping[str, str]] | None:
    return None if value is None else _fields.private_data(value)


def _callback_type(value: CallbackType | str | None) -> CallbackType | None:
    return to_enum(CallbackType, "callback_type", value)


def _route_key(value: str | None) -> str | None:
    return _fields.optional_text("callback_route_key", value)


def _user_id(value: str | None) -> str | None:
    return _fields.optional_text("user_id", value)


def _user_id_type(value: UserIdType | int | None) -> UserIdType | None:
    return to_enum(UserIdType, "user_id_type", value)


def _at_users(value: IdList) -> tuple[str, ...]:
    return _fields.ids("card_at_user_ids", value)


def _space_types(value: Iterable[SpaceType | str]) -> tuple[SpaceType, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise RequestValidationError("space_types", "must be a list of SpaceType")
    kinds = tuple(to_enum(SpaceType, "space_types", kind) for kind in value)
    return tuple(kind for kind in dict.fromkeys(kinds) if kind is not None)


def _spaces(value: Iterable[CardSpace] | CardSpace) -> tuple[CardSpace, ...]:
    return check_spaces(value)


def _space_options(value: SpaceOptions) -> SpaceOptions:
    if not isinstance(value, SpaceOptions):
        raise RequestValidationError("space_options", "must be a SpaceOptions")
    return value


def _guid(value: str) -> str:
    return check_text("guid", value)


def _key(value: str) -> str:
    return _fields.stream_key(value)


def _content(value: str) -> str:
    return _fields.stream_content(value)
