"""`verify --fpga`: check a package's FPGA bitstreams against `fpga/manifest.toml` (SmartCircuit
package format §7.3).

Pure code (no Pants imports). `verify_fpga(files)` takes a package as `read_archive` or
`read_package_dir` return it (path -> bytes) and reports, each as a `Finding` with its own exit
code (`estream.core.verify.ExitCode` 20-27):

* FPGA_MANIFEST_MISSING: `[component.circuit].targets` include "fpga" but there is no
  fpga/manifest.toml;
* FPGA_MANIFEST_INVALID: fpga/manifest.toml does not parse (`estream.core.fpga.manifest`), one
  finding per problem, naming the line and key;
* FPGA_PACKAGE_MANIFEST_INVALID: estream-component.toml is missing or invalid, so the version
  and device families cannot be checked;
* FPGA_VERSION_MISMATCH: `[fpga].circuit_version` is not exactly the package's version;
* FPGA_DEVICE_UNDECLARED: a target's `device_family` is not in
  `[component.circuit.fpga].device_families` (or the package has no such table);
* FPGA_CHECKSUM_MISMATCH: a listed bitstream's SHA3-256 differs from its `checksum`;
* FPGA_BITSTREAM_MISSING: a listed bitstream is not in the package;
* FPGA_UNLISTED_BITSTREAM: a file under fpga/ with a bitstream suffix (`BITSTREAM_SUFFIXES`,
  any case, in any subdirectory) that the manifest does not list. A stray bitstream is what a
  careless loader globbing `fpga/*.bit` would pick up without a checksum or device check.

Decisions the spec leaves open:

* Other files under fpga/ (LICENSE, README.md, nextpnr's report.json, ...) are allowed: they are
  signed like every file, are listed in the report as other files, and no FPGA check applies to
  them. A loader must load only the bitstreams the manifest lists. When the manifest itself is
  invalid, nothing is known to be listed, so unlisted bitstreams are not reported on top.
* `verified = false` is a warning, not a finding: the exit code is unaffected. The bitstream is
  signed and its checksum checked; the attestation that it was verified on the device is what is
  missing, and the report says so on the bitstream's line (and the JSON says `verified: false`).
* A device family declared in `[component.circuit.fpga].device_families` without a bitstream is
  a warning too: bitstreams may be licensed and shipped for some parts only (§7.2).
* A package without an FPGA target, fpga/manifest.toml or bitstream passes, with the line
  "FPGA bitstreams: none (the package has no FPGA target)".
* Latency and throughput: when the package ships `fpga/latency.json` (written by `package`:
  cycles per operation counted in the RTL simulation x each bitstream's routed fmax,
  estream/core/fpga/latency.py), the report shows ns per operation and operations per second
  per device next to the spec's §9.3 targets, saying which device meets which. They are
  measurements the signer attests, not something `verify` can re-measure. An unreadable
  latency.json, or one naming a bitstream the manifest does not list, is a warning: the
  figures are information, the bitstreams' integrity is what the exit code is about.
* The checks run whatever the signature says. A consistent FPGA manifest proves nothing about
  who built the bitstreams when the signature fails (the manifest can be rewritten along with
  them), so the combined report says so and its exit code is the most severe of both
  (`SignatureAndFpgaReport`): signature findings always rank first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from estream.core.errors import EstreamError
from estream.core.fpga.latency import LATENCY_PATH, LatencyRow, parse_latency_json, render_text, summary
from estream.core.fpga.manifest import (
    FPGA_DIR,
    FPGA_MANIFEST_PATH,
    FpgaManifest,
    FpgaTarget,
    parse_fpga_manifest,
    sha3_checksum,
)
from estream.core.manifest import MANIFEST_FILENAME, Manifest, parse_manifest
from estream.core.terminal_text import for_terminal
from estream.core.verify import (
    SEVERITY,
    ExitCode,
    Finding,
    VerificationReport,
    dot_leaders,
    expected_actual_lines,
    findings_from_error,
    most_severe,
    result_line,
    title,
    verify_package,
)

__all__ = [
    "BITSTREAM_SUFFIXES",
    "BitstreamCheck",
    "FpgaReport",
    "SignatureAndFpgaReport",
    "is_bitstream_like",
    "verify_fpga",
    "check_fpga_consistency",
    "verify_package_with_fpga",
]

#: Suffixes of FPGA configuration files a programmer or loader accepts (Xilinx, Lattice, Intel,
#: Gowin, Microchip and generic JTAG formats). A file under fpga/ with one of them must be listed.
BITSTREAM_SUFFIXES: Tuple[str, ...] = (
    ".bit",
    ".bin",
    ".bitstream",
    ".rbf",
    ".sof",
    ".pof",
    ".jed",
    ".fs",
    ".mcs",
    ".pdi",
    ".svf",
    ".xsvf",
)


def is_bitstream_like(path: str) -> bool:
    return path.lower().endswith(BITSTREAM_SUFFIXES)


@dataclass(frozen=True)
class BitstreamCheck:
    """One listed target and what was found for it. `actual` is None when the file is missing;
    `device_declared` is None when the package manifest could not be read."""

    target: FpgaTarget
    actual: Optional[str]
    device_declared: Optional[bool]

    @property
    def status(self) -> str:
        if self.actual is None:
            return "missing"
        return "match" if self.actual == self.target.checksum else "mismatch"

    def to_dict(self) -> Dict[str, Any]:
        t = self.target
        return {
            "bitstream": t.bitstream,
            "path": t.path,
            "status": self.status,
            "device_family": t.device_family,
            "device_declared": self.device_declared,
            "checksum": t.checksum,
            "actual": self.actual,
            "clock_mhz": t.clock_mhz,
            "resource_usage": dict(t.resource_usage),
            "verified": t.verified,
            "verified_by": t.verified_by,
            "verified_at": t.verified_at,
        }


def _mhz(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _details(target: FpgaTarget) -> str:
    parts = []
    if "luts" in target.resource_usage:
        parts.append(f"{target.resource_usage['luts']:,} LUTs")
    parts.append(f"{_mhz(target.clock_mhz)} MHz")
    return f" ({', '.join(parts)})"


def _under_fpga(path: str) -> str:
    return path[len(FPGA_DIR) + 1 :]


# Findings shown on (or under) a bitstream's line of the report rather than below the list.
_ON_BITSTREAM_LINES = (
    ExitCode.FPGA_CHECKSUM_MISMATCH,
    ExitCode.FPGA_BITSTREAM_MISSING,
    ExitCode.FPGA_UNLISTED_BITSTREAM,
    ExitCode.FPGA_DEVICE_UNDECLARED,
)


@dataclass(frozen=True)
class FpgaReport:
    """Everything `verify_fpga` learned; `ok` when there are no findings (warnings allowed)."""

    findings: Tuple[Finding, ...]
    fpga_target: bool = False
    manifest_present: bool = False
    circuit_version: Optional[str] = None
    package_version: Optional[str] = None
    checks: Tuple[BitstreamCheck, ...] = ()
    unlisted: Tuple[str, ...] = ()
    unchecked: Tuple[str, ...] = ()  # bitstream-like files, when the manifest is invalid
    other_files: Tuple[str, ...] = ()
    warnings: Tuple[str, ...] = ()
    license: Optional[str] = None
    package_license: Optional[str] = None
    attesters: Tuple[Tuple[str, str], ...] = ()  # (verified_by, YYYY-MM-DD) of verified targets
    latency: Tuple[LatencyRow, ...] = ()  # from fpga/latency.json

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def has_fpga(self) -> bool:
        return self.fpga_target or self.manifest_present or bool(self.unlisted)

    @property
    def exit_code(self) -> ExitCode:
        kinds = {f.kind for f in self.findings}
        return next((kind for kind in SEVERITY if kind in kinds), ExitCode.VALID)

    def render_lines(self, *, signature_ok: bool = True) -> List[str]:
        """The FPGA part of the report (§7.3), without a `Result:` line."""
        if not self.has_fpga and not self.findings:
            lines = ["  FPGA bitstreams: none (the package has no FPGA target)"]
            if self.other_files:
                lines.append(
                    f"  Other files under fpga/: {', '.join(self.other_files)} (no bitstreams; not checked)"
                )
            return lines
        lines = ["  FPGA bitstreams:"]
        labels = [c.target.bitstream for c in self.checks] + [_under_fpga(p) for p in self.unlisted]
        leaders = iter(dot_leaders(labels, longest=3))
        mismatch = {f.path: f for f in self.findings if f.kind == ExitCode.FPGA_CHECKSUM_MISMATCH}
        undeclared = {f.path: f for f in self.findings if f.kind == ExitCode.FPGA_DEVICE_UNDECLARED}
        for check in self.checks:
            leader = next(leaders)
            t = check.target
            if check.status == "match":
                lines.append(f"    {leader}✓ SHA3-256 match{_details(t)}")
            elif check.status == "mismatch":
                lines.append(f"    {leader}✗ SHA3-256 mismatch")
                lines += expected_actual_lines(mismatch[t.path])
            else:
                lines.append(f"    {leader}✗ missing (listed in {FPGA_MANIFEST_PATH})")
            if t.path in undeclared:
                lines.append(f"        ✗ {undeclared[t.path].message}")
            if not t.verified:
                lines.append(f"        ⚠ not verified (verified = false in {FPGA_MANIFEST_PATH})")
        for _ in self.unlisted:
            lines.append(f"    {next(leaders)}✗ not listed in {FPGA_MANIFEST_PATH}")
        if self.unchecked:
            lines.append(
                f"    not checked, {FPGA_MANIFEST_PATH} is invalid: {', '.join(_under_fpga(p) for p in self.unchecked)}"
            )
        elif not self.checks and not self.unlisted:
            lines.append("    (none)")
        general = [f for f in self.findings if f.kind not in _ON_BITSTREAM_LINES]
        if general or self.warnings:
            lines.append("")
            lines += [f"    ✗ {title(f.kind)}: {f.message}" for f in general]
            lines += [f"    ⚠ {w}" for w in self.warnings]
        lines.append("")
        if self.other_files:
            lines.append(
                f"  Other files under fpga/: {', '.join(self.other_files)} (no bitstreams; not checked)"
            )
        if self.license is not None and self.license != self.package_license:
            lines.append(f"  Bitstream license: {self.license} (circuit definition: {self.package_license})")
        if self.latency:
            lines.append(
                f"  Latency and throughput ({LATENCY_PATH}: cycles counted in RTL simulation x routed fmax):"
            )
            lines += ["    " + line for line in render_text(self.latency)]
            lines += ["    " + line for line in summary(self.latency)]
        if self.checks:
            who = ", ".join(f"{by} ({day})" for by, day in self.attesters)
            lines.append(f"  Verified by: {who or 'nobody (no target has verified = true)'}")
        if not signature_ok and self.checks:
            lines.append(
                "  ⚠ The package signature did not verify: matching checksums only show the bitstreams "
                f"agree with {FPGA_MANIFEST_PATH}, not who built them."
            )
        if lines[-1] == "":
            lines.pop()
        # Names, licenses and attesters come from the package: escaped for the terminal.
        return [for_terminal(line) for line in lines]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "valid": self.ok,
            "exit_code": int(self.exit_code),
            "result": self.exit_code.name.lower(),
            "fpga_target": self.fpga_target,
            "manifest": FPGA_MANIFEST_PATH if self.manifest_present else None,
            "circuit_version": self.circuit_version,
            "package_version": self.package_version,
            "bitstreams": [c.to_dict() for c in self.checks],
            "unlisted": list(self.unlisted),
            "unchecked": list(self.unchecked),
            "other_files": list(self.other_files),
            "license": {"bitstreams": self.license, "circuit_definition": self.package_license},
            "verified_by": [{"key_id": by, "date": day} for by, day in self.attesters],
            "latency": [
                {
                    "device": r.device,
                    "operation": r.operation,
                    "cycles_per_op": r.count.cycles,
                    "constant_time": r.count.constant,
                    "fmax_mhz": r.fmax_mhz,
                    "ns_per_op": r.ns_per_op,
                    "ops_per_s": r.ops_per_s,
                    "target": r.verdict(),
                    "latency_met": r.latency_met(),
                    "throughput_met": r.throughput_met(),
                }
                for r in self.latency
            ],
            "warnings": list(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }


def _package_manifest(files: Mapping[str, bytes], findings: List[Finding]) -> Optional[Manifest]:
    content = files.get(MANIFEST_FILENAME)
    if content is None:
        findings.append(
            Finding(
                ExitCode.FPGA_PACKAGE_MANIFEST_INVALID,
                f"no {MANIFEST_FILENAME}: cannot check the FPGA manifest against the package",
                path=MANIFEST_FILENAME,
            )
        )
        return None
    try:
        return parse_manifest(content, MANIFEST_FILENAME)
    except EstreamError as e:
        findings += findings_from_error(e, ExitCode.FPGA_PACKAGE_MANIFEST_INVALID, path=MANIFEST_FILENAME)
        return None


def _check_targets(
    fpga: FpgaManifest, files: Mapping[str, bytes], package: Optional[Manifest], findings: List[Finding]
) -> List[BitstreamCheck]:
    spec = package.circuit.fpga if package is not None and package.circuit is not None else None
    declared = spec.device_families if spec is not None else ()
    checks = []
    for index, target in enumerate(fpga.targets):
        device_ok: Optional[bool] = None
        if package is not None:
            device_ok = target.device_family in declared
            if not device_ok:
                where = (
                    f"[component.circuit.fpga].device_families ({', '.join(declared)})"
                    if spec is not None
                    else "the package: it has no [component.circuit.fpga] table"
                )
                findings.append(
                    Finding(
                        ExitCode.FPGA_DEVICE_UNDECLARED,
                        f"device family {json.dumps(target.device_family)} (`fpga.targets[{index}].device_family`) "
                        f"is not declared in {where}",
                        path=target.path,
                    )
                )
        content = files.get(target.path)
        actual = None if content is None else sha3_checksum(content)
        if actual is None:
            findings.append(
                Finding(
                    ExitCode.FPGA_BITSTREAM_MISSING,
                    f"missing (listed in {FPGA_MANIFEST_PATH})",
                    path=target.path,
                )
            )
        elif actual != target.checksum:
            findings.append(
                Finding(
                    ExitCode.FPGA_CHECKSUM_MISMATCH,
                    f"SHA3-256 mismatch: the bitstream is not the one {FPGA_MANIFEST_PATH} lists",
                    path=target.path,
                    expected=target.checksum,
                    actual=actual,
                )
            )
        checks.append(BitstreamCheck(target, actual, device_ok))
    return checks


def _fpga_manifest(
    raw: Optional[bytes], fpga_target: bool, findings: List[Finding]
) -> Optional[FpgaManifest]:
    """The parsed fpga manifest (RAW, None when absent), or None with a finding when it is
    invalid, or absent though the package targets fpga."""
    if raw is None:
        if fpga_target:
            findings.append(
                Finding(
                    ExitCode.FPGA_MANIFEST_MISSING,
                    f'[component.circuit].targets include "fpga" but the package has no {FPGA_MANIFEST_PATH}',
                    path=FPGA_MANIFEST_PATH,
                )
            )
        return None
    try:
        return parse_fpga_manifest(raw, FPGA_MANIFEST_PATH)
    except EstreamError as e:
        findings += findings_from_error(e, ExitCode.FPGA_MANIFEST_INVALID, path=FPGA_MANIFEST_PATH)
        return None


def verify_fpga(files: Mapping[str, bytes]) -> FpgaReport:
    """Check a package's FPGA bitstreams and manifest (see the module docstring), collecting
    every finding; nothing here raises on hostile input."""
    findings: List[Finding] = []
    warnings: List[str] = []
    package = _package_manifest(files, findings)
    circuit = package.circuit if package is not None else None
    spec = circuit.fpga if circuit is not None else None
    fpga_target = circuit is not None and "fpga" in circuit.targets
    under_fpga = sorted(p for p in files if p.startswith(FPGA_DIR + "/") and p != FPGA_MANIFEST_PATH)

    raw = files.get(FPGA_MANIFEST_PATH)
    fpga = _fpga_manifest(raw, fpga_target, findings)

    checks: List[BitstreamCheck] = []
    listed = set()
    if fpga is not None:
        if package is not None and fpga.circuit_version != str(package.version):
            findings.append(
                Finding(
                    ExitCode.FPGA_VERSION_MISMATCH,
                    f"{FPGA_MANIFEST_PATH} is for circuit version {fpga.circuit_version}, "
                    f"but the package is version {package.version}",
                    path=FPGA_MANIFEST_PATH,
                    expected=str(package.version),
                    actual=fpga.circuit_version,
                )
            )
        checks = _check_targets(fpga, files, package, findings)
        listed = {t.path for t in fpga.targets}
        built = {t.device_family for t in fpga.targets}
        for family in spec.device_families if spec is not None else ():
            if family not in built:
                warnings.append(
                    f"device family {json.dumps(family)} is declared in [component.circuit.fpga] but has no bitstream"
                )

    stray = [p for p in under_fpga if p not in listed and is_bitstream_like(p)]
    manifest_known = raw is None or fpga is not None  # an invalid manifest lists nothing we can trust
    unlisted = stray if manifest_known else []
    findings += [
        Finding(ExitCode.FPGA_UNLISTED_BITSTREAM, f"not listed in {FPGA_MANIFEST_PATH}", path=p)
        for p in unlisted
    ]
    latency = _latency(files, fpga, warnings)
    other = [
        _under_fpga(p)
        for p in under_fpga
        if p not in listed and p not in stray and not (latency and p == LATENCY_PATH)
    ]
    attesters = sorted(
        {(t.verified_by, t.verified_at[:10]) for t in (fpga.targets if fpga else ()) if t.verified}
    )
    return FpgaReport(
        findings=tuple(findings),
        fpga_target=fpga_target,
        manifest_present=raw is not None,
        circuit_version=fpga.circuit_version if fpga else None,
        package_version=str(package.version) if package is not None else None,
        checks=tuple(checks),
        unlisted=tuple(unlisted),
        unchecked=() if manifest_known else tuple(stray),
        other_files=tuple(other),
        warnings=tuple(warnings),
        license=spec.license if spec is not None else None,
        package_license=package.license if package is not None else None,
        attesters=tuple(attesters),
        latency=tuple(latency),
    )


def _latency(
    files: Mapping[str, bytes], fpga: Optional[FpgaManifest], warnings: List[str]
) -> List[LatencyRow]:
    raw = files.get(LATENCY_PATH)
    if raw is None:
        return []
    try:
        entries = parse_latency_json(raw)
        listed = {t.bitstream for t in fpga.targets} if fpga is not None else set()
        unknown = [e.bitstream for e in entries if e.bitstream not in listed]
        if unknown:
            warnings.append(
                f"{LATENCY_PATH} has figures for {', '.join(unknown)}, which {FPGA_MANIFEST_PATH} does not list; not shown"
            )
            return []
        return [row for e in entries for row in e.rows(where=LATENCY_PATH)]
    except EstreamError as e:
        warnings.append(f"{LATENCY_PATH} is unreadable, latency not shown: {e.render().strip()}")
        return []


@dataclass(frozen=True)
class SignatureAndFpgaReport:
    """`verify --fpga`: the signature report, then the FPGA report; the most severe code wins."""

    signature: VerificationReport
    fpga: FpgaReport

    @property
    def findings(self) -> Tuple[Finding, ...]:
        return self.signature.findings + self.fpga.findings

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> ExitCode:
        return most_severe([self.signature.exit_code, self.fpga.exit_code])

    def render(self) -> str:
        lines = self.signature.render_lines() + [""] + self.fpga.render_lines(signature_ok=self.signature.ok)
        if not self.ok:
            lines += ["", result_line(self.exit_code)]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> Dict[str, Any]:
        """The signature report's JSON with the combined result, every finding, and `fpga`."""
        doc = self.signature.to_dict()
        doc.update(
            valid=self.ok,
            exit_code=int(self.exit_code),
            result=self.exit_code.name.lower(),
            signature_exit_code=int(self.signature.exit_code),
            findings=[f.to_dict() for f in self.findings],
            fpga=self.fpga.to_dict(),
        )
        return doc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check_fpga_consistency(files: Mapping[str, bytes], *, source: str, action: str) -> None:
    """Raise EstreamError unless `verify_fpga(files)` finds nothing: for the registry, which must
    neither publish nor install a package whose bitstreams disagree with its fpga/manifest.toml,
    even when a trusted key signed it."""
    report = verify_fpga(files)
    if not report.ok:
        raise EstreamError.single(
            source,
            f"the FPGA bitstreams do not match {FPGA_MANIFEST_PATH} (exit {int(report.exit_code)}, "
            f"{report.exit_code.name.lower()}); {action}:\n" + "\n".join(report.render_lines()).rstrip(),
            help="rebuild the package with `pants package`, which writes the bitstreams and their manifest together",
        )


def verify_package_with_fpga(files: Mapping[str, bytes], **kwargs: Any) -> SignatureAndFpgaReport:
    """`verify_package(files, **kwargs)` and `verify_fpga(files)` together."""
    return SignatureAndFpgaReport(verify_package(files, **kwargs), verify_fpga(files))
