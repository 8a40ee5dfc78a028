"""`estream-workspace.toml`: pinned `[dependencies]`, the `[lock]` and the files each package owns.

    [dependencies]
    estream-wire-fix = "=1.0.0"

    [lock]
    estream-wire-fix = { version = "1.0.0", checksum = "sha3-256:..." }

    [files]                       # which workspace files each installed package wrote
    estream-wire-fix = ["vendor/estream-wire-fix/circuits/fix-parser.circuit.yaml", ...]

SmartCircuit package format §8.3 defines `[dependencies]` and `[lock]`; `[files]` lets upgrades
remove what an older version installed and tells a package's own files from someone else's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from estream.core.toml_loader import load_toml

from estream.core.errors import Diagnostic, EstreamError
from estream.core.merkle import path_problem
from estream.core.registry.index import name_problem
from estream.core.semver import SemverError, Version, VersionReq

WORKSPACE_FILE = "estream-workspace.toml"
_CHECKSUM_RE = re.compile(r"sha3-256:[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class LockEntry:
    version: str
    checksum: str


@dataclass
class Workspace:
    dependencies: Dict[str, str] = field(default_factory=dict)
    lock: Dict[str, LockEntry] = field(default_factory=dict)
    files: Dict[str, Tuple[str, ...]] = field(default_factory=dict)

    def owner_of(self, path: str) -> Optional[str]:
        for name, paths in self.files.items():
            if path in paths:
                return name
        return None

    def render(self) -> str:
        out = ["# Managed by `estream marketplace install`; edit [dependencies] by hand if you like.", "", "[dependencies]"]
        for name in sorted(self.dependencies):
            out.append(f"{name} = {_q(self.dependencies[name])}")
        out += ["", "[lock]", "# Lock file for reproducible installs"]
        for name in sorted(self.lock):
            e = self.lock[name]
            out.append(f"{name} = {{ version = {_q(e.version)}, checksum = {_q(e.checksum)} }}")
        out += ["", "[files]"]
        for name in sorted(self.files):
            items = ",\n".join(f"  {_q(p)}" for p in sorted(self.files[name]))
            out.append(f"{name} = [\n{items},\n]" if items else f"{name} = []")
        return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse_workspace(content: bytes, source: str = WORKSPACE_FILE) -> Workspace:
    data = load_toml(content, source, what="the workspace file")
    errors: List[Diagnostic] = []
    ws = Workspace()
    for key in sorted(set(data) - {"dependencies", "lock", "files"}):
        errors.append(Diagnostic(source, "unknown table", key=key, help="expected [dependencies], [lock] and [files]"))
    deps = data.get("dependencies", {})
    if not isinstance(deps, dict):
        errors.append(Diagnostic(source, "expected a table", key="dependencies"))
        deps = {}
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
    lock = data.get("lock", {})
    if not isinstance(lock, dict):
        errors.append(Diagnostic(source, "expected a table", key="lock"))
        lock = {}
    for name, entry in lock.items():
        key = f"lock.{name}"
        if name_problem(name):
            errors.append(Diagnostic(source, "invalid component name", key=key))
            continue
        if not isinstance(entry, dict) or set(entry) != {"version", "checksum"}:
            errors.append(Diagnostic(source, 'expected { version = "1.0.0", checksum = "sha3-256:..." }', key=key))
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
        ws.lock[name] = LockEntry(version, checksum)
    files = data.get("files", {})
    if not isinstance(files, dict):
        errors.append(Diagnostic(source, "expected a table", key="files"))
        files = {}
    for name, paths in files.items():
        key = f"files.{name}"
        if not isinstance(paths, list) or not all(isinstance(p, str) and not path_problem(p) for p in paths):
            errors.append(Diagnostic(source, "expected an array of relative paths", key=key))
            continue
        ws.files[name] = tuple(paths)
    if errors:
        raise EstreamError(errors)
    return ws


def load_workspace(root: Path) -> Workspace:
    path = root / WORKSPACE_FILE
    if not path.is_file():
        return Workspace()
    return parse_workspace(path.read_bytes(), str(path))


__all__ = ["LockEntry", "WORKSPACE_FILE", "Workspace", "load_workspace", "parse_workspace"]
