"""The fast structure path gives exactly what the converter gives, or steps aside.

For every Stream model, payloads are generated field by field from the
model's own attrs fields (well-typed values, optional keys present or
missing, unknown keys added), then one thing is spoiled: a value replaced
by any JSON value, or a key removed, at the top or in a nested object. Wherever the fast path
builds a model, the converter must build an equal one; wherever the
converter refuses, the fast path must return None (so the caller reaches
the converter and its detailed error). Well-typed payloads must take the
fast path, or it would be dead code.
"""

from __future__ import annotations

import typing
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingtalk_im_async._wire import from_wire as converter_from_wire
from dingtalk_im_async._wire import wire_name
from dingtalk_im_async.stream import EVENT_CLASSES, AtUser, BotMessage, TextContent, UnknownEvent
from dingtalk_im_async.stream._codec import DecodeError, from_wire
from dingtalk_im_async.stream._structure import build_structure

MODELS: list[type] = [BotMessage, AtUser, TextContent, UnknownEvent, *EVENT_CLASSES.values()]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


def well_typed(annotation: Any) -> st.SearchStrategy[Any]:
    """A value of the wire type the field's annotation expects."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if type(None) in arguments:
        rest = [a for a in arguments if a is not type(None)]
        return st.none() | well_typed(rest[0])
    if annotation is str:
        return st.text()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(-(2**63), 2**63)
    if attrs.has(annotation):
        return payloads(annotation)
    if origin is tuple:
        return st.lists(well_typed(arguments[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(), json_values, max_size=3)
    raise AssertionError(f"no strategy for {annotation!r}")


def payloads(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed payloads for `cls`: optional keys present or missing, unknown keys added."""
    hints = typing.get_type_hints(cls)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        target = required if field.default is attrs.NOTHING else optional
        target[wire_name(field)] = well_typed(hints[field.name])
    extra = st.dictionaries(st.text(min_size=1).map(lambda k: f"x-{k}"), json_values, max_size=2)
    fixed = st.fixed_dictionaries(required, optional=optional)
    return st.builds(lambda a, b: {**b, **a}, fixed, extra)


@st.composite
def one_thing_off(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    """A well-typed payload with one value replaced by any JSON value, or one key removed,
    at the top or inside a nested object or list: the shapes a fast path could misjudge."""
    payload = draw(payloads(cls))
    spoil(draw, payload)
    return payload


def spoil(draw: st.DrawFn, container: dict[str, Any] | list[Any]) -> None:
    if not container:
        return
    if isinstance(container, dict):
        key = draw(st.sampled_from(sorted(container)))
        value = container[key]
        if isinstance(value, (dict, list)) and value and draw(st.booleans()):
            spoil(draw, value)
        elif draw(st.booleans()):
            del container[key]
        else:
            container[key] = draw(json_values)
    else:
        index = draw(st.integers(0, len(container) - 1))
        if isinstance(container[index], dict) and draw(st.booleans()):
            spoil(draw, container[index])
        else:
            container[index] = draw(json_values)


def converter_or_refusal(cls: type, payload: dict[str, Any]) -> Any:
    try:
        return converter_from_wire(cls, payload)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError):
        return "refused"


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_path_agrees_with_the_converter_or_steps_aside(cls: type, data: Any) -> None:
    payload = data.draw(one_thing_off(cls))
    fast = build_structure(cls)(payload)
    expected = converter_or_refusal(cls, payload)
    if fast is None:
        return  # the converter decides; from_wire then gives its result or DecodeError
    assert expected != "refused", payload
    assert fast == expected
    assert type(fast) is type(expected)


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_well_typed_payloads_take_the_fast_path(cls: type, data: Any) -> None:
    payload = data.draw(payloads(cls))
    fast = build_structure(cls)(payload)
    assert fast is not None
    assert fast == converter_from_wire(cls, payload)


#: One value of each JSON type (and a bool for an int: Python counts it as one, DingTalk not).
EACH_JSON_TYPE = [None, True, False, 0, 7, 1.5, "text", [], ["text"], [{}], {}, {"content": 1}]


def minimal(cls: type) -> dict[str, Any]:
    """The smallest well-typed payload: the required keys only, each with a plain value."""
    hints = typing.get_type_hints(cls)
    plain = {str: "s", int: 1, bool: True}
    return {
        wire_name(field): minimal(hints[field.name])
        if attrs.has(hints[field.name])
        else plain[hints[field.name]]
        for field in attrs.fields(cls)
        if field.default is attrs.NOTHING
    }


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_field_with_every_json_type_agrees_with_the_converter(cls: type) -> None:
    """Exhaustive where the generated test samples: each field, each type of value."""
    fast_structure = build_structure(cls)
    for field in attrs.fields(cls):
        for value in EACH_JSON_TYPE:
            payload = {**minimal(cls), wire_name(field): value}
            fast = fast_structure(payload)
            expected = converter_or_refusal(cls, payload)
            assert fast is None or fast == expected, (field.name, value)


def test_a_payload_outside_the_shape_still_gets_the_converters_error() -> None:
    with pytest.raises(DecodeError, match=r"\$\.conversationId"):
        from_wire(BotMessage, {"msgId": "m", "conversationId": 7})
    message = from_wire(BotMessage, {"msgId": "m", "conversationId": "c", "atUsers": ()})
    assert message.at_users == ()  # a tuple is no JSON value: the converter takes it


def test_a_field_of_an_unsupported_type_is_refused_when_the_function_is_built() -> None:
    @attrs.define
    class Odd:
        when: float

    with pytest.raises(TypeError, match=r"Odd\.when"):
        build_structure(Odd)
