"""Run the `estream` CLI from a `publish` rule: its argv and environment.

Publish rules (like Pants' helm backend) only describe work: an `InteractiveProcess` running
`python -m estream.cli.main ...` on this Pants process's interpreter and import path, so the CLI
and `./pants publish` share one implementation. The process gets only the environment variables
it is given: git's credential mechanisms (never a committed file) and what the user adds.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Tuple

from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.rules import Get, collect_rules, rule
from pants.util.frozendict import FrozenDict

#: What git's own credential mechanisms need: `HOME` (`~/.git-credentials`, `~/.gitconfig`), the
#: SSH agent, `GIT_ASKPASS`, a custom SSH command or global config, and `PATH` to find git.
GIT_CREDENTIAL_ENV_VARS = (
    "HOME",
    "PATH",
    "SSH_AUTH_SOCK",
    "GIT_ASKPASS",
    "GIT_SSH_COMMAND",
    "GIT_CONFIG_GLOBAL",
    "XDG_CONFIG_HOME",
)


@dataclass(frozen=True)
class CliProcessEnvironmentRequest:
    """`passed`: names copied from Pants' environment; `extra_env_vars`: an option's `NAME` or
    `NAME=value` items."""

    passed: Tuple[str, ...]
    extra_env_vars: Tuple[str, ...] = ()


class CliProcessEnvironment(FrozenDict[str, str]):
    """The environment of an `estream` CLI process (with the import path of this Pants process)."""


def estream_cli_argv(*args: str) -> Tuple[str, ...]:
    return (sys.executable, "-m", "estream.cli.main", *args)


def _python_path() -> str:
    """This process's import path (Pants, its plugin requirements and the in-repo plugin)."""
    return os.pathsep.join(os.path.abspath(p) for p in sys.path if p)


@rule
async def cli_process_environment(request: CliProcessEnvironmentRequest) -> CliProcessEnvironment:
    wanted = list(request.passed)
    fixed = {}
    for item in request.extra_env_vars:
        name, eq, value = item.partition("=")
        if eq:
            fixed[name] = value
        else:
            wanted.append(name)
    env = dict(await Get(EnvironmentVars, EnvironmentVarsRequest(wanted)))
    env.update(fixed)
    env["PYTHONPATH"] = _python_path()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return CliProcessEnvironment(env)


def rules():
    return collect_rules()
