"""Turn what the user points `publish` at (a package directory or a built archive) into archive
bytes, validated as `./pants package` validates a package (`estream.core.package_validation`).

The files of a directory are selected by `estream.core.package_files` (the manifest, its
`[component.include]` globs, README.md/LICENSE/docs), as the `marketplace_package` target selects
them. Dependencies resolve against the packages of the repository holding the directory, then
against the registry (`registry_packages`: the newest non-yanked version matching the
requirements). A built archive is validated from its own files the same way; dependencies that
are being published in the same run (`./pants publish ::` publishes its packages in no particular
order) can be handed over as their built archives (`archive_packages`), consulted after the
registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from estream.core.archive import build_archive, read_archive
from estream.core.errors import EstreamError
from estream.core.esf import ESF_SUFFIX, parse_esf
from estream.core.keys import SigningKey
from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
from estream.core.merkle import SIGNATURE_FILE
from estream.core.package_directory import DirectoryPackages, display, read_package_directory
from estream.core.package_files import select_package_files
from estream.core.package_validation import (
    PackageLookup,
    ValidatedPackage,
    dependency_closure,
    display_path,
    first_found,
    validate_package,
)
from estream.core.registry.registry import Registry
from estream.core.resolution import PackageSchemas
from estream.core.semver import Version, VersionReq
from estream.core.signature import SignedAt, sign_package

T = TypeVar("T")


def archive_schemas(data: bytes, source: str) -> PackageSchemas:
    """The manifest and ESF schema documents of a built package archive."""
    top, files = read_archive(data, source=source)
    if MANIFEST_FILENAME not in files:
        raise EstreamError.single(source, f"not a package archive: no {MANIFEST_FILENAME}")
    manifest = parse_manifest(files[MANIFEST_FILENAME], display_path(top, MANIFEST_FILENAME))
    docs = tuple(parse_esf(files[p], display_path(top, p)) for p in sorted(files) if p.endswith(ESF_SUFFIX))
    return PackageSchemas(manifest, docs)


def _newest(
    candidates: Sequence[T], version: Callable[[T], Version], requirements: Sequence[VersionReq]
) -> List[T]:
    """The newest candidate matching every requirement, else the newest one (which resolution
    then reports); empty when there is none."""
    ordered = sorted(candidates, key=version)
    matching = [c for c in ordered if all(r.matches(version(c)) for r in requirements)]
    return (matching or ordered)[-1:]


def registry_packages(registry: Registry) -> PackageLookup:
    """A lookup of dependencies in `registry`: the newest non-yanked version of a name matching
    every requirement (else the newest non-yanked one, which resolution then reports)."""
    synced: List[bool] = []

    def lookup(name: str, requirements: Sequence[VersionReq]) -> List[PackageSchemas]:
        if not synced:
            registry.sync()
            synced.append(True)
        live = [e for e in registry.entries(name) if not e.yanked]
        return [
            archive_schemas(registry.archive_bytes(entry), f"{registry.display_url}:{entry.archive_path}")
            for entry in _newest(live, lambda e: e.semver, requirements)
        ]

    return lookup


def validate_for_publishing(files: Dict[str, bytes], root: str, lookup: PackageLookup) -> ValidatedPackage:
    """`validate_package` of a package to publish (LICENSE required), dependencies from `lookup`."""
    unsigned = {p: c for p, c in files.items() if p != SIGNATURE_FILE}
    content = unsigned.get(MANIFEST_FILENAME)
    if content is None:
        raise EstreamError.single(
            display_path(root, MANIFEST_FILENAME), "not found; a package needs a manifest"
        )
    manifest = parse_manifest(content, display_path(root, MANIFEST_FILENAME))
    return validate_package(
        unsigned,
        root=root,
        dependencies=dependency_closure(manifest, lookup),
        publishing=True,
        manifest=manifest,
    )


def archive_from_directory(
    root: Path, *, key: Optional[SigningKey], signed_at: SignedAt, registry: Optional[Registry] = None
) -> bytes:
    """A validated package archive from a source directory.

    A directory that already holds `SIGNATURE.ml-dsa` is archived exactly as signed (publish then
    verifies it). Otherwise the files `select_package_files` chooses are signed with `key`, as
    `./pants package` would.
    """
    files = read_package_directory(root)
    shown = display(root)
    if MANIFEST_FILENAME not in files:
        raise EstreamError.single(
            display_path(shown, MANIFEST_FILENAME), "not found; a package directory needs a manifest"
        )
    manifest = parse_manifest(files[MANIFEST_FILENAME], display_path(shown, MANIFEST_FILENAME))
    signed = SIGNATURE_FILE in files
    chosen = files if signed else {p: files[p] for p in select_package_files(manifest, files)}
    lookups = [DirectoryPackages(root)] + ([registry_packages(registry)] if registry is not None else [])
    validate_for_publishing(chosen, shown, first_found(*lookups))
    stem = f"{manifest.name}-{manifest.version}"
    if signed:
        return build_archive(files, stem)
    if key is None:
        raise EstreamError.single(shown, "the directory is not signed and no signing key is available")
    chosen[SIGNATURE_FILE] = sign_package(
        chosen, name=manifest.name, version=str(manifest.version), key=key, signed_at=signed_at
    )
    return build_archive(chosen, stem)


def archive_packages(archives: Sequence[Tuple[str, bytes]]) -> PackageLookup:
    """A lookup of dependencies among built archives ((source, bytes), e.g. the in-repository
    dependencies `./pants publish` publishes in the same run): the newest matching version."""
    found: Dict[str, List[PackageSchemas]] = {}
    for source, data in archives:
        package = archive_schemas(data, source)
        found.setdefault(package.manifest.name, []).append(package)

    def lookup(name: str, requirements: Sequence[VersionReq]) -> List[PackageSchemas]:
        return _newest(found.get(name, []), lambda p: p.manifest.version, requirements)

    return lookup


def validate_archive(
    data: bytes,
    *,
    source: str,
    registry: Optional[Registry] = None,
    with_archives: Sequence[Tuple[str, bytes]] = (),
) -> ValidatedPackage:
    """Validate a built archive's package (its files as they are), dependencies from the registry,
    then from `with_archives`."""
    top, files = read_archive(data, source=source)
    lookups = ([registry_packages(registry)] if registry is not None else []) + (
        [archive_packages(with_archives)] if with_archives else []
    )
    return validate_for_publishing(files, top, first_found(*lookups))


__all__ = [
    "archive_from_directory",
    "archive_packages",
    "archive_schemas",
    "registry_packages",
    "validate_archive",
    "validate_for_publishing",
]
