"""`tailor` for eStream content: packages, ESF schemas and SmartCircuits get their targets.

* a directory holding an unowned `estream-component.toml` gets `marketplace_package()`, and, when
  the package has unowned files under `src/` or `tests/`, a `files(name="package_files", ...)`
  target so they are packaged (per `[component.include]`) and visible to `test`;
* a directory holding unowned `*.esf.yaml` files gets `esf_schemas()`;
* a directory holding unowned `*.circuit.yaml` files gets `smart_circuits()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Sequence, Set

from pants.core.goals.tailor import PutativeTarget, PutativeTargets, PutativeTargetsRequest
from pants.core.target_types import FilesGeneratorTarget, FileSourceField, ResourceSourceField
from pants.engine.addresses import Addresses
from pants.engine.fs import PathGlobs, Paths
from pants.engine.internals.graph import Owners, OwnersRequest
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import Targets
from pants.engine.unions import UnionRule
from pants.util.dirutil import group_by_dir
from pants.util.logging import LogLevel

from estream.target_types import (
    CIRCUIT_SUFFIX,
    ESF_SUFFIX,
    MANIFEST_FILENAME,
    CircuitSourceField,
    EsfSchemasGeneratorTarget,
    EsfSchemaSourceField,
    MarketplaceManifestField,
    MarketplacePackageTarget,
    SmartCircuitsGeneratorTarget,
)

PACKAGE_FILE_GLOBS = ("src/**/*", "tests/**/*")


@dataclass(frozen=True)
class PutativeEstreamTargetsRequest(PutativeTargetsRequest):
    pass


async def _owner_targets(path_groups: Sequence[Iterable[str]]) -> List[Targets]:
    """For each group of paths, the targets that own any of them (looked up concurrently)."""
    groups = [tuple(sorted(paths)) for paths in path_groups]
    owners = await MultiGet(Get(Owners, OwnersRequest(paths)) for paths in groups)
    targets = await MultiGet(Get(Targets, Addresses(sorted(o))) for o in owners)
    return list(targets)


def _owned(paths: Iterable[str], targets: Targets, predicate) -> Set[str]:
    """The `paths` owned by one of `targets` for which `predicate(target, path)` holds.

    Ownership by an unrelated target (e.g. a repository-wide `files` target used by tests) does
    not count: a package directory still needs its own targets."""
    return {path for path in paths for tgt in targets if predicate(tgt, path)}


def _file_of(tgt, field) -> str | None:
    return tgt[field].file_path if tgt.has_field(field) else None


@rule(level=LogLevel.DEBUG, desc="Determine candidate estream targets to create")
async def find_putative_estream_targets(req: PutativeEstreamTargetsRequest) -> PutativeTargets:
    manifests, schemas, circuits = await MultiGet(
        Get(Paths, PathGlobs, req.path_globs(MANIFEST_FILENAME)),
        Get(Paths, PathGlobs, req.path_globs(f"*{ESF_SUFFIX}")),
        Get(Paths, PathGlobs, req.path_globs(f"*{CIRCUIT_SUFFIX}")),
    )
    manifest_owners, schema_owners, circuit_owners = await _owner_targets(
        [manifests.files, schemas.files, circuits.files]
    )
    owned_manifests = _owned(
        manifests.files, manifest_owners, lambda t, p: _file_of(t, MarketplaceManifestField) == p
    )
    owned_schemas = _owned(schemas.files, schema_owners, lambda t, p: _file_of(t, EsfSchemaSourceField) == p)
    owned_circuits = _owned(circuits.files, circuit_owners, lambda t, p: _file_of(t, CircuitSourceField) == p)
    putative = []
    new_packages = [os.path.dirname(path) for path in sorted(set(manifests.files) - owned_manifests)]
    prefixes = [f"{directory}/" if directory else "" for directory in new_packages]
    package_files = await MultiGet(
        Get(Paths, PathGlobs([prefix + g for g in PACKAGE_FILE_GLOBS])) for prefix in prefixes
    )
    package_file_owners = await _owner_targets([files.files for files in package_files])
    for directory, prefix, files, owners in zip(new_packages, prefixes, package_files, package_file_owners):
        putative.append(
            PutativeTarget.for_target_type(
                MarketplacePackageTarget, path=directory, name=None, triggering_sources=[MANIFEST_FILENAME]
            )
        )
        owned = _owned(
            files.files,
            owners,
            lambda t, p: (t.has_field(FileSourceField) or t.has_field(ResourceSourceField))
            and t.address.spec_path.startswith(directory),
        )
        unowned = sorted(set(files.files) - owned)
        if unowned:
            putative.append(
                PutativeTarget.for_target_type(
                    FilesGeneratorTarget,
                    path=directory,
                    name="package_files",
                    triggering_sources=[p[len(prefix) :] for p in unowned],
                    kwargs={"sources": PACKAGE_FILE_GLOBS},
                )
            )
    for paths, owned_paths, target_type in (
        (schemas, owned_schemas, EsfSchemasGeneratorTarget),
        (circuits, owned_circuits, SmartCircuitsGeneratorTarget),
    ):
        for directory, names in sorted(group_by_dir(set(paths.files) - owned_paths).items()):
            putative.append(
                PutativeTarget.for_target_type(
                    target_type, path=directory, name=None, triggering_sources=sorted(names)
                )
            )
    return PutativeTargets(putative)


def rules():
    return [*collect_rules(), UnionRule(PutativeTargetsRequest, PutativeEstreamTargetsRequest)]
