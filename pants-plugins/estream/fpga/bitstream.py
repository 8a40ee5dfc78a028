"""`package` for `fpga_bitstream`: Edalize in a sandbox, a timing check and a one-line summary."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pkgutil
from dataclasses import dataclass
from typing import Sequence, Tuple

from pants.backend.python.util_rules import pex
from pants.backend.python.util_rules.pex import VenvPex, VenvPexProcess
from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.core.util_rules import source_files
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.core.util_rules.system_binaries import (
    BinaryPathRequest,
    BinaryPaths,
    BinaryPathTest,
    BinaryShims,
    BinaryShimsRequest,
)
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import (
    CreateDigest,
    Digest,
    DigestContents,
    FileContent,
    MergeDigests,
    PathGlobs,
    Snapshot,
)
from pants.engine.internals.selectors import MultiGet
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.core.fpga.design_files import DesignFile, design_files, design_parameters
from estream.core.fpga.devices import (
    ResolvedDevice,
    check_constraints_suffix,
    check_toolchain,
    resolve_device,
)
from estream.core.fpga.report import NextpnrReport, check_timing, parse_nextpnr_report, summary_line
from estream.fpga.subsystems.toolchain import DRIVER_FILE, FpgaToolchain
from estream.fpga.target_types import FpgaBitstreamFieldSet

logger = logging.getLogger(__name__)

# The compiled-WebAssembly cache of YoWASP: an append-only named cache, shared by every build on
# the machine and never part of a process's inputs or outputs.
YOWASP_CACHE_NAME = "estream_yowasp"
YOWASP_CACHE_DIR = ".cache/yowasp"
OUT_DIR = "__fpga_out"
REPORT_FILE = "report.json"
MAKE_SEARCH_PATH = ("/usr/bin", "/bin", "/usr/local/bin")


@dataclass(frozen=True)
class FpgaBitstreamPackageFieldSet(FpgaBitstreamFieldSet, PackageFieldSet):
    pass


@dataclass(frozen=True)
class BuiltBitstream:
    """A bitstream and nextpnr's report, as built from one `fpga_bitstream` target."""

    device: ResolvedDevice
    bitstream_name: str
    bitstream: bytes
    report_json: bytes
    report: NextpnrReport
    clock_mhz: float
    toolchain: str


@dataclass(frozen=True)
class BuildBitstreamRequest:
    field_set: FpgaBitstreamFieldSet


def target_where(field_set: FpgaBitstreamFieldSet) -> str:
    return f"{field_set.address.spec_path or '.'}/BUILD: {field_set.address}"


def driver_source() -> bytes:
    data = pkgutil.get_data("estream.fpga", "edalize_driver.py")
    assert data is not None
    return data


def build_config(
    fs: FpgaBitstreamFieldSet,
    device: ResolvedDevice,
    toolchain: str,
    files: Sequence[DesignFile],
    constraints: str,
    output: str,
) -> dict:
    """The driver's build description (also the source of the FuseSoC export's flow options).

    It is an input of the build process, so everything in it is part of the cache key."""
    return {
        "name": fs.address.target_name,
        "top": fs.top.value,
        "family": device.family,
        "device": device.nextpnr_flag,
        "part": device.part,
        "package": device.package,
        "clock_mhz": fs.clock_mhz.value,
        "seed": fs.seed.value,
        "files": [f.to_json() for f in files],
        "parameters": design_parameters(fs.parameters.value, fs.defines.value, where=target_where(fs)),
        "constraints": constraints,
        "tool_options": {k: list(v) for k, v in (fs.tool_options.value or {}).items()},
        "toolchain": toolchain,
        "output": output,
    }


@dataclass(frozen=True)
class FpgaToolProcess:
    """A run of the sandbox driver (`edalize_driver.py ARGV...`) on the `fpga-toolchain` venv,
    with GNU make (for Edalize's Makefile), the chosen toolchain on the PATH and YoWASP's
    persistent WebAssembly cache. The driver is added to `input_digest`."""

    argv: Tuple[str, ...]
    description: str
    input_digest: Digest
    output_files: Tuple[str, ...]
    toolchain: str
    family: str
    where: str


@rule(desc="Prepare an FPGA tool process", level=LogLevel.DEBUG)
async def fpga_tool_process(request: FpgaToolProcess, toolchain: FpgaToolchain) -> Process:
    driver, make_paths, path_env = await MultiGet(
        Get(Digest, CreateDigest([FileContent(DRIVER_FILE, driver_source())])),
        Get(
            BinaryPaths,
            BinaryPathRequest(
                binary_name="make",
                search_path=MAKE_SEARCH_PATH,
                test=BinaryPathTest(args=["--version"]),
            ),
        ),
        Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"])),
    )
    make = make_paths.first_path
    if make is None:
        raise EstreamError.single(
            request.where,
            "Edalize needs GNU make, and none was found in " + ":".join(MAKE_SEARCH_PATH),
            help="install it (e.g. `apt-get install make`)",
        )
    venv_pex, shims, input_digest = await MultiGet(
        Get(VenvPex, pex.PexRequest, toolchain.to_pex_request()),
        Get(
            BinaryShims,
            BinaryShimsRequest.for_paths(make, rationale="run the Makefile Edalize writes"),
        ),
        Get(Digest, MergeDigests([request.input_digest, driver])),
    )
    path = [shims.path_component]
    if request.toolchain == "native":
        path.extend(toolchain.native_search_directories(path_env))
    if request.family == "xilinx" and toolchain.vivado:
        path.insert(0, os.path.dirname(toolchain.vivado))
    process = await Get(
        Process,
        VenvPexProcess(
            venv_pex,
            argv=[DRIVER_FILE, *request.argv],
            description=request.description,
            level=LogLevel.INFO,
            input_digest=input_digest,
            extra_env={
                "PATH": ":".join(path),
                # The pex environment rewrites PATH; the driver restores exactly this one.
                "ESTREAM_FPGA_PATH": ":".join(path),
                "YOWASP_CACHE_DIR": YOWASP_CACHE_DIR,
                # Run the venv's Python on the driver file (a sandbox input, not part of the
                # venv: editing it does not rebuild the tool's venv).
                "PEX_INTERPRETER": "1",
            },
            output_files=request.output_files,
            append_only_caches={YOWASP_CACHE_NAME: YOWASP_CACHE_DIR},
            timeout_seconds=3600,
        ),
    )
    return dataclasses.replace(
        process,
        immutable_input_digests={**process.immutable_input_digests, **shims.immutable_input_digests},
    )


def build_failure(result: FallibleProcessResult, *, where: str) -> EstreamError:
    """The error of a failed driver run: its `fpga build failed:` message, else stderr's tail."""
    stderr = result.stderr.decode("utf-8", "replace").strip()
    failed = [line for line in stderr.splitlines() if line.startswith("fpga build failed:")]
    detail = stderr[stderr.index(failed[0]) :] if failed else stderr[-4000:]
    return EstreamError.single(
        where,
        f"building the bitstream failed (exit {result.exit_code}):\n{detail}",
        help="the messages above come from Yosys (yosys.log) and nextpnr (next.log)",
    )


@rule(desc="Build an FPGA bitstream", level=LogLevel.DEBUG)
async def build_bitstream(request: BuildBitstreamRequest, toolchain: FpgaToolchain) -> BuiltBitstream:
    fs = request.field_set
    where = target_where(fs)
    device = resolve_device(fs.family.value, fs.device.value, fs.package.value, where=where)
    check_constraints_suffix(device.family, fs.constraints.value, where=where)
    chosen = fs.toolchain.value or toolchain.default_toolchain
    check_toolchain(device, chosen, toolchain.vivado, where=where)
    if fs.clock_mhz.value is None:
        raise EstreamError.single(where, "a target clock is required", key="clock_mhz")

    constraints_path = os.path.join(fs.address.spec_path, fs.constraints.value)
    sources, data, constraints = await MultiGet(
        Get(SourceFiles, SourceFilesRequest([fs.sources])),
        Get(SourceFiles, SourceFilesRequest([fs.data_files])),
        Get(Snapshot, PathGlobs([constraints_path])),
    )
    if not constraints.files:
        raise EstreamError.single(
            where, f"constraints file `{constraints_path}` does not exist", key="constraints"
        )

    files = design_files(
        base=fs.address.spec_path,
        sources=sources.snapshot.files,
        data_files=data.snapshot.files,
        include_dirs=fs.include_dirs.value or (),
        family=device.family,
        where=where,
    )
    name = fs.address.target_name
    output = f"{OUT_DIR}/{name}{device.bitstream_suffix}"
    config = build_config(fs, device, chosen, files, constraints.files[0], output)
    config_digest = await Get(
        Digest,
        CreateDigest([FileContent("fpga_build.json", json.dumps(config, indent=2, sort_keys=True).encode())]),
    )
    input_digest = await Get(
        Digest,
        MergeDigests([sources.snapshot.digest, data.snapshot.digest, constraints.digest, config_digest]),
    )
    process = await Get(
        Process,
        FpgaToolProcess(
            argv=("build", "fpga_build.json"),
            description=f"Synthesise, place and route {fs.address} ({device.part}, {chosen})",
            input_digest=input_digest,
            output_files=(output, REPORT_FILE),
            toolchain=chosen,
            family=device.family,
            where=where,
        ),
    )
    result = await Get(FallibleProcessResult, Process, process)
    if result.exit_code != 0:
        raise build_failure(result, where=where)

    contents = await Get(DigestContents, Digest, result.output_digest)
    by_path = {fc.path: fc.content for fc in contents}
    report = parse_nextpnr_report(by_path[REPORT_FILE], path=f"{where} (nextpnr report.json)")
    check_timing(report, target_mhz=fs.clock_mhz.value, where=where)
    return BuiltBitstream(
        device=device,
        bitstream_name=os.path.basename(output),
        bitstream=by_path[output],
        report_json=by_path[REPORT_FILE],
        report=report,
        clock_mhz=fs.clock_mhz.value,
        toolchain=chosen,
    )


@rule(desc="Package FPGA bitstream", level=LogLevel.DEBUG)
async def package_fpga_bitstream(field_set: FpgaBitstreamPackageFieldSet) -> BuiltPackage:
    built = await Get(BuiltBitstream, BuildBitstreamRequest(field_set))
    output_path = field_set.output_path.value_or_default(
        file_ending=built.device.bitstream_suffix.lstrip(".")
    )
    report_path = f"{output_path}.report.json"
    digest = await Get(
        Digest,
        CreateDigest(
            [FileContent(output_path, built.bitstream), FileContent(report_path, built.report_json)]
        ),
    )
    summary = summary_line(
        built.report, family=built.device.family, part=built.device.part, target_mhz=built.clock_mhz
    )
    return BuiltPackage(
        digest,
        artifacts=(
            BuiltPackageArtifact(relpath=output_path, extra_log_lines=(f"    {summary}",)),
            BuiltPackageArtifact(relpath=report_path),
        ),
    )


def rules():
    return [
        *collect_rules(),
        *FpgaToolchain.rules(),
        *pex.rules(),
        *source_files.rules(),
        UnionRule(PackageFieldSet, FpgaBitstreamPackageFieldSet),
    ]
