"""RuleRunner tests: inference, cross-package resolution (and packaging failing on it), and the
schema-graph, export-jsonschema and schema-breaking goals."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from textwrap import dedent
from typing import Dict, Optional, Sequence

import pytest
from pants.core.goals.package import BuiltPackage
from pants.core.util_rules import distdir, source_files, system_binaries
from pants.engine.addresses import Address
from pants.engine.internals.scheduler import ExecutionError
from pants.engine.target import Addresses, DependenciesRequest
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.core.keys import SigningKey
from estream.dependency_inference import rules as dependency_inference
from estream.goals import package, schemas
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.goals.schemas import ExportJsonSchema, SchemaBreaking, SchemaGraph
from estream.target_types import EsfSchemaDependenciesField, MarketplacePackageDependenciesField
from estream.target_types import target_types as estream_target_types
from estream.testutil.package_text import manifest_toml
from estream.util_rules.schema_resolution import ResolvedSchemaGraph, ResolveSchemasRequest

KEY = SigningKey.generate("schemas-test-key")


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *schemas.rules(),
            *source_files.rules(),
            *system_binaries.rules(),
            *distdir.rules(),
            QueryRule(ResolvedSchemaGraph, [ResolveSchemasRequest]),
            QueryRule(Addresses, [DependenciesRequest]),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=estream_target_types(),
    )
    runner.set_options([], env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()}, env_inherit={"PATH"})
    return runner


def manifest(
    name: str,
    version: str,
    provides: Sequence[str],
    requires: Sequence[str] = (),
    deps: Optional[Dict[str, str]] = None,
) -> str:
    return manifest_toml(
        name,
        version,
        description=f"Package {name}",
        provides=list(provides),
        requires=list(requires),
        include={"schemas": ["schemas/*.esf.yaml"]},
        dependencies=deps,
    )


TRADING_SCHEMA = dedent(
    """\
    version: "1.0"
    namespace: demo.trading
    schemas:
      Order:
        fields:
          id: { type: bytes32 }
          side: { type: Side }
          qty: { type: u64 }
    enums:
      Side:
        values: [Buy, Sell]
    """
)

AUDIT_SCHEMA = dedent(
    """\
    version: "1.0"
    namespace: demo.audit
    schemas:
      Audit:
        fields:
          order: { type: Order }
          side: { type: Side }
    """
)


def write_pkg(
    runner: RuleRunner, path: str, manifest_text: str, schema: str, file: str = "s.esf.yaml"
) -> None:
    runner.write_files(
        {
            f"{path}/BUILD": "marketplace_package()",
            f"{path}/estream-component.toml": manifest_text,
            f"{path}/LICENSE": "Apache-2.0\n",
            f"{path}/schemas/BUILD": "esf_schemas()",
            f"{path}/schemas/{file}": schema,
        }
    )


def write_repo(
    runner: RuleRunner,
    audit_manifest: Optional[str] = None,
    audit_schema: str = AUDIT_SCHEMA,
    trading_manifest: Optional[str] = None,
) -> None:
    write_pkg(
        runner, "pkgs/trading", trading_manifest or manifest("trading", "1.2.0", ["Order"]), TRADING_SCHEMA
    )
    write_pkg(
        runner,
        "pkgs/audit",
        audit_manifest or manifest("audit", "0.1.0", ["Audit"], ["Order"], {"trading": "^1.0"}),
        audit_schema,
    )


def resolve(runner: RuleRunner, *paths: str) -> ResolvedSchemaGraph:
    return runner.request(ResolvedSchemaGraph, [ResolveSchemasRequest(tuple(Address(p) for p in paths))])


def resolve_error(runner: RuleRunner, *paths: str) -> str:
    with pytest.raises(ExecutionError) as e:
        resolve(runner, *paths)
    return str(e.value)


# -- inference ------------------------------------------------------------------------------------


def test_package_dependencies_inferred_from_manifest(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    tgt = rule_runner.get_target(Address("pkgs/audit"))
    deps = rule_runner.request(Addresses, [DependenciesRequest(tgt[MarketplacePackageDependenciesField])])
    assert set(deps) == {
        Address("pkgs/trading"),
        Address("pkgs/audit/schemas", relative_file_path="s.esf.yaml"),
    }


def test_schema_file_dependencies_inferred_from_type_references(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    tgt = rule_runner.get_target(Address("pkgs/audit/schemas", relative_file_path="s.esf.yaml"))
    deps = rule_runner.request(Addresses, [DependenciesRequest(tgt[EsfSchemaDependenciesField])])
    assert list(deps) == [Address("pkgs/trading/schemas", relative_file_path="s.esf.yaml")]


def test_broken_schema_elsewhere_does_not_break_inference(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    rule_runner.write_files({"pkgs/broken/BUILD": "esf_schemas()", "pkgs/broken/b.esf.yaml": "version: [\n"})
    tgt = rule_runner.get_target(Address("pkgs/audit/schemas", relative_file_path="s.esf.yaml"))
    deps = rule_runner.request(Addresses, [DependenciesRequest(tgt[EsfSchemaDependenciesField])])
    assert list(deps) == [Address("pkgs/trading/schemas", relative_file_path="s.esf.yaml")]


# -- resolution -----------------------------------------------------------------------------------


def test_resolution_happy_path(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    graph = resolve(rule_runner, "pkgs/audit")
    audit = graph.packages["audit"]
    assert [(r.schema, r.provider, r.provider_version) for r in audit.requires] == [
        ("Order", "trading", "1.2.0")
    ]
    assert graph.addresses["trading"] == Address("pkgs/trading")


def test_unsatisfied_requirement(rule_runner: RuleRunner) -> None:
    write_repo(
        rule_runner,
        audit_manifest=manifest("audit", "0.1.0", ["Audit"], ["Order", "Quote"], {"trading": "^1"}),
    )
    text = resolve_error(rule_runner, "pkgs/audit")
    assert "package `audit` requires `Quote`, but none of its dependencies (`trading`) provides it" in text


def test_two_providers(rule_runner: RuleRunner) -> None:
    write_repo(
        rule_runner,
        audit_manifest=manifest("audit", "0.1.0", ["Audit"], ["Order"], {"trading": "^1", "trading2": "^1"}),
    )
    write_pkg(rule_runner, "pkgs/trading2", manifest("trading2", "1.0.0", ["Order"]), TRADING_SCHEMA)
    text = resolve_error(rule_runner, "pkgs/audit")
    assert "requires `Order`, which is provided by more than one dependency: `trading`, `trading2`" in text


def test_provided_but_undefined(rule_runner: RuleRunner) -> None:
    write_repo(
        rule_runner,
        audit_manifest=manifest("audit", "0.1.0", ["Audit", "Audti2"], ["Order"], {"trading": "^1"}),
    )
    text = resolve_error(rule_runner, "pkgs/audit")
    assert "package `audit` provides `Audti2`, but it is not defined by any of its files" in text
    assert "did you mean `Audit`?" in text


def test_dependency_cycle(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner, trading_manifest=manifest("trading", "1.2.0", ["Order"], deps={"audit": "^0.1"}))
    text = resolve_error(rule_runner, "pkgs/audit")
    assert "dependency cycle between packages: audit -> trading -> audit" in text


def test_unknown_type_reference(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner, audit_schema=AUDIT_SCHEMA.replace("type: Side", "type: Sied"))
    text = resolve_error(rule_runner, "pkgs/audit")
    assert (
        "pkgs/audit/schemas/s.esf.yaml" in text
        and "unknown type `Sied`" in text
        and "did you mean `Side`?" in text
    )


def test_semver_mismatch(rule_runner: RuleRunner) -> None:
    write_repo(
        rule_runner, audit_manifest=manifest("audit", "0.1.0", ["Audit"], ["Order"], {"trading": "~1.1"})
    )
    text = resolve_error(rule_runner, "pkgs/audit")
    assert "package `audit` requires `trading ~1.1`, but the version found is 1.2.0" in text


def test_packaging_fails_on_resolution_error_and_succeeds_otherwise(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    tgt = rule_runner.get_target(Address("pkgs/audit"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(tgt)])
    assert built.artifacts[0].relpath == "audit-0.1.0.tar.gz"
    write_repo(
        rule_runner, audit_manifest=manifest("audit", "0.1.0", ["Audit"], ["Order"], {"trading": "^2"})
    )
    with pytest.raises(ExecutionError) as e:
        rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(tgt)])
    assert "requires `trading ^2`, but the version found is 1.2.0" in str(e.value)


# -- goals ----------------------------------------------------------------------------------------


def test_schema_graph_text_and_json(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    result = rule_runner.run_goal_rule(SchemaGraph, args=["pkgs::"])
    assert result.exit_code == 0
    assert "provides Order  [pkgs/trading/schemas/s.esf.yaml] -> required by audit" in result.stdout
    assert "requires Order <- trading v1.2.0" in result.stdout
    result = rule_runner.run_goal_rule(SchemaGraph, args=["--schema-graph-json", "pkgs/audit:"])
    data = json.loads(result.stdout)
    assert [p["name"] for p in data["packages"]] == ["audit"]
    assert data["packages"][0]["requires"][0] == {
        "schema": "Order",
        "provider": "trading",
        "provider_version": "1.2.0",
        "file": "pkgs/trading/schemas/s.esf.yaml",
    }
    assert data["packages"][0]["address"] == "pkgs/audit:audit"


def test_schema_graph_reports_errors(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner, audit_schema=AUDIT_SCHEMA.replace("type: Side", "type: Nope"))
    result = rule_runner.run_goal_rule(SchemaGraph, args=["pkgs/audit:"])
    assert result.exit_code == 1 and "unknown type `Nope`" in result.stderr


def test_export_jsonschema_writes_self_contained_files(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    result = rule_runner.run_goal_rule(ExportJsonSchema, args=["pkgs/audit:"])
    assert result.exit_code == 0, result.stderr
    out = Path(rule_runner.build_root, "dist/jsonschema/audit/Audit.schema.json")
    data = json.loads(out.read_text())
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(data["$defs"]) == {"Order", "Side"}
    assert data["properties"]["order"] == {"$ref": "#/$defs/Order"}


def _git(root: str, *args: str) -> None:
    subprocess.run(
        ["git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def test_schema_breaking_against_git_ref(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    root = rule_runner.build_root
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "release")
    # Remove an enum value (major) and add an optional field (minor), bumping only the minor.
    write_pkg(
        rule_runner,
        "pkgs/trading",
        manifest("trading", "1.3.0", ["Order"]),
        TRADING_SCHEMA.replace("[Buy, Sell]", "[Buy]").replace(
            "qty: { type: u64 }", "qty: { type: u64 }\n      note: { type: string, optional: true }"
        ),
    )
    result = rule_runner.run_goal_rule(SchemaBreaking, args=["--schema-breaking-ref=HEAD", "pkgs::"])
    assert result.exit_code == 1
    assert "trading: 1.2.0 -> 1.3.0 (minor bump)" in result.stdout
    assert (
        "major  enum-value-removed" in result.stdout
        and "value `Sell` was removed from enum `Side`" in result.stdout
    )
    assert "minor  field-added-optional" in result.stdout
    assert 'help: set `version = "2.0.0"`' in result.stdout
    assert "audit: 0.1.0 -> 0.1.0 (version unchanged)" in result.stdout
    assert "2 package(s) checked against `HEAD`: 1 failed" in result.stderr

    write_pkg(
        rule_runner,
        "pkgs/trading",
        manifest("trading", "2.0.0", ["Order"]),
        TRADING_SCHEMA.replace("[Buy, Sell]", "[Buy]"),
    )
    result = rule_runner.run_goal_rule(SchemaBreaking, args=["--schema-breaking-ref=HEAD", "pkgs/trading:"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok: the changes need at most a major bump" in result.stdout


def test_schema_breaking_needs_a_valid_ref(rule_runner: RuleRunner) -> None:
    write_repo(rule_runner)
    result = rule_runner.run_goal_rule(SchemaBreaking, args=["pkgs::"])
    assert result.exit_code == 2 and "no baseline given" in result.stderr
    _git(rule_runner.build_root, "init", "-q", "-b", "main")
    result = rule_runner.run_goal_rule(SchemaBreaking, args=["--schema-breaking-ref=v9", "pkgs::"])
    assert result.exit_code == 2 and "git ref `v9` does not name a commit" in result.stderr
