"""A package as a directory on disk: its files, and the packages around it that dependencies
resolve to. Used by the CLI front ends (`estream marketplace publish DIR`, `estream marketplace
test DIR`); the Pants front end finds the same things through targets.

Decisions:

* A nested package (a subdirectory with its own manifest) owns its files, as in Cargo and as the
  Pants rules do: reading a package never enters one.
* Symbolic links and special files are refused (a package is regular files only); `.git`,
  `dist`, `__pycache__`, the install staging directory and hidden directories are skipped.
* Dependencies are looked up by name among the packages of the repository that holds the package
  (the nearest ancestor with `pants.toml`, another Pants build-root sentinel, or `.git`) and in extra directories (`--with DIR`);
  a manifest that does not parse there is someone else's problem and is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from estream.core.errors import EstreamError
from estream.core.esf import ESF_SUFFIX, parse_esf
from estream.core.manifest import MANIFEST_FILENAME, Manifest, parse_manifest
from estream.core.registry.workspace import WORKSPACE_FILE
from estream.core.resolution import PackageSchemas
from estream.core.semver import VersionReq

#: Directory entries never part of a package when reading a source directory.
SKIP_DIRS = frozenset(
    {".git", ".estream-install", "dist", "node_modules", "__pycache__", ".pants.d", ".venv"}
)
#: A repository with more manifests than this is not scanned further for dependencies.
MAX_SCAN_MANIFESTS = 10000


def display(path: Path) -> str:
    """`path` relative to the working directory when below it (as Pants shows build-root paths)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _keep_dir(parent: str, name: str, *, nested: bool) -> bool:
    if name in SKIP_DIRS or name.startswith("."):
        return False
    return nested or not (Path(parent) / name / MANIFEST_FILENAME).is_file()


def walk_files(root: Path, suffix: str = "", *, nested: bool = False) -> List[Path]:
    """Files under `root` ending in `suffix`, sorted; nested packages are skipped unless `nested`."""
    out: List[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if _keep_dir(dirpath, d, nested=nested))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(suffix))
    return out


def read_package_directory(root: Path) -> Dict[str, bytes]:
    """Regular files of the package at `root` (POSIX relative paths); symlinks and special files
    are refused."""
    if not root.is_dir():
        raise EstreamError.single(display(root), "no such package directory")
    files: Dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames):
            if (Path(dirpath) / name).is_symlink():
                raise EstreamError.single(
                    display(Path(dirpath) / name), "symbolic links are not allowed in a package"
                )
        dirnames[:] = sorted(d for d in dirnames if _keep_dir(dirpath, d, nested=False))
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if full.is_symlink():
                raise EstreamError.single(display(full), "symbolic links are not allowed in a package")
            if not full.is_file():
                raise EstreamError.single(display(full), "not a regular file (device, FIFO or socket)")
            files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


#: What marks a repository's root: Pants' build-root sentinels, git's, and a consumer workspace
#: (`estream-workspace.toml`, whose installed packages under `vendor/<name>/` provide each other's
#: schemas).
REPOSITORY_MARKERS = ("pants.toml", "BUILDROOT", "BUILD_ROOT", ".git", WORKSPACE_FILE)


def repository_root(start: Path) -> Optional[Path]:
    """The nearest directory at or above `start` holding one of `REPOSITORY_MARKERS`."""
    start = start.resolve()
    for candidate in [start, *start.parents]:
        if any((candidate / marker).exists() for marker in REPOSITORY_MARKERS):
            return candidate
    return None


class DirectoryPackages:
    """Packages found in directories, by name: the CLI's `lookup` for
    `estream.core.package_validation.dependency_closure`."""

    def __init__(self, package_dir: Path, extra_dirs: Sequence[Path] = ()) -> None:
        self._own = package_dir.resolve()
        self._extra = [d.resolve() for d in extra_dirs]
        self._by_name: Optional[Dict[str, List[Tuple[Manifest, Path]]]] = None

    def _scan(self) -> Dict[str, List[Tuple[Manifest, Path]]]:
        candidates: List[Path] = [d / MANIFEST_FILENAME for d in self._extra]
        root = repository_root(self._own)
        if root is not None:
            candidates.extend(walk_files(root, MANIFEST_FILENAME, nested=True)[:MAX_SCAN_MANIFESTS])
        by_name: Dict[str, List[Tuple[Manifest, Path]]] = {}
        seen = set()
        for path in candidates:
            path = path.resolve()
            if path in seen or path.parent == self._own or not path.is_file():
                continue
            seen.add(path)
            try:
                manifest = parse_manifest(path.read_bytes(), display(path))
            except EstreamError:
                continue  # someone else's broken manifest is not this package's problem
            by_name.setdefault(manifest.name, []).append((manifest, path.parent))
        return by_name

    def __call__(self, name: str, requirements: Sequence[VersionReq] = ()) -> List[PackageSchemas]:
        """The packages named `name`, with their schemas (a broken schema of a dependency is an
        error, as in Pants: the package could not be built against it)."""
        if self._by_name is None:
            self._by_name = self._scan()
        out = []
        for manifest, directory in self._by_name.get(name, ()):
            documents = tuple(
                parse_esf(p.read_bytes(), display(p)) for p in walk_files(directory, ESF_SUFFIX)
            )
            out.append(PackageSchemas(manifest, documents))
        return out


__all__ = [
    "DirectoryPackages",
    "MAX_SCAN_MANIFESTS",
    "SKIP_DIRS",
    "display",
    "read_package_directory",
    "repository_root",
    "walk_files",
]
