"""The install record: a digest of what the last successful install left in a workspace.

An install that would change nothing (no new request, the lock satisfies `[dependencies]`, every
installed file as the install wrote it) used to re-read, re-verify (ML-DSA-87), re-parse (YAML)
and re-write every package: ~1 s for 6 packages. With the record it returns in a few ms; this is
npm's "hidden lockfile" idea, made safe by hashing content rather than trusting timestamps.

Decisions:

* The record is one SHA-256 over everything the install's outcome depends on: the exact bytes of
  `estream-workspace.toml`, every file the workspace says a package owns (path and content
  hash), the options that change what an install checks (development keys, test vectors, size
  cap), the local keyring, the registry's `config.toml` and `keyring.toml` as last fetched, and
  the estream version. Any difference, a missing or non-regular file, or a record that cannot be
  read means "run the full install", which re-verifies everything as before. A record can only
  ever say "this exact state is what a successful install produced", so it cannot make an
  unverified file pass: changing a file changes the digest.
* Written after the install's transaction committed (a crash before leaves an old record that no
  longer matches); kept outside the workspace, in the archive cache's `installs/` directory,
  named by the workspace's real path, so the workspace gains no file.
* The no-op path does not contact the registry (no `git fetch`): like an offline install from the
  lock, it re-checks nothing the lock already pins. A key revoked in the registry since is seen by
  the next install that fetches (any install that resolves, or after the record is invalidated).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Tuple

from estream.core.atomic_file import atomic_write_bytes

RECORD_FORMAT = 1
RECORDS_DIR = "installs"


def record_path(cache_root: Path, workspace_root: Path) -> Path:
    key = hashlib.sha256(os.path.realpath(workspace_root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return cache_root / RECORDS_DIR / f"{key}.sha256"


def install_digest(workspace_file: bytes, files: Iterable[Tuple[str, bytes]], inputs: Sequence[str]) -> str:
    """The digest of an installed state: the workspace file, each owned (path, content), inputs."""
    h = hashlib.sha256(f"estream-install-record {RECORD_FORMAT}\n".encode())
    for item in inputs:
        h.update(hashlib.sha256(item.encode("utf-8", "surrogateescape")).digest())
    h.update(hashlib.sha256(workspace_file).digest())
    for rel, content in sorted(files):
        h.update(hashlib.sha256(rel.encode("utf-8", "surrogateescape")).digest())
        h.update(hashlib.sha256(content).digest())
    return h.hexdigest()


def read_owned_files(root: Path, owned: Mapping[str, Sequence[str]]) -> Optional[Iterable[Tuple[str, bytes]]]:
    """Every owned file's (path, content); None if one is missing, a symlink or not a regular file."""
    out = []
    for paths in owned.values():
        for rel in paths:
            full = os.path.join(root, rel)
            try:
                if not stat.S_ISREG(os.lstat(full).st_mode):
                    return None
                with open(full, "rb") as f:
                    out.append((rel, f.read()))
            except OSError:
                return None
    return out


def load_record(path: Path) -> Optional[str]:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 64 else None


def save_record(path: Path, digest: str) -> None:
    """Best effort: without a record the next install simply does the full work."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, (digest + "\n").encode("ascii"))
    except OSError:
        pass


def forget_record(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


__all__ = [
    "RECORD_FORMAT",
    "forget_record",
    "install_digest",
    "load_record",
    "read_owned_files",
    "record_path",
    "save_record",
]
