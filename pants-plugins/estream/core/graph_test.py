from __future__ import annotations

from estream.core.graph import find_cycle, reachable


def test_no_cycle_in_a_dag_or_a_deep_chain() -> None:
    assert find_cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None
    chain = {f"p{i}": [f"p{i + 1}"] for i in range(5000)}
    chain["p5000"] = []
    assert find_cycle(chain, chain) is None


def test_a_cycle_thousands_deep_is_found_without_recursion() -> None:
    chain = {f"p{i}": [f"p{i + 1}"] for i in range(5000)}
    chain["p5000"] = ["p0"]
    cycle = find_cycle(chain, ["p0"])
    assert cycle is not None and cycle[0] == cycle[-1] == "p0" and len(cycle) == 5002


def test_the_cycle_is_reported_from_where_it_closes() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["b"]}
    assert find_cycle(edges) == ["b", "c", "b"]
    assert find_cycle({"x": ["x"]}) == ["x", "x"]


def test_roots_are_sorted_and_successors_keep_their_order() -> None:
    edges = {"z": ["z"], "m": ["q", "p"], "p": ["m"], "q": ["m"]}
    assert find_cycle(edges) == ["m", "q", "m"]
    assert find_cycle(edges, ["z"]) == ["z", "z"]
    assert find_cycle(edges, ["nowhere"]) is None


def test_reachable() -> None:
    edges = {"a": ["b"], "b": ["c", "d"], "d": ["b"]}
    assert reachable(edges, "a") == {"b", "c", "d"}
    assert reachable(edges, "b") == {"b", "c", "d"}  # b is on a cycle
    assert reachable(edges, "c") == set()
