"""griffe extension: the docstring under an attrs field is its row's description.

griffe-fieldz describes a field by its `description` metadata, else by its default
factory's docstring, else by the docstring under the field. So a field written
`field(factory=dict)` with a docstring under it shows `dict() -> new empty
dictionary`, and `field(factory=time.monotonic)` the clock's docstring. Listed
before griffe-fieldz in mkdocs.yml, this records each field's own docstring before
griffe-fieldz removes the field from the class's members, and puts it back into the
class's parameter and attribute tables once the class is loaded.
"""

from __future__ import annotations

import ast
from typing import Any

from griffe import (
    Class,
    DocstringSectionAttributes,
    DocstringSectionParameters,
    Extension,
    ObjectNode,
)


class FieldDocstrings(Extension):
    """Gives the docstring under a field precedence over its default factory's."""

    def __init__(self) -> None:
        self._own: dict[str, dict[str, str]] = {}

    def on_class_members(self, *, node: ast.AST | ObjectNode, cls: Class, **kwargs: Any) -> None:
        self._own[cls.path] = {
            name: member.docstring.value
            for name, member in cls.members.items()
            if member.is_attribute and member.docstring and member.docstring.value.strip()
        }

    def on_class(self, *, cls: Class, **kwargs: Any) -> None:
        own = self._own.get(cls.path)
        if not own or not cls.docstring:
            return
        for section in cls.docstring.parsed:
            if isinstance(section, (DocstringSectionParameters, DocstringSectionAttributes)):
                for item in section.value:
                    if item.name in own:
                        item.description = own[item.name]
