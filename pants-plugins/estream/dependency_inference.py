"""Infer a `marketplace_package`'s dependencies from its manifest's `[component.include]` globs."""

from __future__ import annotations

import os
from dataclasses import dataclass

from estream.target_types import (
    CircuitSourceField,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageDependenciesField,
)
from estream.util_rules.manifest import ParsedManifest
from pants.core.target_types import FileSourceField, ResourceSourceField
from pants.engine.fs import PathGlobs, Paths
from pants.engine.internals.graph import Owners, OwnersRequest
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.addresses import Addresses
from pants.engine.target import FieldSet, InferDependenciesRequest, InferredDependencies, Targets
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel


@dataclass(frozen=True)
class MarketplacePackageInferenceFieldSet(FieldSet):
    required_fields = (MarketplaceManifestField, MarketplacePackageDependenciesField)

    manifest: MarketplaceManifestField
    dependencies: MarketplacePackageDependenciesField


class InferMarketplacePackageDependencies(InferDependenciesRequest):
    infer_from = MarketplacePackageInferenceFieldSet


@rule(desc="Infer marketplace package dependencies from its manifest", level=LogLevel.DEBUG)
async def infer_marketplace_package_dependencies(
    request: InferMarketplacePackageDependencies,
) -> InferredDependencies:
    parsed = await Get(ParsedManifest, MarketplaceManifestField, request.field_set.manifest)
    globs = sorted(
        os.path.join(parsed.root, pattern)
        for patterns in parsed.manifest.include.values()
        for pattern in patterns
    )
    if not globs:
        return InferredDependencies([])
    paths = await Get(Paths, PathGlobs(globs))
    owners = await Get(Owners, OwnersRequest(tuple(paths.files)))
    # Targets whose files are package content: schemas, circuits, and plain `file`/`resource`
    # targets (a package's src/ and tests/). A path owned by a schema or circuit target is taken
    # from that target only, so a `files` target that happens to own the same paths (e.g. test
    # fixtures) does not become a dependency.
    candidates = await Get(Targets, Addresses(sorted(owners)))
    typed = [t for t in candidates if t.has_field(EsfSchemaSourceField) or t.has_field(CircuitSourceField)]
    typed_paths = set()
    for tgt in typed:
        field = tgt[EsfSchemaSourceField] if tgt.has_field(EsfSchemaSourceField) else tgt[CircuitSourceField]
        if field.file_path:
            typed_paths.add(field.file_path)
    plain = [
        t
        for t in candidates
        if (t.has_field(FileSourceField) or t.has_field(ResourceSourceField))
        and (t[FileSourceField] if t.has_field(FileSourceField) else t[ResourceSourceField]).file_path not in typed_paths
    ]
    return InferredDependencies(
        sorted(tgt.address for tgt in typed + plain if tgt.address != request.field_set.address)
    )


def rules():
    return [
        *collect_rules(),
        UnionRule(InferDependenciesRequest, InferMarketplacePackageDependencies),
    ]
