"""`estream-workspace.toml`: pinned `[dependencies]`, the `[lock]` and the files each package owns.

    [dependencies]
    estream-wire-fix = "=1.0.0"

    [lock]
    estream-wire-fix = { version = "1.0.0", checksum = "sha3-256:...", key_fingerprint = "sha3-256:..." }

    [trust]                       # the registry's root keys this workspace trusts (see trust.py)
    roots = ["sha3-256:..."]
    snapshot = 7                  # the highest registry snapshot version installed from

    [files]                       # which workspace files each installed package wrote
    estream-wire-fix = ["vendor/estream-wire-fix/circuits/fix-parser.circuit.yaml", ...]

SmartCircuit package format §8.3 defines `[dependencies]` and `[lock]`; `[files]` lets upgrades
remove what an older version installed and tells a package's own files from someone else's.
A lock entry's `key_fingerprint` is the key that signed the locked archive: install refuses an
archive of that version signed by any other key (issue 13). Entries written before it existed
(no `key_fingerprint`) are still read; the next install records it. `[trust]` pins the
registry's root keys (`estream marketplace trust`, `install --trust-root`) and records the
highest snapshot seen, so a rolled-back registry is refused (`estream.core.registry.trust`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from estream.core.errors import Diagnostic, EstreamError
from estream.core.merkle import path_problem
from estream.core.registry.index import name_problem
from estream.core.semver import SemverError, Version, VersionReq
from estream.core.toml_loader import load_toml

WORKSPACE_FILE = "estream-workspace.toml"
_CHECKSUM_RE = re.compile(r"sha3-256:[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class LockEntry:
    version: str
    checksum: str
    #: The signing key's fingerprint; None only for entries written before it was recorded.
    key_fingerprint: Optional[str] = None


@dataclass
class Workspace:
    dependencies: Dict[str, str] = field(default_factory=dict)
    lock: Dict[str, LockEntry] = field(default_factory=dict)
    files: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    #: `[trust] roots`: fingerprints of the registry root keys this workspace trusts.
    trust_roots: Tuple[str, ...] = ()
    #: `[trust] snapshot`: the highest registry snapshot version an install here used (0: none).
    trust_snapshot: int = 0

    def owner_of(self, path: str) -> Optional[str]:
        for name, paths in self.files.items():
            if path in paths:
                return name
        return None

    def render(self) -> str:
        out = [
            "# Managed by `estream marketplace install`; edit [dependencies] by hand if you like.",
            "",
            "[dependencies]",
        ]
        for name in sorted(self.dependencies):
            out.append(f"{name} = {_q(self.dependencies[name])}")
        out += ["", "[lock]", "# Lock file for reproducible installs"]
        for name in sorted(self.lock):
            e = self.lock[name]
            key = f", key_fingerprint = {_q(e.key_fingerprint)}" if e.key_fingerprint else ""
            out.append(f"{name} = {{ version = {_q(e.version)}, checksum = {_q(e.checksum)}{key} }}")
        out += ["", "[files]"]
        for name in sorted(self.files):
            items = ",\n".join(f"  {_q(p)}" for p in sorted(self.files[name]))
            out.append(f"{name} = [\n{items},\n]" if items else f"{name} = []")
        if self.trust_roots or self.trust_snapshot:
            out += [
                "",
                "[trust]",
                "# The registry's root keys this workspace trusts (`estream marketplace trust`)",
            ]
            out.append("roots = [" + ", ".join(_q(r) for r in self.trust_roots) + "]")
            if self.trust_snapshot:
                out.append(f"snapshot = {self.trust_snapshot}")
        return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse_workspace(content: bytes, source: str = WORKSPACE_FILE) -> Workspace:
    data = load_toml(content, source, what="the workspace file")
    errors: List[Diagnostic] = []
    ws = Workspace()
    for key in sorted(set(data) - {"dependencies", "lock", "files", "trust"}):
        errors.append(
            Diagnostic(
                source, "unknown table", key=key, help="expected [dependencies], [lock], [files] and [trust]"
            )
        )
    _parse_dependencies(_table(data, "dependencies", source, errors), source, ws, errors)
    _parse_lock(_table(data, "lock", source, errors), source, ws, errors)
    _parse_files(_table(data, "files", source, errors), source, ws, errors)
    _parse_trust(_table(data, "trust", source, errors), source, ws, errors)
    if errors:
        raise EstreamError(errors)
    return ws


def _table(data: Dict[str, Any], name: str, source: str, errors: List[Diagnostic]) -> Dict[str, Any]:
    """The top-level table `name`, empty if absent; not a table is reported and read as empty."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        errors.append(Diagnostic(source, "expected a table", key=name))
        return {}
    return table


# Each _parse_<table> below fills its part of `ws` with the valid entries and appends a
# diagnostic per invalid one, so one run reports every problem in the file.


def _parse_dependencies(deps: Dict[str, Any], source: str, ws: Workspace, errors: List[Diagnostic]) -> None:
    for name, req in deps.items():
        key = f"dependencies.{name}"
        problem = name_problem(name)
        if problem:
            errors.append(Diagnostic(source, f"invalid component name: {problem}", key=key))
            continue
        if not isinstance(req, str):
            errors.append(Diagnostic(source, 'expected a version requirement string like "=1.0.0"', key=key))
            continue
        try:
            VersionReq.parse(req)
        except SemverError as e:
            errors.append(Diagnostic(source, str(e), key=key))
            continue
        ws.dependencies[name] = req


def _parse_lock(lock: Dict[str, Any], source: str, ws: Workspace, errors: List[Diagnostic]) -> None:
    for name, entry in lock.items():
        key = f"lock.{name}"
        if name_problem(name):
            errors.append(Diagnostic(source, "invalid component name", key=key))
            continue
        if not isinstance(entry, dict) or not {"version", "checksum"} <= set(entry) <= {
            "version",
            "checksum",
            "key_fingerprint",
        }:
            errors.append(
                Diagnostic(
                    source,
                    'expected { version = "1.0.0", checksum = "sha3-256:...", key_fingerprint = "sha3-256:..." }',
                    key=key,
                )
            )
            continue
        version, checksum = entry["version"], entry["checksum"]
        try:
            if not isinstance(version, str):
                raise SemverError("expected a version string")
            Version.parse(version)
        except SemverError as e:
            errors.append(Diagnostic(source, str(e), key=key + ".version"))
            continue
        if not isinstance(checksum, str) or not _CHECKSUM_RE.match(checksum):
            errors.append(Diagnostic(source, 'expected "sha3-256:<64 lowercase hex>"', key=key + ".checksum"))
            continue
        key_fp = entry.get("key_fingerprint")
        if key_fp is not None and (not isinstance(key_fp, str) or not _CHECKSUM_RE.match(key_fp)):
            errors.append(
                Diagnostic(source, 'expected "sha3-256:<64 lowercase hex>"', key=key + ".key_fingerprint")
            )
            continue
        ws.lock[name] = LockEntry(version, checksum, key_fp)


def _parse_files(files: Dict[str, Any], source: str, ws: Workspace, errors: List[Diagnostic]) -> None:
    for name, paths in files.items():
        key = f"files.{name}"
        if not isinstance(paths, list) or not all(isinstance(p, str) and not path_problem(p) for p in paths):
            errors.append(Diagnostic(source, "expected an array of relative paths", key=key))
            continue
        ws.files[name] = tuple(paths)


def _parse_trust(trust: Dict[str, Any], source: str, ws: Workspace, errors: List[Diagnostic]) -> None:
    for key in sorted(set(trust) - {"roots", "snapshot"}):
        errors.append(
            Diagnostic(source, "unknown setting", key=f"trust.{key}", help="expected roots and snapshot")
        )
    roots = trust.get("roots", [])
    if (
        not isinstance(roots, list)
        or not all(isinstance(r, str) and _CHECKSUM_RE.match(r) for r in roots)
        or len(roots) > 16
    ):
        errors.append(
            Diagnostic(
                source,
                'expected roots = ["sha3-256:<64 lowercase hex>", ...] (at most 16)',
                key="trust.roots",
            )
        )
    else:
        ws.trust_roots = tuple(roots)
    snapshot = trust.get("snapshot", 0)
    if type(snapshot) is not int or not 0 <= snapshot < 2**53:
        errors.append(Diagnostic(source, "expected a non-negative integer", key="trust.snapshot"))
    else:
        ws.trust_snapshot = snapshot


def load_workspace(root: Path) -> Workspace:
    path = root / WORKSPACE_FILE
    if not path.is_file():
        return Workspace()
    return parse_workspace(path.read_bytes(), str(path))


__all__ = ["LockEntry", "WORKSPACE_FILE", "Workspace", "load_workspace", "parse_workspace"]
