"""RuleRunner tests of schema resolution across packages, with only its own rules: a package's
required schemas are found in the packages it depends on (transitively), a package's schemas are
its own files only, and what cannot be resolved fails with resolution's diagnostics."""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import pytest
from pants.engine.addresses import Address
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.target_types import target_types
from estream.testutil.package_text import esf_schema_yaml, manifest_toml
from estream.util_rules import schema_resolution
from estream.util_rules.schema_resolution import (
    PackageSchemasRequest,
    PackageSchemasResult,
    ResolvedSchemaGraph,
    ResolveSchemasRequest,
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *schema_resolution.rules(),
            QueryRule(ResolvedSchemaGraph, [ResolveSchemasRequest]),
            QueryRule(PackageSchemasResult, [PackageSchemasRequest]),
        ],
        target_types=target_types(),
    )
    return runner


def package(
    directory: str,
    name: str,
    schemas: Mapping[str, Mapping[str, str]],
    *,
    requires: Sequence[str] = (),
    dependencies: Mapping[str, str] = {},
) -> Dict[str, str]:
    # Dependencies written out: inference (which finds them in a real build) is not in these rules.
    return {
        f"{directory}/BUILD": 'marketplace_package(dependencies=["./schemas"])',
        f"{directory}/estream-component.toml": manifest_toml(
            name,
            provides=list(schemas),
            requires=list(requires),
            include={"schemas": ["schemas/*.esf.yaml"]},
            dependencies=dict(dependencies),
        ),
        f"{directory}/schemas/BUILD": "esf_schemas()",
        f"{directory}/schemas/{name}.esf.yaml": esf_schema_yaml(
            schemas, namespace=f"estream.{name.replace('-', '_')}"
        ),
    }


CORE = package("core", "esf-core", {"CoreEvent": {"id": "bytes32"}})
IOT = package(
    "iot",
    "esf-iot",
    {"IoTEvent": {"core": "CoreEvent"}},
    requires=["CoreEvent"],
    dependencies={"esf-core": "^1.0"},
)


def resolve(runner: RuleRunner, *addresses: Address) -> ResolvedSchemaGraph:
    return runner.request(ResolvedSchemaGraph, [ResolveSchemasRequest(addresses)])


def test_a_required_schema_resolves_to_the_dependency_that_provides_it(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({**CORE, **IOT})
    graph = resolve(rule_runner, Address("iot"))
    assert list(graph.packages) == ["esf-iot"]
    iot = graph.packages["esf-iot"]
    assert [(r.schema, r.provider, r.provider_version, r.file) for r in iot.requires] == [
        ("CoreEvent", "esf-core", "1.0.0", "core/schemas/esf-core.esf.yaml")
    ]
    assert [(d.name, d.requirement, d.version) for d in iot.dependencies] == [("esf-core", "^1.0", "1.0.0")]
    assert dict(graph.addresses) == {"esf-iot": Address("iot"), "esf-core": Address("core")}


def test_dependencies_are_followed_transitively(rule_runner: RuleRunner) -> None:
    app = package(
        "app",
        "esf-app",
        {"AppEvent": {"iot": "IoTEvent"}},
        requires=["IoTEvent"],
        dependencies={"esf-iot": "^1.0"},
    )
    rule_runner.write_files({**CORE, **IOT, **app})
    graph = resolve(rule_runner, Address("app"))
    assert [r.provider for r in graph.packages["esf-app"].requires] == ["esf-iot"]
    # esf-core is not app's dependency, but esf-iot needs it to resolve: it is found through esf-iot.
    assert dict(graph.addresses) == {
        "esf-app": Address("app"),
        "esf-iot": Address("iot"),
        "esf-core": Address("core"),
    }


def test_a_packages_schemas_are_its_own_files_only(rule_runner: RuleRunner) -> None:
    # iot's schema target depends (explicitly) on core's schema file: that file stays core's.
    rule_runner.write_files(
        {
            **CORE,
            **IOT,
            "iot/BUILD": 'marketplace_package(dependencies=["./schemas", "core/schemas/esf-core.esf.yaml"])',
        }
    )
    result = rule_runner.request(PackageSchemasResult, [PackageSchemasRequest(Address("iot"))])
    assert [d.defined_names() for d in result.package.documents] == [{"IoTEvent"}]


def test_an_unresolvable_requirement_fails_with_resolutions_diagnostics(rule_runner: RuleRunner) -> None:
    # esf-iot requires CoreEvent but does not depend on the package providing it.
    rule_runner.write_files(
        {**CORE, **package("iot", "esf-iot", {"IoTEvent": {"core": "CoreEvent"}}, requires=["CoreEvent"])}
    )
    with pytest.raises(ExecutionError) as exc:
        resolve(rule_runner, Address("iot"))
    message = str(exc.value)
    assert "iot/estream-component.toml" in message and "component.schemas.requires" in message
    assert "requires `CoreEvent`" in message
