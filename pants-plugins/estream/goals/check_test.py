"""RuleRunner tests of `check` for ESF schemas: each target gets its own result (targets are
checked concurrently, and one invalid target does not hide or fail the others)."""

from __future__ import annotations

import pytest
from pants.core.goals.check import CheckResults
from pants.engine.addresses import Address
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.goals import check as check_goal
from estream.goals.check import (
    EsfSchemaCheckRequest,
    MarketplacePackageCheckRequest,
    SmartCircuitCheckFieldSet,
    SmartCircuitCheckRequest,
)
from estream.target_types import EsfSchemaFieldSet, MarketplacePackageFieldSet, target_types
from estream.testutil.package_text import circuit_yaml, esf_schema_yaml, manifest_toml

VALID = esf_schema_yaml({"Order": {"qty": "u64"}}, namespace="demo.trading")


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *check_goal.rules(),
            QueryRule(CheckResults, [EsfSchemaCheckRequest]),
            QueryRule(CheckResults, [MarketplacePackageCheckRequest]),
            QueryRule(CheckResults, [SmartCircuitCheckRequest]),
        ],
        target_types=target_types(),
    )
    runner.set_options([], env_inherit={"PATH"})
    return runner


def check(runner: RuleRunner, *addresses: Address) -> CheckResults:
    field_sets = [EsfSchemaFieldSet.create(runner.get_target(a)) for a in addresses]
    return runner.request(CheckResults, [EsfSchemaCheckRequest(field_sets)])


def test_each_schema_target_has_its_own_result(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "good/BUILD": "esf_schemas()",
            "good/a.esf.yaml": VALID,
            "bad/BUILD": "esf_schemas()",
            "bad/b.esf.yaml": VALID.replace("u64", "u65"),
        }
    )
    good = Address("good", relative_file_path="a.esf.yaml")
    bad = Address("bad", relative_file_path="b.esf.yaml")
    results = check(rule_runner, good, bad)
    assert results.checker_name == "estream-esf"
    by_target = {r.partition_description: r for r in results.results}
    assert set(by_target) == {str(good), str(bad)}
    assert by_target[str(good)].exit_code == 0 and by_target[str(good)].stdout == f"{good}: ok\n"
    assert by_target[str(bad)].exit_code == 1
    assert "bad/b.esf.yaml" in by_target[str(bad)].stderr and "u65" in by_target[str(bad)].stderr
    # The order of results is the order of the targets asked for.
    assert [r.partition_description for r in check(rule_runner, bad, good).results] == [str(bad), str(good)]


def test_packages_and_circuits_are_checked_by_their_validation(rule_runner: RuleRunner) -> None:
    manifest = manifest_toml(
        "meter",
        category="smart-circuit",
        circuit={"entry": "circuits/meter.circuit.yaml", "targets": ["cpu"], "witness_tier": 1},
        include={"circuits": ["circuits/*.circuit.yaml"]},
    )
    rule_runner.write_files(
        {
            # A valid package and circuit (the package is checked as for `package`: no LICENSE needed).
            "ok/BUILD": 'marketplace_package(dependencies=["./circuits"])',
            "ok/estream-component.toml": manifest,
            "ok/circuits/BUILD": "smart_circuits()",
            "ok/circuits/meter.circuit.yaml": circuit_yaml("meter"),
            # Its circuit names a type nobody defines: both the circuit and its package fail.
            "bad/BUILD": 'marketplace_package(dependencies=["./circuits"])',
            "bad/estream-component.toml": manifest,
            "bad/circuits/BUILD": "smart_circuits()",
            "bad/circuits/meter.circuit.yaml": circuit_yaml("meter", inputs=(("reading", "Nowhere"),)),
        }
    )
    packages = [MarketplacePackageFieldSet.create(rule_runner.get_target(Address(d))) for d in ("ok", "bad")]
    circuits = [
        SmartCircuitCheckFieldSet.create(
            rule_runner.get_target(Address(f"{d}/circuits", relative_file_path="meter.circuit.yaml"))
        )
        for d in ("ok", "bad")
    ]
    for request, checker in (
        (MarketplacePackageCheckRequest(packages), "estream-package"),
        (SmartCircuitCheckRequest(circuits), "estream-circuit"),
    ):
        results = rule_runner.request(CheckResults, [request])
        assert results.checker_name == checker
        ok, bad = results.results
        assert ok.exit_code == 0, ok.stderr
        assert bad.exit_code == 1
        assert "bad/circuits/meter.circuit.yaml:" in bad.stderr and "unknown type `Nowhere`" in bad.stderr
