"""Rules that gather and validate the files of a `marketplace_package`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Sequence, Tuple, Type, cast

from pants.core.target_types import FileSourceField, ResourceSourceField
from pants.core.util_rules import source_files
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.fs import Digest, DigestContents, DigestSubset, MergeDigests, PathGlobs, RemovePrefix
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    DependenciesRequest,
    SourcesField,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.util.logging import LogLevel

from estream.core.esf import EsfDocument
from estream.core.globs import glob_matches
from estream.core.manifest import Manifest
from estream.core.package_files import include_patterns, package_relative  # noqa: F401 (re-exported)
from estream.core.package_validation import validate_package
from estream.target_types import (
    CircuitSourceField,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageFieldSet,
)
from estream.util_rules import manifest, schema_resolution
from estream.util_rules.manifest import ParsedManifest
from estream.util_rules.schema_resolution import DependencyPackages, DependencyPackagesRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarketplacePackageContents:
    """The validated files of one package, relative to the directory of its manifest."""

    address: Address
    manifest: Manifest
    root: str
    digest: Digest
    paths: tuple[str, ...]
    schemas: tuple[EsfDocument, ...]


@dataclass(frozen=True)
class MarketplacePackageContentsRequest(EngineAwareParameter):
    """`publishing`: validate as a package to be published (LICENSE required), as `package` does."""

    address: Address
    publishing: bool = False

    def debug_hint(self) -> str:
        return self.address.spec


def _source_fields(dependencies: Targets, field_types: Tuple[Type[SourcesField], ...]) -> List[SourcesField]:
    """The fields of FIELD_TYPES the DEPENDENCIES have, per target in order."""
    return [tgt[field] for tgt in dependencies for field in field_types if tgt.has_field(field)]


def _included_paths(root: str, paths: Sequence[str], include: Sequence[str]) -> List[str]:
    """The PATHS inside the package at ROOT that an `[component.include]` pattern selects."""
    return [
        path
        for path in paths
        if package_relative(root, path) is not None
        and any(glob_matches(pattern, package_relative(root, path)) for pattern in include)  # type: ignore[arg-type]
    ]


@rule(desc="Collect and validate marketplace package files", level=LogLevel.DEBUG)
async def collect_package_contents(
    request: MarketplacePackageContentsRequest,
) -> MarketplacePackageContents:
    wrapped = await Get(
        WrappedTarget,
        WrappedTargetRequest(request.address, description_of_origin="<estream package rules>"),
    )
    field_set = MarketplacePackageFieldSet.create(wrapped.target)
    parsed, dependencies = await MultiGet(
        Get(ParsedManifest, MarketplaceManifestField, field_set.manifest),
        Get(Targets, DependenciesRequest(field_set.dependencies)),
    )
    root = parsed.root
    typed_fields = _source_fields(dependencies, (EsfSchemaSourceField, CircuitSourceField))
    plain_fields = _source_fields(dependencies, (FileSourceField, ResourceSourceField))
    sources, plain = await MultiGet(
        Get(SourceFiles, SourceFilesRequest([field_set.manifest, field_set.sources, *typed_fields])),
        Get(SourceFiles, SourceFilesRequest(plain_fields)),
    )
    # Plain files (src/, tests/ ...) count only where `[component.include]` selects them.
    plain_paths = _included_paths(root, plain.snapshot.files, include_patterns(parsed.manifest))
    merged = await Get(
        Digest,
        MergeDigests(
            [
                sources.snapshot.digest,
                await Get(Digest, DigestSubset(plain.snapshot.digest, PathGlobs(plain_paths))),
            ]
        ),
    )

    # Files of dependencies outside the package directory belong to other packages.
    in_package = sorted(
        {path for path in sources.snapshot.files if package_relative(root, path) is not None}
        | set(plain_paths)
    )
    subset = await Get(Digest, DigestSubset(merged, PathGlobs(in_package)))
    digest = await Get(Digest, RemovePrefix(subset, root)) if root else subset
    # Every path in `in_package` is under `root`, so none is None.
    relative = tuple(sorted(cast(str, package_relative(root, p)) for p in in_package))

    # THE package validation (manifest, LICENSE, include globs, schemas, resolution across
    # packages, circuits), the same function `estream marketplace publish` calls.
    file_contents, deps = await MultiGet(
        Get(DigestContents, Digest, digest),
        Get(DependencyPackages, DependencyPackagesRequest(parsed.manifest)),
    )
    validated = validate_package(
        {fc.path: fc.content for fc in file_contents},
        root=root,
        dependencies=deps.packages,
        publishing=request.publishing,
        manifest=parsed.manifest,
    )
    schemas = validated.schemas

    logger.debug("estream: collected package %s (%d files)", field_set.address, len(relative))
    return MarketplacePackageContents(
        address=field_set.address,
        manifest=parsed.manifest,
        root=root,
        digest=digest,
        paths=relative,
        schemas=schemas,
    )


def rules():
    return [*collect_rules(), *manifest.rules(), *schema_resolution.rules(), *source_files.rules()]
