"""Registry components consumed by this repository: the lock read, archives fetched and verified.

    # 3rdparty/estream/BUILD
    estream_component(name="esf-iot", component="esf-iot", version="^1.0")

* `./pants estream-lock ::` (`goals/estream_lock.py`) verifies the registry's trust chain against
  the root keys pinned in `[estream-registry].trust_roots` (an unpinned registry is refused),
  resolves every `estream_component` requirement (and their dependencies) against it and writes
  `[estream-components].lockfile` with exact versions, the registry's SHA3-256 checksums and the
  SHA-256 + size pins Pants downloads with.
* `./pants package 3rdparty/estream:esf-iot` (`goals/package.py`) fetches the locked archive with
  Pants' downloader (cached in the store, SHA-256/size checked before use), checks the SHA3-256
  checksum and the ML-DSA-87 signature against `[estream-signing].keyring`, and writes it to
  `dist/`. Other rules get the verified files with `Get(VerifiedComponent, VerifiedComponentRequest(name))`.
* Schema resolution (`util_rules/schema_resolution.py`) takes locked components as the providers
  of `[component.dependencies]` names no in-repo package has: their `provides`, schemas and enums
  resolve `requires` and type references like an in-repo package's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Tuple

from pants.base.build_root import BuildRoot
from pants.engine import download_file
from pants.engine.fs import (
    CreateDigest,
    Digest,
    DigestContents,
    DownloadFile,
    FileContent,
    FileDigest,
    PathGlobs,
)
from pants.engine.rules import Get, collect_rules, rule
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.core.esf import ESF_SUFFIX, parse_esf
from estream.core.keys import empty_keyring, load_keyring
from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
from estream.core.registry.archive_verification import verify_registry_archive
from estream.core.registry.components_lock import LockedComponent, parse_lock
from estream.core.resolution import PackageSchemas
from estream.subsystems.components import EstreamComponentsSubsystem
from estream.subsystems.signing import EstreamSigningSubsystem


@dataclass(frozen=True)
class ComponentLock:
    components: Tuple[LockedComponent, ...]

    def get(self, name: str) -> LockedComponent:
        for c in self.components:
            if c.name == name:
                return c
        raise EstreamError.single(
            "estream components lock", f"`{name}` is not in the lock", help="run `./pants estream-lock ::`"
        )


@rule
async def read_component_lock(subsystem: EstreamComponentsSubsystem) -> ComponentLock:
    contents = await Get(DigestContents, PathGlobs([subsystem.lockfile]))
    if not contents:
        raise EstreamError.single(
            subsystem.lockfile, "the components lock does not exist", help="run `./pants estream-lock ::`"
        )
    return ComponentLock(tuple(parse_lock(contents[0].content, subsystem.lockfile).values()))


@dataclass(frozen=True)
class VerifiedComponentRequest:
    name: str


@dataclass(frozen=True)
class VerifiedComponent:
    name: str
    version: str
    archive: Digest  # `<name>-<version>.tar.gz`
    files: Digest  # the package's files under `<name>-<version>/`
    provides: Tuple[str, ...]
    requires: Tuple[str, ...]


@rule(desc="Download and verify an estream registry component")
async def fetch_component(
    request: VerifiedComponentRequest,
    lock: ComponentLock,
    signing: EstreamSigningSubsystem,
    build_root: BuildRoot,
) -> VerifiedComponent:
    locked = lock.get(request.name)
    # Pants checks SHA-256 and size before the bytes enter the store: a substituted file never lands.
    downloaded = await Get(Digest, DownloadFile(locked.url, FileDigest(locked.sha256, locked.size)))
    contents = await Get(DigestContents, Digest, downloaded)
    data = contents[0].content
    source = f"{locked.name}-{locked.version}.tar.gz"
    keyring = (
        load_keyring(os.path.join(build_root.path, signing.keyring)) if signing.keyring else empty_keyring()
    )
    verified = verify_registry_archive(
        data,
        name=locked.name,
        version=locked.version,
        checksum=locked.checksum,
        keyring=keyring,
        source=source,
        action="it cannot be used",
        deps=locked.deps,
        expected_key_fingerprint=locked.key_fingerprint,
        checksum_from="the lock",
    )
    top, files, manifest = verified.top_dir, verified.files, verified.manifest
    archive = await Get(Digest, CreateDigest([FileContent(source, data)]))
    unpacked = await Get(
        Digest, CreateDigest([FileContent(f"{top}/{p}", c) for p, c in sorted(files.items())])
    )
    return VerifiedComponent(
        locked.name, locked.version, archive, unpacked, manifest.schemas.provides, manifest.schemas.requires
    )


@dataclass(frozen=True)
class LockedComponentNamesRequest:
    pass


@dataclass(frozen=True)
class LockedComponentNames:
    """Components in the lock; empty when there is no lock (a repo that consumes none)."""

    names: Tuple[str, ...]


@rule(desc="Read the estream components lock", level=LogLevel.DEBUG)
async def locked_component_names(
    _: LockedComponentNamesRequest, subsystem: EstreamComponentsSubsystem
) -> LockedComponentNames:
    contents = await Get(DigestContents, PathGlobs([subsystem.lockfile]))
    if not contents:
        return LockedComponentNames(())
    return LockedComponentNames(tuple(sorted(parse_lock(contents[0].content, subsystem.lockfile))))


@dataclass(frozen=True)
class ComponentSchemasRequest:
    name: str


@dataclass(frozen=True)
class ComponentSchemas:
    """A verified registry component as schema resolution sees it (manifest + its ESF files)."""

    package: PackageSchemas


@rule(desc="Read the schemas of an estream registry component", level=LogLevel.DEBUG)
async def component_schemas(request: ComponentSchemasRequest) -> ComponentSchemas:
    verified = await Get(VerifiedComponent, VerifiedComponentRequest(request.name))
    contents = await Get(DigestContents, Digest, verified.files)
    by_path = {fc.path: fc.content for fc in contents}
    top = f"{verified.name}-{verified.version}"
    manifest = parse_manifest(by_path[f"{top}/{MANIFEST_FILENAME}"], f"{top}/{MANIFEST_FILENAME}")
    documents = tuple(
        parse_esf(content, path) for path, content in sorted(by_path.items()) if path.endswith(ESF_SUFFIX)
    )
    return ComponentSchemas(PackageSchemas(manifest, documents))


def rules():
    return [*collect_rules(), *download_file.rules()]
