"""Rules that load a `smart_circuit` with its package: manifest, circuits, schemas, tests, src.

A circuit belongs to the package whose `estream-component.toml` is in the nearest directory at or
above the circuit file. Everything a test run reads is gathered here and validated (every problem
of every circuit reported at once).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from estream.core.circuit import (
    Circuit,
    TypeEnvironment,
    esf_type_environment,
    manifest_diagnostics,
    package_circuit_file_diagnostics,
    parse_circuit,
    port_type_diagnostics,
)
from estream.core.circuit_plan import PlanResult, build_plan
from estream.core.errors import Diagnostic, EstreamError
from estream.core.esf import EsfDocument
from estream.core.manifest import Manifest, parse_manifest
from estream.core.wire_adapter import wire_adapter_diagnostics
from estream.target_types import (
    CIRCUIT_SUFFIX,
    ESF_SUFFIX,
    MANIFEST_FILENAME,
    CircuitSourceField,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    SmartCircuitDependenciesField,
)
from estream.util_rules.esf import EsfFilesRequest, ParsedEsfFiles
from estream.util_rules.manifest import ParsedManifest
from estream.util_rules.package_contents import (
    MarketplacePackageContents,
    MarketplacePackageContentsRequest,
)
from pants.engine.addresses import Address
from pants.engine.fs import Digest, DigestContents, PathGlobs, Paths, RemovePrefix, Snapshot
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
from pants.util.logging import LogLevel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DependencySchemasRequest:
    manifest: Manifest


@dataclass(frozen=True)
class DependencySchemas:
    documents: Tuple[EsfDocument, ...]


@rule(desc="Resolve ESF schemas of package dependencies", level=LogLevel.DEBUG)
async def resolve_dependency_schemas(request: DependencySchemasRequest, all_targets: AllTargets) -> DependencySchemas:
    """Schemas of the packages named in `[component.dependencies]`, found among the repository's
    `marketplace_package` targets by manifest name and version requirement.

    This is the single place where cross-package schema lookup happens for circuits; a
    repository-wide resolver can replace it without touching the callers.
    """
    wanted = request.manifest.dependencies
    if not wanted:
        return DependencySchemas(())
    packages = [t for t in all_targets if t.has_field(MarketplaceManifestField)]
    documents: List[EsfDocument] = []
    for target in packages:
        try:
            parsed = await Get(ParsedManifest, MarketplaceManifestField, target[MarketplaceManifestField])
        except EstreamError:
            continue  # a broken package elsewhere is reported by its own targets, not here
        dep = wanted.get(parsed.manifest.name)
        if dep is None or not dep.req.matches(parsed.manifest.version):
            continue
        contents = await Get(MarketplacePackageContents, MarketplacePackageContentsRequest(target.address))
        documents.extend(contents.schemas)
    return DependencySchemas(tuple(documents))


@dataclass(frozen=True)
class SmartCircuitPackageRequest:
    address: Address


@dataclass(frozen=True)
class SmartCircuitPackage:
    """A circuit, its validated package and the files a test run needs.

    `files` holds package-relative path -> content for `tests/**`; `src_digest` holds the
    package's `src/` tree with paths relative to the package root (`src/...`), and `rtl_digest`
    the files its circuits' `implementation.rtl` name, package-relative too.
    """

    address: Address
    manifest: Manifest
    root: str
    circuit_path: str  # package-relative
    circuits: Tuple[Tuple[str, Circuit], ...]
    env: TypeEnvironment
    files: Tuple[Tuple[str, bytes], ...]
    src_digest: Digest
    rtl_digest: Digest

    @property
    def circuit(self) -> Circuit:
        return dict(self.circuits)[self.circuit_path]

    def plan(self, implementation: str, tags: Sequence[str] = ()) -> PlanResult:
        """This circuit's test plan (its vectors; the journeys too for the entry circuit)."""
        return build_plan(
            manifest=self.manifest,
            circuits=dict(self.circuits),
            env=self.env,
            files=dict(self.files),
            tags=tuple(tags),
            only_circuit=self.circuit.name,
            implementation=implementation,
        )

    def __hash__(self) -> int:  # TypeEnvironment holds dicts: hash by identity of the inputs
        return hash((self.address, self.root, self.circuit_path, self.files, self.src_digest, self.rtl_digest))


def _rel(root: str, path: str) -> str:
    return path[len(root) + 1 :] if root else path


@rule(desc="Load a SmartCircuit and its package", level=LogLevel.DEBUG)
async def load_smart_circuit_package(request: SmartCircuitPackageRequest) -> SmartCircuitPackage:
    wrapped = await Get(
        WrappedTarget, WrappedTargetRequest(request.address, description_of_origin="<estream circuit rules>")
    )
    target = wrapped.target
    hydrated, explicit = await MultiGet(
        Get(HydratedSources, HydrateSourcesRequest(target[CircuitSourceField])),
        Get(Targets, DependenciesRequest(target[SmartCircuitDependenciesField])),
    )
    circuit_file = hydrated.snapshot.files[0]
    if not circuit_file.endswith(CIRCUIT_SUFFIX):
        raise EstreamError.single(circuit_file, f"circuit files must be named `*{CIRCUIT_SUFFIX}`")
    ancestors = []
    d = os.path.dirname(circuit_file)
    while True:
        ancestors.append(d)
        if not d:
            break
        d = os.path.dirname(d)
    found = await Get(Paths, PathGlobs([os.path.join(a, MANIFEST_FILENAME) for a in ancestors]))
    if not found.files:
        raise EstreamError.single(
            circuit_file,
            f"the circuit is not inside a package: no `{MANIFEST_FILENAME}` in its directory or above",
            help="SmartCircuit package format §2: circuits live under <package>/circuits/",
        )
    manifest_path = max(found.files, key=len)
    root = os.path.dirname(manifest_path)
    prefix = f"{root}/" if root else ""
    # A nested package (a subdirectory with its own manifest) owns its files, as in Cargo.
    nested = await Get(Paths, PathGlobs([f"{prefix}*/**/{MANIFEST_FILENAME}"]))
    exclude = tuple(f"!{os.path.dirname(p)}/**" for p in sorted(nested.files))
    manifest_contents, package_contents, src_snapshot_digest = await MultiGet(
        Get(DigestContents, PathGlobs([manifest_path])),
        Get(DigestContents, PathGlobs([f"{prefix}**/*{CIRCUIT_SUFFIX}", f"{prefix}tests/**", *exclude])),
        Get(Digest, PathGlobs([f"{prefix}src/**", *exclude])),
    )
    manifest = parse_manifest(manifest_contents[0].content, manifest_path)
    src_digest = await Get(Digest, RemovePrefix(src_snapshot_digest, root)) if root else src_snapshot_digest

    schema_paths = await Get(Paths, PathGlobs([f"{prefix}**/*{ESF_SUFFIX}", *exclude]))
    schema_digest = await Get(Digest, PathGlobs(list(schema_paths.files)))
    explicit_schema_fields = [t[EsfSchemaSourceField] for t in explicit if t.has_field(EsfSchemaSourceField)]
    explicit_hydrated = await MultiGet(Get(HydratedSources, HydrateSourcesRequest(f)) for f in explicit_schema_fields)
    own, deps, *explicit_docs = await MultiGet(
        Get(ParsedEsfFiles, EsfFilesRequest(schema_digest, tuple(sorted(schema_paths.files)))),
        Get(DependencySchemas, DependencySchemasRequest(manifest)),
        *(
            Get(ParsedEsfFiles, EsfFilesRequest(h.snapshot.digest, tuple(h.snapshot.files)))
            for h in explicit_hydrated
        ),
    )
    documents = list(own.documents) + list(deps.documents) + [d for p in explicit_docs for d in p.documents]
    env = esf_type_environment(documents)

    circuits: Dict[str, Circuit] = {}
    files: Dict[str, bytes] = {}
    diagnostics: List[Diagnostic] = []
    for fc in package_contents:
        rel = _rel(root, fc.path)
        if rel.endswith(CIRCUIT_SUFFIX):
            try:
                circuits[rel] = parse_circuit(fc.content, fc.path)
            except EstreamError as e:
                diagnostics.extend(e.diagnostics)
        if rel.startswith("tests/"):
            files[rel] = fc.content
    present = set(circuits) | {_rel(root, fc.path) for fc in package_contents if fc.path.endswith(CIRCUIT_SUFFIX)}
    diagnostics.extend(package_circuit_file_diagnostics(manifest, present))
    for rel, circuit in sorted(circuits.items()):
        diagnostics.extend(manifest_diagnostics(circuit, manifest))
        diagnostics.extend(port_type_diagnostics(circuit, env))
    diagnostics.extend(wire_adapter_diagnostics(manifest, circuits, env))
    names: Dict[str, str] = {}
    for rel, circuit in sorted(circuits.items()):
        if circuit.name in names:
            diagnostics.append(
                Diagnostic(circuit.path, f"circuit name `{circuit.name}` is also used by {names[circuit.name]}", key="name", help="circuit names are unique within a package")
            )
        names.setdefault(circuit.name, circuit.path)
    rtl_paths = sorted({f for c in circuits.values() if c.rtl is not None for f in c.rtl.files})
    rtl_found = await Get(Snapshot, PathGlobs([prefix + f for f in rtl_paths]))
    for _, circuit in sorted(circuits.items()):
        if circuit.rtl is None:
            continue
        for key, paths in (("sources", circuit.rtl.sources), ("testbench", circuit.rtl.testbench)):
            for f in paths:
                if prefix + f not in rtl_found.files:
                    diagnostics.append(
                        Diagnostic(
                            circuit.path,
                            f"`{f}` does not exist in the package ({root or '.'})",
                            line=circuit.line_of("implementation.rtl"),
                            key=f"implementation.rtl.{key}",
                        )
                    )
    if diagnostics:
        raise EstreamError(diagnostics)
    rtl_digest = await Get(Digest, RemovePrefix(rtl_found.digest, root)) if root else rtl_found.digest
    logger.debug("estream: loaded circuit %s of package %s", circuit_file, manifest.name)
    return SmartCircuitPackage(
        address=request.address,
        manifest=manifest,
        root=root,
        circuit_path=_rel(root, circuit_file),
        circuits=tuple(sorted(circuits.items())),
        env=env,
        files=tuple(sorted(files.items())),
        src_digest=src_digest,
        rtl_digest=rtl_digest,
    )


def rules():
    return collect_rules()
