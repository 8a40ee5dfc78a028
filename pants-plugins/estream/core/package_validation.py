"""Validate one package: THE check that `./pants package`, `estream marketplace publish` and the
circuit loaders of `./pants test` / `estream marketplace test` share (issue 11).

`validate_package(files, root=..., dependencies=..., publishing=...)` takes the package's files
(package-relative path -> bytes, as `estream.core.package_files.select_package_files` selects
them) and the packages its `[component.dependencies]` may resolve to, and checks, reporting every
problem at once (an `EstreamError` whose diagnostics name file, line and key):

* the manifest (`estream.core.manifest`);
* LICENSE is present when `publishing` (SmartCircuit package format §2.1);
* every `[component.include]` glob selects a file, and `[component.circuit]` entry/circuits exist;
* every ESF schema file (`estream.core.esf`);
* schema resolution across packages (`estream.core.resolution`): dependencies exist with a
  matching version, `provides` names a schema of the package, `requires` and type references
  resolve;
* every circuit: its own rules, its consistency with the manifest, its port types against the
  package's and its direct dependencies' schemas, unique circuit names, and the
  `implementation.rtl` files present (`circuit_diagnostics`).

Decisions where the former copies disagreed (the stricter correct rule won):

* circuit names must be unique within a package and `implementation.rtl` files must exist: only
  the Pants loader checked it, `estream marketplace test` did not;
* a package's own ESF schemas, `provides`, resolution and LICENSE: only `./pants package` checked
  the first three, `publish DIR` none; both now check all four (`./pants package` builds the
  archive that is published, so it requires LICENSE too);
* the rtl files of a *packaged* circuit must be files of the package (the consumer simulates
  them), where the Pants loader only looked for them in the repository.

Dependency lookup (`dependency_closure`, `dependency_documents`) is the one rule every front end
uses: the packages named in `[component.dependencies]` (transitively, for resolution), found by
name by a front-end-specific `lookup` (Pants targets, a directory walk, the registry); circuits
see the schema documents of the direct dependencies whose version matches the requirement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from estream.core.circuit import (
    CIRCUIT_SUFFIX,
    Circuit,
    TypeEnvironment,
    esf_type_environment,
    manifest_diagnostics,
    package_circuit_file_diagnostics,
    parse_circuit,
    port_type_diagnostics,
)
from estream.core.errors import Diagnostic, EstreamError
from estream.core.esf import ESF_SUFFIX, EsfDocument, parse_esf
from estream.core.manifest import MANIFEST_FILENAME, Manifest, parse_manifest
from estream.core.package_checks import include_glob_diagnostics
from estream.core.package_files import LICENSE_FILE
from estream.core.resolution import PackageSchemas, ResolvedPackage, resolve_packages
from estream.core.semver import VersionReq
from estream.core.wire_adapter import wire_adapter_diagnostics


@dataclass(frozen=True)
class ValidatedPackage:
    manifest: Manifest
    schemas: Tuple[EsfDocument, ...]
    circuits: Tuple[Tuple[str, Circuit], ...]  # package-relative path -> circuit
    env: TypeEnvironment
    resolved: ResolvedPackage

    def __hash__(self) -> int:  # TypeEnvironment and EsfDocument hold dicts
        return hash((self.manifest, self.circuits))


def display_path(root: str, rel: str) -> str:
    """A package-relative path as the user knows it (`root` is the package directory's display)."""
    return f"{root}/{rel}" if root and root != "." else rel


#: `lookup(name, requirements)`: the packages of that name (none when unknown; several when
#: duplicated, which resolution reports); `requirements` are those of the packages asking, for a
#: source holding several versions (a registry) to pick the newest matching one.
PackageLookup = Callable[[str, Sequence[VersionReq]], Sequence[PackageSchemas]]


def dependency_closure(manifest: Manifest, lookup: PackageLookup) -> List[PackageSchemas]:
    """The packages `manifest` depends on, transitively, found by `lookup`."""
    found: Dict[str, List[PackageSchemas]] = {}
    requirements: Dict[str, List[VersionReq]] = {}
    pending = [manifest]
    while pending:
        for dep in pending.pop(0).dependencies.values():
            requirements.setdefault(dep.name, []).append(dep.req)
        for name in sorted(set(requirements) - set(found) - {manifest.name}):
            found[name] = list(lookup(name, requirements[name]))
            pending.extend(pkg.manifest for pkg in found[name])
    return [pkg for name in sorted(found) for pkg in found[name]]


def first_found(*lookups: PackageLookup) -> PackageLookup:
    """A lookup trying `lookups` in order (e.g. the repository, then the registry)."""

    def lookup(name: str, requirements: Sequence[VersionReq]) -> Sequence[PackageSchemas]:
        for one in lookups:
            found = one(name, requirements)
            if found:
                return found
        return []

    return lookup


def dependency_documents(manifest: Manifest, packages: Iterable[PackageSchemas]) -> List[EsfDocument]:
    """Schema documents a circuit of `manifest`'s package sees from its dependencies: those of the
    direct dependencies whose version matches the requirement."""
    out: List[EsfDocument] = []
    for pkg in packages:
        dep = manifest.dependencies.get(pkg.name)
        if dep is not None and pkg.name != manifest.name and dep.req.matches(pkg.manifest.version):
            out.extend(pkg.documents)
    return out


def circuit_diagnostics(
    manifest: Manifest,
    circuit_files: Mapping[str, Tuple[str, bytes]],
    env: TypeEnvironment,
    available: Callable[[str], bool],
    root_display: str = ".",
) -> Tuple[Dict[str, Circuit], List[Diagnostic]]:
    """Parse and check a package's circuits: (package-relative path -> circuit, diagnostics).

    `circuit_files` maps a package-relative path to (display path, content); `available(rel)` says
    whether a package-relative file (an `implementation.rtl` source or testbench) exists.
    """
    diagnostics: List[Diagnostic] = []
    circuits: Dict[str, Circuit] = {}
    for rel, (shown, content) in sorted(circuit_files.items()):
        try:
            circuits[rel] = parse_circuit(content, shown)
        except EstreamError as e:
            diagnostics.extend(e.diagnostics)
    diagnostics.extend(package_circuit_file_diagnostics(manifest, circuit_files))
    names: Dict[str, str] = {}
    for rel, circuit in sorted(circuits.items()):
        diagnostics.extend(manifest_diagnostics(circuit, manifest))
        diagnostics.extend(port_type_diagnostics(circuit, env))
        if circuit.name in names:
            diagnostics.append(
                Diagnostic(
                    circuit.path,
                    f"circuit name `{circuit.name}` is also used by {names[circuit.name]}",
                    key="name",
                    help="circuit names are unique within a package",
                )
            )
        names.setdefault(circuit.name, circuit.path)
        if circuit.rtl is None:
            continue
        for key, paths in (("sources", circuit.rtl.sources), ("testbench", circuit.rtl.testbench)):
            for f in paths:
                if not available(f):
                    diagnostics.append(
                        Diagnostic(
                            circuit.path,
                            f"`{f}` does not exist in the package ({root_display or '.'})",
                            line=circuit.line_of("implementation.rtl"),
                            key=f"implementation.rtl.{key}",
                            help="add the file, and select it with `[component.include].rtl`",
                        )
                    )
    diagnostics.extend(wire_adapter_diagnostics(manifest, circuits, env))
    return circuits, diagnostics


def validate_package(
    files: Mapping[str, bytes],
    *,
    root: str,
    dependencies: Sequence[PackageSchemas] = (),
    publishing: bool = True,
    manifest: Optional[Manifest] = None,
) -> ValidatedPackage:
    """Validate the package whose files (package-relative path -> content) are `files`.

    `root` is how the user knows the package directory (paths in diagnostics are `root/rel`);
    `dependencies` are candidate packages for `[component.dependencies]` (see `dependency_closure`);
    `manifest`, when the caller has parsed it already, skips parsing it again.
    """
    manifest_path = display_path(root, MANIFEST_FILENAME)
    if manifest is None:
        content = files.get(MANIFEST_FILENAME)
        if content is None:
            raise EstreamError.single(manifest_path, "not found; a package needs a manifest")
        manifest = parse_manifest(content, manifest_path)
    diagnostics: List[Diagnostic] = []
    paths = sorted(files)
    if publishing and LICENSE_FILE not in files:
        diagnostics.append(
            Diagnostic(
                display_path(root, LICENSE_FILE),
                "not found; a published package needs a LICENSE file",
                help=f"add the licence text of `{manifest.license}` as {LICENSE_FILE} beside the manifest "
                "(SmartCircuit package format §2.1)",
            )
        )
    diagnostics.extend(include_glob_diagnostics(manifest, paths))

    schemas: List[EsfDocument] = []
    schemas_ok = True
    for rel in paths:
        if rel.endswith(ESF_SUFFIX):
            try:
                schemas.append(parse_esf(files[rel], display_path(root, rel)))
            except EstreamError as e:
                schemas_ok = False
                diagnostics.extend(e.diagnostics)

    resolved: Optional[ResolvedPackage] = None
    own = PackageSchemas(manifest, tuple(schemas))
    if schemas_ok:
        try:
            resolved = resolve_packages(
                [own, *[d for d in dependencies if d.name != manifest.name]], [manifest.name]
            )[manifest.name]
        except EstreamError as e:
            diagnostics.extend(e.diagnostics)

    env = esf_type_environment(schemas + dependency_documents(manifest, dependencies))
    circuit_files = {
        rel: (display_path(root, rel), files[rel]) for rel in paths if rel.endswith(CIRCUIT_SUFFIX)
    }
    circuits, circuit_problems = circuit_diagnostics(manifest, circuit_files, env, files.__contains__, root)
    if schemas_ok:
        diagnostics.extend(circuit_problems)
    else:  # unknown-type errors would only echo the broken schema files
        diagnostics.extend(d for d in circuit_problems if "unknown type" not in d.message)
    if diagnostics:
        raise EstreamError(_unique(diagnostics))
    assert resolved is not None
    return ValidatedPackage(manifest, tuple(schemas), tuple(sorted(circuits.items())), env, resolved)


def _unique(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


__all__ = [
    "ValidatedPackage",
    "circuit_diagnostics",
    "dependency_closure",
    "dependency_documents",
    "display_path",
    "first_found",
    "PackageLookup",
    "validate_package",
]
