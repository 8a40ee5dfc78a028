"""`publish` for `marketplace_package`: verify the built archive and push it to the registry.

Like Pants' helm backend, the rule only describes the work: one `InteractiveProcess` per archive
running `estream marketplace publish <archive> --registry <url>` with the interpreter and import
path of this Pants process. That command verifies the archive against the registry's trusted keys,
refuses to overwrite a published version or to publish a development-key package (unless
`[estream-registry].allow_development_key` asks for it *and* the registry's own `config.toml`
sets `allow_development_keys = true`), and commits and pushes the archive and its index
line atomically, retrying when other publishers push first.

The process gets git's credential environment (never a committed file) and
`ESTREAM_SIGNING_KEY_FILE` (a path, never the inline `ESTREAM_SIGNING_KEY` secret): the archive is
already signed, but the registry's snapshot of the change is signed with the publisher's key
(`estream.core.registry.trust`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.core.goals.package import BuiltPackage, PackageFieldSet
from pants.core.goals.publish import (
    PublishFieldSet,
    PublishOutputData,
    PublishPackages,
    PublishProcesses,
    PublishRequest,
)
from pants.engine.addresses import Address
from pants.engine.fs import EMPTY_DIGEST, Digest, MergeDigests
from pants.engine.process import InteractiveProcess
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import BoolField, TransitiveTargets, TransitiveTargetsRequest
from pants.util.logging import LogLevel

from estream.goals import package
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.subsystems.registry import EstreamRegistrySubsystem
from estream.target_types import MarketplacePackageFieldSet, MarketplacePackageTarget
from estream.util_rules import cli_process
from estream.util_rules.cli_process import (
    GIT_CREDENTIAL_ENV_VARS,
    CliProcessEnvironment,
    CliProcessEnvironmentRequest,
    estream_cli_argv,
)

PASSED_ENV_VARS = (
    *GIT_CREDENTIAL_ENV_VARS,
    "ESTREAM_REGISTRY",
    "ESTREAM_HOME",
    "ESTREAM_KEYRING",
    "ESTREAM_SIGNING_KEY_FILE",
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


def publish_argv(
    archive: str, url: str, *, allow_development_key: bool, attempts: int, with_archives: Tuple[str, ...] = ()
) -> tuple:
    flags = ("--allow-development-key",) if allow_development_key else ()
    extra = tuple(f for path in with_archives for f in ("--with", path))
    return estream_cli_argv(
        "marketplace", "publish", archive, "--registry", url, "--attempts", str(attempts), *flags, *extra
    )


async def _dependency_archives(address: Address) -> Tuple[Digest, Tuple[str, ...]]:
    """The built archives of the in-repository marketplace packages `address` depends on.

    `publish ::` runs its packages in no particular order (Pants' publish goal keeps them in a
    set), while the registry only accepts a package whose dependencies it can resolve: handing the
    dependencies' archives over (`--with`) lets the publish of a dependant validate against the
    dependency built in this run when the registry does not have it yet."""
    transitive = await Get(TransitiveTargets, TransitiveTargetsRequest([address]))
    field_sets = [
        MarketplacePackagePackageFieldSet.create(tgt)
        for tgt in transitive.dependencies
        if MarketplacePackagePackageFieldSet.is_applicable(tgt) and tgt.address != address
    ]
    if not field_sets:
        return EMPTY_DIGEST, ()
    built = await MultiGet(Get(BuiltPackage, PackageFieldSet, fs) for fs in field_sets)
    paths = tuple(sorted(a.relpath for pkg in built for a in pkg.artifacts if a.relpath))
    digest = await Get(Digest, MergeDigests(pkg.digest for pkg in built))
    return digest, paths


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
    env = await Get(
        CliProcessEnvironment, CliProcessEnvironmentRequest(PASSED_ENV_VARS, tuple(registry.extra_env_vars))
    )
    url = registry.url or env.get("ESTREAM_REGISTRY")
    if not url:
        return PublishProcesses(
            [
                PublishPackages(
                    names=names, description="(no registry: set [estream-registry].url or ESTREAM_REGISTRY)"
                )
            ]
        )
    dependencies_digest, dependency_paths = await _dependency_archives(request.field_set.address)
    processes = []
    for pkg, relpath in archives:
        argv = publish_argv(
            relpath,
            url,
            allow_development_key=registry.allow_development_key,
            attempts=registry.push_attempts,
            with_archives=dependency_paths,
        )
        input_digest = await Get(Digest, MergeDigests([pkg.digest, dependencies_digest]))
        processes.append(
            PublishPackages(
                names=(relpath,),
                process=InteractiveProcess(argv, env=env, input_digest=input_digest),
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
        *cli_process.rules(),
        *package.rules(),
        *MarketplacePublishFieldSet.rules(),
        MarketplacePackageTarget.register_plugin_field(MarketplaceSkipPublishField),
    ]
