"""Dependency resolution: semver, transitive, backtracking, with explained conflicts.

One version per component (like Cargo within a semver-compatible range, simplified to one
version overall, because installed schemas and circuits share one workspace namespace).
Candidates are tried locked-version first, then newest first; yanked versions are only used
when the lock already pins them. When no assignment works, the error explains the first
conflict met as chains of requirements from the workspace down to the clash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from estream.core.errors import EstreamError
from estream.core.registry.index import IndexEntry
from estream.core.semver import Version, VersionReq

ROOT = "workspace"
#: Choice points visited before giving up: resolution is NP-hard in general; real graphs need few.
DEFAULT_MAX_STEPS = 200_000


@dataclass(frozen=True)
class Requirement:
    name: str
    req: VersionReq
    req_text: str
    #: How we got here: ((requirer, requirer version or None), ...) from the workspace down.
    chain: Tuple[Tuple[str, Optional[str]], ...]

    def describe(self) -> str:
        steps = []
        for who, version in self.chain:
            steps.append(who if version is None else f"{who} {version}")
        return " → ".join(steps) + f" requires {self.name} {self.req_text}"


@dataclass(frozen=True)
class Resolution:
    packages: Dict[str, IndexEntry]
    #: name -> requirements that selected or accepted it (for the install tree).
    required_by: Dict[str, Tuple[Requirement, ...]]

    def order(self) -> List[str]:
        """Dependencies before dependents (stable, by name among peers)."""
        done: List[str] = []
        seen = set()

        def visit(name: str, stack: Tuple[str, ...]) -> None:
            if name in seen or name in stack:
                return
            for dep in sorted(d.name for d in self.packages[name].deps):
                if dep in self.packages:
                    visit(dep, stack + (name,))
            seen.add(name)
            done.append(name)

        for name in sorted(self.packages):
            visit(name, ())
        return done


class ResolutionError(EstreamError):
    pass


@dataclass
class _Frame:
    selected: Dict[str, IndexEntry]
    required_by: Dict[str, Tuple[Requirement, ...]]
    queue: Tuple[Requirement, ...]
    candidates: List[IndexEntry]
    requirement: Requirement
    #: Components whose choices narrowed this one's candidates (conflict-directed backjumping).
    conflict: Set[str]


def _requirer(req: Requirement) -> Optional[str]:
    """The component whose chosen version imposed `req` (None for the workspace itself)."""
    who, version = req.chain[-1]
    return who if version is not None else None


def _names(reqs) -> Set[str]:
    return {n for n in (_requirer(r) for r in reqs) if n is not None}


def _candidates(
    req: Requirement, versions: Sequence[IndexEntry], locked: Optional[str]
) -> List[IndexEntry]:
    locked_v = Version.parse(locked) if locked else None
    out = [e for e in versions if req.req.matches(e.semver) and (not e.yanked or e.semver == locked_v)]
    out.sort(key=lambda e: (e.semver != locked_v, _neg(e.semver)))
    return out


class _Neg:
    __slots__ = ("v",)

    def __init__(self, v: Version) -> None:
        self.v = v

    def __lt__(self, other: "_Neg") -> bool:
        return other.v < self.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Neg) and other.v == self.v


def _neg(v: Version) -> _Neg:
    return _Neg(v)


def resolve(
    roots: Mapping[str, str],
    versions_of: Callable[[str], Sequence[IndexEntry]],
    *,
    locked: Optional[Mapping[str, str]] = None,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Resolution:
    """Pick one version per component so every requirement (roots' and transitive) holds.

    `roots` maps component names to requirement strings (the workspace's `[dependencies]`);
    `versions_of(name)` lists a component's index entries (empty if unknown); `locked` maps
    names to versions to prefer (the workspace's `[lock]`).
    """
    locked = dict(locked or {})
    cache: Dict[str, Sequence[IndexEntry]] = {}

    def versions(name: str) -> Sequence[IndexEntry]:
        if name not in cache:
            cache[name] = versions_of(name)
        return cache[name]

    reachable: Dict[Tuple[str, str], bool] = {}

    def satisfiable(name: str, req_text: str) -> bool:
        key = (name, req_text)
        if key not in reachable:
            req = VersionReq.parse(req_text)
            reachable[key] = any(req.matches(e.semver) and not e.yanked for e in versions(name))
        return reachable[key]

    queue: List[Requirement] = []
    for name in sorted(roots):
        text = roots[name]
        try:
            root_req = VersionReq.parse(text)
        except ValueError as e:
            raise ResolutionError.single("estream-workspace.toml", str(e), key=f"dependencies.{name}") from None
        queue.append(Requirement(name, root_req, text, ((ROOT, None),)))

    first_failure: Optional[str] = None
    steps = 0
    stack: List[_Frame] = []
    selected: Dict[str, IndexEntry] = {}
    required_by: Dict[str, Tuple[Requirement, ...]] = {}
    pending: Tuple[Requirement, ...] = tuple(queue)

    while True:
        # Propagate: consume requirements already satisfied; stop at the first needing a choice.
        failure: Optional[str] = None
        culprits: Set[str] = set()
        choice: Optional[Tuple[Requirement, List[IndexEntry], Set[str]]] = None
        # Walk the queue by position (slicing it at every step copied it: quadratic in its length).
        pos = 0
        while pos < len(pending):
            req = pending[pos]
            pos += 1
            current = selected.get(req.name)
            if current is not None:
                if req.req.matches(current.semver):
                    required_by[req.name] = required_by.get(req.name, ()) + (req,)
                    continue
                accepted = required_by.get(req.name, ())
                failure = _explain_conflict(req, current, accepted)
                culprits = _names((req,) + accepted) | {req.name}
                break
            available = versions(req.name)
            cands = _candidates(req, available, locked.get(req.name))
            # Requirements on the same name still waiting in the queue narrow the choice now.
            others = [o for o in pending[pos:] if o.name == req.name]
            for other in others:
                cands = [c for c in cands if other.req.matches(c.semver)]
            if not cands:
                failure = _explain_missing(req, available, others)
                culprits = _names([req, *others])
                break
            if len(cands) > 1:
                # Look one step ahead: versions with a dependency no release can satisfy go last.
                cands.sort(key=lambda c: not all(satisfiable(d.name, d.req) for d in c.deps))
            choice = (req, cands, _names([req, *others]))
            break
        pending = pending[pos:]
        if failure is None and choice is None:
            return Resolution(dict(selected), dict(required_by))
        if failure is not None:
            if first_failure is None:
                first_failure = failure
            # Conflict-directed backjumping: return to the latest choice that contributed to the
            # failure; choices made after it that had nothing to do with it are redone from there.
            frame = None
            while stack:
                top = stack[-1]
                if top.requirement.name not in culprits:
                    stack.pop()
                    continue
                top.conflict |= culprits - {top.requirement.name}
                if top.candidates:
                    frame = top
                    break
                culprits = set(top.conflict)
                stack.pop()
            if frame is None:
                raise ResolutionError.single(
                    "dependency resolution", first_failure, help="relax a version requirement or ask a publisher for a compatible release"
                )
            selected = dict(frame.selected)
            required_by = dict(frame.required_by)
            pending = frame.queue
            req = frame.requirement
            cand = frame.candidates.pop(0)
        else:
            assert choice is not None
            req, cands, restrictors = choice
            cand = cands[0]
            stack.append(_Frame(dict(selected), dict(required_by), pending, cands[1:], req, set(restrictors)))
        steps += 1
        if steps > max_steps:
            raise ResolutionError.single(
                "dependency resolution", f"gave up after {max_steps} steps; first problem met: {first_failure or 'none'}"
            )
        selected[req.name] = cand
        required_by[req.name] = required_by.get(req.name, ()) + (req,)
        chain = req.chain + ((cand.name, cand.version),)
        new = []
        for dep in cand.deps:
            new.append(Requirement(dep.name, dep.version_req, dep.req, chain))
        pending = pending + tuple(new)


def _explain_conflict(req: Requirement, current: IndexEntry, accepted: Tuple[Requirement, ...]) -> str:
    lines = [f"cannot select a version of `{req.name}` that satisfies every requirement:"]
    for a in accepted:
        lines.append(f"  {a.describe()}  (selected {current.name} {current.version})")
    lines.append(f"  {req.describe()}  (but {current.version} does not match {req.req_text})")
    return "\n".join(lines)


def _explain_missing(req: Requirement, available: Sequence[IndexEntry], others: Sequence[Requirement]) -> str:
    if not available:
        return f"no component named `{req.name}` in the registry\n  {req.describe()}"
    live = sorted((e for e in available if not e.yanked), key=lambda e: e.semver)
    shown = ", ".join(e.version for e in live[-8:]) or "none (all yanked)"
    lines = [f"no version of `{req.name}` matches every requirement (available: {shown}):", f"  {req.describe()}"]
    for o in others:
        lines.append(f"  {o.describe()}")
    yanked = [e.version for e in available if e.yanked and req.req.matches(e.semver)]
    if yanked:
        lines.append(f"  (matching but yanked: {', '.join(yanked)})")
    return "\n".join(lines)


__all__ = ["ROOT", "Requirement", "Resolution", "ResolutionError", "resolve"]
