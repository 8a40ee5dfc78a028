"""Consuming registry components from a monorepo: `estream_component` targets in `3rdparty/`.

    # 3rdparty/estream/BUILD
    estream_component(name="esf-iot", component="esf-iot", version="^1.0")

* `./pants estream-lock ::` verifies the registry's trust chain against the root keys pinned in
  `[estream-registry].trust_roots` (an unpinned registry is refused), resolves every
  `estream_component` requirement (and their dependencies) against it and writes `[estream-components].lockfile` with exact
  versions, the registry's SHA3-256 checksums and the SHA-256 + size pins Pants downloads with.
* `./pants package 3rdparty/estream:esf-iot` fetches the locked archive with Pants' downloader
  (cached in the store, SHA-256/size checked before use), checks the SHA3-256 checksum and the
  ML-DSA-87 signature against `[estream-signing].keyring`, and writes it to `dist/`. Other rules
  get the verified files with `Get(VerifiedComponent, VerifiedComponentRequest(name))`.
* Schema resolution (`util_rules/schema_resolution.py`) takes locked components as the providers
  of `[component.dependencies]` names no in-repo package has: their `provides`, schemas and enums
  resolve `requires` and type references like an in-repo package's.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Dict, Tuple

from estream.core.errors import EstreamError
from estream.core.keys import Keyring, empty_keyring, load_keyring
from estream.core.esf import ESF_SUFFIX, parse_esf
from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
from estream.core.registry.archive_verification import verify_registry_archive
from estream.core.registry.components_lock import LockedComponent, archive_url, parse_lock, render_lock
from estream.core.registry.index import archive_path
from estream.core.registry.registry import Registry, estream_home
from estream.core.registry.resolver import resolve
from estream.core.registry.trust import TrustState, load_trust_state, parse_pins, record_trust_state
from estream.core.resolution import PackageSchemas
from estream.core.semver import Version, VersionReq
from estream.subsystems.registry import EstreamRegistrySubsystem
from estream.subsystems.signing import EstreamSigningSubsystem
from pants.base.build_root import BuildRoot
from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.engine.console import Console
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import (
    CreateDigest,
    Digest,
    DigestContents,
    DownloadFile,
    FileContent,
    FileDigest,
    PathGlobs,
    Workspace,
)
from pants.engine import download_file
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule, rule
from pants.engine.target import COMMON_TARGET_FIELDS, AllTargets, StringField, Target
from pants.engine.unions import UnionRule
from pants.option.option_types import StrOption
from pants.option.subsystem import Subsystem
from pants.util.logging import LogLevel
from pants.util.strutil import help_text, softwrap


class EstreamComponentsSubsystem(Subsystem):
    options_scope = "estream-components"
    help = "Registry components consumed by this repository (`estream_component` targets)."

    lockfile = StrOption(
        default="3rdparty/estream/components.lock",
        help="The lock of `estream_component` targets, relative to the build root (`./pants estream-lock ::` writes it).",
    )
    archive_url_template = StrOption(
        default=None,
        help=softwrap(
            """
            Where archives are downloaded from: `{path}` is the archive's path in the registry
            repository (`archives/<name>/<name>-<version>.tar.gz`); `{name}` and `{version}` are
            also available. For a GitHub registry:
            `https://raw.githubusercontent.com/ORG/REPO/main/{path}`. When unset, the local checkout
            of `[estream-registry].url` is used (`file://`), which suits a single machine only.
            """
        ),
    )


class ComponentNameField(StringField):
    alias = "component"
    required = True
    value: str
    help = "The registry component's name, e.g. `esf-iot`."


class ComponentVersionField(StringField):
    alias = "version"
    default = "*"
    help = 'A version requirement with Cargo semantics, e.g. `"^1.2"`; the lock pins the exact version.'


class EstreamComponentTarget(Target):
    alias = "estream_component"
    core_fields = (*COMMON_TARGET_FIELDS, ComponentNameField, ComponentVersionField)
    help = help_text(
        """
        A component from the eStream registry that this repository depends on, pinned by
        `[estream-components].lockfile` (regenerate with `./pants estream-lock ::`).
        `./pants package` on it downloads and verifies the locked archive.
        """
    )


@dataclass(frozen=True)
class EstreamComponentFieldSet(PackageFieldSet):
    required_fields = (ComponentNameField,)

    component: ComponentNameField
    version: ComponentVersionField


# -- reading the lock and fetching ---------------------------------------------------------


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
        raise EstreamError.single(subsystem.lockfile, "the components lock does not exist", help="run `./pants estream-lock ::`")
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
    request: VerifiedComponentRequest, lock: ComponentLock, signing: EstreamSigningSubsystem, build_root: BuildRoot
) -> VerifiedComponent:
    locked = lock.get(request.name)
    # Pants checks SHA-256 and size before the bytes enter the store: a substituted file never lands.
    downloaded = await Get(Digest, DownloadFile(locked.url, FileDigest(locked.sha256, locked.size)))
    contents = await Get(DigestContents, Digest, downloaded)
    data = contents[0].content
    source = f"{locked.name}-{locked.version}.tar.gz"
    keyring = load_keyring(os.path.join(build_root.path, signing.keyring)) if signing.keyring else empty_keyring()
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
    unpacked = await Get(Digest, CreateDigest([FileContent(f"{top}/{p}", c) for p, c in sorted(files.items())]))
    return VerifiedComponent(locked.name, locked.version, archive, unpacked, manifest.schemas.provides, manifest.schemas.requires)


@dataclass(frozen=True)
class LockedComponentNamesRequest:
    pass


@dataclass(frozen=True)
class LockedComponentNames:
    """Components in the lock; empty when there is no lock (a repo that consumes none)."""

    names: Tuple[str, ...]


@rule(desc="Read the estream components lock", level=LogLevel.DEBUG)
async def locked_component_names(_: LockedComponentNamesRequest, subsystem: EstreamComponentsSubsystem) -> LockedComponentNames:
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
    documents = tuple(parse_esf(content, path) for path, content in sorted(by_path.items()) if path.endswith(ESF_SUFFIX))
    return ComponentSchemas(PackageSchemas(manifest, documents))


@rule(desc="Package an estream registry component")
async def package_component(field_set: EstreamComponentFieldSet, lock: ComponentLock) -> BuiltPackage:
    name = field_set.component.value
    locked = lock.get(name)
    req = field_set.version.value or "*"
    if locked.requirement is None or not VersionReq.parse(req).matches(Version.parse(locked.version)):
        raise EstreamError.single(
            str(field_set.address),
            f"the lock pins {name} {locked.version}, which does not satisfy `{req}`: the lock is stale",
            help="run `./pants estream-lock ::`",
        )
    verified = await Get(VerifiedComponent, VerifiedComponentRequest(name))
    return BuiltPackage(
        verified.archive,
        (BuiltPackageArtifact(f"{name}-{verified.version}.tar.gz", extra_log_lines=(f"    verified {name} {verified.version} ({locked.checksum})",)),),
    )


# -- the lock goal -------------------------------------------------------------------------


class EstreamLockSubsystem(GoalSubsystem):
    name = "estream-lock"
    help = "Resolve `estream_component` requirements against the registry and write the components lock."


class EstreamLock(Goal):
    subsystem_cls = EstreamLockSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def estream_lock(
    console: Console,
    workspace: Workspace,
    all_targets: AllTargets,
    components: EstreamComponentsSubsystem,
    registry_options: EstreamRegistrySubsystem,
    signing: EstreamSigningSubsystem,
    build_root: BuildRoot,
) -> EstreamLock:
    env = await Get(EnvironmentVars, EnvironmentVarsRequest(["ESTREAM_REGISTRY", "ESTREAM_HOME", "HOME"]))
    reqs: Dict[str, list] = {}
    for tgt in all_targets:
        if tgt.has_field(ComponentNameField):
            req = (tgt[ComponentVersionField].value or "*").strip()
            reqs.setdefault(tgt[ComponentNameField].value, [])
            if req != "*" and req not in reqs[tgt[ComponentNameField].value]:
                reqs[tgt[ComponentNameField].value].append(req)
    # Several targets naming one component: every requirement must hold.
    roots = {name: ", ".join(r) or "*" for name, r in reqs.items()}
    url = registry_options.url or env.get("ESTREAM_REGISTRY")
    if not url:
        raise EstreamError.single("[estream-registry].url", "no registry configured", help="set [estream-registry].url or ESTREAM_REGISTRY")
    registry = Registry(url, home=estream_home(env, user_home=env.get("HOME")))
    registry.sync()
    # The registry's trust chain, against the roots pants.toml pins (the CLI's check).
    pins = parse_pins(registry_options.trust_roots, "[estream-registry].trust_roots")
    local = load_keyring(os.path.join(build_root.path, signing.keyring)) if signing.keyring else empty_keyring()
    trusted = registry.trusted(
        pins,
        pinned_in="[estream-registry].trust_roots",
        seen=load_trust_state(registry.home, pins) if pins else TrustState(),
        local_keyring=local,
    )
    resolution = resolve(roots, registry.entries)
    keyring = Keyring(trusted.keyring.entries + local.entries, f"{trusted.keyring.source} + {local.source}")
    locked: Dict[str, LockedComponent] = {}
    for name in resolution.order():
        e = resolution.packages[name]
        data = registry.archive_bytes(e)
        verify_registry_archive(
            data,
            name=name,
            version=e.version,
            checksum=e.checksum,
            keyring=keyring,
            source=f"{registry.display_url}:{e.archive_path}",
            action="refusing to lock it",
            deps=[(d.name, d.req) for d in e.deps],
            expected_key_fingerprint=e.key_fingerprint,
        )
        template = components.archive_url_template or ("file://" + str(registry.checkout) + "/{path}")
        locked[name] = LockedComponent(
            name, e.version, roots.get(name), e.checksum, hashlib.sha256(data).hexdigest(), len(data),
            archive_url(template, archive_path(name, e.version), name, e.version), tuple(sorted((d.name, d.req) for d in e.deps)),
            e.key_fingerprint,
        )
    digest = await Get(Digest, CreateDigest([FileContent(components.lockfile, render_lock(locked))]))
    workspace.write_digest(digest)
    record_trust_state(registry.home, pins, trusted.seen)
    console.print_stderr(f"Wrote {components.lockfile}: " + ", ".join(f"{n} {c.version}" for n, c in sorted(locked.items())))
    return EstreamLock(exit_code=0)


def target_types():
    return [EstreamComponentTarget]


def rules():
    return [*collect_rules(), *download_file.rules(), UnionRule(PackageFieldSet, EstreamComponentFieldSet)]
