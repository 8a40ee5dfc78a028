from __future__ import annotations

import pickle

import pytest

from estream.core.frozen import FrozenDict


def test_keeps_insertion_order_but_compares_like_a_dict() -> None:
    a: FrozenDict[str, int] = FrozenDict([("b", 1), ("a", 2)])
    b: FrozenDict[str, int] = FrozenDict([("a", 2), ("b", 1)])
    assert list(a) == ["b", "a"] and list(b) == ["a", "b"]
    assert a == b and hash(a) == hash(b)
    assert a == {"a": 2, "b": 1}
    assert a != FrozenDict({"a": 2, "b": 3})
    assert a != ["b", "a"]
    assert repr(a) == "FrozenDict({'b': 1, 'a': 2})"


def test_is_immutable_and_hashable() -> None:
    d: FrozenDict[str, tuple] = FrozenDict({"x": (1, 2)})
    with pytest.raises(TypeError):
        d["x"] = (3,)  # type: ignore[index]
    with pytest.raises(AttributeError):
        d.extra = 1  # type: ignore[attr-defined]
    assert {d: "ok"}[FrozenDict({"x": (1, 2)})] == "ok"
    with pytest.raises(TypeError):
        hash(FrozenDict({"x": [1]}))


def test_pickles_to_an_equal_value_in_the_same_order() -> None:
    d: FrozenDict[str, int] = FrozenDict([("z", 1), ("a", 2)])
    copy = pickle.loads(pickle.dumps(d))
    assert copy == d and list(copy) == ["z", "a"] and isinstance(copy, FrozenDict)
