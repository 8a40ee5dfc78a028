"""Rules that gather and validate the files of a `marketplace_package`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from estream.core.esf import EsfDocument
from estream.core.manifest import Manifest
from estream.core.package_checks import check_include_globs
from estream.target_types import (
    ESF_SUFFIX,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageFieldSet,
)
from estream.util_rules.esf import EsfFilesRequest, ParsedEsfFiles
from estream.util_rules.manifest import ParsedManifest
from estream.util_rules.schema_resolution import ResolvedSchemaGraph, ResolveSchemasRequest
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.fs import Digest, DigestSubset, PathGlobs, RemovePrefix
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    DependenciesRequest,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.util.logging import LogLevel

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


def _relative_to(root: str, path: str) -> str | None:
    if not root:
        return path
    prefix = root + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


@dataclass(frozen=True)
class MarketplacePackageContentsRequest:
    address: Address


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
    schema_fields = [tgt[EsfSchemaSourceField] for tgt in dependencies if tgt.has_field(EsfSchemaSourceField)]
    sources = await Get(
        SourceFiles,
        SourceFilesRequest([field_set.manifest, field_set.sources, *schema_fields]),
    )

    # Files of dependencies outside the package directory belong to other packages.
    in_package = sorted(
        path for path in sources.snapshot.files if _relative_to(root, path) is not None
    )
    subset = await Get(Digest, DigestSubset(sources.snapshot.digest, PathGlobs(in_package)))
    digest = await Get(Digest, RemovePrefix(subset, root)) if root else subset
    relative = tuple(sorted(_relative_to(root, p) for p in in_package))  # type: ignore[misc]

    check_include_globs(parsed.manifest, relative)
    esf_paths = tuple(p for p in in_package if p.endswith(ESF_SUFFIX))
    schemas = (await Get(ParsedEsfFiles, EsfFilesRequest(subset, esf_paths))).documents
    # Provides/requires, type references and dependency versions, across packages: raises
    # EstreamError naming the package, the schema and the candidates.
    await Get(ResolvedSchemaGraph, ResolveSchemasRequest((field_set.address,)))

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
    return collect_rules()
