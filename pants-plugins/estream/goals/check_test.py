"""RuleRunner tests of `check` for ESF schemas: each target gets its own result (targets are
checked concurrently, and one invalid target does not hide or fail the others)."""

from __future__ import annotations

from textwrap import dedent

import pytest

from estream.goals.check import EsfSchemaCheckRequest
from estream.dependency_inference import rules as dependency_inference
from estream.goals import check as check_goal
from estream.target_types import target_types as estream_target_types
from estream.target_types import EsfSchemaFieldSet
from pants.core.goals.check import CheckResults
from pants.core.util_rules import source_files
from pants.engine.addresses import Address
from pants.testutil.rule_runner import QueryRule, RuleRunner

VALID = dedent(
    """\
    version: "1.0"
    namespace: demo.trading
    schemas:
      Order:
        fields:
          qty: { type: u64 }
    """
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[*dependency_inference.rules(), *check_goal.rules(), *source_files.rules(), QueryRule(CheckResults, [EsfSchemaCheckRequest])],
        target_types=estream_target_types(),
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
