"""RuleRunner tests of the `verify` goal, with and without `--fpga`, on an in-repo package that
ships fpga/ files through `[component.include]`."""

from __future__ import annotations

import json

import pytest
from pants.core.target_types import FilesGeneratorTarget, FileTarget
from pants.core.util_rules import source_files
from pants.testutil.rule_runner import RuleRunner

from estream.core.fpga.manifest import FpgaManifest, FpgaTarget, render_fpga_manifest, sha3_checksum
from estream.core.keys import SigningKey
from estream.dependency_inference import rules as dependency_inference
from estream.goals import verify as verify_goal
from estream.goals.verify import Verify
from estream.target_types import target_types as estream_target_types
from estream.testutil.sample_packages import package_files

KEY = SigningKey.generate("verify-goal-test")
BITSTREAM = bytes((i * 11) % 256 for i in range(256))

FPGA_TABLES = """
[component.circuit.fpga]
device_families = ["ice40-up5k"]

[component.include]
circuits = ["circuits/*.circuit.yaml"]
src = ["src/**/*.py"]
tests = ["tests/golden/*"]
fpga = ["fpga/*"]
"""


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[*dependency_inference.rules(), *verify_goal.rules(), *source_files.rules()],
        target_types=[*estream_target_types(), FileTarget, FilesGeneratorTarget],
    )
    runner.set_options([], env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()})
    return runner


def fpga_manifest(checksum: str) -> str:
    target = FpgaTarget(
        "ice40-up5k", "move_up5k.bin", checksum, 12, {"luts": 96}, True, KEY.key_id, "2026-02-08T10:00:00Z"
    )
    return render_fpga_manifest(FpgaManifest("0.3.0", (target,))).decode()


def write(rule_runner: RuleRunner, checksum: str = sha3_checksum(BITSTREAM)) -> None:
    files = package_files()
    manifest = files["pkg/mover/estream-component.toml"].replace(
        'targets = ["cpu"]', 'targets = ["cpu", "fpga"]'
    )
    files.update(
        {
            "pkg/mover/estream-component.toml": manifest + FPGA_TABLES,
            "pkg/mover/BUILD": 'marketplace_package()\nfiles(name="package_files", sources=["src/**/*", "tests/**/*", "fpga/*"])\n',
            "pkg/mover/fpga/manifest.toml": fpga_manifest(checksum),
            "pkg/mover/LICENSE": "Apache-2.0\n",
            "keyring.toml": f'[[keys]]\nkey_id = "{KEY.key_id}"\nfingerprint = "{KEY.fingerprint}"\ntrust = "trusted"\n',
        }
    )
    rule_runner.write_files(files)
    rule_runner.write_files({"pkg/mover/fpga/move_up5k.bin": BITSTREAM})


def verify(rule_runner: RuleRunner, *args: str):
    # run_goal_rule replaces the options and environment set_options gave: pass the key again.
    return rule_runner.run_goal_rule(
        Verify,
        global_args=["--estream-signing-keyring=keyring.toml"],
        args=[*args, "pkg/mover:mover"],
        env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()},
    )


def test_verify_fpga_goal(rule_runner: RuleRunner) -> None:
    write(rule_runner)
    result = verify(rule_runner, "--fpga")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Package signature: ✓ Valid" in result.stdout
    assert "  FPGA bitstreams:\n    move_up5k.bin ... ✓ SHA3-256 match (96 LUTs, 12 MHz)\n" in result.stdout
    assert "Verified by: verify-goal-test (2026-02-08)" in result.stdout

    result = verify(rule_runner, "--fpga", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["fpga"]["bitstreams"][0]["status"] == "match"

    result = verify(rule_runner)
    assert result.exit_code == 0 and "FPGA" not in result.stdout


def test_verify_fpga_goal_fails_on_wrong_checksum(rule_runner: RuleRunner) -> None:
    # Signed as built, so the signature holds; the manifest names other bytes than it ships.
    write(rule_runner, checksum=sha3_checksum(b"another build"))
    assert verify(rule_runner).exit_code == 0
    result = verify(rule_runner, "--fpga")
    assert result.exit_code == 25, result.stdout
    assert "move_up5k.bin ... ✗ SHA3-256 mismatch" in result.stdout
    assert "Result: ✗ exit 25 (fpga_checksum_mismatch)" in result.stdout
