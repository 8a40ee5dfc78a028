"""`test` for circuits with RTL: golden vectors in Icarus Verilog, through Edalize's `sim` flow.

Implements the core backend's `RtlVectorRunRequest` hook. One sandboxed process per circuit runs
the circuit runner (`estream/core/circuit_runner.py`) on the `[fpga-toolchain]` venv (it has
Edalize) with `estream/fpga/rtl_sim.py` beside it: Edalize compiles the design and its testbench
with `iverilog` once and runs `vvp` once per vector or journey step. Icarus Verilog is a native
tool, found in `[fpga-toolchain].native_search_path` (Debian: `apt-get install iverilog`); its
binaries are fingerprinted into the process's cache key like any other input, so the result is
cached by the RTL, the vectors, the codec and the simulator, and an unchanged circuit is not
simulated again.
"""

from __future__ import annotations

import dataclasses
import os
import pkgutil
from dataclasses import dataclass

from estream.core import circuit_runner
from estream.fpga.rules import MAKE_SEARCH_PATH
from estream.fpga.subsystem import FpgaToolchain
from estream.util_rules.rtl_vectors import RtlVectorRun, RtlVectorRunRequest
from pants.backend.python.util_rules import pex
from pants.backend.python.util_rules.pex import VenvPex, VenvPexProcess
from pants.core.util_rules.system_binaries import (
    BinaryPathRequest,
    BinaryPaths,
    BinaryPathTest,
    BinaryShims,
    BinaryShimsRequest,
)
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import CreateDigest, Digest, FileContent, MergeDigests
from pants.engine.internals.selectors import MultiGet
from pants.engine.process import FallibleProcessResult, Process, ProcessCacheScope
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

RUNNER_FILE = "estream_circuit_runner.py"
SIM_FILE = "estream_rtl_sim.py"
PLAN_FILE = "__estream_rtl_plan.json"
SIMULATOR_BINARIES = ("iverilog", "vvp")


@dataclass(frozen=True)
class IcarusRtlVectorRunRequest(RtlVectorRunRequest):
    pass


def _resource(package: str, name: str) -> bytes:
    data = pkgutil.get_data(package, name)
    assert data is not None, f"{package}/{name} is not packaged"
    return data


def native_search_path(toolchain: FpgaToolchain, path_env: EnvironmentVars) -> tuple:
    return tuple(
        entry
        for option in toolchain.native_search_path
        for entry in (path_env.get("PATH", "") if option == "<PATH>" else option).split(os.pathsep)
        if entry
    )


@rule(desc="Simulate golden vectors against RTL", level=LogLevel.DEBUG)
async def run_rtl_vectors(request: IcarusRtlVectorRunRequest, toolchain: FpgaToolchain) -> RtlVectorRun:
    package = request.package
    path_env = await Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"]))
    search_path = native_search_path(toolchain, path_env)
    found = await MultiGet(
        Get(
            BinaryPaths,
            BinaryPathRequest(
                binary_name=name,
                search_path=search_path if name in SIMULATOR_BINARIES else MAKE_SEARCH_PATH,
                test=BinaryPathTest(args=["-V"] if name in SIMULATOR_BINARIES else ["--version"]),
            ),
        )
        for name in (*SIMULATOR_BINARIES, "make")
    )
    missing = [paths.binary_name for paths in found if paths.first_path is None]
    if missing:
        return RtlVectorRun(
            None,
            f"error: {package.circuit.path}: `implementation.rtl`: simulating it needs Icarus Verilog "
            f"and GNU make; not found: {', '.join(missing)} (searched {':'.join(search_path)})\n"
            "  help: install them (Debian: `apt-get install iverilog make`) or point "
            "`[fpga-toolchain].native_search_path` at them",
        )
    shims, venv_pex, sources = await MultiGet(
        Get(
            BinaryShims,
            BinaryShimsRequest.for_paths(
                *(paths.first_path for paths in found),  # type: ignore[misc]
                rationale="compile and run RTL golden vectors with Icarus Verilog through Edalize",
            ),
        ),
        Get(VenvPex, pex.PexRequest, toolchain.to_pex_request()),
        Get(
            Digest,
            CreateDigest(
                [
                    FileContent(RUNNER_FILE, _resource(circuit_runner.__name__.rpartition(".")[0], "circuit_runner.py")),
                    FileContent(SIM_FILE, _resource("estream.fpga", "rtl_sim.py")),
                    FileContent(PLAN_FILE, request.plan),
                ]
            ),
        ),
    )
    input_digest = await Get(Digest, MergeDigests([sources, package.src_digest, package.rtl_digest]))
    process = await Get(
        Process,
        VenvPexProcess(
            venv_pex,
            argv=[RUNNER_FILE, PLAN_FILE],
            description=f"Simulate {request.case_count} golden vector(s)/journey(s) of {package.address} in Icarus Verilog",
            level=LogLevel.DEBUG,
            input_digest=input_digest,
            extra_env={
                "PATH": shims.path_component,
                # The pex environment rewrites PATH; the simulation restores exactly this one.
                "ESTREAM_FPGA_PATH": shims.path_component,
                # Run the venv's Python on the runner file (a sandbox input, not part of the venv).
                "PEX_INTERPRETER": "1",
                "PYTHONHASHSEED": "0",
                "PYTHONDONTWRITEBYTECODE": "1",
            },
            timeout_seconds=request.timeout_seconds,
        ),
    )
    process = dataclasses.replace(
        process,
        immutable_input_digests={**process.immutable_input_digests, **shims.immutable_input_digests},
        cache_scope=ProcessCacheScope.PER_SESSION if request.force else ProcessCacheScope.SUCCESSFUL,
    )
    return RtlVectorRun(await Get(FallibleProcessResult, Process, process))


def rules():
    return [*collect_rules(), UnionRule(RtlVectorRunRequest, IcarusRtlVectorRunRequest)]
