"""Goals over the resolved ESF schema graph.

* `schema-graph`: print who provides what to whom for the `marketplace_package` targets given
  (text, or `--json`).
* `export-jsonschema`: write a JSON Schema (draft 2020-12) per schema the packages define, under
  `dist/jsonschema/<package>/<Schema>.schema.json`.
* `schema-breaking`: compare each package with its previous release at a git ref
  (`--ref`, or `[schema-breaking].ref` in pants.toml), print every change and the bump it needs,
  and fail when the manifest's version bump is smaller.

`schema-breaking` is a goal rather than a `lint` linter: it needs a baseline the user chooses (a
ref, later a registry release), it is not a property of the files alone, and, like `buf breaking`
and `cargo semver-checks`, it is run deliberately before a release rather than on every lint.
"""

from __future__ import annotations

import json
from typing import Dict, List

from pants.base.build_root import BuildRoot
from pants.core.util_rules import distdir
from pants.core.util_rules.distdir import DistDir
from pants.core.util_rules.system_binaries import MaybeGitBinary
from pants.engine.console import Console
from pants.engine.fs import CreateDigest, Digest, FileContent, Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, MultiGet, collect_rules, goal_rule
from pants.engine.target import Targets
from pants.option.option_types import BoolOption, StrOption
from pants.util.strutil import softwrap

from estream.core.breaking import check_bump, diff_schemas
from estream.core.errors import EstreamError
from estream.core.git_baseline import check_ref, read_baseline
from estream.core.json_schema import definitions_from_documents, export_schema
from estream.core.resolution import render_graph
from estream.target_types import MarketplacePackageFieldSet
from estream.util_rules import schema_resolution
from estream.util_rules.schema_resolution import (
    PackageSchemasRequest,
    PackageSchemasResult,
    ResolvedSchemaGraph,
    ResolveSchemasRequest,
)


def _packages(targets: Targets):
    return sorted(t.address for t in targets if MarketplacePackageFieldSet.is_applicable(t))


# -- schema-graph --------------------------------------------------------------------------------


class SchemaGraphSubsystem(GoalSubsystem):
    name = "schema-graph"
    help = "Print the resolved ESF schema graph of marketplace packages: who provides what to whom."

    as_json = BoolOption("--json", default=False, help="Print the graph as JSON instead of text.")


class SchemaGraph(Goal):
    subsystem_cls = SchemaGraphSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def schema_graph(targets: Targets, subsystem: SchemaGraphSubsystem, console: Console) -> SchemaGraph:
    addresses = _packages(targets)
    if not addresses:
        console.print_stderr("No marketplace_package targets among the given targets.")
        return SchemaGraph(exit_code=0)
    try:
        graph = await Get(ResolvedSchemaGraph, ResolveSchemasRequest(tuple(addresses)))
    except EstreamError as e:
        console.print_stderr(e.render())
        return SchemaGraph(exit_code=1)
    if subsystem.as_json:
        payload = {
            "packages": [
                dict(graph.packages[n].to_json(), address=str(graph.addresses[n]))
                for n in sorted(graph.packages)
            ]
        }
        console.print_stdout(json.dumps(payload, indent=2, sort_keys=True))
    else:
        console.print_stdout(render_graph(graph.packages), end="")
    return SchemaGraph(exit_code=0)


# -- export-jsonschema ---------------------------------------------------------------------------


class ExportJsonSchemaSubsystem(GoalSubsystem):
    name = "export-jsonschema"
    help = softwrap(
        """
        Write a JSON Schema (draft 2020-12) for every ESF schema of the marketplace packages given,
        to `dist/jsonschema/<package>/<Schema>.schema.json`. Schemas and enums referenced from
        dependencies are included under `$defs`, so each file is self-contained.
        """
    )


class ExportJsonSchema(Goal):
    subsystem_cls = ExportJsonSchemaSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def export_jsonschema(
    targets: Targets, console: Console, workspace: Workspace, dist_dir: DistDir
) -> ExportJsonSchema:
    addresses = _packages(targets)
    if not addresses:
        console.print_stderr("No marketplace_package targets among the given targets.")
        return ExportJsonSchema(exit_code=0)
    try:
        graph = await Get(ResolvedSchemaGraph, ResolveSchemasRequest(tuple(addresses)))
    except EstreamError as e:
        console.print_stderr(e.render())
        return ExportJsonSchema(exit_code=1)
    involved = sorted(set(graph.addresses.values()))
    results = await MultiGet(Get(PackageSchemasResult, PackageSchemasRequest(a)) for a in involved)
    by_address = {r.address: r.package for r in results}
    files: List[FileContent] = []
    for address in addresses:
        own = by_address[address]
        # The package's own definitions win over same-named ones elsewhere.
        others = [d for a, p in by_address.items() if a != address for d in p.documents]
        definitions = definitions_from_documents(list(own.documents) + others)
        for doc in own.documents:
            for name in doc.schemas:
                text = json.dumps(export_schema(name, definitions), indent=2) + "\n"
                files.append(FileContent(f"jsonschema/{own.name}/{name}.schema.json", text.encode()))
    digest = await Get(Digest, CreateDigest(files))
    workspace.write_digest(digest, path_prefix=str(dist_dir.relpath))
    for f in files:
        console.print_stdout(f"Wrote {dist_dir.relpath / f.path}")
    return ExportJsonSchema(exit_code=0)


# -- schema-breaking -----------------------------------------------------------------------------


class SchemaBreakingSubsystem(GoalSubsystem):
    name = "schema-breaking"
    help = softwrap(
        """
        Compare each marketplace package's ESF schemas with its previous release and fail when
        the manifest's version bump is smaller than the changes need (breaking = major, additions
        = minor, descriptions = patch; Cargo's rules for 0.x versions).
        """
    )

    ref = StrOption(
        default=None,
        help=softwrap(
            """
            The git ref (tag, branch or commit) holding the previous release, e.g. `v1.0.0` or
            `origin/main`. Old files are read with `git show <ref>:<path>`.
            """
        ),
    )


class SchemaBreaking(Goal):
    subsystem_cls = SchemaBreakingSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def schema_breaking(
    targets: Targets,
    subsystem: SchemaBreakingSubsystem,
    console: Console,
    build_root: BuildRoot,
    maybe_git: MaybeGitBinary,
) -> SchemaBreaking:
    if not subsystem.ref:
        console.print_stderr(
            "error: no baseline given: pass `--schema-breaking-ref=<git ref>` or set `ref` under "
            "[schema-breaking] in pants.toml"
        )
        return SchemaBreaking(exit_code=2)
    if maybe_git.git_binary is None:
        console.print_stderr(
            "error: `git` was not found on the PATH; schema-breaking reads old files with it"
        )
        return SchemaBreaking(exit_code=2)
    git = maybe_git.git_binary.path
    root = build_root.path
    try:
        check_ref(root, subsystem.ref, git)
    except EstreamError as e:
        console.print_stderr(e.render())
        return SchemaBreaking(exit_code=2)

    addresses = _packages(targets)
    try:
        results = await MultiGet(Get(PackageSchemasResult, PackageSchemasRequest(a)) for a in addresses)
    except EstreamError as e:
        console.print_stderr(e.render())
        return SchemaBreaking(exit_code=1)
    failed = 0
    reports: Dict[str, str] = {}
    for result in results:
        package = result.package
        try:
            baseline = read_baseline(root, subsystem.ref, package.manifest.path, git)
        except EstreamError as e:
            reports[
                package.name
            ] = f"{package.name}: cannot read the release at `{subsystem.ref}`\n{e.render()}"
            failed += 1
            continue
        if baseline is None:
            reports[
                package.name
            ] = f"{package.name}: new package (no manifest at `{subsystem.ref}`), nothing to compare"
            continue
        changes = diff_schemas(baseline.documents, package.documents)
        check = check_bump(package.name, baseline.manifest.version, package.manifest.version, changes)
        reports[package.name] = check.render()
        if not check.ok:
            failed += 1
    for name in sorted(reports):
        console.print_stdout(reports[name] + "\n")
    summary = f"{len(reports)} package(s) checked against `{subsystem.ref}`: {failed} failed"
    if failed:
        console.print_stderr(summary)
        return SchemaBreaking(exit_code=1)
    console.print_stdout(summary)
    return SchemaBreaking(exit_code=0)


def rules():
    # DistDir's rule, as `pants.core.goals.package` registers it (rules are de-duplicated).
    return [*collect_rules(), *distdir.rules(), *schema_resolution.rules()]
