"""RuleRunner tests for `test` on `smart_circuit`: validation errors, passing and failing vectors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pants.core.goals.test import TestResult
from pants.core.target_types import FilesGeneratorTarget, FileTarget
from pants.engine.addresses import Address
from pants.testutil.rule_runner import QueryRule, RuleRunner
from pants.util.dirutil import recursive_dirname

from estream.dependency_inference import rules as dependency_inference
from estream.goals import test as test_goal
from estream.goals.test import SmartCircuitTestFieldSet, SmartCircuitTestRequest
from estream.target_types import target_types as estream_target_types
from estream.testutil.sample_packages import CIRCUIT, MANIFEST, kv_files, package_files, vector

# The pex CLI ./pants built into its per-user cache. Test processes get no HOME (it would enter
# their cache keys): the user's home directory comes from the password database.
PEX_FILE = os.path.join(
    os.environ.get("ESTREAM_PANTS_CACHE")
    or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(str(Path.home()), ".cache"), "estream-pants"
    ),
    "pex-2.1.137.pex",
)


OPTIONS = [
    f"--pex-cli-url-template=file://{PEX_FILE}",
    "--pex-cli-version=v2.1.137",
    "--pex-cli-known-versions=['v2.1.137|linux_x86_64|9f49d54a5d89d7cf970bce7255a66a2857cfe53f9e56a54998e06294ce43e5c4|3563517']",
    "--ca-certs-path=/etc/ssl/certs/ca-certificates.crt",
    "--subprocess-environment-env-vars=['PIP_CONFIG_FILE=/dev/null']",
    "--python-interpreter-constraints=['CPython==3.9.*']",
    "--python-bootstrap-search-path=['<PYENV>', '<PATH>']",
]


def configure(runner: RuleRunner, *extra: str) -> None:
    """RuleRunner ignores pants.toml: give it what ./pants would (the locally built pex CLI)."""
    # pyenv's Pythons: the test process has no HOME nor PYENV_ROOT (they would enter its cache key).
    pyenv = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    runner.set_options([*OPTIONS, *extra], env={"PYENV_ROOT": pyenv}, env_inherit={"PATH"})


@pytest.fixture(scope="module")
def shared_rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *test_goal.rules(),
            QueryRule(TestResult, [SmartCircuitTestRequest.Batch]),
        ],
        target_types=[*estream_target_types(), FileTarget, FilesGeneratorTarget],
    )


@pytest.fixture
def rule_runner(shared_rule_runner: RuleRunner) -> RuleRunner:
    """The module's RuleRunner with an empty build root and the default options.

    One scheduler for the module, not one per test: a new scheduler searches for interpreters
    and builds the circuit runner's pex again (seconds each). Tests still share no files: what
    the previous test wrote is deleted and invalidated (`clear_build_root`), and its options are
    replaced. What stays is the engine's memo of results for identical inputs, which is what
    makes it cheaper."""
    clear_build_root(shared_rule_runner)
    configure(shared_rule_runner)
    return shared_rule_runner


def clear_build_root(runner: RuleRunner) -> None:
    """Delete everything the tests wrote into `runner`'s build root (all but Pants' own
    `.pants.d`) and invalidate those paths and their directories, as `write_files` does for
    what it writes."""
    root = Path(runner.build_root)
    removed: set[str] = set()
    for entry in root.iterdir():
        if entry.name == ".pants.d":
            continue
        for dirpath, _, filenames in os.walk(entry):
            removed.add(os.path.relpath(dirpath, root))
            removed.update(os.path.relpath(os.path.join(dirpath, f), root) for f in filenames)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if removed:
        runner.scheduler.invalidate_files({d for path in removed for d in recursive_dirname(path)})
    assert [p.name for p in root.iterdir()] == [".pants.d"]


def run(
    rule_runner: RuleRunner, path: str = "pkg/mover/circuits", name: str = "move.circuit.yaml"
) -> TestResult:
    target = rule_runner.get_target(Address(path, relative_file_path=name))
    field_set = SmartCircuitTestFieldSet.create(target)
    return rule_runner.request(TestResult, [SmartCircuitTestRequest.Batch("", (field_set,), None)])


def test_vectors_pass_with_dependency_schemas(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(package_files())
    result = run(rule_runner)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Running test suite: mover-golden [move] (2 tests)" in result.stdout
    assert "✓ right" in result.stdout
    assert "PASS (error expected, got overflow" in result.stdout
    assert "2/2 tests passed" in result.stdout


def test_broken_vector_fails_with_a_diff(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        package_files(**{"pkg/mover/tests/golden/right.json": vector("right", 2, {"x": 4, "y": 3})})
    )
    result = run(rule_runner)
    assert result.exit_code == 1
    assert "✗ right" in result.stdout and "FAIL (output differs" in result.stdout
    assert "$.moved.x: expected 4, got 3" in result.stdout
    assert "1/2 tests passed" in result.stdout


def test_tags_option_selects_vectors(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        package_files(**{"pkg/mover/tests/golden/right.json": vector("right", 2, {"x": 4, "y": 3})})
    )
    configure(rule_runner, "--estream-test-tags=['overflow']")
    result = run(rule_runner)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "(1 test)" in result.stdout and "right" not in result.stdout


def test_validation_errors_are_all_reported(rule_runner: RuleRunner) -> None:
    circuit = (
        CIRCUIT.replace('version: "0.3.0"', 'version: "0.4.0"')
        .replace("hardware_target: [cpu]", "hardware_target: [cpu, fpga]")
        .replace("type: Point }\n  - { name: delta", "type: Pointt }\n  - { name: delta")
    )
    manifest = MANIFEST.replace(
        'targets = ["cpu"]',
        'targets = ["cpu"]\ncircuits = ["circuits/move.circuit.yaml", "circuits/gone.circuit.yaml"]',
    )
    rule_runner.write_files(
        package_files(
            **{"pkg/mover/circuits/move.circuit.yaml": circuit, "pkg/mover/estream-component.toml": manifest}
        )
    )
    result = run(rule_runner)
    assert result.exit_code == 1
    err = result.stderr
    assert (
        "pkg/mover/circuits/move.circuit.yaml:3: `version`: circuit version 0.4.0 does not match the package version 0.3.0"
        in err
    )
    assert "`annotations.hardware_target`: hardware_target fpga not in the manifest's targets (cpu)" in err
    assert "`inputs.point.type`: unknown type `Pointt`" in err and "did you mean `Point`?" in err
    assert (
        "pkg/mover/estream-component.toml: `component.circuit.circuits`: `circuits/gone.circuit.yaml` does not exist"
        in err
    )


def test_dependency_version_must_match(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        package_files(
            **{"pkg/mover/estream-component.toml": MANIFEST.replace('shapes = "^1.2"', 'shapes = "^2"')}
        )
    )
    result = run(rule_runner)
    assert result.exit_code == 1
    assert "unknown type `Point`" in result.stderr


def test_crashing_implementation_is_a_failure(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        package_files(**{"pkg/mover/src/mover/impl.py": "def move(inputs):\n    return 1 / 0\n"})
    )
    result = run(rule_runner)
    assert result.exit_code == 1
    assert "crashed" in result.stdout and "ZeroDivisionError" in result.stdout


def test_a_hanging_implementation_times_out(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        package_files(
            **{
                "pkg/mover/circuits/BUILD": "smart_circuits(timeout=3)",
                "pkg/mover/src/mover/impl.py": "def move(inputs):\n    while True:\n        pass\n",
            }
        )
    )
    result = run(rule_runner)
    assert result.exit_code != 0
    assert "timeout" in (result.stdout + result.stderr).lower()


def test_rtl_without_the_fpga_backend_fails_saying_which_backend(rule_runner: RuleRunner) -> None:
    circuit = CIRCUIT.replace(
        '  cpu: "mover.impl:move"\n',
        '  cpu: "mover.impl:move"\n'
        "  rtl: { top: mover, sources: [rtl/mover.v], testbench: [rtl/tb.v], testbench_top: tb, codec: mover.rtl }\n",
    )
    manifest = MANIFEST.replace('targets = ["cpu"]', 'targets = ["cpu", "fpga"]') + (
        '\n[component.circuit.fpga]\ndevice_families = ["ice40-up5k"]\n'
    )
    files = package_files(
        **{
            "pkg/mover/circuits/move.circuit.yaml": circuit,
            "pkg/mover/estream-component.toml": manifest,
            "pkg/mover/rtl/mover.v": "module mover; endmodule\n",
        }
    )
    rule_runner.write_files(files)
    result = run(rule_runner)
    # The testbench file is missing: reported like any other validation error.
    assert result.exit_code == 1
    assert (
        "`implementation.rtl.testbench`: `rtl/tb.v` does not exist in the package (pkg/mover)"
        in result.stderr
    )
    rule_runner.write_files({"pkg/mover/rtl/tb.v": "module tb; endmodule\n"})
    result = run(rule_runner)
    assert result.exit_code == 1
    assert "2/2 tests passed" in result.stdout  # the CPU half ran ...
    assert "simulating RTL needs the FPGA backend" in result.stderr  # ... the RTL half cannot
    assert 'add "estream.fpga" to `[GLOBAL].backend_packages`' in result.stderr


def test_a_nested_package_owns_its_files(rule_runner: RuleRunner) -> None:
    nested = {
        "pkg/mover/inner/BUILD": "marketplace_package()",
        "pkg/mover/inner/estream-component.toml": MANIFEST.replace('name = "mover"', 'name = "inner"'),
        # Its own circuit, schema and src: none of them is the enclosing package's.
        "pkg/mover/inner/circuits/move.circuit.yaml": CIRCUIT.replace('version: "0.3.0"', 'version: "9.9.9"'),
        "pkg/mover/inner/schemas/s.esf.yaml": 'version: "1.0"\nnamespace: x\nschemas:\n  Point:\n    fields:\n      z:\n        type: u8\n',
    }
    rule_runner.write_files(package_files(**nested))
    result = run(rule_runner)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2/2 tests passed" in result.stdout


def test_wire_adapter_round_trips_run_with_the_ingress_circuit(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(kv_files())
    result = run(rule_runner, "pkg/kv/circuits", "kv-ingress.circuit.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Running test suite: kv-golden [kv_ingress] (5 tests)" in result.stdout
    assert (
        "✓ roundtrip plain" in result.stdout
        and "✓ roundtrip zeros" in result.stdout
        and "(3 steps" in result.stdout
    )
    egress = run(rule_runner, "pkg/kv/circuits", "kv-egress.circuit.yaml")
    assert egress.exit_code == 0 and "(1 test)" in egress.stdout and "roundtrip" not in egress.stdout
    # An egress that does not give the wire back fails the round trip, with the diff.
    lossy = kv_files()["pkg/kv/src/kv.py"].replace(
        "f\"{message['key']}={message['value']}\"", "f\"{message['key']}= {message['value']}\""
    )
    rule_runner.write_files({"pkg/kv/src/kv.py": lossy})
    result = run(rule_runner, "pkg/kv/circuits", "kv-ingress.circuit.yaml")
    assert result.exit_code == 1
    assert "✗ roundtrip plain" in result.stdout and '$.wire.text: expected "a=1", got "a= 1"' in result.stdout


def test_wire_adapter_contract_errors_fail_the_test(rule_runner: RuleRunner) -> None:
    from estream.core.wire_adapter_test import KV_EGRESS

    egress = KV_EGRESS.replace("- { name: message, type: KvPair }", "- { name: msg, type: KvPair }").replace(
        "- message ->", "- msg ->"
    )
    rule_runner.write_files(kv_files(**{"pkg/kv/circuits/kv-egress.circuit.yaml": egress}))
    result = run(rule_runner, "pkg/kv/circuits", "kv-ingress.circuit.yaml")
    assert result.exit_code == 1
    assert (
        "pkg/kv/circuits/kv-egress.circuit.yaml:9: `inputs`: a wire-adapter egress circuit has exactly the input port(s) `message`, found `msg`"
        in result.stderr
    )
