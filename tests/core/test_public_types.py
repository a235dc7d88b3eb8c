"""The public API is fully annotated, and `Any` never leaks into it (mypy checks the rest)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator

import pytest

import dingtalk_im_async

PACKAGE = dingtalk_im_async.__name__


def own_callables(name: str, value: object) -> Iterator[tuple[str, Callable[..., object]]]:
    """`value` itself if it is a function, else the public methods its class defines here."""
    if not inspect.isclass(value):
        if callable(value):
            yield name, value
        return
    members = dict(vars(value))
    for base in value.__mro__[1:]:  # an __init__ inherited from a base of the package's
        if base.__module__.startswith(PACKAGE) and "__init__" in vars(base):
            members.setdefault("__init__", vars(base)["__init__"])
            break
    for member_name, member in members.items():
        if member_name.startswith("_") and member_name != "__init__":
            continue
        function = member.fget if isinstance(member, property) else member
        if inspect.isfunction(function) and function.__module__.startswith(PACKAGE):
            yield f"{name}.{member_name}", function


def public_callables() -> dict[str, Callable[..., object]]:
    found: dict[str, Callable[..., object]] = {}
    for name in dingtalk_im_async.__all__:
        found.update(own_callables(name, getattr(dingtalk_im_async, name)))
    return found


PUBLIC_CALLABLES = public_callables()
PUBLIC_CLASSES = [
    name for name in dingtalk_im_async.__all__ if inspect.isclass(getattr(dingtalk_im_async, name))
]


def mentions_any(annotation: object) -> bool:
    """Works on evaluated types and on the strings of `from __future__ import annotations`
    (which may name imports made only under TYPE_CHECKING, such as redis's types)."""
    return re.search(r"\bAny\b", str(annotation)) is not None


def test_the_public_api_has_callables_to_check() -> None:
    names = set(PUBLIC_CALLABLES)
    assert {"GroupService.__init__", "GroupService.create", "CreateGroupRequest.__init__"} <= names
    assert {"AppTokenProvider.get_token", "TokenProvider.invalidate", "ApiError.__init__"} <= names


@pytest.mark.parametrize("name", sorted(PUBLIC_CALLABLES))
def test_public_callable_is_fully_annotated_without_any(name: str) -> None:
    signature = inspect.signature(PUBLIC_CALLABLES[name])
    annotations = {
        parameter.name: parameter.annotation
        for parameter in signature.parameters.values()
        if parameter.name not in ("self", "cls")
    }
    missing = [
        key for key, annotation in annotations.items() if annotation is inspect.Parameter.empty
    ]
    assert missing == [], f"{name}: no annotation on {missing}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
    annotations["return"] = signature.return_annotation
    leaking = [key for key, annotation in annotations.items() if mentions_any(annotation)]
    assert leaking == [], f"{name}: Any in {leaking}"


@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_public_class_attributes_have_no_any(name: str) -> None:
    annotations = inspect.get_annotations(getattr(dingtalk_im_async, name))
    leaking = [
        attribute
        for attribute, annotation in annotations.items()
        if not attribute.startswith("_") and mentions_any(annotation)
    ]
    assert leaking == []
