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

from pants.engine.addresses import Address
from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.fs import Digest, DigestContents, PathGlobs, Paths, RemovePrefix, Snapshot
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    DependenciesRequest,
    HydratedSources,
    HydrateSourcesRequest,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.util.logging import LogLevel

from estream.core.circuit import Circuit, TypeEnvironment, esf_type_environment, parse_circuit
from estream.core.circuit_plan import PlanResult, build_plan
from estream.core.errors import EstreamError
from estream.core.esf import EsfDocument
from estream.core.manifest import Manifest, parse_manifest
from estream.core.package_validation import circuit_diagnostics, dependency_documents
from estream.target_types import (
    CIRCUIT_SUFFIX,
    ESF_SUFFIX,
    MANIFEST_FILENAME,
    CircuitSourceField,
    EsfSchemaSourceField,
    SmartCircuitDependenciesField,
)
from estream.util_rules import esf, schema_resolution
from estream.util_rules.esf import EsfFilesRequest, ParsedEsfFiles
from estream.util_rules.schema_resolution import DependencyPackages, DependencyPackagesRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DependencySchemasRequest(EngineAwareParameter):
    manifest: Manifest

    def debug_hint(self) -> str:
        return self.manifest.name


@dataclass(frozen=True)
class DependencySchemas:
    documents: Tuple[EsfDocument, ...]


@rule(desc="Resolve ESF schemas of package dependencies", level=LogLevel.DEBUG)
async def resolve_dependency_schemas(request: DependencySchemasRequest) -> DependencySchemas:
    """Schemas of the packages named in `[component.dependencies]`: the one lookup
    (`DependencyPackages`) and the one rule of what circuits see (`dependency_documents`)."""
    if not request.manifest.dependencies:
        return DependencySchemas(())
    deps = await Get(DependencyPackages, DependencyPackagesRequest(request.manifest))
    return DependencySchemas(tuple(dependency_documents(request.manifest, deps.packages)))


@dataclass(frozen=True)
class SmartCircuitPackageRequest(EngineAwareParameter):
    address: Address

    def debug_hint(self) -> str:
        return self.address.spec


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
        return hash(
            (self.address, self.root, self.circuit_path, self.files, self.src_digest, self.rtl_digest)
        )


def _rel(root: str, path: str) -> str:
    return path[len(root) + 1 :] if root else path


def _ancestor_dirs(path: str) -> List[str]:
    """PATH's directory and each directory above it, up to the build root ("")."""
    ancestors = []
    d = os.path.dirname(path)
    while True:
        ancestors.append(d)
        if not d:
            break
        d = os.path.dirname(d)
    return ancestors


def _split_package_contents(
    root: str, package_contents: DigestContents
) -> Tuple[Dict[str, bytes], Dict[str, Tuple[str, bytes]]]:
    """(package-relative test files -> content, package-relative circuit files -> (path, content))."""
    files: Dict[str, bytes] = {}
    circuit_files: Dict[str, Tuple[str, bytes]] = {}
    for fc in package_contents:
        rel = _rel(root, fc.path)
        if rel.endswith(CIRCUIT_SUFFIX):
            circuit_files[rel] = (fc.path, fc.content)
        if rel.startswith("tests/"):
            files[rel] = fc.content
    return files, circuit_files


def _parse_valid_circuits(circuit_files: Dict[str, Tuple[str, bytes]]) -> Dict[str, Circuit]:
    """The circuits that parse; the others are reported by circuit_diagnostics."""
    parsed_circuits: Dict[str, Circuit] = {}
    for rel, (path, content) in circuit_files.items():
        try:
            parsed_circuits[rel] = parse_circuit(content, path)
        except EstreamError:
            pass  # reported by circuit_diagnostics
    return parsed_circuits


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
    ancestors = _ancestor_dirs(circuit_file)
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
    explicit_hydrated = await MultiGet(
        Get(HydratedSources, HydrateSourcesRequest(f)) for f in explicit_schema_fields
    )
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

    files, circuit_files = _split_package_contents(root, package_contents)
    parsed_circuits = _parse_valid_circuits(circuit_files)
    rtl_paths = sorted({f for c in parsed_circuits.values() if c.rtl is not None for f in c.rtl.files})
    rtl_found = await Get(Snapshot, PathGlobs([prefix + f for f in rtl_paths]))
    circuits, diagnostics = circuit_diagnostics(
        manifest, circuit_files, env, lambda f: prefix + f in rtl_found.files, root or "."
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
    return [*collect_rules(), *esf.rules(), *schema_resolution.rules()]
