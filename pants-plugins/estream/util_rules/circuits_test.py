"""RuleRunner tests of loading a `smart_circuit` with its package, with only its own rules: the
files a test run reads, the types its ports may use, and circuits that belong to no package."""

from __future__ import annotations

from typing import Dict

import pytest
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.target_types import target_types
from estream.testutil.package_text import circuit_yaml, esf_schema_yaml, manifest_toml
from estream.util_rules import circuits
from estream.util_rules.circuits import SmartCircuitPackage, SmartCircuitPackageRequest


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[*circuits.rules(), QueryRule(SmartCircuitPackage, [SmartCircuitPackageRequest])],
        target_types=target_types(),
    )


# A dependency providing `Point`, and a circuit package using it. (A package's schema files are
# its target's dependencies; inference, which finds them in a real build, is not in these rules.)
SHAPES = {
    "deps/shapes/BUILD": 'marketplace_package(dependencies=["./schemas"])',
    "deps/shapes/estream-component.toml": manifest_toml(
        "shapes", "1.4.0", provides=["Point"], include={"schemas": ["schemas/*.esf.yaml"]}
    ),
    "deps/shapes/schemas/BUILD": "esf_schemas()",
    "deps/shapes/schemas/shapes.esf.yaml": esf_schema_yaml(
        {"Point": {"x": "i32", "y": "i32"}}, namespace="estream.shapes"
    ),
}


def mover(circuit: str = "") -> Dict[str, str]:
    return {
        "pkg/mover/BUILD": "marketplace_package()",
        "pkg/mover/estream-component.toml": manifest_toml(
            "mover",
            "0.3.0",
            category="smart-circuit",
            circuit={"entry": "circuits/move.circuit.yaml", "targets": ["cpu"], "witness_tier": 0},
            dependencies={"shapes": "^1.2"},
        ),
        "pkg/mover/circuits/BUILD": "smart_circuits()",
        "pkg/mover/circuits/move.circuit.yaml": circuit
        or circuit_yaml(
            "move",
            "0.3.0",
            types={"Delta": (("dx", "i32"), ("dy", "i32"))},
            inputs=(("point", "Point"), ("delta", "Delta")),
            outputs=(("moved", "Point"),),
            witness_tier=None,
            implementation={"cpu": "mover.impl:move"},
            compute=(("adder", "transform"),),
        ),
        "pkg/mover/src/mover/impl.py": "def move(inputs):\n    return {}\n",
        "pkg/mover/tests/golden/right.json": "{}",
        "pkg/mover/docs/notes.md": "not read by a test run",
    }


def load(runner: RuleRunner, address: Address) -> SmartCircuitPackage:
    return runner.request(SmartCircuitPackage, [SmartCircuitPackageRequest(address)])


MOVE = Address("pkg/mover/circuits", relative_file_path="move.circuit.yaml")


def test_a_circuit_is_loaded_with_its_package_and_its_dependencies_types(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({**SHAPES, **mover()})
    package = load(rule_runner, MOVE)
    assert (package.manifest.name, package.root, package.circuit_path) == (
        "mover",
        "pkg/mover",
        "circuits/move.circuit.yaml",
    )
    assert package.circuit.name == "move"
    # `Point` comes from the `shapes` dependency ([component.dependencies]), not from this package.
    assert "Point" in package.env.names
    # Test files package-relative; src/ as a digest rooted at the package; nothing else.
    assert [path for path, _ in package.files] == ["tests/golden/right.json"]
    src = rule_runner.request(DigestContents, [package.src_digest])
    assert [fc.path for fc in src] == ["src/mover/impl.py"]


def test_a_type_no_visible_package_defines_fails_with_the_circuits_diagnostic(
    rule_runner: RuleRunner,
) -> None:
    # Without the dependency, `Point` is unknown; every problem of the circuit is reported.
    rule_runner.write_files(mover())
    with pytest.raises(ExecutionError) as exc:
        load(rule_runner, MOVE)
    message = str(exc.value)
    assert "pkg/mover/circuits/move.circuit.yaml" in message
    assert "`inputs.point.type`: unknown type `Point`" in message
    assert "`outputs.moved.type`: unknown type `Point`" in message


def test_an_explicit_schema_dependency_adds_its_types(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            **mover(),
            "shared/BUILD": "esf_schemas()",
            "shared/point.esf.yaml": esf_schema_yaml(
                {"Point": {"x": "i32", "y": "i32"}}, namespace="estream.shared"
            ),
            "pkg/mover/circuits/BUILD": 'smart_circuits(dependencies=["shared/point.esf.yaml"])',
        }
    )
    assert "Point" in load(rule_runner, MOVE).env.names


def test_a_circuit_outside_any_package_is_refused(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"loose/BUILD": "smart_circuits()", "loose/c.circuit.yaml": circuit_yaml()})
    with pytest.raises(ExecutionError) as exc:
        load(rule_runner, Address("loose", relative_file_path="c.circuit.yaml"))
    assert (
        "loose/c.circuit.yaml: the circuit is not inside a package: no `estream-component.toml` in its directory or above"
        in str(exc.value)
    )
