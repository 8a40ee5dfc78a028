"""RuleRunner tests of `tailor` for estream: what it proposes for a new package directory, and
what it leaves alone because a target of the right kind already owns it."""

from __future__ import annotations

import pytest
from pants.core.goals.tailor import PutativeTarget, PutativeTargets
from pants.core.target_types import FilesGeneratorTarget
from pants.engine.rules import QueryRule
from pants.testutil.rule_runner import RuleRunner

from estream.goals import tailor
from estream.goals.tailor import PACKAGE_FILE_GLOBS, PutativeEstreamTargetsRequest
from estream.target_types import (
    EsfSchemasGeneratorTarget,
    MarketplacePackageTarget,
    SmartCircuitsGeneratorTarget,
    target_types,
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[*tailor.rules(), QueryRule(PutativeTargets, [PutativeEstreamTargetsRequest])],
        target_types=[*target_types(), FilesGeneratorTarget],
    )


def putative(runner: RuleRunner, *dirs: str) -> PutativeTargets:
    return runner.request(PutativeTargets, [PutativeEstreamTargetsRequest(dirs)])


def test_new_packages_schemas_and_circuits_are_proposed_and_owned_ones_are_not(
    rule_runner: RuleRunner,
) -> None:
    rule_runner.write_files(
        {
            # Not yet tailored: a package with source and test files, a schema and a circuit.
            "new/estream-component.toml": "",
            "new/src/ref.py": "",
            "new/tests/golden/v.json": "",
            "new/schemas/a.esf.yaml": "",
            "new/circuits/c.circuit.yaml": "",
            # Already tailored: nothing to propose.
            "old/BUILD": 'marketplace_package()\nfiles(name="package_files", sources=["src/**/*"])',
            "old/estream-component.toml": "",
            "old/src/ref.py": "",
            "old/schemas/BUILD": "esf_schemas()",
            "old/schemas/b.esf.yaml": "",
        }
    )
    dirs = ("new", "new/schemas", "new/circuits", "old", "old/schemas")
    assert putative(rule_runner, *dirs) == PutativeTargets(
        [
            PutativeTarget.for_target_type(
                MarketplacePackageTarget, path="new", name=None, triggering_sources=["estream-component.toml"]
            ),
            PutativeTarget.for_target_type(
                FilesGeneratorTarget,
                path="new",
                name="package_files",
                triggering_sources=["src/ref.py", "tests/golden/v.json"],
                kwargs={"sources": PACKAGE_FILE_GLOBS},
            ),
            PutativeTarget.for_target_type(
                EsfSchemasGeneratorTarget, path="new/schemas", name=None, triggering_sources=["a.esf.yaml"]
            ),
            PutativeTarget.for_target_type(
                SmartCircuitsGeneratorTarget,
                path="new/circuits",
                name=None,
                triggering_sources=["c.circuit.yaml"],
            ),
        ]
    )
