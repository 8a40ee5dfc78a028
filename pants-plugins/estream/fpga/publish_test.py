"""`publish` on `fpga_bitstream`: when it skips, and what process it runs with which environment."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pants.core.goals.publish import PublishProcesses
from pants.engine.addresses import Address
from pants.engine.fs import EMPTY_DIGEST
from pants.testutil.option_util import create_subsystem
from pants.testutil.rule_runner import MockGet, QueryRule, RuleRunner, run_rule_with_mocks

from estream.fpga import publish
from estream.fpga import target_types as fpga_target_types
from estream.fpga.fusesoc import FusesocCore, FusesocCores, FusesocCoresRequest, FusesocExportSubsystem
from estream.fpga.publish import (
    NO_LIBRARY,
    FpgaBitstreamPublishFieldSet,
    PublishFusesocCoreRequest,
    publish_fusesoc_core,
)
from estream.fpga.subsystems.fusesoc import FusesocLibrarySubsystem, FusesocSyncType
from estream.util_rules.cli_process import CliProcessEnvironment, CliProcessEnvironmentRequest

BUILD = """
fpga_bitstream(
    name="qa",
    sources=["top.v"],
    top="top",
    constraints="pins.pcf",
    family="ice40",
    device="up5k",
    clock_mhz=12,
    {extra}
)
"""
VLNV = "estream:circuits.q:qa:0"


def runner(*queries: QueryRule) -> RuleRunner:
    # `publish`'s own rules, which bring those they depend on (`fusesoc-export` included).
    return RuleRunner(
        rules=[*publish.rules(), *queries],
        target_types=fpga_target_types.target_types(),
    )


@pytest.fixture
def rule_runner() -> RuleRunner:
    return runner(QueryRule(PublishProcesses, [PublishFusesocCoreRequest]))


def field_set(rule_runner: RuleRunner, extra: str = "") -> FpgaBitstreamPublishFieldSet:
    rule_runner.write_files(
        {
            "circuits/q/BUILD": BUILD.format(extra=extra),
            "circuits/q/top.v": "module top; endmodule\n",
            "circuits/q/pins.pcf": "",
        }
    )
    return FpgaBitstreamPublishFieldSet.create(
        rule_runner.get_target(Address("circuits/q", target_name="qa"))
    )


def test_skipped_without_a_library_or_with_skip_publish(rule_runner: RuleRunner) -> None:
    [pub] = rule_runner.request(PublishProcesses, [PublishFusesocCoreRequest(field_set(rule_runner), ())])
    assert pub.names == (VLNV,) and pub.process is None and pub.description == NO_LIBRARY

    rule_runner.set_options(["--fusesoc-library-location=/srv/cores"])
    [pub] = rule_runner.request(
        PublishProcesses, [PublishFusesocCoreRequest(field_set(rule_runner, "skip_publish=True,"), ())]
    )
    assert pub.process is None and pub.description == "(by `skip_publish` on circuits/q:qa)"


def test_publish_runs_the_estream_cli_on_the_generated_core_with_git_credentials(
    rule_runner: RuleRunner,
) -> None:
    fs = field_set(rule_runner)
    library = create_subsystem(
        FusesocLibrarySubsystem,
        location="libs/cores",  # relative: to the build root, as the process runs in a sandbox
        sync_type=FusesocSyncType.auto,
        branch="release",
        push_attempts=7,
        extra_env_vars=["GITHUB_TOKEN", "FIXED=1"],
    )
    export = create_subsystem(FusesocExportSubsystem, vendor="estream", version="0")
    cores = FusesocCores(EMPTY_DIGEST, (FusesocCore(fs.address, VLNV, "circuits.q/qa/qa.core"),))
    requested = []

    def environment(request: CliProcessEnvironmentRequest) -> CliProcessEnvironment:
        requested.append(request)
        return CliProcessEnvironment({"SSH_AUTH_SOCK": "/tmp/agent.sock", "PYTHONPATH": "/plugins"})

    [pub] = run_rule_with_mocks(
        publish_fusesoc_core,
        rule_args=[PublishFusesocCoreRequest(fs, ()), library, export, SimpleNamespace(path="/build")],
        mock_gets=[
            MockGet(FusesocCores, (FusesocCoresRequest,), lambda r: cores if r.field_sets == (fs,) else None),
            MockGet(CliProcessEnvironment, (CliProcessEnvironmentRequest,), environment),
        ],
    )
    assert pub.names == (VLNV,) and pub.description == "/build/libs/cores"
    argv = pub.process.process.argv
    assert argv[1:] == (
        "-m",
        "estream.cli.main",
        "fusesoc",
        "publish",
        ".",
        "--library",
        "/build/libs/cores",
        "--sync-type",
        "auto",
        "--attempts",
        "7",
        "--branch",
        "release",
    )
    assert pub.process.process.input_digest == cores.digest
    assert dict(pub.process.process.env) == {"SSH_AUTH_SOCK": "/tmp/agent.sock", "PYTHONPATH": "/plugins"}
    [env_request] = requested
    assert {"HOME", "PATH", "SSH_AUTH_SOCK", "GIT_ASKPASS", "GIT_SSH_COMMAND"} <= set(env_request.passed)
    assert env_request.extra_env_vars == ("GITHUB_TOKEN", "FIXED=1")


def test_environment_takes_named_variables_and_fixed_values_only() -> None:
    rule_runner = runner(QueryRule(CliProcessEnvironment, [CliProcessEnvironmentRequest]))
    rule_runner.set_options(
        [], env={"SSH_AUTH_SOCK": "/tmp/agent.sock", "GITHUB_TOKEN": "t0ken", "UNRELATED": "x"}
    )
    env = rule_runner.request(
        CliProcessEnvironment, [CliProcessEnvironmentRequest(("SSH_AUTH_SOCK",), ("GITHUB_TOKEN", "FIXED=1"))]
    )
    assert (
        env["SSH_AUTH_SOCK"] == "/tmp/agent.sock" and env["GITHUB_TOKEN"] == "t0ken" and env["FIXED"] == "1"
    )
    assert "UNRELATED" not in env and env["PYTHONPATH"] and env["PYTHONDONTWRITEBYTECODE"] == "1"
