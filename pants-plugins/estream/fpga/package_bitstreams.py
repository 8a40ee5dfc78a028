"""Bitstreams in marketplace packages: `fpga/<bitstream>` and `fpga/manifest.toml` (§7.1).

A member of the core backend's `PackageFilesRequest` hook, for `marketplace_package` targets with
`bitstreams=`. It builds each bitstream (the same cached build as `package` of the
`fpga_bitstream` target, so timing is checked), checks the package's manifest declares them
(`targets` include fpga; `[component.circuit.fpga].device_families` lists exactly their device
families), and writes the bitstream manifest: circuit version, and per bitstream its device
family, SHA3-256 checksum, target clock, resource use from nextpnr's report and verification.

`verified = true` means more than "it built": a circuit of the package has an
`implementation.rtl` whose `top` and `sources` are the bitstream's, and its golden vectors pass
in RTL simulation (the same run as `test`, cached). Several circuits may share one design (the
lex map's get, put and cas are one register map): then the vectors of every one of them must
pass. A bitstream whose RTL fails them is not packaged; one that no circuit's RTL covers is
packaged with `verified = false` and a warning.
`verified_by` is the signing key's id and `verified_at` the signature's `signed_at`: the signer
attests the verification, and the build date never enters the archive.

Latency and throughput: the same RTL run counts cycles per operation (its testbench's counter,
estream/core/fpga/rtl_sim.py); with each bitstream's routed fmax they go into `fpga/latency.json`
(estream/core/fpga/latency.py) and into the build summary, each operation against the spec's
§9.3 target (met or not). The cycles of a design are those of all the circuits sharing it
(`map.get` is counted in map_get's vectors and in the read-back of put and cas), and the entry's
`circuit` names them all (`map_cas, map_get, map_put`). A verified bitstream whose testbench
counts no cycles gets no row.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from pants.engine.addresses import Addresses, UnparsedAddressInputs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    DependenciesRequest,
    Target,
    Targets,
    WrappedTarget,
    WrappedTargetRequest,
)
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from estream.core.circuit import Circuit
from estream.core.errors import Diagnostic, EstreamError
from estream.core.fpga.latency import (
    LATENCY_PATH,
    BitstreamLatency,
    cycles_from_output,
    render_latency_json,
    render_text,
    summary,
)
from estream.core.fpga.manifest import (
    FPGA_MANIFEST_PATH,
    FpgaManifest,
    FpgaTarget,
    render_fpga_manifest,
    sha3_checksum,
)
from estream.core.fpga.report import NextpnrReport
from estream.core.manifest import Manifest
from estream.fpga import rtl_vectors
from estream.fpga.bitstream import BuildBitstreamRequest, BuiltBitstream
from estream.fpga.bitstream import rules as bitstream_rules
from estream.fpga.rtl_vectors import EdalizeRtlVectorRunRequest
from estream.fpga.target_types import FpgaBitstreamFieldSet, MarketplacePackageBitstreamsField
from estream.target_types import CircuitSourceField, MarketplacePackageDependenciesField
from estream.util_rules import circuits
from estream.util_rules.circuits import SmartCircuitPackage, SmartCircuitPackageRequest
from estream.util_rules.package_contents import package_relative
from estream.util_rules.package_extensions import PackageFiles, PackageFilesRequest
from estream.util_rules.rtl_vectors import RtlVectorRun, RtlVectorRunRequest

logger = logging.getLogger(__name__)

# nextpnr's resource classes (report.py) -> the manifest's resource keys. iCE40 logic cells
# (one LUT4 and one flip-flop each) count as LUTs; its flip-flops are not reported separately.
USAGE_KEYS = {
    "logic_cells": "luts",
    "luts": "luts",
    "flip_flops": "ffs",
    "bram": "brams",
    "dsp": "dsps",
    "io": "ios",
}


@dataclass(frozen=True)
class FpgaPackageFilesRequest(PackageFilesRequest):
    @classmethod
    def is_applicable(cls, target: Target) -> bool:
        return bool(target.get(MarketplacePackageBitstreamsField).value)


def resource_usage(report: NextpnrReport, family: str) -> Dict[str, int]:
    """The manifest's `resource_usage` (used counts) from nextpnr's report."""
    return {USAGE_KEYS[cls]: used for cls, (used, _available) in report.resources(family).items()}


def check_device_families(manifest: Manifest, built: Sequence[Tuple[str, str]], *, where: str) -> None:
    """`built` is (target address, device family) per bitstream: the manifest must declare
    an FPGA target whose device families are exactly these."""
    spec = manifest.circuit
    if spec is None or "fpga" not in spec.targets or spec.fpga is None:
        raise EstreamError.single(
            manifest.path,
            "the package ships bitstreams (`bitstreams=` in its BUILD file), but its manifest has no FPGA target",
            key="component.circuit.targets",
            help='add "fpga" to `targets` and a `[component.circuit.fpga]` table with its `device_families`',
        )
    declared = set(spec.fpga.device_families)
    problems: List[Diagnostic] = []
    for address, family in built:
        if family not in declared:
            problems.append(
                Diagnostic(
                    manifest.path,
                    f"bitstream {address} is for device family `{family}`, which is not declared",
                    key="component.circuit.fpga.device_families",
                    help=f"add \"{family}\" to `device_families` (declared: {', '.join(sorted(declared))})",
                )
            )
    for family in sorted(declared - {f for _, f in built}):
        problems.append(
            Diagnostic(
                manifest.path,
                f"device family `{family}` is declared, but no bitstream of the package is built for it",
                key="component.circuit.fpga.device_families",
                help=f"add an `fpga_bitstream` for it to `bitstreams=` in {where}, or remove it from `device_families`",
            )
        )
    if problems:
        raise EstreamError(problems)


def design_cycles(per_circuit: Iterable[Mapping[str, Sequence[int]]]) -> Dict[str, List[int]]:
    """The cycles per operation of one design, over the runs of every circuit sharing it."""
    merged: Dict[str, List[int]] = {}
    for cycles in per_circuit:
        for operation, samples in cycles.items():
            merged.setdefault(operation, []).extend(samples)
    return merged


def rtl_is_design(circuit: Circuit, top: str, sources: Sequence[str]) -> bool:
    """Whether the circuit's `implementation.rtl` is this design: the same top and the same
    package-relative source files."""
    return circuit.rtl is not None and circuit.rtl.top == top and set(circuit.rtl.sources) == set(sources)


def _covers(
    field_sets: Sequence[FpgaBitstreamFieldSet], root: str, circuit_packages: Sequence[SmartCircuitPackage]
) -> List[List[SmartCircuitPackage]]:
    """Per bitstream, the circuits (by name) whose `implementation.rtl` is its design."""
    covers: List[List[SmartCircuitPackage]] = []
    for fs in field_sets:
        # A source outside the package keeps its build-root path, which no circuit's RTL names.
        paths = [os.path.join(fs.address.spec_path, s) for s in fs.sources.value or ()]
        sources = [package_relative(root, p) or p for p in paths]
        covers.append(
            sorted(
                (p for p in circuit_packages if rtl_is_design(p.circuit, fs.top.value, sources)),
                key=lambda p: p.circuit.name,
            )
        )
    return covers


def _check_rtl_runs(
    runs: Mapping[str, RtlVectorRun], plans: Mapping[str, Any], to_run: Mapping[str, SmartCircuitPackage]
) -> None:
    """Raise for the first circuit whose RTL has no golden vectors, cannot be simulated or fails them."""
    for name, run in runs.items():
        if plans[name].case_count == 0:
            problem = "has no golden vectors, so its bitstreams cannot be verified"
        elif run.error is not None:
            problem = f"could not be simulated, so its bitstreams cannot be verified:\n{run.error}"
        elif run.result is None or run.result.exit_code != 0:
            output = run.result.stdout + run.result.stderr if run.result is not None else b""
            problem = (
                "does not pass its golden vectors, so its bitstreams are not packaged:\n"
                + output.decode("utf-8", "replace").strip()
            )
        else:
            continue
        raise EstreamError.single(
            to_run[name].circuit.path,
            f"the RTL of circuit `{name}` {problem}",
            key="implementation.rtl",
            help=f"`pants test {to_run[name].address}` runs them",
        )


def _bitstream_package_files(
    request: FpgaPackageFilesRequest,
    where: str,
    manifest: Manifest,
    field_sets: Sequence[FpgaBitstreamFieldSet],
    built: Sequence[BuiltBitstream],
    covers: Sequence[Sequence[SmartCircuitPackage]],
    measured: Mapping[str, Mapping[str, Sequence[int]]],
) -> PackageFiles:
    """The bitstreams, `fpga/manifest.toml` and the latency table, with their log lines."""
    entries, lines, files = [], [], []
    latencies: List[BitstreamLatency] = []
    for fs, bitstream, cover in zip(field_sets, built, covers):
        verified = bool(cover)
        circuits = [p.circuit.name for p in cover]
        usage = resource_usage(bitstream.report, bitstream.device.family)
        entries.append(
            FpgaTarget(
                device_family=bitstream.device.device_family,
                bitstream=bitstream.bitstream_name,
                checksum=sha3_checksum(bitstream.bitstream),
                clock_mhz=bitstream.clock_mhz,
                resource_usage=usage,
                verified=verified,
                verified_by=request.key_id,
                verified_at=request.signed_at,
            )
        )
        files.append((f"fpga/{bitstream.bitstream_name}", bitstream.bitstream))
        how = (
            f"verified: RTL passes the golden vectors of {', '.join(f'`{n}`' for n in circuits)}"
            if verified
            else "NOT verified: no circuit's implementation.rtl has this top and these sources"
        )
        fmax = bitstream.report.min_fmax()
        timing = f"fmax {fmax.achieved_mhz:.1f} MHz" if fmax else "no clocked logic"
        lines.append(
            f"fpga/{bitstream.bitstream_name}: {bitstream.device.part}, {usage.get('luts', 0)} LUTs, "
            f"{timing} (target {bitstream.clock_mhz:g} MHz); {how}"
        )
        cycles = design_cycles(measured.get(n, {}) for n in circuits)
        if not verified:
            logger.warning(f"{where}: bitstream {fs.address} is packaged with `verified = false`: {how[14:]}")
        elif fmax is not None and cycles:
            latencies.append(
                BitstreamLatency(
                    bitstream.bitstream_name,
                    bitstream.device.part,
                    fmax.achieved_mhz,
                    ", ".join(circuits),
                    cycles,
                )
            )
    if latencies:
        rows = [row for entry in latencies for row in entry.rows(where=LATENCY_PATH)]
        files.append((LATENCY_PATH, render_latency_json(latencies)))
        lines.append(
            f"{LATENCY_PATH}: cycles per operation counted in RTL simulation x routed fmax, against the spec's §9.3 targets:"
        )
        lines += ["  " + line for line in render_text(rows)]
        lines += ["  " + line for line in summary(rows)]
    rendered = render_fpga_manifest(
        FpgaManifest(circuit_version=str(manifest.version), targets=tuple(entries))
    )
    files.append((FPGA_MANIFEST_PATH, rendered))
    license = manifest.circuit.fpga.license if manifest.circuit and manifest.circuit.fpga else None
    if license and license != manifest.license:
        lines.append(f"bitstreams licensed {license} (circuit definition: {manifest.license})")
    return PackageFiles(files=tuple(files), log_lines=tuple(lines))


@rule(desc="Add bitstreams to a marketplace package", level=LogLevel.DEBUG)
async def fpga_package_files(request: FpgaPackageFilesRequest) -> PackageFiles:
    contents = request.contents
    wrapped = await Get(
        WrappedTarget,
        WrappedTargetRequest(contents.address, description_of_origin="<estream fpga package rules>"),
    )
    where = f"{contents.address.spec_path or '.'}/BUILD: {contents.address}"
    field = wrapped.target[MarketplacePackageBitstreamsField]
    addresses = await Get(Addresses, UnparsedAddressInputs, field.to_unparsed_address_inputs())
    targets, dependencies = await MultiGet(
        Get(Targets, Addresses, addresses),
        Get(Targets, DependenciesRequest(wrapped.target[MarketplacePackageDependenciesField])),
    )
    not_bitstreams = sorted(
        {
            str(t.address.maybe_convert_to_target_generator())
            for t in targets
            if not FpgaBitstreamFieldSet.is_applicable(t)
        }
    )
    if not_bitstreams:
        raise EstreamError.single(
            where,
            f"{', '.join(not_bitstreams)} {'is not an `fpga_bitstream` target' if len(not_bitstreams) == 1 else 'are not `fpga_bitstream` targets'}",
            key="bitstreams",
            help="`bitstreams=` lists `fpga_bitstream` targets only",
        )
    field_sets = [FpgaBitstreamFieldSet.create(t) for t in targets]
    built = await MultiGet(Get(BuiltBitstream, BuildBitstreamRequest(fs)) for fs in field_sets)
    manifest = contents.manifest
    check_device_families(
        manifest, [(str(fs.address), b.device.device_family) for fs, b in zip(field_sets, built)], where=where
    )
    names = [b.bitstream_name for b in built]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise EstreamError.single(
            where,
            f"two bitstreams would both be `fpga/{dupes[0]}`",
            key="bitstreams",
            help="bitstreams are named after their targets: give them distinct names",
        )

    # Verification: the RTL each bitstream is built from passes the circuit's golden vectors.
    circuit_packages = await MultiGet(
        Get(SmartCircuitPackage, SmartCircuitPackageRequest(t.address))
        for t in dependencies
        if t.has_field(CircuitSourceField)
    )
    covers = _covers(field_sets, contents.root, circuit_packages)
    to_run = {p.circuit.name: p for cover in covers for p in cover}
    plans = {name: p.plan("rtl") for name, p in sorted(to_run.items())}
    results = await MultiGet(
        Get(
            RtlVectorRun,
            RtlVectorRunRequest,
            EdalizeRtlVectorRunRequest(to_run[name], plan.to_json(), plan.case_count, None, False),
        )
        for name, plan in plans.items()
    )
    runs: Dict[str, RtlVectorRun] = dict(zip(plans, results))
    _check_rtl_runs(runs, plans, to_run)

    measured = {
        name: cycles_from_output(
            run.result.stdout.decode("utf-8", "replace"), where=to_run[name].circuit.path
        )
        for name, run in runs.items()
        if run.result is not None
    }
    return _bitstream_package_files(request, where, manifest, field_sets, built, covers, measured)


def rules():
    return [
        *collect_rules(),
        *bitstream_rules(),
        *circuits.rules(),
        *rtl_vectors.rules(),
        UnionRule(PackageFilesRequest, FpgaPackageFilesRequest),
    ]
