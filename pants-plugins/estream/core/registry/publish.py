"""Turn what the user points `publish` at (a package directory or a built archive) into archive bytes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

from estream.core.archive import build_archive
from estream.core.errors import EstreamError
from estream.core.globs import filter_glob
from estream.core.keys import SigningKey
from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
from estream.core.merkle import SIGNATURE_FILE
from estream.core.signature import SignedAt, sign_package

#: Files shipped besides the manifest and its `[component.include]` globs (as `marketplace_package`).
EXTRA_GLOBS = ("README.md", "LICENSE", "docs/**/*")
#: Directory entries never part of a package when reading a source directory.
_SKIP_DIRS = {".git", ".estream-install", "dist", "__pycache__"}


def read_directory(root: Path) -> Dict[str, bytes]:
    """Regular files under `root` (POSIX relative paths); symlinks and special files are refused."""
    if not root.is_dir():
        raise EstreamError.single(str(root), "no such package directory")
    files: Dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(dirnames):
            if (Path(dirpath) / name).is_symlink():
                raise EstreamError.single(str(Path(dirpath) / name), "symbolic links are not allowed in a package")
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if full.is_symlink():
                raise EstreamError.single(str(full), "symbolic links are not allowed in a package")
            if not full.is_file():
                raise EstreamError.single(str(full), "not a regular file (device, FIFO or socket)")
            files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


def archive_from_directory(root: Path, *, key: Optional[SigningKey], signed_at: SignedAt) -> bytes:
    """A package archive from a source directory.

    A directory that already holds `SIGNATURE.ml-dsa` is archived exactly as signed (publish then
    verifies it). Otherwise the manifest, the files its `[component.include]` globs select and
    README.md/LICENSE/docs are signed with `key`, as `./pants package` would.
    """
    files = read_directory(root)
    manifest_bytes = files.get(MANIFEST_FILENAME)
    if manifest_bytes is None:
        raise EstreamError.single(str(root / MANIFEST_FILENAME), "not found; a package directory needs a manifest")
    manifest = parse_manifest(manifest_bytes, str(root / MANIFEST_FILENAME))
    stem = f"{manifest.name}-{manifest.version}"
    if SIGNATURE_FILE in files:
        return build_archive(files, stem)
    if key is None:
        raise EstreamError.single(str(root), "the directory is not signed and no signing key is available")
    paths = list(files)
    selected = {MANIFEST_FILENAME}
    for patterns in manifest.include.values():
        for pattern in patterns:
            selected.update(filter_glob(pattern, paths))
    for pattern in EXTRA_GLOBS:
        selected.update(filter_glob(pattern, paths))
    chosen = {p: files[p] for p in sorted(selected)}
    chosen[SIGNATURE_FILE] = sign_package(chosen, name=manifest.name, version=str(manifest.version), key=key, signed_at=signed_at)
    return build_archive(chosen, stem)


__all__ = ["archive_from_directory", "read_directory"]
