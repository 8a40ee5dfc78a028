"""Checks of one package's manifest against its files (schema resolution is `resolution.py`)."""

from __future__ import annotations

from typing import List, Sequence

from estream.core.errors import Diagnostic, EstreamError
from estream.core.globs import filter_glob
from estream.core.manifest import Manifest


def include_glob_diagnostics(manifest: Manifest, package_paths: Sequence[str]) -> List[Diagnostic]:
    """Every `[component.include]` glob must select at least one file of the package.

    A glob that matches nothing is almost always a typo or a file that lost its target, and
    would silently ship a package without the files its manifest promises.
    """
    diagnostics: List[Diagnostic] = []
    for category, patterns in sorted(manifest.include.items()):
        for pattern in patterns:
            if not filter_glob(pattern, package_paths):
                diagnostics.append(
                    Diagnostic(
                        manifest.path,
                        f"glob `{pattern}` matches no file of this package",
                        key=f"component.include.{category}",
                        help="check the pattern (relative to the manifest's directory), and that "
                        "the files are owned by targets (`./pants tailor ::`)",
                    )
                )
    return diagnostics


def check_include_globs(manifest: Manifest, package_paths: Sequence[str]) -> None:
    """`include_glob_diagnostics`, raised."""
    diagnostics = include_glob_diagnostics(manifest, package_paths)
    if diagnostics:
        raise EstreamError(diagnostics)
