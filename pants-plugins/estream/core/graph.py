"""Directed graphs as adjacency mappings (`{node: [successor, ...]}`): cycles and reachability.

One implementation for every graph the core checks: package dependencies (`resolution.py`) and
a SmartCircuit's flow graph (`circuit.py`).

Decisions:
- Iterative depth-first search, never recursion: a hostile or generated graph thousands of
  nodes deep must not hit Python's recursion limit.
- Deterministic: roots are tried in sorted order and successors in the order the mapping lists
  them, so a caller that lists them sorted (or in source order) always reports the same cycle.
- A node that appears only as a successor has no successors of its own.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

__all__ = ["find_cycle", "reachable"]

_WHITE, _GREY, _BLACK = 0, 1, 2


def find_cycle(
    edges: Mapping[str, Sequence[str]], start: Optional[Iterable[str]] = None
) -> Optional[List[str]]:
    """The first cycle reachable from `start` (default: every node of `edges`), as
    `[a, b, ..., a]`, or None when there is none."""
    color: Dict[str, int] = {}
    for root in sorted(edges if start is None else start):
        if color.get(root, _WHITE) != _WHITE:
            continue
        stack: List[Tuple[str, int]] = [(root, 0)]  # (node, index of its next successor)
        path: List[str] = [root]
        color[root] = _GREY
        while stack:
            node, i = stack[-1]
            successors = edges.get(node, ())
            if i >= len(successors):
                color[node] = _BLACK
                stack.pop()
                path.pop()
                continue
            stack[-1] = (node, i + 1)
            child = successors[i]
            state = color.get(child, _WHITE)
            if state == _GREY:
                return path[path.index(child) :] + [child]
            if state == _WHITE:
                color[child] = _GREY
                stack.append((child, 0))
                path.append(child)
    return None


def reachable(edges: Mapping[str, Sequence[str]], start: str) -> Set[str]:
    """Every node reachable from `start` through at least one edge (`start` itself only when it
    is on a cycle)."""
    seen: Set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen
