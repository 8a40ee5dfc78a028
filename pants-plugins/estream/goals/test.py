"""`test` for `smart_circuit`: golden vectors and journeys against the CPU reference code and RTL.

One sandboxed process per `smart_circuit` target runs all of its vectors (and, for the package's
entry circuit, its journeys): a PEX built from `estream/core/circuit_runner.py` (standard library
only) executes a JSON plan next to the package's `src/` tree. The plan embeds the vectors, the
expected outputs and the compiled port types, so the process is cached by exactly what it reads:
an unchanged package is not re-run.

A circuit with an `implementation.rtl` runs the same vectors a second time, in a simulation of its
RTL (through the `RtlVectorRunRequest` hook, implemented by the `estream.fpga` backend), in
parallel with the CPU run; the target passes when both do, and its output holds both reports.
"""

from __future__ import annotations

import dataclasses
import pkgutil
from typing import Any, Optional, Tuple

from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import EntryPoint
from pants.backend.python.util_rules import pex
from pants.backend.python.util_rules.interpreter_constraints import InterpreterConstraints
from pants.backend.python.util_rules.pex import Pex, PexProcess, PexRequest
from pants.core.goals.test import TestFieldSet, TestRequest, TestResult, TestSubsystem
from pants.engine.fs import (
    EMPTY_FILE_DIGEST,
    CreateDigest,
    Digest,
    DigestEntries,
    FileContent,
    FileEntry,
    MergeDigests,
)
from pants.engine.process import FallibleProcessResult, Process, ProcessCacheScope, ProcessResultMetadata
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import Target
from pants.engine.unions import UnionMembership
from pants.util.logging import LogLevel

from estream.core import circuit_runner, esf_json
from estream.core.errors import EstreamError
from estream.subsystems.test import EstreamTestSubsystem
from estream.target_types import CircuitSourceField, SkipSmartCircuitTestsField, SmartCircuitTimeoutField
from estream.util_rules import circuits
from estream.util_rules.circuits import SmartCircuitPackage, SmartCircuitPackageRequest
from estream.util_rules.rtl_vectors import RtlVectorRun, RtlVectorRunRequest

RUNNER_MODULE = "estream_circuit_runner"
PLAN_FILE = "__estream_plan.json"


@dataclasses.dataclass(frozen=True)
class SmartCircuitTestFieldSet(TestFieldSet):
    required_fields = (CircuitSourceField,)

    sources: CircuitSourceField
    timeout: SmartCircuitTimeoutField

    @classmethod
    def opt_out(cls, tgt: Target) -> bool:
        return tgt.get(SkipSmartCircuitTestsField).value


class SmartCircuitTestRequest(TestRequest):
    tool_subsystem = EstreamTestSubsystem
    field_set_type = SmartCircuitTestFieldSet


@dataclasses.dataclass(frozen=True)
class CircuitRunnerPexRequest:
    pass


@rule(desc="Build the circuit test runner", level=LogLevel.DEBUG)
async def build_circuit_runner(_: CircuitRunnerPexRequest, python_setup: PythonSetup) -> Pex:
    # The runner ships as source (it runs in the sandbox, not in Pants' process); importing it
    # here also makes it a dependency of this module.
    package = circuit_runner.__name__.rpartition(".")[0]
    source = pkgutil.get_data(package, "circuit_runner.py")
    encoding = pkgutil.get_data(package, "esf_json.py")
    assert source is not None and encoding is not None
    digest = await Get(
        Digest,
        CreateDigest(
            [FileContent(f"{RUNNER_MODULE}.py", source), FileContent(esf_json.SHIPPED_NAME, encoding)]
        ),
    )
    return await Get(
        Pex,
        PexRequest(
            output_filename="estream_circuit_runner.pex",
            internal_only=True,
            sources=digest,
            main=EntryPoint(RUNNER_MODULE, "main"),
            interpreter_constraints=InterpreterConstraints(python_setup.interpreter_constraints),
        ),
    )


def _failed(address: Any, message: str, output_setting: Any) -> TestResult:
    return TestResult(
        exit_code=1,
        stdout="",
        stdout_digest=EMPTY_FILE_DIGEST,
        stderr=message + "\n",
        stderr_digest=EMPTY_FILE_DIGEST,
        addresses=(address,),
        output_setting=output_setting,
        result_metadata=None,
    )


async def _combined_result(
    address: Any,
    results: Tuple[FallibleProcessResult, ...],
    output_setting: Any,
    *,
    error: Optional[str] = None,
) -> TestResult:
    """One TestResult for the CPU and RTL runs of a circuit: it passes when both pass.

    The output is both reports in order (and `error`, a problem that kept the RTL run from
    starting, which fails the test); the metadata is that of a run that really ran, if any did
    (so `test` says "ran" rather than "cached" when one half was re-run), with the runs' times
    added up.
    """
    stdout = b"".join(r.stdout for r in results)
    stderr = b"".join(r.stderr for r in results) + (f"{error}\n".encode() if error else b"")
    digest = await Get(Digest, CreateDigest([FileContent("stdout", stdout), FileContent("stderr", stderr)]))
    entries = {e.path: e for e in await Get(DigestEntries, Digest, digest) if isinstance(e, FileEntry)}
    exit_code = next((r.exit_code for r in results if r.exit_code != 0), 1 if error else 0)
    ran = [r.metadata for r in results if r.metadata._source == ProcessResultMetadata.Source.RAN.value]
    metadata = ran[0] if ran else results[0].metadata
    elapsed = [r.metadata.total_elapsed_ms for r in results]
    if all(ms is not None for ms in elapsed):
        metadata = dataclasses.replace(metadata, total_elapsed_ms=sum(ms for ms in elapsed if ms is not None))
    return TestResult(
        exit_code=exit_code,
        stdout=stdout.decode(),
        stdout_digest=entries["stdout"].file_digest,
        stderr=stderr.decode(),
        stderr_digest=entries["stderr"].file_digest,
        addresses=(address,),
        output_setting=output_setting,
        result_metadata=metadata,
    )


@rule(desc="Run SmartCircuit golden vectors", level=LogLevel.DEBUG)
async def run_smart_circuit_tests(
    batch: SmartCircuitTestRequest.Batch[SmartCircuitTestFieldSet, Any],
    test_subsystem: TestSubsystem,
    estream_test: EstreamTestSubsystem,
    union_membership: UnionMembership,
) -> TestResult:
    field_set = batch.single_element
    try:
        package = await Get(SmartCircuitPackage, SmartCircuitPackageRequest(field_set.address))
        plans = [
            package.plan(implementation, estream_test.tags)
            for implementation in (("cpu", "rtl") if package.circuit.rtl is not None else ("cpu",))
        ]
    except EstreamError as e:
        return _failed(field_set.address, e.render(), test_subsystem.output)
    planned, rtl_planned = plans[0], (plans[1] if len(plans) > 1 else None)
    if planned.case_count == 0:
        return TestResult.no_tests_found(field_set.address, test_subsystem.output)
    timeout = field_set.timeout.calculate_from_global_options(test_subsystem)
    rtl_request, rtl_error = None, None
    if rtl_planned is not None and rtl_planned.case_count:
        members = union_membership.get(RtlVectorRunRequest)
        if members:
            request_type = next(iter(members))
            rtl_request = request_type(
                package, rtl_planned.to_json(), rtl_planned.case_count, timeout, test_subsystem.force
            )
        else:
            rtl_error = (
                f"error: {package.circuit.path}: `implementation.rtl`: simulating RTL needs the FPGA backend\n"
                '  help: add "estream.fpga" to `[GLOBAL].backend_packages` in pants.toml'
            )
    runner, plan_digest = await Get(Pex, CircuitRunnerPexRequest()), await Get(
        Digest, CreateDigest([FileContent(PLAN_FILE, planned.to_json())])
    )
    input_digest = await Get(Digest, MergeDigests([package.src_digest, plan_digest]))
    process = await Get(
        Process,
        PexProcess(
            runner,
            argv=[PLAN_FILE],
            input_digest=input_digest,
            description=f"Run {planned.case_count} golden vector(s)/journey(s) of {field_set.address}",
            level=LogLevel.DEBUG,
            extra_env={"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"},
            timeout_seconds=timeout,
        ),
    )
    process = dataclasses.replace(
        process,
        cache_scope=ProcessCacheScope.PER_SESSION if test_subsystem.force else ProcessCacheScope.SUCCESSFUL,
    )
    if rtl_request is None:
        result = await Get(FallibleProcessResult, Process, process)
        if rtl_error is None:
            return TestResult.from_fallible_process_result(result, field_set.address, test_subsystem.output)
        return await _combined_result(field_set.address, (result,), test_subsystem.output, error=rtl_error)
    cpu, rtl = await MultiGet(
        Get(FallibleProcessResult, Process, process),
        Get(RtlVectorRun, RtlVectorRunRequest, rtl_request),
    )
    results = (cpu,) if rtl.result is None else (cpu, rtl.result)
    return await _combined_result(field_set.address, results, test_subsystem.output, error=rtl.error)


def rules():
    return [*collect_rules(), *circuits.rules(), *pex.rules(), *SmartCircuitTestRequest.rules()]
