"""`fusesoc-export`: a FuseSoC CAPI2 core for each `fpga_bitstream` target, checked by FuseSoC.

`./pants fusesoc-export circuits/queue/append/rtl:` writes a FuseSoC library under
`dist/fusesoc/`: one directory per target with its `.core` and copies of its RTL and
constraints, plus `estream_fpga_driver.py`, the `EDALIZE_LAUNCHER` that runs the YoWASP tools.
Every core is parsed by FuseSoC's own parser (from the locked `fpga-tools` resolve, in a
sandbox) before anything is written.

The cores come from one rule, `FusesocCoresRequest` -> `FusesocCores`, which `publish`
(`estream.fpga.publish`) also uses: a published core is the same files this goal writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Tuple

from pants.backend.python.util_rules import pex
from pants.backend.python.util_rules.pex import VenvPex, VenvPexProcess
from pants.core.util_rules import distdir
from pants.core.util_rules.distdir import DistDir
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.console import Console
from pants.engine.fs import (
    AddPrefix,
    CreateDigest,
    Digest,
    DigestContents,
    FileContent,
    PathGlobs,
    Workspace,
)
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.internals.selectors import MultiGet
from pants.engine.process import FallibleProcessResult
from pants.engine.rules import Get, collect_rules, goal_rule, rule
from pants.engine.target import Targets
from pants.option.option_types import StrOption
from pants.util.logging import LogLevel
from pants.util.strutil import help_text, softwrap

from estream.core.errors import EstreamError
from estream.core.fpga.capi2 import core_text, vlnv
from estream.core.fpga.design_files import design_files, design_parameters
from estream.core.fpga.devices import check_constraints_suffix, resolve_device
from estream.fpga import bitstream, edalize_driver
from estream.fpga.bitstream import build_config, driver_source, target_where
from estream.fpga.subsystems.toolchain import DRIVER_FILE, FpgaToolchain
from estream.fpga.target_types import FpgaBitstreamFieldSet

LIBRARY_DIR = "fusesoc"


class FusesocExportSubsystem(GoalSubsystem):
    name = "fusesoc-export"
    help = help_text(
        """
        Export `fpga_bitstream` targets as FuseSoC CAPI2 cores into `dist/fusesoc/`, a directory
        `fusesoc library add` accepts. Each core's `synth` target uses the same Edalize flow,
        options and seed as `package`, so `fusesoc run --target=synth` builds the same bitstream.
        """
    )

    vendor = StrOption(
        default="estream",
        help="The vendor part of the cores' VLNV names (here and in what `publish` puts into `[fusesoc-library]`).",
    )
    version = StrOption(
        default="0",
        help=softwrap(
            """
            The version part of the cores' VLNV names, here and in what `publish` puts into
            `[fusesoc-library]`. Published cores are immutable: bump it to publish changed cores.
            """
        ),
    )


class FusesocExport(Goal):
    subsystem_cls = FusesocExportSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def core_identity(fs: FpgaBitstreamFieldSet, subsystem: FusesocExportSubsystem) -> Tuple[str, str]:
    """(library part, VLNV) of a target's core; the library part is the BUILD directory, dotted."""
    library = fs.address.spec_path.replace("/", ".") or "root"
    return library, vlnv(
        subsystem.vendor, library, fs.address.target_name, subsystem.version, where=target_where(fs)
    )


@dataclass(frozen=True)
class FusesocCoresRequest:
    """The CAPI2 cores of these `fpga_bitstream` targets, with the options of `[fusesoc-export]`."""

    field_sets: Tuple[FpgaBitstreamFieldSet, ...]


@dataclass(frozen=True)
class FusesocCore:
    address: Address
    vlnv: str
    core_file: str  # relative to the library's root


@dataclass(frozen=True)
class FusesocCores:
    """A FuseSoC library, relative to its root, every core validated by FuseSoC's own parser.

    The root holds `estream_fpga_driver.py`; each core is a directory
    `<dir.with.dots>/<target name>/` with its `.core` file and copies of its RTL and constraints.
    `fusesoc-export` writes this under `dist/fusesoc/`; `publish` puts it into a library.
    """

    digest: Digest
    cores: Tuple[FusesocCore, ...]


def _export_core(
    fs: FpgaBitstreamFieldSet,
    rtl_files: DigestContents,
    data_files: DigestContents,
    constraint_files: DigestContents,
    subsystem: FusesocExportSubsystem,
) -> Tuple[List[FileContent], FusesocCore]:
    """The files of one target's exported core (its .core file and copies of its sources), and the core."""
    where = target_where(fs)
    device = resolve_device(fs.family.value, fs.device.value, fs.package.value, where=where)
    check_constraints_suffix(device.family, fs.constraints.value, where=where)
    if not constraint_files:
        raise EstreamError.single(
            where, f"constraints file `{fs.constraints.value}` does not exist", key="constraints"
        )
    library, name = core_identity(fs, subsystem)
    core_dir = f"{library}/{fs.address.target_name}"

    def rel(path: str) -> str:
        return os.path.relpath(path, fs.address.spec_path or ".")

    design = design_files(
        base=fs.address.spec_path,
        sources=[fc.path for fc in rtl_files],
        data_files=[fc.path for fc in data_files],
        include_dirs=fs.include_dirs.value or (),
        family=device.family,
        where=where,
        relative=True,
    )
    constraints = rel(constraint_files[0].path)
    config = build_config(fs, device, "yowasp", design, constraints, output="")
    flow, flow_options = edalize_driver.flow_options(config)
    core_path = f"{core_dir}/{fs.address.target_name}.core"
    files = [
        FileContent(
            core_path,
            core_text(
                name=name,
                description=f"{fs.address}: {fs.top.value} for {device.part}",
                files=design,
                constraints=constraints,
                top=fs.top.value,
                flow=flow,
                flow_options=flow_options,
                parameters=design_parameters(fs.parameters.value, fs.defines.value, where=where),
            ).encode(),
        )
    ]
    for fc in [*rtl_files, *data_files, *constraint_files]:
        files.append(FileContent(f"{core_dir}/{rel(fc.path)}", fc.content))
    return files, FusesocCore(fs.address, name, core_path)


@rule(desc="Generate and validate FuseSoC cores", level=LogLevel.DEBUG)
async def generate_fusesoc_cores(
    request: FusesocCoresRequest, subsystem: FusesocExportSubsystem, toolchain: FpgaToolchain
) -> FusesocCores:
    field_sets = request.field_sets
    all_sources = await MultiGet(Get(SourceFiles, SourceFilesRequest([fs.sources])) for fs in field_sets)
    all_data = await MultiGet(Get(SourceFiles, SourceFilesRequest([fs.data_files])) for fs in field_sets)
    constraints_contents = await MultiGet(
        Get(DigestContents, PathGlobs([os.path.join(fs.address.spec_path, fs.constraints.value)]))
        for fs in field_sets
    )
    sources_contents = await MultiGet(Get(DigestContents, Digest, s.snapshot.digest) for s in all_sources)
    data_contents = await MultiGet(Get(DigestContents, Digest, d.snapshot.digest) for d in all_data)

    files = [FileContent(DRIVER_FILE, driver_source())]
    cores = []
    for fs, rtl_files, data_files, constraint_files in zip(
        field_sets, sources_contents, data_contents, constraints_contents
    ):
        core_files, core = _export_core(fs, rtl_files, data_files, constraint_files, subsystem)
        files.extend(core_files)
        cores.append(core)

    digest = await Get(Digest, CreateDigest(files))
    venv_pex = await Get(VenvPex, pex.PexRequest, toolchain.to_pex_request())
    result = await Get(
        FallibleProcessResult,
        VenvPexProcess(
            venv_pex,
            argv=[DRIVER_FILE, "validate-cores", *(c.core_file for c in cores)],
            description=f"Validate {len(cores)} FuseSoC core(s) with FuseSoC's parser",
            input_digest=digest,
            extra_env={"PEX_INTERPRETER": "1"},
        ),
    )
    if result.exit_code != 0:
        raise EstreamError.single(
            LIBRARY_DIR,
            "FuseSoC rejected an exported core:\n" + result.stderr.decode("utf-8", "replace"),
        )
    return FusesocCores(digest, tuple(cores))


@goal_rule
async def fusesoc_export(
    targets: Targets,
    workspace: Workspace,
    dist_dir: DistDir,
    console: Console,
) -> FusesocExport:
    field_sets = [FpgaBitstreamFieldSet.create(t) for t in targets if FpgaBitstreamFieldSet.is_applicable(t)]
    if not field_sets:
        console.print_stderr("No `fpga_bitstream` targets matched: nothing to export.")
        return FusesocExport(exit_code=0)

    generated = await Get(FusesocCores, FusesocCoresRequest(tuple(field_sets)))
    digest = await Get(Digest, AddPrefix(generated.digest, LIBRARY_DIR))
    workspace.write_digest(digest, path_prefix=str(dist_dir.relpath))
    for core in generated.cores:
        console.print_stdout(f"Wrote {dist_dir.relpath / LIBRARY_DIR / core.core_file} ({core.vlnv})")
    console.print_stdout(
        f"FuseSoC library: {dist_dir.relpath / LIBRARY_DIR}; run the YoWASP tools with "
        f'EDALIZE_LAUNCHER="python {dist_dir.relpath / LIBRARY_DIR / DRIVER_FILE} launch"'
    )
    return FusesocExport(exit_code=0)


def rules():
    return [*collect_rules(), *bitstream.rules(), *distdir.rules()]
