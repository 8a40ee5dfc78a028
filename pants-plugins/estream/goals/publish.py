"""`publish` for `marketplace_package`: verify the built archive and push it to the registry.

Like Pants' helm backend, the rule only describes the work: one `InteractiveProcess` per archive
running `estream marketplace publish <archive> --registry <url>` with the interpreter and import
path of this Pants process. That command verifies the archive against the registry's trusted keys,
refuses to overwrite a published version or to publish a development-key package (unless
`[estream-registry].allow_development_key`), and commits and pushes the archive and its index
line atomically, retrying when other publishers push first.

The process gets git's credential environment (never a committed file); the signing key is not
needed, as the archive is already signed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from estream.subsystems.registry import EstreamRegistrySubsystem
from estream.target_types import MarketplacePackageFieldSet, MarketplacePackageTarget
from pants.core.goals.publish import (
    PublishFieldSet,
    PublishOutputData,
    PublishPackages,
    PublishProcesses,
    PublishRequest,
)
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.process import InteractiveProcess
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import BoolField
from pants.util.logging import LogLevel

PASSED_ENV_VARS = (
    "HOME",
    "PATH",
    "SSH_AUTH_SOCK",
    "GIT_ASKPASS",
    "GIT_SSH_COMMAND",
    "GIT_CONFIG_GLOBAL",
    "XDG_CONFIG_HOME",
    "ESTREAM_REGISTRY",
    "ESTREAM_HOME",
    "ESTREAM_KEYRING",
)


class MarketplaceSkipPublishField(BoolField):
    alias = "skip_publish"
    default = False
    help = "If true, `publish` leaves this package out (it is still built by `package`)."


class PublishMarketplacePackageRequest(PublishRequest):
    pass


@dataclass(frozen=True)
class MarketplacePublishFieldSet(MarketplacePackageFieldSet, PublishFieldSet):
    publish_request_type = PublishMarketplacePackageRequest

    skip_publish: MarketplaceSkipPublishField

    def get_output_data(self) -> PublishOutputData:
        return PublishOutputData({"publisher": "estream-registry", **super().get_output_data()})


def publish_argv(archive: str, url: str, *, allow_development_key: bool, attempts: int) -> tuple:
    argv = [sys.executable, "-m", "estream.cli.main", "marketplace", "publish", archive, "--registry", url,
            "--attempts", str(attempts)]
    if allow_development_key:
        argv.append("--allow-development-key")
    return tuple(argv)


def _python_path() -> str:
    """This process's import path (Pants, its plugin requirements and the in-repo plugin)."""
    return os.pathsep.join(os.path.abspath(p) for p in sys.path if p)


@rule(desc="Publish marketplace packages to the estream registry", level=LogLevel.DEBUG)
async def publish_marketplace_package(
    request: PublishMarketplacePackageRequest, registry: EstreamRegistrySubsystem
) -> PublishProcesses:
    archives = tuple(
        (pkg, artifact.relpath) for pkg in request.packages for artifact in pkg.artifacts if artifact.relpath
    )
    names = tuple(relpath for _, relpath in archives)
    if request.field_set.skip_publish.value:
        return PublishProcesses(
            [PublishPackages(names=names, description=f"(by `skip_publish` on {request.field_set.address})")]
        )
    wanted = list(PASSED_ENV_VARS)
    fixed = {}
    for item in registry.extra_env_vars:
        name, eq, value = item.partition("=")
        if eq:
            fixed[name] = value
        else:
            wanted.append(name)
    env = dict(await Get(EnvironmentVars, EnvironmentVarsRequest(wanted)))
    env.update(fixed)
    url = registry.url or env.get("ESTREAM_REGISTRY")
    if not url:
        return PublishProcesses(
            [PublishPackages(names=names, description="(no registry: set [estream-registry].url or ESTREAM_REGISTRY)")]
        )
    env["PYTHONPATH"] = _python_path()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    processes = []
    for pkg, relpath in archives:
        argv = publish_argv(
            relpath, url, allow_development_key=registry.allow_development_key, attempts=registry.push_attempts
        )
        processes.append(
            PublishPackages(
                names=(relpath,),
                process=InteractiveProcess(argv, env=env, input_digest=pkg.digest),
                description=_redact(url),
            )
        )
    return PublishProcesses(processes)


def _redact(url: str) -> str:
    from estream.core.registry.git import redact

    return redact(url)


def rules():
    return [
        *collect_rules(),
        *MarketplacePublishFieldSet.rules(),
        MarketplacePackageTarget.register_plugin_field(MarketplaceSkipPublishField),
    ]
