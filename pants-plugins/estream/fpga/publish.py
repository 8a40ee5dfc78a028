"""`publish` for `fpga_bitstream`: put the target's FuseSoC core into `[fusesoc-library]`.

`./pants publish circuits/queue/append/rtl:` packages each target first (synthesis runs, or is a
cache hit: a core is only published for a design that builds and meets timing), then generates
its core with the rule `fusesoc-export` uses (the same files, validated by FuseSoC's parser) and
runs one `InteractiveProcess` per core: `estream fusesoc publish . --library LOCATION` on this
Pants process's interpreter and import path, in a sandbox holding the core. That command
(`estream.core.fpga.fusesoc_library`) writes a directory library atomically, or commits and pushes to
a git library with retries, and refuses to change a published core.

The process gets git's credential environment (never a committed file), see
`estream.util_rules.cli_process`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pants.base.build_root import BuildRoot
from pants.core.goals.publish import (
    PublishFieldSet,
    PublishOutputData,
    PublishPackages,
    PublishProcesses,
    PublishRequest,
)
from pants.engine.process import InteractiveProcess
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import BoolField
from pants.util.logging import LogLevel

from estream.core.fpga.fusesoc_library import absolute_location
from estream.core.registry.git import redact
from estream.fpga import fusesoc
from estream.fpga.fusesoc import (
    FusesocCores,
    FusesocCoresRequest,
    FusesocExportSubsystem,
    core_identity,
)
from estream.fpga.subsystems.fusesoc import FusesocLibrarySubsystem
from estream.fpga.target_types import FpgaBitstreamFieldSet, FpgaBitstreamTarget
from estream.util_rules import cli_process
from estream.util_rules.cli_process import (
    GIT_CREDENTIAL_ENV_VARS,
    CliProcessEnvironment,
    CliProcessEnvironmentRequest,
    estream_cli_argv,
)

NO_LIBRARY = "(no FuseSoC library: set [fusesoc-library].location or PANTS_FUSESOC_LIBRARY_LOCATION)"


class FpgaSkipPublishField(BoolField):
    alias = "skip_publish"
    default = False
    help = (
        "If true, `publish` leaves this target's FuseSoC core out of `[fusesoc-library]` "
        "(`package` and `fusesoc-export` still build it)."
    )


class PublishFusesocCoreRequest(PublishRequest):
    pass


@dataclass(frozen=True)
class FpgaBitstreamPublishFieldSet(FpgaBitstreamFieldSet, PublishFieldSet):
    publish_request_type = PublishFusesocCoreRequest

    skip_publish: FpgaSkipPublishField

    def get_output_data(self) -> PublishOutputData:
        return PublishOutputData({"publisher": "fusesoc-library", **super().get_output_data()})


def publish_argv(location: str, library: FusesocLibrarySubsystem) -> tuple:
    branch = ("--branch", library.branch) if library.branch else ()
    return estream_cli_argv(
        "fusesoc",
        "publish",
        ".",
        "--library",
        location,
        "--sync-type",
        library.sync_type.value,
        "--attempts",
        str(library.push_attempts),
        *branch,
    )


@rule(desc="Publish FuseSoC cores to a FuseSoC library", level=LogLevel.DEBUG)
async def publish_fusesoc_core(
    request: PublishFusesocCoreRequest,
    library: FusesocLibrarySubsystem,
    export: FusesocExportSubsystem,
    build_root: BuildRoot,
) -> PublishProcesses:
    field_set = request.field_set
    _, vlnv = core_identity(field_set, export)
    if field_set.skip_publish.value:
        return PublishProcesses(
            [PublishPackages(names=(vlnv,), description=f"(by `skip_publish` on {field_set.address})")]
        )
    if not library.location:
        return PublishProcesses([PublishPackages(names=(vlnv,), description=NO_LIBRARY)])
    cores = await Get(FusesocCores, FusesocCoresRequest((field_set,)))
    env = await Get(
        CliProcessEnvironment,
        CliProcessEnvironmentRequest(GIT_CREDENTIAL_ENV_VARS, tuple(library.extra_env_vars)),
    )
    # The process runs in a sandbox: a relative directory is relative to the build root.
    location = absolute_location(library.location, build_root.path)
    return PublishProcesses(
        [
            PublishPackages(
                names=(vlnv,),
                process=InteractiveProcess(
                    publish_argv(location, library), env=env, input_digest=cores.digest
                ),
                description=redact(location),
            )
        ]
    )


def rules():
    return [
        *collect_rules(),
        *cli_process.rules(),
        *fusesoc.rules(),
        *FpgaBitstreamPublishFieldSet.rules(),
        FpgaBitstreamTarget.register_plugin_field(FpgaSkipPublishField),
    ]
