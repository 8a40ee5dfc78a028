"""Which files make up a package: THE selection shared by `./pants package` and `publish DIR`.

A package is its manifest, the files its `[component.include]` globs select, and the package's
documentation files (`DOC_GLOBS`: README.md, LICENSE, docs/). The `marketplace_package` target's
default `sources` are `DOC_GLOBS`; `estream marketplace publish DIR` selects the same globs from
the directory. LICENSE is required for publishing (SmartCircuit package format §2.1): see
`estream.core.package_validation`.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Set

from estream.core.globs import filter_glob
from estream.core.manifest import MANIFEST_FILENAME, Manifest

LICENSE_FILE = "LICENSE"
README_FILE = "README.md"
#: Files shipped besides the manifest and its `[component.include]` globs.
DOC_GLOBS = (README_FILE, LICENSE_FILE, "docs/**/*")


def package_relative(root: str, path: str) -> Optional[str]:
    """`path` (repository-relative) relative to the package directory `root`; None outside it."""
    if not root:
        return path
    prefix = root + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def include_patterns(manifest: Manifest) -> List[str]:
    """Every `[component.include]` glob of the manifest, category by category."""
    return [pattern for _, patterns in sorted(manifest.include.items()) for pattern in patterns]


def select_package_files(manifest: Manifest, paths: Iterable[str]) -> List[str]:
    """The package-relative `paths` that belong to the package, sorted."""
    candidates = list(paths)
    selected: Set[str] = {MANIFEST_FILENAME} & set(candidates)
    for pattern in [*include_patterns(manifest), *DOC_GLOBS]:
        selected.update(filter_glob(pattern, candidates))
    return sorted(selected)


__all__ = [
    "DOC_GLOBS",
    "LICENSE_FILE",
    "README_FILE",
    "include_patterns",
    "package_relative",
    "select_package_files",
]
