"""One rule for every list of ids, in Python and in the CLI's inputs alike: a list or a
tuple of strings. A dict (whose keys would become the list), a set or frozenset (no order),
a generator or a range (not a list), a bare string or bytes (its letters) are refused
before any I/O with `RequestValidationError` naming the field, and the CLI refuses the
same JSON values with the same words."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from dingtalk_im_async import CreateGroupRequest, RequestValidationError, UpdateGroupRequest
from dingtalk_im_async._core.endpoint import declared_endpoints
from dingtalk_im_async.cli._rows import RowError, columns, request_from_row


def _attrs_classes(cls: type, seen: set[type]) -> Iterator[type]:
    """`cls` and the attrs classes its fields hold (a card's spaces, options...)."""
    if cls in seen or not attrs.has(cls):
        return
    seen.add(cls)
    attrs.resolve_types(cls)
    yield cls
    for field in attrs.fields(cls):
        for kind in (field.type, *typing.get_args(field.type)):
            for inner in (kind, *typing.get_args(kind)):
                if isinstance(inner, type):
                    yield from _attrs_classes(inner, seen)


def id_list_fields() -> list[tuple[type, str, Callable[[Any], Any]]]:
    seen: set[type] = set()
    found = []
    for endpoint in declared_endpoints():
        for cls in _attrs_classes(endpoint.request_type, seen):
            for field in attrs.fields(cls):
                kinds = (field.type, *typing.get_args(field.type))
                if tuple[str, ...] in kinds and field.converter is not None:
                    found.append((cls, field.name, field.converter))
    return found


FIELDS = id_list_fields()
NOT_LISTS: dict[str, Callable[[], object]] = {
    "dict": lambda: {"u1": 1, "u2": 2},
    "dict keys": lambda: {"u1": 1}.keys(),
    "set": lambda: {"u1", "u2"},
    "frozenset": lambda: frozenset({"u1"}),
    "generator": lambda: (user for user in ["u1", "u2"]),
    "range": lambda: range(2),
    "bare string": lambda: "u1",
    "bytes": lambda: b"u1",
    "a number": lambda: 7,
}


def test_the_requests_have_id_lists_to_check() -> None:
    names = {(cls.__name__, name) for cls, name, _ in FIELDS}
    assert ("CreateGroupRequest", "useridlist") in names
    assert len({cls for cls, _, _ in FIELDS}) >= 6  # groups, scene groups, cards, robot


@pytest.mark.parametrize("given", list(NOT_LISTS.values()), ids=list(NOT_LISTS))
@pytest.mark.parametrize(
    ("cls", "name", "convert"), FIELDS, ids=[f"{c.__name__}.{n}" for c, n, _ in FIELDS]
)
def test_an_id_list_that_is_not_a_list_is_refused(
    cls: type, name: str, convert: Callable[[Any], Any], given: Callable[[], object]
) -> None:
    value = given()
    with pytest.raises(RequestValidationError) as caught:
        convert(value)
    assert f"must be a list of strings, got {type(value).__name__}" in str(caught.value)


@pytest.mark.parametrize(
    ("cls", "name", "convert"), FIELDS, ids=[f"{c.__name__}.{n}" for c, n, _ in FIELDS]
)
def test_a_list_or_a_tuple_is_taken(cls: type, name: str, convert: Callable[[Any], Any]) -> None:
    assert convert(["u1", "u2"]) == ("u1", "u2")
    assert convert(("u1", "u2")) == ("u1", "u2")


def test_a_request_refuses_a_dict_naming_the_field() -> None:
    with pytest.raises(RequestValidationError) as caught:
        CreateGroupRequest(name="n", owner="o", useridlist={"u1": 1})  # type: ignore[arg-type]
    assert caught.value.field == "useridlist"
    with pytest.raises(RequestValidationError) as caught:
        UpdateGroupRequest(chatid="c", add_useridlist={"u2"})  # type: ignore[arg-type]
    assert caught.value.field == "add_useridlist"


def _row_cases() -> list[tuple[type, str]]:
    cases = []
    for endpoint in declared_endpoints():
        known = columns(endpoint.request_type)
        cases += [
            (endpoint.request_type, key) for key, column in known.items() if column.kind == "ids"
        ]
    return cases


ROWS = _row_cases()


@pytest.mark.parametrize(
    "given", [{"u1": 1}, 7, {"nested": ["u1"]}], ids=["dict", "number", "object"]
)
@pytest.mark.parametrize(("cls", "key"), ROWS, ids=[f"{c.__name__}.{k}" for c, k in ROWS])
def test_the_cli_refuses_the_same_values_with_the_same_words(
    cls: type, key: str, given: object
) -> None:
    """A JSON Lines value where an id list belongs: the row's error is the Python API's."""
    with pytest.raises(RowError) as caught:
        request_from_row(cls, {key: given})
    assert str(caught.value) == (f"{key}: must be a list of strings, got {type(given).__name__}")
    with pytest.raises(RowError) as caught:
        request_from_row(cls, {key: ["u1", 2]})
    assert str(caught.value) == f"{key}[1]: must be a string, got int"
