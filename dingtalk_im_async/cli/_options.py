"""The command's options made from the settings' declarations (`settings.py`): each option's
flag, help text, default and environment variable come from its setting's field, and the
values come back as that settings class, checked by it."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

import attrs
import click

from ..settings import CLI_FLAG, DOC, ENV

__all__ = ["setting_options", "settings_from"]

_F = TypeVar("_F", bound=Callable[..., Any])
S = TypeVar("S")


def _click_type(annotation: Any) -> Any:
    """The click type of a setting's annotation: its one number or text type."""
    kinds = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((kind for kind in kinds if kind in (int, float, str)), str)
    return {int: click.INT, float: click.FLOAT}.get(annotation, click.STRING)


def setting_options(cls: type, *names: str, **extra: dict[str, Any]) -> Callable[[_F], _F]:
    """click options for the settings `names` of `cls` (those with a `dingtalk-im` flag);
    `extra[name]` adds or replaces click arguments of one (e.g. its type). `help_more` in
    them keeps only the doc's first clause and adds what the option means beyond the
    setting (e.g. "0 turns pacing off")."""
    fields = attrs.fields_dict(attrs.resolve_types(cls))

    def decorate(command: _F) -> _F:
        for name in reversed(names):
            field = fields[name]
            arguments: dict[str, Any] = {"help": field.metadata[DOC]}
            if field.type is bool:
                arguments["is_flag"] = True
            else:
                arguments["type"] = _click_type(field.type)
                if field.default is not None:
                    arguments.update(default=field.default, show_default=True)
            if ENV in field.metadata:
                arguments.update(envvar=field.metadata[ENV], show_envvar=True)
            more = dict(extra.get(name, {}))
            if "help_more" in more:
                first = re.split(r"; |\. ", field.metadata[DOC], maxsplit=1)[0]
                arguments["help"] = f"{first}; {more.pop('help_more')}"
            arguments.update(more)
            command = click.option(field.metadata[CLI_FLAG], name, **arguments)(command)
        return command

    return decorate


def settings_from(cls: type[S], given: MutableMapping[str, Any]) -> S:
    """`cls` from the options of its fields in `given` (taken out of it); a value the
    settings refuse is a usage error (exit 2) naming the option."""
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    chosen = {name: given.pop(name) for name in list(given) if name in fields}
    chosen = {name: value for name, value in chosen.items() if value is not None}
    try:
        return cls(**chosen)
    except (TypeError, ValueError) as error:
        named = re.match(r"\w+", str(error))
        field = fields.get(named.group(0)) if named else None
        hint = field.metadata.get(CLI_FLAG) if field is not None else None
        raise click.BadParameter(str(error), param_hint=hint) from None
