"""`FrozenDict`: an immutable, hashable mapping for the frozen dataclasses of the pure core.

Decisions:
- Our own small class, not Pants' `pants.util.frozendict.FrozenDict`: `core/` runs without
  Pants (the `estream` CLI), and Pants rules can still hash and compare these values.
- Insertion order is kept (iteration and `repr`), but equality and the hash ignore it, as for
  `dict`: two manifests listing the same dependencies in another order are equal.
- Picklable (`__reduce__`), so values built from it cross Pants' process boundaries.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping, Optional, TypeVar

__all__ = ["FrozenDict"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(Mapping[K, V]):
    """An immutable, hashable mapping that keeps insertion order (for use in Pants rules)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Any = ()) -> None:
        self._data: Dict[K, V] = dict(items)
        self._hash: Optional[int] = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> Any:
        return (FrozenDict, (tuple(self._data.items()),))
