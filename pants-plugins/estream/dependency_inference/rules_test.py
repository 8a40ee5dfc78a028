"""RuleRunner tests of dependency inference, with only its own rules: what a package's manifest and
a schema's type references make it depend on, and what ambiguous or unknown names leave out."""

from __future__ import annotations

from typing import Dict, List

import pytest
from pants.core.target_types import FilesGeneratorTarget, FileTarget
from pants.engine.addresses import Address
from pants.engine.internals.scheduler import ExecutionError
from pants.engine.target import InferredDependencies
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.dependency_inference import rules as dependency_inference
from estream.dependency_inference.rules import (
    EsfSchemaInferenceFieldSet,
    InferEsfSchemaDependencies,
    InferMarketplacePackageDependencies,
    MarketplacePackageInferenceFieldSet,
)
from estream.target_types import target_types
from estream.testutil.package_text import esf_schema_yaml, manifest_toml


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[
            *dependency_inference.rules(),
            QueryRule(InferredDependencies, [InferMarketplacePackageDependencies]),
            QueryRule(InferredDependencies, [InferEsfSchemaDependencies]),
        ],
        target_types=[*target_types(), FileTarget, FilesGeneratorTarget],
    )


def schema_package(
    directory: str, name: str, schemas: Dict[str, Dict[str, str]], **manifest
) -> Dict[str, str]:
    """The files of an esf-schema package providing `schemas` (one file, `schemas/<name>.esf.yaml`)."""
    return {
        f"{directory}/BUILD": "marketplace_package()",
        f"{directory}/estream-component.toml": manifest_toml(
            name,
            provides=manifest.pop("provides", list(schemas)),
            include={"schemas": ["schemas/*.esf.yaml"]},
            **manifest,
        ),
        f"{directory}/schemas/BUILD": "esf_schemas()",
        f"{directory}/schemas/{name}.esf.yaml": esf_schema_yaml(schemas),
    }


def infer_package(runner: RuleRunner, address: Address) -> List[Address]:
    field_set = MarketplacePackageInferenceFieldSet.create(runner.get_target(address))
    return list(
        runner.request(InferredDependencies, [InferMarketplacePackageDependencies(field_set)]).include
    )


def infer_schema(runner: RuleRunner, address: Address) -> List[Address]:
    field_set = EsfSchemaInferenceFieldSet.create(runner.get_target(address))
    return list(runner.request(InferredDependencies, [InferEsfSchemaDependencies(field_set)]).include)


def test_a_package_depends_on_its_included_files_its_dependencies_and_the_providers_it_requires(
    rule_runner: RuleRunner,
) -> None:
    rule_runner.write_files(
        {
            **schema_package("core", "esf-core", {"CoreEvent": {"id": "bytes32"}}),
            **schema_package("units", "esf-units", {"Unit": {"id": "bytes32"}}),
            **schema_package("iot", "esf-iot", {"IoTEvent": {"core": "CoreEvent", "unit": "Unit"}}),
            "iot/BUILD": 'marketplace_package()\nfiles(name="package_files", sources=["src/**/*", "tests/**/*"])',
            "iot/estream-component.toml": manifest_toml(
                "esf-iot",
                provides=["IoTEvent"],
                requires=["CoreEvent", "Unit"],
                include={"schemas": ["schemas/*.esf.yaml"], "src": ["src/**"]},
                dependencies={"esf-core": "^1.0"},
            ),
            "iot/src/ref.py": "",
            # Owned twice: by the package's files target and by a repo-wide fixture target.
            # Only the package's own target is package content; tests/ is not included at all.
            "iot/tests/golden.json": "{}",
            "BUILD": 'files(name="fixtures", sources=["iot/src/*.py", "iot/tests/*.json"])',
        }
    )
    assert infer_package(rule_runner, Address("iot")) == [
        # [component.dependencies] esf-core (also the only provider of CoreEvent).
        Address("core"),
        Address("iot", target_name="package_files", relative_file_path="src/ref.py"),
        Address("iot/schemas", relative_file_path="esf-iot.esf.yaml"),
        # [component.schemas] requires Unit: its only provider, though not a dependency.
        Address("units"),
    ]


def test_ambiguous_and_unknown_names_infer_nothing(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            **schema_package("a", "esf-a", {"Shared": {"id": "bytes32"}}),
            **schema_package("b", "esf-b", {"Shared": {"id": "bytes32"}}),
            # Two packages named esf-dup: neither is `the` esf-dup.
            **schema_package("dup1", "esf-dup", {"One": {"id": "bytes32"}}),
            **schema_package("dup2", "esf-dup", {"Two": {"id": "bytes32"}}),
            "app/BUILD": "marketplace_package()",
            "app/estream-component.toml": manifest_toml(
                "app",
                provides=["App"],
                requires=["Shared", "Nowhere"],
                dependencies={"esf-dup": "^1.0", "esf-missing": "^1.0"},
            ),
        }
    )
    assert infer_package(rule_runner, Address("app")) == []


def test_a_broken_manifest_fails_inference_with_its_diagnostic(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "bad/BUILD": "marketplace_package()",
            "bad/estream-component.toml": manifest_toml("bad", provides=["Bad"]).replace(
                'version = "1.0.0"', 'version = "one"'
            ),
        }
    )
    with pytest.raises(ExecutionError) as exc:
        infer_package(rule_runner, Address("bad"))
    message = str(exc.value)
    assert "bad/estream-component.toml" in message and "component.version" in message


def test_a_schema_depends_on_the_schemas_its_types_name(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            **schema_package("core", "esf-core", {"CoreEvent": {"id": "bytes32"}}),
            # `Shared` is defined in two other packages: ambiguous, so not inferred.
            **schema_package("a", "esf-a", {"Shared": {"id": "bytes32"}}),
            **schema_package("b", "esf-b", {"Shared": {"id": "bytes32"}}),
            # `Level` is defined both elsewhere and next to the referencing file: the neighbour wins.
            **schema_package("far", "esf-far", {"Level": {"id": "bytes32"}}),
            "iot/schemas/BUILD": "esf_schemas()",
            "iot/schemas/level.esf.yaml": esf_schema_yaml(
                {"Level": {"id": "bytes32"}}, namespace="estream.iot"
            ),
            "iot/schemas/iot.esf.yaml": esf_schema_yaml(
                {
                    "IoTEvent": {
                        "core": "CoreEvent",
                        "shared": "Shared",
                        "level": "Level",
                        "many": "array(Local)",
                        "unknown": "Nowhere",
                    },
                    "Local": {"id": "bytes32"},
                },
                namespace="estream.iot",
            ),
            # A schema that does not parse infers nothing (check reports it), and fails nothing.
            "iot/schemas/broken.esf.yaml": "version: [\n",
        }
    )
    assert infer_schema(rule_runner, Address("iot/schemas", relative_file_path="iot.esf.yaml")) == [
        Address("core/schemas", relative_file_path="esf-core.esf.yaml"),
        Address("iot/schemas", relative_file_path="level.esf.yaml"),
    ]
    assert infer_schema(rule_runner, Address("iot/schemas", relative_file_path="broken.esf.yaml")) == []
