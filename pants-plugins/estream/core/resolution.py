"""Resolve ESF schema `provides`/`requires` and type references across packages.

Pure core: no Pants imports. The input is a set of packages, each a parsed manifest plus the
ESF documents of its own files; the dependency edges are the manifests'
`[component.dependencies]` names. `resolve_packages` checks, for the packages asked about:

* every `[component.dependencies]` name is a known package whose version satisfies the
  requirement (Cargo semantics, `estream.core.semver`);
* the dependency graph has no cycle (reported as `a -> b -> a`);
* schema and enum names are unique within a package;
* every `provides` name is a schema defined by one of the package's own files;
* every `requires` name (a schema, or an enum) is exported by exactly one package among its
  transitive dependencies;
* every field type that names a schema or enum resolves: to a definition in the package, or to
  a name exported by exactly one transitive dependency.

A package *exports* the schemas it `provides` and every enum it defines (enums are the shared
vocabulary of the exported schemas: `EStreamOrder.side` is an `OrderSide`, so a package that
requires `EStreamOrder` must be able to name `OrderSide`). Schemas a package defines but does not
provide are private to it. Using an exported *schema* from a dependency without listing it in
`requires` is an error: `requires` is the package's declared interface.

Every problem is reported at once as an `EstreamError`, each message naming the package, the
schema and the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from estream.core.errors import Diagnostic, EstreamError
from estream.core.esf import EsfDocument, TypeReference
from estream.core.graph import find_cycle, reachable
from estream.core.manifest import Manifest
from estream.core.suggestions import closest_match


@dataclass(frozen=True)
class PackageSchemas:
    """One package as resolution sees it: its manifest and its own ESF documents."""

    manifest: Manifest
    documents: Tuple[EsfDocument, ...]

    @property
    def name(self) -> str:
        return self.manifest.name

    def definitions(self) -> Dict[str, Tuple[str, str]]:
        """name -> (kind "schema"/"enum", defining file); first definition wins."""
        out: Dict[str, Tuple[str, str]] = {}
        for doc in self.documents:
            for name in doc.schemas:
                out.setdefault(name, ("schema", doc.path))
            for name in doc.enums:
                out.setdefault(name, ("enum", doc.path))
        return out

    def exports(self) -> Dict[str, Tuple[str, str]]:
        """Names other packages may use: provided schemas and every enum, with kind and file."""
        defs = self.definitions()
        out = {n: defs[n] for n in self.manifest.schemas.provides if n in defs and defs[n][0] == "schema"}
        out.update({n: d for n, d in defs.items() if d[0] == "enum"})
        return out


@dataclass(frozen=True)
class ResolvedDependency:
    name: str
    requirement: str
    version: str


@dataclass(frozen=True)
class ResolvedRequirement:
    schema: str
    provider: str
    provider_version: str
    file: str  # the provider's file defining the schema


@dataclass(frozen=True)
class ResolvedReference:
    file: str
    key: str
    name: str
    provider: str  # package name; equals the package itself for local definitions


@dataclass(frozen=True)
class ResolvedPackage:
    name: str
    version: str
    manifest_path: str
    provides: Tuple[Tuple[str, str], ...]  # (schema, defining file)
    requires: Tuple[ResolvedRequirement, ...]
    dependencies: Tuple[ResolvedDependency, ...]
    references: Tuple[ResolvedReference, ...]  # references to other packages' names only

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "manifest": self.manifest_path,
            "provides": [{"schema": s, "file": f} for s, f in self.provides],
            "requires": [
                {
                    "schema": r.schema,
                    "provider": r.provider,
                    "provider_version": r.provider_version,
                    "file": r.file,
                }
                for r in self.requires
            ],
            "dependencies": [
                {"name": d.name, "requirement": d.requirement, "version": d.version}
                for d in self.dependencies
            ],
            "references": [
                {"file": r.file, "key": r.key, "name": r.name, "provider": r.provider}
                for r in self.references
            ],
        }


def _close(word: str, options: Iterable[str]) -> Optional[str]:
    return closest_match(word, sorted(set(options)))


def _listing(items: Iterable[str]) -> str:
    items = sorted(items)
    return ", ".join(f"`{i}`" for i in items) if items else "(none)"


def transitive_dependencies(edges: Mapping[str, Sequence[str]], name: str) -> List[str]:
    """All packages reachable from `name` (excluding itself), sorted."""
    return sorted(reachable(edges, name) - {name})


def resolve_packages(
    packages: Sequence[PackageSchemas], targets: Optional[Iterable[str]] = None
) -> Dict[str, ResolvedPackage]:
    """Resolve the packages named in `targets` (default: all) against `packages`.

    `packages` must contain the targets' transitive dependencies (more is fine). Returns the
    resolved packages by name; raises `EstreamError` listing every problem found.
    """
    diags: List[Diagnostic] = []
    by_name: Dict[str, PackageSchemas] = {}
    for pkg in packages:
        if pkg.name in by_name:
            other = by_name[pkg.name]
            diags.append(
                Diagnostic(
                    pkg.manifest.path,
                    f"package name `{pkg.name}` is also used by `{other.manifest.path}`",
                    key="component.name",
                    help="package names must be unique in the repository",
                )
            )
            continue
        by_name[pkg.name] = pkg
    target_names = sorted(by_name) if targets is None else sorted(set(targets))

    edges: Dict[str, List[str]] = {
        name: sorted(d for d in pkg.manifest.dependencies if d in by_name) for name, pkg in by_name.items()
    }

    cycle = find_cycle(edges, target_names)
    if cycle:
        first = by_name[cycle[0]]
        diags.append(
            Diagnostic(
                first.manifest.path,
                f"dependency cycle between packages: {' -> '.join(cycle)}",
                key=f"component.dependencies.{cycle[1]}",
                help="a schema package cannot (transitively) depend on itself; move the shared "
                "schemas into a package both can depend on",
            )
        )
        raise EstreamError(diags)

    exports = {name: pkg.exports() for name, pkg in by_name.items()}
    resolved: Dict[str, ResolvedPackage] = {}
    for name in target_names:
        target = by_name.get(name)
        if target is None:
            raise KeyError(f"resolve_packages: target `{name}` is not among the packages given")
        result = _resolve_one(target, by_name, edges, exports, diags)
        if result is not None:
            resolved[name] = result
    if diags:
        raise EstreamError(diags)
    return resolved


def _resolve_one(
    pkg: PackageSchemas,
    by_name: Mapping[str, PackageSchemas],
    edges: Mapping[str, Sequence[str]],
    exports: Mapping[str, Mapping[str, Tuple[str, str]]],
    diags: List[Diagnostic],
) -> Optional[ResolvedPackage]:
    """Resolve one package, appending its problems to `diags`; None if it has any."""
    before = len(diags)
    steps = _PackageResolution(pkg, by_name, edges, exports, diags)
    dependencies = steps.dependencies()
    steps.check_unique_names()
    provides = steps.provides()
    requires = steps.requires()
    references = steps.references()
    if len(diags) > before:
        return None
    manifest = pkg.manifest
    return ResolvedPackage(
        name=manifest.name,
        version=str(manifest.version),
        manifest_path=manifest.path,
        provides=tuple(provides),
        requires=tuple(requires),
        dependencies=tuple(dependencies),
        references=tuple(references),
    )


class _PackageResolution:
    """The steps of resolving one package, in the order `_resolve_one` runs them; each step
    appends what it finds wrong to `diags`."""

    def __init__(
        self,
        pkg: PackageSchemas,
        by_name: Mapping[str, PackageSchemas],
        edges: Mapping[str, Sequence[str]],
        exports: Mapping[str, Mapping[str, Tuple[str, str]]],
        diags: List[Diagnostic],
    ) -> None:
        self.pkg = pkg
        self.manifest = pkg.manifest
        self.path = pkg.manifest.path
        self.by_name = by_name
        self.exports = exports
        self.diags = diags
        self.definitions = pkg.definitions()
        # Candidates among transitive dependencies: exported name -> the packages exporting it.
        self.transitive = transitive_dependencies(edges, self.manifest.name)
        self.offered: Dict[str, List[str]] = {}
        for dep_name in self.transitive:
            for name in exports[dep_name]:
                self.offered.setdefault(name, []).append(dep_name)

    def dependencies(self) -> List[ResolvedDependency]:
        """`[component.dependencies]`: known packages, versions satisfying the requirements."""
        manifest, path = self.manifest, self.path
        dependencies: List[ResolvedDependency] = []
        for dep_name, dep in sorted(manifest.dependencies.items()):
            key = f"component.dependencies.{dep_name}"
            target = self.by_name.get(dep_name)
            if target is None:
                guess = _close(dep_name, self.by_name)
                self.diags.append(
                    Diagnostic(
                        path,
                        f"package `{manifest.name}` depends on `{dep_name}`, but no package of that name exists",
                        key=key,
                        help=f"did you mean `{guess}`?"
                        if guess
                        else f"known packages: {_listing(self.by_name)}",
                    )
                )
                continue
            version = target.manifest.version
            if not dep.req.matches(version):
                self.diags.append(
                    Diagnostic(
                        path,
                        f"package `{manifest.name}` requires `{dep_name} {dep.req_text}`, but the version "
                        f"found is {version} (in `{target.manifest.path}`)",
                        key=key,
                        help=f'change the requirement to accept {version} (e.g. "^{version}"), '
                        f"or depend on a release matching `{dep.req_text}`",
                    )
                )
            dependencies.append(ResolvedDependency(dep_name, dep.req_text, str(version)))
        return dependencies

    def check_unique_names(self) -> None:
        """Schema and enum names are unique within the package."""
        seen: Dict[str, str] = {}
        for doc in self.pkg.documents:
            for name, line, kind in [(n, s.line, "schemas") for n, s in doc.schemas.items()] + [
                (n, e.line, "enums") for n, e in doc.enums.items()
            ]:
                if name in seen:
                    self.diags.append(
                        Diagnostic(
                            doc.path,
                            f"package `{self.manifest.name}`: `{name}` is already defined in `{seen[name]}`",
                            line=line,
                            key=f"{kind}.{name}",
                            help="schema and enum names must be unique within a package",
                        )
                    )
                else:
                    seen[name] = doc.path

    def provides(self) -> List[Tuple[str, str]]:
        """`provides`: schemas defined by the package's own files, with the defining file."""
        provides: List[Tuple[str, str]] = []
        own_schemas = sorted(n for n, (kind, _) in self.definitions.items() if kind == "schema")
        for name in self.manifest.schemas.provides:
            kind_file = self.definitions.get(name)
            if kind_file is None or kind_file[0] != "schema":
                guess = _close(name, own_schemas)
                what = "an enum, not a schema" if kind_file else "not defined by any of its files"
                self.diags.append(
                    Diagnostic(
                        self.path,
                        f"package `{self.manifest.name}` provides `{name}`, but it is {what}",
                        key="component.schemas.provides",
                        help=(f"did you mean `{guess}`? " if guess else "")
                        + f"schemas defined by this package: {_listing(own_schemas)}",
                    )
                )
                continue
            provides.append((name, kind_file[1]))
        return provides

    def requires(self) -> List[ResolvedRequirement]:
        """`requires`: each name exported by exactly one transitive dependency."""
        requires: List[ResolvedRequirement] = []
        for name in self.manifest.schemas.requires:
            resolved = self.requirement(name)
            if resolved is not None:
                requires.append(resolved)
        return requires

    def requirement(self, name: str) -> Optional[ResolvedRequirement]:
        manifest, path = self.manifest, self.path
        key = "component.schemas.requires"
        # Requiring an enum (the shared vocabulary of exported schemas) is allowed: a package
        # may list the enums it uses as part of its declared interface.
        candidates = list(self.offered.get(name, []))
        if name in self.definitions:
            self.diags.append(
                Diagnostic(
                    path,
                    f"package `{manifest.name}` requires `{name}`, but also defines it in "
                    f"`{self.definitions[name][1]}`",
                    key=key,
                    help="a package either defines a schema or requires it from a dependency; "
                    "rename or remove one",
                )
            )
            return None
        if not candidates:
            self.diags.append(
                Diagnostic(
                    path,
                    f"package `{manifest.name}` requires `{name}`, but none of its dependencies "
                    f"({_listing(self.transitive)}) provides it",
                    key=key,
                    help=self.missing_requirement_help(name),
                )
            )
            return None
        if len(candidates) > 1:
            self.diags.append(
                Diagnostic(
                    path,
                    f"package `{manifest.name}` requires `{name}`, which is provided by more than one "
                    f"dependency: {_listing(candidates)}",
                    key=key,
                    help="a required schema must have exactly one provider; drop one of these "
                    "dependencies or stop one of them providing the schema",
                )
            )
            return None
        provider = self.by_name[candidates[0]]
        return ResolvedRequirement(
            name, provider.name, str(provider.manifest.version), self.exports[provider.name][name][1]
        )

    def missing_requirement_help(self, name: str) -> str:
        """Help for a required name no dependency provides: who does, or what is close."""
        exports = self.exports
        providers_elsewhere = sorted(
            n
            for n, ex in exports.items()
            if name in ex and ex[name][0] == "schema" and n != self.manifest.name
        )
        if providers_elsewhere:
            return (
                f"provided by {_listing(providers_elsewhere)}, which is not a dependency: add "
                f'`{providers_elsewhere[0]} = "^{self.by_name[providers_elsewhere[0]].manifest.version}"` '
                "to [component.dependencies]"
            )
        all_provided = {n for ex in exports.values() for n, (k, _) in ex.items() if k == "schema"}
        guess = _close(name, all_provided)
        if guess:
            return f"did you mean `{guess}`?"
        offered_schemas = (n for n, c in self.offered.items() if any(exports[p][n][0] == "schema" for p in c))
        return f"schemas provided by its dependencies: {_listing(offered_schemas)}"

    def references(self) -> List[ResolvedReference]:
        """Field types naming another package's schema or enum: exactly one provider, and a
        schema must be listed in `requires`."""
        references: List[ResolvedReference] = []
        for doc in self.pkg.documents:
            for ref in doc.type_references():
                if ref.name in self.definitions:
                    continue
                resolved = self.reference(doc.path, ref)
                if resolved is not None:
                    references.append(resolved)
        return references

    def reference(self, file: str, ref: TypeReference) -> Optional[ResolvedReference]:
        manifest = self.manifest
        candidates = self.offered.get(ref.name, [])
        if len(candidates) == 1:
            provider_name = candidates[0]
            if (
                self.exports[provider_name][ref.name][0] == "schema"
                and ref.name not in manifest.schemas.requires
            ):
                self.diags.append(
                    Diagnostic(
                        file,
                        f"package `{manifest.name}` uses schema `{ref.name}` from `{provider_name}` "
                        "without requiring it",
                        line=ref.line,
                        key=ref.key,
                        help=f"add `{ref.name}` to [component.schemas].requires in `{self.path}`",
                    )
                )
                return None
            return ResolvedReference(file, ref.key, ref.name, provider_name)
        if len(candidates) > 1:
            self.diags.append(
                Diagnostic(
                    file,
                    f"package `{manifest.name}`: type `{ref.name}` is ambiguous, it is exported by "
                    f"{_listing(candidates)}",
                    line=ref.line,
                    key=ref.key,
                    help="each name must come from exactly one dependency",
                )
            )
            return None
        self.diags.append(
            Diagnostic(
                file,
                f"package `{manifest.name}`: unknown type `{ref.name}`",
                line=ref.line,
                key=ref.key,
                help=self.unknown_type_help(ref.name),
            )
        )
        return None

    def unknown_type_help(self, name: str) -> str:
        visible = set(self.definitions) | set(self.offered)
        guess = _close(name, visible)
        elsewhere = sorted(n for n, ex in self.exports.items() if name in ex and n != self.manifest.name)
        if elsewhere:
            return f"`{name}` is exported by {_listing(elsewhere)}; add it to [component.dependencies]"
        if guess:
            return f"did you mean `{guess}`?"
        return (
            "define it in this package, or depend on a package that provides it; "
            f"names visible here: {_listing(visible)}"
        )


def render_graph(resolved: Mapping[str, ResolvedPackage]) -> str:
    """A human-readable view: each package, what it provides and who uses it, what it requires."""
    users: Dict[Tuple[str, str], List[str]] = {}
    for pkg in resolved.values():
        for req in pkg.requires:
            users.setdefault((req.provider, req.schema), []).append(pkg.name)
    lines: List[str] = []
    for name in sorted(resolved):
        pkg = resolved[name]
        lines.append(f"{pkg.name} v{pkg.version}  ({pkg.manifest_path})")
        for dep in pkg.dependencies:
            lines.append(f"  depends on {dep.name} {dep.requirement} (found {dep.version})")
        for schema, file in pkg.provides:
            who = users.get((pkg.name, schema))
            to = f" -> required by {', '.join(sorted(who))}" if who else ""
            lines.append(f"  provides {schema}  [{file}]{to}")
        for req in pkg.requires:
            lines.append(f"  requires {req.schema} <- {req.provider} v{req.provider_version}  [{req.file}]")
        for ref in pkg.references:
            lines.append(f"  uses {ref.name} from {ref.provider}  ({ref.file}: {ref.key})")
    return "\n".join(lines) + ("\n" if lines else "")
