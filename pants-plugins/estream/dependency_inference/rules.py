"""Dependency inference for the estream backend.

* A `marketplace_package` depends on the owners of the files its `[component.include]` globs
  match, on the `marketplace_package` of each `[component.dependencies]` name, and on the
  package providing each `[component.schemas].requires` name.
* An `esf_schema` depends on the `esf_schema` targets defining the schemas and enums its field
  types name (in its own package or in another one).

So `./pants dependencies`, `./pants dependents` and `--changed-since` follow the schema graph
without hand-written `dependencies=` fields. Names that cannot be mapped (unknown, or defined in
several places) infer nothing here; `check` and `package` report them through resolution.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Set

from pants.core.target_types import FileSourceField, ResourceSourceField
from pants.engine.addresses import Address, Addresses
from pants.engine.fs import PathGlobs, Paths
from pants.engine.internals.graph import Owners, OwnersRequest
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import FieldSet, InferDependenciesRequest, InferredDependencies, Targets
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from estream.target_types import (
    CircuitSourceField,
    EsfSchemaDependenciesField,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageDependenciesField,
)
from estream.util_rules import manifest, schema_resolution
from estream.util_rules.manifest import ParsedManifest
from estream.util_rules.schema_resolution import (
    EsfDefinitionMapping,
    MarketplacePackageMapping,
    MaybeEsfDocument,
    MaybeManifest,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarketplacePackageInferenceFieldSet(FieldSet):
    required_fields = (MarketplaceManifestField, MarketplacePackageDependenciesField)

    manifest: MarketplaceManifestField
    dependencies: MarketplacePackageDependenciesField


class InferMarketplacePackageDependencies(InferDependenciesRequest):
    infer_from = MarketplacePackageInferenceFieldSet


@rule(desc="Infer marketplace package dependencies from its manifest", level=LogLevel.DEBUG)
async def infer_marketplace_package_dependencies(
    request: InferMarketplacePackageDependencies, mapping: MarketplacePackageMapping
) -> InferredDependencies:
    address = request.field_set.address
    maybe = await Get(MaybeManifest, MarketplaceManifestField, request.field_set.manifest)
    if maybe.manifest is None:
        # Let the real parse raise its diagnostics (a broken manifest is the user's first problem).
        await Get(ParsedManifest, MarketplaceManifestField, request.field_set.manifest)
    manifest = maybe.manifest
    assert manifest is not None
    root = os.path.dirname(manifest.path)
    result: Set[Address] = set()

    globs = sorted(os.path.join(root, p) for patterns in manifest.include.values() for p in patterns)
    if globs:
        paths = await Get(Paths, PathGlobs(globs))
        owners = await Get(Owners, OwnersRequest(tuple(paths.files)))
        candidates = await Get(Targets, Addresses(sorted(owners)))
        result.update(_package_content_owners(candidates, root))

    for name in manifest.dependencies:
        if name in mapping.by_name:
            result.add(mapping.by_name[name])
    for schema in manifest.schemas.requires:
        providers = mapping.providers.get(schema, ())
        if len(providers) == 1:
            result.add(providers[0])
    result.discard(address)
    return InferredDependencies(sorted(result))


def _is_under(spec_path: str, root: str) -> bool:
    return not root or spec_path == root or spec_path.startswith(root + "/")


def _package_content_owners(candidates: Targets, root: str) -> Set[Address]:
    """The owners that hold package content: schemas, circuits, and plain `file`/`resource`
    targets (a package's src/ and tests/) declared inside the package directory.

    A path owned by a schema or circuit target is taken from that target only, and plain file
    targets declared elsewhere (e.g. a repo-wide `files` target of test fixtures) never become
    dependencies.
    """
    typed = [t for t in candidates if t.has_field(EsfSchemaSourceField) or t.has_field(CircuitSourceField)]
    typed_paths = {
        (t[EsfSchemaSourceField] if t.has_field(EsfSchemaSourceField) else t[CircuitSourceField]).file_path
        for t in typed
    }
    plain = [
        t
        for t in candidates
        if _is_under(t.address.spec_path, root)
        and (t.has_field(FileSourceField) or t.has_field(ResourceSourceField))
        and (t[FileSourceField] if t.has_field(FileSourceField) else t[ResourceSourceField]).file_path
        not in typed_paths
    ]
    return {t.address for t in typed + plain}


@dataclass(frozen=True)
class EsfSchemaInferenceFieldSet(FieldSet):
    required_fields = (EsfSchemaSourceField, EsfSchemaDependenciesField)

    source: EsfSchemaSourceField
    dependencies: EsfSchemaDependenciesField


class InferEsfSchemaDependencies(InferDependenciesRequest):
    infer_from = EsfSchemaInferenceFieldSet


@rule(desc="Infer ESF schema dependencies from type references", level=LogLevel.DEBUG)
async def infer_esf_schema_dependencies(
    request: InferEsfSchemaDependencies, mapping: EsfDefinitionMapping
) -> InferredDependencies:
    address = request.field_set.address
    maybe = await Get(MaybeEsfDocument, EsfSchemaSourceField, request.field_set.source)
    doc = maybe.document
    if doc is None:
        return InferredDependencies([])
    local = doc.defined_names()
    result: Set[Address] = set()
    for name in sorted(doc.referenced_names() - local):
        candidates = [a for a in mapping.definitions.get(name, ()) if a != address]
        if len(candidates) > 1:
            # Prefer a definition next to the referencing file (same package).
            nearby = [a for a in candidates if a.spec_path == address.spec_path]
            candidates = nearby
        if len(candidates) == 1:
            result.add(candidates[0])
        elif candidates or mapping.definitions.get(name):
            logger.debug(f"{address}: `{name}` is defined by several targets; not inferring a dependency")
    return InferredDependencies(sorted(result))


def rules():
    return [
        *collect_rules(),
        *manifest.rules(),
        *schema_resolution.rules(),
        UnionRule(InferDependenciesRequest, InferMarketplacePackageDependencies),
        UnionRule(InferDependenciesRequest, InferEsfSchemaDependencies),
    ]
