"""Checks that span one package: its manifest against its files and schema documents."""

from __future__ import annotations

import difflib
from typing import Dict, Iterable, List, Sequence

from estream.core.errors import Diagnostic, EstreamError
from estream.core.esf import EsfDocument, reference_diagnostics
from estream.core.globs import filter_glob
from estream.core.manifest import Manifest


def check_include_globs(manifest: Manifest, package_paths: Sequence[str]) -> None:
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
    if diagnostics:
        raise EstreamError(diagnostics)


def check_package_schemas(manifest: Manifest, documents: Iterable[EsfDocument]) -> None:
    """Schema names are unique in the package, `provides` names exist, and references resolve.

    A type reference resolves to a schema or enum defined anywhere in the package, or to a name
    the manifest `requires` from its dependencies (checked across packages by resolution).
    """
    documents = list(documents)
    diagnostics: List[Diagnostic] = []

    defined_in: Dict[str, str] = {}
    for doc in documents:
        for name, line in _definitions(doc):
            if name in defined_in:
                diagnostics.append(
                    Diagnostic(
                        doc.path,
                        f"`{name}` is already defined in `{defined_in[name]}`",
                        line=line,
                        key=f"{'schemas' if name in doc.schemas else 'enums'}.{name}",
                        help="schema and enum names must be unique within a package",
                    )
                )
            else:
                defined_in[name] = doc.path

    defined_schemas = sorted(name for doc in documents for name in doc.schemas)
    for name in manifest.schemas.provides:
        if name not in defined_in or not any(name in doc.schemas for doc in documents):
            close = difflib.get_close_matches(name, defined_schemas, n=1)
            help = (
                f"did you mean `{close[0]}`?"
                if close
                else f"schemas defined by this package: {', '.join(defined_schemas) or '(none)'}"
            )
            diagnostics.append(
                Diagnostic(
                    manifest.path,
                    f"provides `{name}`, but no schema file of this package defines it",
                    key="component.schemas.provides",
                    help=help,
                )
            )

    known = set(defined_in) | set(manifest.schemas.requires)
    for doc in documents:
        diagnostics.extend(reference_diagnostics(doc, known))

    if diagnostics:
        raise EstreamError(diagnostics)


def _definitions(doc: EsfDocument):
    for name, schema in doc.schemas.items():
        yield name, schema.line
    for name, enum in doc.enums.items():
        yield name, enum.line
