"""RuleRunner tests of the `estream` CLI process environment, with only its own rules: the
process gets exactly the variables it is given, and can import the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.util_rules import cli_process
from estream.util_rules.cli_process import (
    GIT_CREDENTIAL_ENV_VARS,
    CliProcessEnvironment,
    CliProcessEnvironmentRequest,
    estream_cli_argv,
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[*cli_process.rules(), QueryRule(CliProcessEnvironment, [CliProcessEnvironmentRequest])]
    )
    runner.set_options(
        [],
        env={
            "HOME": "/home/dev",
            "SSH_AUTH_SOCK": "/run/agent",
            "SECRET_TOKEN": "s3cret",
            "EXTRA": "from-env",
        },
        env_inherit={"PATH"},
    )
    return runner


def test_only_the_named_variables_pass_and_fixed_values_win(rule_runner: RuleRunner) -> None:
    env = dict(
        rule_runner.request(
            CliProcessEnvironment,
            [
                CliProcessEnvironmentRequest(
                    GIT_CREDENTIAL_ENV_VARS, ("EXTRA", "GIT_ASKPASS=/bin/askpass", "UNSET_NAME")
                )
            ],
        )
    )
    assert env["HOME"] == "/home/dev" and env["SSH_AUTH_SOCK"] == "/run/agent" and env["EXTRA"] == "from-env"
    assert env["GIT_ASKPASS"] == "/bin/askpass"  # a `NAME=value` item sets the value
    assert "SECRET_TOKEN" not in env and "UNSET_NAME" not in env  # not asked for / not set
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert set(env) == {
        "HOME",
        "PATH",
        "SSH_AUTH_SOCK",
        "EXTRA",
        "GIT_ASKPASS",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
    }


def test_the_process_runs_the_estream_cli_of_this_interpreter(rule_runner: RuleRunner) -> None:
    env = dict(rule_runner.request(CliProcessEnvironment, [CliProcessEnvironmentRequest(("PATH",))]))
    argv = estream_cli_argv("--help")
    assert argv[:3] == (sys.executable, "-m", "estream.cli.main")
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "marketplace" in result.stdout
