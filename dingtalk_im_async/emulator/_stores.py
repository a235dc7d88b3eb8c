"""Each family's state in one emulator: one store per kind, made when first asked for.

A family keeps its state in a store class of its own (`GroupStore` for groups
and robot messages; a card family would add a `CardStore`) and its handlers
reach it with `call.stores.of(CardStore)`: no central list names the
families. `reset()` clears every store made so far.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, cast

__all__ = ["FamilyStores", "Store"]


class Store(Protocol):
    """What a family's store must offer: made with no arguments, cleared on reset."""

    def clear(self) -> None: ...


_S = TypeVar("_S", bound=Store)


class FamilyStores:
    """The stores of one emulator, by class."""

    __slots__ = ("_stores",)

    def __init__(self) -> None:
        self._stores: dict[type[Store], Store] = {}

    def __repr__(self) -> str:
        return f"FamilyStores({', '.join(kind.__name__ for kind in self._stores)})"

    def of(self, kind: type[_S]) -> _S:
        """The emulator's store of this class, made (`kind()`) on first use."""
        store = self._stores.get(kind)
        if store is None:
            store = self._stores[kind] = kind()
        return cast(_S, store)

    def clear(self) -> None:
        """Clear every store (the emulator's reset)."""
        for store in self._stores.values():
            store.clear()
