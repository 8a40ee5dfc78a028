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

from estream.target_types import (
    CIRCUIT_SUFFIX,
    ESF_SUFFIX,
    MANIFEST_FILENAME,
    EsfSchemasGeneratorTarget,
    MarketplacePackageTarget,
    SmartCircuitsGeneratorTarget,
)
from pants.core.goals.tailor import AllOwnedSources, PutativeTarget, PutativeTargets, PutativeTargetsRequest
from pants.core.target_types import FilesGeneratorTarget
from pants.engine.fs import PathGlobs, Paths
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.unions import UnionRule
from pants.util.dirutil import group_by_dir
from pants.util.logging import LogLevel

PACKAGE_FILE_GLOBS = ("src/**/*", "tests/**/*")


@dataclass(frozen=True)
class PutativeEstreamTargetsRequest(PutativeTargetsRequest):
    pass


@rule(level=LogLevel.DEBUG, desc="Determine candidate estream targets to create")
async def find_putative_estream_targets(
    req: PutativeEstreamTargetsRequest, all_owned_sources: AllOwnedSources
) -> PutativeTargets:
    owned = set(all_owned_sources)
    manifests, schemas, circuits = await MultiGet(
        Get(Paths, PathGlobs, req.path_globs(MANIFEST_FILENAME)),
        Get(Paths, PathGlobs, req.path_globs(f"*{ESF_SUFFIX}")),
        Get(Paths, PathGlobs, req.path_globs(f"*{CIRCUIT_SUFFIX}")),
    )
    putative = []
    for path in sorted(set(manifests.files) - owned):
        directory = os.path.dirname(path)
        putative.append(
            PutativeTarget.for_target_type(MarketplacePackageTarget, path=directory, name=None, triggering_sources=[MANIFEST_FILENAME])
        )
        prefix = f"{directory}/" if directory else ""
        package_files = await Get(Paths, PathGlobs([prefix + g for g in PACKAGE_FILE_GLOBS]))
        unowned = sorted(set(package_files.files) - owned)
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
    for paths, target_type in ((schemas, EsfSchemasGeneratorTarget), (circuits, SmartCircuitsGeneratorTarget)):
        for directory, names in sorted(group_by_dir(set(paths.files) - owned).items()):
            putative.append(
                PutativeTarget.for_target_type(target_type, path=directory, name=None, triggering_sources=sorted(names))
            )
    return PutativeTargets(putative)


def rules():
    return [*collect_rules(), UnionRule(PutativeTargetsRequest, PutativeEstreamTargetsRequest)]
