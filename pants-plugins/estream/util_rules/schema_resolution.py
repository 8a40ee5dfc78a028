"""Rules that map package and schema names to targets and resolve schemas across packages.

* `MarketplacePackageMapping`: `[component].name` -> the `marketplace_package` address, and
  each `provides` name -> the addresses of the packages providing it (over all targets, like
  Pants' `FirstPartyHelmChartMapping`).
* `EsfDefinitionMapping`: every schema and enum name -> the `esf_schema` targets defining it.
* `PackageSchemasResult`: one package's manifest and its own ESF documents.
* `DependencyPackages`: the packages a manifest's `[component.dependencies]` name, transitively
  (in-repo targets, then locked registry components).
* `ResolvedSchemaGraph`: `estream.core.resolution` run over the requested packages and their
  `DependencyPackages`; raises `EstreamError` on any resolution error.

Mappings are lenient: a manifest or schema that does not parse contributes nothing to them (so
one broken file does not break `./pants dependencies ::`); `check` and `package` report it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import DefaultDict, Dict, List, Optional, Set, Tuple

from pants.engine.addresses import Address
from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    AllTargets,
    DependenciesRequest,
    HydratedSources,
    HydrateSourcesRequest,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.util.frozendict import FrozenDict
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.core.esf import EsfDocument
from estream.core.manifest import Manifest
from estream.core.package_files import package_relative
from estream.core.resolution import PackageSchemas, ResolvedPackage, resolve_packages
from estream.target_types import (
    ESF_SUFFIX,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageDependenciesField,
    MarketplacePackageFieldSet,
)
from estream.util_rules import components, esf, manifest
from estream.util_rules.components import (
    ComponentSchemas,
    ComponentSchemasRequest,
    LockedComponentNames,
    LockedComponentNamesRequest,
)
from estream.util_rules.esf import EsfFileRequest, ParsedEsfFile
from estream.util_rules.manifest import ParsedManifest

logger = logging.getLogger(__name__)


class AllMarketplacePackageTargets(Targets):
    pass


class AllEsfSchemaTargets(Targets):
    pass


@rule(desc="Find all marketplace packages", level=LogLevel.DEBUG)
def all_marketplace_package_targets(all_targets: AllTargets) -> AllMarketplacePackageTargets:
    return AllMarketplacePackageTargets(t for t in all_targets if MarketplacePackageFieldSet.is_applicable(t))


@rule(desc="Find all ESF schema targets", level=LogLevel.DEBUG)
def all_esf_schema_targets(all_targets: AllTargets) -> AllEsfSchemaTargets:
    return AllEsfSchemaTargets(t for t in all_targets if t.has_field(EsfSchemaSourceField))


# -- lenient parsing, for the mappings --------------------------------------------------------


@dataclass(frozen=True)
class MaybeManifest:
    manifest: Optional[Manifest]


@rule(desc="Parse manifest (lenient)", level=LogLevel.DEBUG)
async def maybe_parse_manifest(field: MarketplaceManifestField) -> MaybeManifest:
    try:
        parsed = await Get(ParsedManifest, MarketplaceManifestField, field)
    except EstreamError:
        return MaybeManifest(None)
    return MaybeManifest(parsed.manifest)


@dataclass(frozen=True)
class MaybeEsfDocument:
    document: Optional[EsfDocument]


@rule(desc="Parse ESF schema (lenient)", level=LogLevel.DEBUG)
async def maybe_parse_esf(field: EsfSchemaSourceField) -> MaybeEsfDocument:
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(field))
    files = hydrated.snapshot.files
    if len(files) != 1 or not files[0].endswith(ESF_SUFFIX):
        return MaybeEsfDocument(None)
    try:
        parsed = await Get(ParsedEsfFile, EsfFileRequest(files[0], hydrated.snapshot.digest))
    except EstreamError:
        return MaybeEsfDocument(None)
    return MaybeEsfDocument(parsed.document)


# -- mappings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketplacePackageMapping:
    by_name: FrozenDict[str, Address]
    providers: FrozenDict[str, Tuple[Address, ...]]
    duplicates: FrozenDict[str, Tuple[Address, ...]]


@rule(desc="Map marketplace package names to targets", level=LogLevel.DEBUG)
async def marketplace_package_mapping(targets: AllMarketplacePackageTargets) -> MarketplacePackageMapping:
    manifests = await MultiGet(
        Get(MaybeManifest, MarketplaceManifestField, t[MarketplaceManifestField]) for t in targets
    )
    by_name: DefaultDict[str, List[Address]] = defaultdict(list)
    providers: DefaultDict[str, List[Address]] = defaultdict(list)
    for tgt, maybe in zip(targets, manifests):
        if maybe.manifest is None:
            continue
        by_name[maybe.manifest.name].append(tgt.address)
        for schema in maybe.manifest.schemas.provides:
            providers[schema].append(tgt.address)
    return MarketplacePackageMapping(
        by_name=FrozenDict({n: a[0] for n, a in by_name.items() if len(a) == 1}),
        providers=FrozenDict({n: tuple(sorted(a)) for n, a in providers.items()}),
        duplicates=FrozenDict({n: tuple(sorted(a)) for n, a in by_name.items() if len(a) > 1}),
    )


@dataclass(frozen=True)
class EsfDefinitionMapping:
    """Schema/enum name -> the `esf_schema` targets whose file defines it."""

    definitions: FrozenDict[str, Tuple[Address, ...]]


@rule(desc="Map ESF schema and enum names to targets", level=LogLevel.DEBUG)
async def esf_definition_mapping(targets: AllEsfSchemaTargets) -> EsfDefinitionMapping:
    docs = await MultiGet(
        Get(MaybeEsfDocument, EsfSchemaSourceField, t[EsfSchemaSourceField]) for t in targets
    )
    found: DefaultDict[str, List[Address]] = defaultdict(list)
    for tgt, maybe in zip(targets, docs):
        if maybe.document is None:
            continue
        for name in maybe.document.defined_names():
            found[name].append(tgt.address)
    return EsfDefinitionMapping(FrozenDict({n: tuple(sorted(a)) for n, a in found.items()}))


# -- one package's schemas ------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageSchemasRequest(EngineAwareParameter):
    address: Address

    def debug_hint(self) -> str:
        return self.address.spec


@dataclass(frozen=True)
class PackageSchemasResult:
    address: Address
    package: PackageSchemas


@rule(desc="Collect a marketplace package's schemas", level=LogLevel.DEBUG)
async def package_schemas(request: PackageSchemasRequest) -> PackageSchemasResult:
    wrapped = await Get(
        WrappedTarget,
        WrappedTargetRequest(request.address, description_of_origin="<estream schema resolution>"),
    )
    tgt = wrapped.target
    parsed, deps = await MultiGet(
        Get(ParsedManifest, MarketplaceManifestField, tgt[MarketplaceManifestField]),
        Get(Targets, DependenciesRequest(tgt[MarketplacePackageDependenciesField])),
    )
    schema_fields = [d[EsfSchemaSourceField] for d in deps if d.has_field(EsfSchemaSourceField)]
    hydrated = await MultiGet(Get(HydratedSources, HydrateSourcesRequest(f)) for f in schema_fields)
    requests = [
        EsfFileRequest(path, h.snapshot.digest)
        for h in hydrated
        for path in h.snapshot.files
        # Schema files of other packages (inferred through type references) are not this
        # package's own.
        if package_relative(parsed.root, path) is not None
    ]
    docs = await MultiGet(
        Get(ParsedEsfFile, EsfFileRequest, r) for r in sorted(requests, key=lambda r: r.path)
    )
    return PackageSchemasResult(tgt.address, PackageSchemas(parsed.manifest, tuple(d.document for d in docs)))


# -- resolution ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DependencyPackagesRequest(EngineAwareParameter):
    """The packages `manifest`'s `[component.dependencies]` name, transitively."""

    manifest: Manifest

    def debug_hint(self) -> str:
        return self.manifest.name


@dataclass(frozen=True)
class DependencyPackages:
    """THE dependency lookup of the Pants front end (`estream.core.package_validation` uses it;
    the CLI looks up the same names in directories and the registry): in-repo packages by name
    (every package of a duplicated name, so that resolution reports the duplicate), then, for names
    no in-repo package has, the verified registry components of the components lock."""

    packages: Tuple[PackageSchemas, ...]
    addresses: FrozenDict[str, Address]


@rule(desc="Find the packages a package depends on", level=LogLevel.DEBUG)
async def dependency_packages(
    request: DependencyPackagesRequest, mapping: MarketplacePackageMapping
) -> DependencyPackages:
    own = request.manifest.name
    wanted = set(request.manifest.dependencies) - {own}
    if not wanted:
        return DependencyPackages((), FrozenDict())
    locked = set((await Get(LockedComponentNames, LockedComponentNamesRequest())).names)
    in_repo: Dict[Address, PackageSchemas] = {}
    external: Dict[str, PackageSchemas] = {}
    seen: Set[str] = {own}
    while wanted:
        names = sorted(wanted)
        seen.update(names)
        addresses = sorted(
            a
            for n in names
            for a in (mapping.duplicates.get(n) or ((mapping.by_name[n],) if n in mapping.by_name else ()))
        )
        registry_names = [
            n for n in names if n not in mapping.by_name and n not in mapping.duplicates and n in locked
        ]
        fetched = await MultiGet(Get(PackageSchemasResult, PackageSchemasRequest(a)) for a in addresses)
        components = await MultiGet(Get(ComponentSchemas, ComponentSchemasRequest(n)) for n in registry_names)
        in_repo.update((r.address, r.package) for r in fetched)
        external.update((n, c.package) for n, c in zip(registry_names, components))
        found = [r.package for r in fetched] + [c.package for c in components]
        wanted = {d for pkg in found for d in pkg.manifest.dependencies if d not in seen}
    return DependencyPackages(
        packages=tuple(in_repo[a] for a in sorted(in_repo)) + tuple(external[n] for n in sorted(external)),
        addresses=FrozenDict({p.name: a for a, p in in_repo.items()}),
    )


@dataclass(frozen=True)
class ResolveSchemasRequest(EngineAwareParameter):
    addresses: Tuple[Address, ...]

    def debug_hint(self) -> str:
        return ", ".join(a.spec for a in self.addresses)


@dataclass(frozen=True)
class ResolvedSchemaGraph:
    """Resolved packages (requested ones) by name, and the address of every package involved."""

    packages: FrozenDict[str, ResolvedPackage]
    addresses: FrozenDict[str, Address]


@rule(desc="Resolve ESF schemas across packages", level=LogLevel.DEBUG)
async def resolve_schema_graph(request: ResolveSchemasRequest) -> ResolvedSchemaGraph:
    requested = await MultiGet(Get(PackageSchemasResult, PackageSchemasRequest(a)) for a in request.addresses)
    deps = await MultiGet(
        Get(DependencyPackages, DependencyPackagesRequest(r.package.manifest)) for r in requested
    )
    packages: Dict[Tuple[str, str], PackageSchemas] = {}
    addresses: Dict[str, Address] = {}
    for result in requested:
        packages[(result.package.name, result.package.manifest.path)] = result.package
        addresses[result.package.name] = result.address
    for dep in deps:
        for pkg in dep.packages:
            packages.setdefault((pkg.name, pkg.manifest.path), pkg)
        for name, address in dep.addresses.items():
            addresses.setdefault(name, address)
    names = [r.package.name for r in requested]
    resolved = resolve_packages([packages[k] for k in sorted(packages)], names)
    return ResolvedSchemaGraph(packages=FrozenDict(resolved), addresses=FrozenDict(addresses))


def rules():
    return [*collect_rules(), *components.rules(), *esf.rules(), *manifest.rules()]
