"""Verify a signed package: every finding is collected, and the exit code is the most severe.

Exit codes (the single source of truth; the CLI returns these):

    0   VALID                  everything checks out
    2   USAGE                  bad arguments, unreadable input, malformed keyring/key file
    10  MODIFIED               a listed file's content differs from its recorded hash/size
    11  MISSING                a listed file is absent
    12  UNLISTED               a file is present but not listed in SIGNATURE.ml-dsa
    13  MERKLE_MISMATCH        the listed entries do not hash to the recorded merkle_root
    14  BAD_SIGNATURE          ML-DSA-87 check failed, or key_fingerprint != SHA3-256(public key)
    15  UNKNOWN_KEY            the signing key is neither in the keyring nor passed with --key
    16  UNTRUSTED_KEY          the key is revoked, or is a development key that was not allowed
    17  MALFORMED_SIGNATURE    SIGNATURE.ml-dsa missing, not JSON, missing fields, wrong
                               algorithm/format_version, bad hex or lengths
    18  NAME_VERSION_MISMATCH  signed package name/version != estream-component.toml [component]
                               (or != the archive's top directory)

With `--fpga` (`estream.core.fpga.verify`, SmartCircuit package format §7.3), also:

    20  FPGA_MANIFEST_MISSING          targets include "fpga" but there is no fpga/manifest.toml
    21  FPGA_MANIFEST_INVALID          fpga/manifest.toml is malformed (bad TOML, types, keys, ...)
    22  FPGA_PACKAGE_MANIFEST_INVALID  estream-component.toml is missing or invalid, so the
                                       package's FPGA declarations cannot be checked
    23  FPGA_VERSION_MISMATCH          [fpga].circuit_version != the package version
    24  FPGA_DEVICE_UNDECLARED         a target's device_family is not in
                                       [component.circuit.fpga].device_families
    25  FPGA_CHECKSUM_MISMATCH         a bitstream's SHA3-256 differs from its manifest checksum
    26  FPGA_BITSTREAM_MISSING         a listed bitstream is not in the package
    27  FPGA_UNLISTED_BITSTREAM        a bitstream-like file under fpga/ is not in the manifest

Severity, most severe first (`SEVERITY`): 17, 14, 13, 15, 16, 18, 10, 11, 12, then
21, 22, 20, 25, 26, 23, 24, 27. Problems with the signature itself come first because they make
every other statement in the file unreliable; then who signed it; then whether it is this package
at all; then per-file findings. FPGA findings come after every signature finding: the FPGA
manifest is one of the signed files, so its checks mean something only once the signature holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from estream.core.errors import MAX_DIAGNOSTICS, EstreamError
from estream.core.keys import REVOKED, Keyring, PublicKey, empty_keyring, fingerprint
from estream.core.merkle import SIGNATURE_FILE, FileEntry, format_digest, merkle_root, sha3_256_many
from estream.core.signature import (
    CONTEXT,
    MANIFEST_FILE,
    SignatureFile,
    manifest_identity,
    parse_signature_file,
)
from estream.core.terminal_text import for_terminal


class ExitCode(IntEnum):
    """Process exit codes of `estream marketplace verify`; see the module docstring."""

    VALID = 0
    USAGE = 2
    MODIFIED = 10
    MISSING = 11
    UNLISTED = 12
    MERKLE_MISMATCH = 13
    BAD_SIGNATURE = 14
    UNKNOWN_KEY = 15
    UNTRUSTED_KEY = 16
    MALFORMED_SIGNATURE = 17
    NAME_VERSION_MISMATCH = 18
    FPGA_MANIFEST_MISSING = 20
    FPGA_MANIFEST_INVALID = 21
    FPGA_PACKAGE_MANIFEST_INVALID = 22
    FPGA_VERSION_MISMATCH = 23
    FPGA_DEVICE_UNDECLARED = 24
    FPGA_CHECKSUM_MISMATCH = 25
    FPGA_BITSTREAM_MISSING = 26
    FPGA_UNLISTED_BITSTREAM = 27


SEVERITY: Tuple[ExitCode, ...] = (
    ExitCode.MALFORMED_SIGNATURE,
    ExitCode.BAD_SIGNATURE,
    ExitCode.MERKLE_MISMATCH,
    ExitCode.UNKNOWN_KEY,
    ExitCode.UNTRUSTED_KEY,
    ExitCode.NAME_VERSION_MISMATCH,
    ExitCode.MODIFIED,
    ExitCode.MISSING,
    ExitCode.UNLISTED,
    ExitCode.FPGA_MANIFEST_INVALID,
    ExitCode.FPGA_PACKAGE_MANIFEST_INVALID,
    ExitCode.FPGA_MANIFEST_MISSING,
    ExitCode.FPGA_CHECKSUM_MISMATCH,
    ExitCode.FPGA_BITSTREAM_MISSING,
    ExitCode.FPGA_VERSION_MISMATCH,
    ExitCode.FPGA_DEVICE_UNDECLARED,
    ExitCode.FPGA_UNLISTED_BITSTREAM,
)


def most_severe(codes: Iterable[int]) -> ExitCode:
    """Combine exit codes (e.g. of several packages) by SEVERITY, not numerically.

    USAGE (2) outranks every finding: something could not be checked at all.
    """
    present = {ExitCode(c) for c in codes}
    if ExitCode.USAGE in present:
        return ExitCode.USAGE
    for kind in SEVERITY:
        if kind in present:
            return kind
    return ExitCode.VALID


_TITLES = {
    ExitCode.MALFORMED_SIGNATURE: "Malformed signature file",
    ExitCode.BAD_SIGNATURE: "Bad signature",
    ExitCode.MERKLE_MISMATCH: "Merkle root mismatch",
    ExitCode.UNKNOWN_KEY: "Unknown signing key",
    ExitCode.UNTRUSTED_KEY: "Untrusted signing key",
    ExitCode.NAME_VERSION_MISMATCH: "Package name/version mismatch",
    ExitCode.MODIFIED: "Modified file",
    ExitCode.MISSING: "Missing file",
    ExitCode.UNLISTED: "Unlisted file",
    ExitCode.FPGA_MANIFEST_MISSING: "FPGA manifest missing",
    ExitCode.FPGA_MANIFEST_INVALID: "Invalid FPGA manifest",
    ExitCode.FPGA_PACKAGE_MANIFEST_INVALID: "Invalid package manifest",
    ExitCode.FPGA_VERSION_MISMATCH: "FPGA circuit version mismatch",
    ExitCode.FPGA_DEVICE_UNDECLARED: "Undeclared FPGA device family",
    ExitCode.FPGA_CHECKSUM_MISMATCH: "Bitstream SHA3-256 mismatch",
    ExitCode.FPGA_BITSTREAM_MISSING: "Missing bitstream",
    ExitCode.FPGA_UNLISTED_BITSTREAM: "Unlisted bitstream",
}


def title(kind: ExitCode) -> str:
    """The short human name of a finding kind, as reports print it."""
    return _TITLES[kind]


def result_line(code: ExitCode) -> str:
    """The last line of a failed report: `  Result: ✗ exit 10 (modified)`."""
    return f"  Result: ✗ exit {int(code)} ({code.name.lower()})"


def dot_leaders(labels: Sequence[str], *, longest: int = 4, cap: int = 60) -> List[str]:
    """`label ..... ` for each label, dotted out to one column so the marks after them align.

    The longest label gets `longest` dots; no label fewer than 3; the column is at most `cap`.
    """
    width = min(max((len(label) for label in labels), default=0) + longest, cap)
    return [f"{label} {'.' * max(3, width - len(label))} " for label in labels]


@dataclass(frozen=True)
class Finding:
    """One problem. `path` is set for per-file findings; expected/actual for hash mismatches."""

    kind: ExitCode
    message: str
    path: Optional[str] = None
    expected: Optional[str] = None
    actual: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"kind": self.kind.name.lower(), "code": int(self.kind), "message": self.message}
        for name in ("path", "expected", "actual"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        return d


@dataclass(frozen=True)
class VerificationReport:
    """Everything verification learned; `ok` only when there are no findings."""

    findings: Tuple[Finding, ...]
    package_name: Optional[str] = None
    package_version: Optional[str] = None
    key_id: Optional[str] = None
    key_fingerprint: Optional[str] = None
    trusted_as: Optional[str] = None
    development_key: Optional[bool] = None
    signed_at: Optional[str] = None
    file_count: int = 0
    source: Optional[str] = None

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> ExitCode:
        kinds = {f.kind for f in self.findings}
        for kind in SEVERITY:
            if kind in kinds:
                return kind
        return ExitCode.VALID

    def render(self) -> str:
        """Human output in the style of spec §7.3."""
        lines = self.render_lines()
        if not self.ok:
            lines += ["", result_line(self.exit_code)]
        return "\n".join(lines) + "\n"

    def render_lines(self) -> List[str]:
        """The report without its final `Result:` line, for reports that append more checks.

        Every value from the package (name, version, key id, paths, messages) goes through
        `for_terminal`: a hostile package cannot send escape sequences to the terminal. Each group
        of findings shows at most `MAX_DIAGNOSTICS`, then "... and N more".
        """
        t = for_terminal
        lines: List[str] = []
        if self.package_name is not None:
            lines.append(f"  Package: {t(self.package_name)} {t(self.package_version)}")
        if self.ok:
            lines.append("  Package signature: ✓ Valid")
        else:
            n = len(self.findings)
            lines.append(
                f"  Package signature: ✗ {_TITLES[self.exit_code]} ({n} problem{'s' if n != 1 else ''})"
            )
        if self.key_fingerprint is not None:
            dev = " [development key]" if self.development_key else ""
            lines.append(f"  Signed by: {t(self.key_id)} ({t(self.key_fingerprint)}){dev}")
            if self.trusted_as and self.trusted_as != self.key_id:
                lines.append(f"  Trusted as: {t(self.trusted_as)}")
        if self.signed_at is not None:
            lines.append(f"  Signed at: {t(self.signed_at)}")
        if self.ok:
            lines.append(f"  Files: {self.file_count} verified (SHA3-256 + Merkle root)")
            return lines
        general = [f for f in self.findings if f.path is None]
        per_file = sorted((f for f in self.findings if f.path is not None), key=lambda f: (f.path, f.kind))
        if general:
            lines.append("")
            for f in general[:MAX_DIAGNOSTICS]:
                lines.append(f"    ✗ {_TITLES[f.kind]}: {t(f.message)}")
            lines += _more_line(len(general))
        if per_file:
            lines.append("")
            lines.append("  Files:")
            shown = per_file[:MAX_DIAGNOSTICS]
            leaders = dot_leaders([t(f.path) for f in shown])
            for f, leader in zip(shown, leaders):
                lines.append(f"    {leader}✗ {t(f.message)}")
                lines += expected_actual_lines(f)
            lines += _more_line(len(per_file))
        return lines

    def to_dict(self) -> Dict[str, Any]:
        return {
            "valid": self.ok,
            "exit_code": int(self.exit_code),
            "result": self.exit_code.name.lower(),
            "source": self.source,
            "package": {"name": self.package_name, "version": self.package_version},
            "key_id": self.key_id,
            "key_fingerprint": self.key_fingerprint,
            "trusted_as": self.trusted_as,
            "development_key": self.development_key,
            "signed_at": self.signed_at,
            "file_count": self.file_count,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _more_line(count: int) -> List[str]:
    return [f"    ... and {count - MAX_DIAGNOSTICS} more"] if count > MAX_DIAGNOSTICS else []


def expected_actual_lines(finding: Finding) -> List[str]:
    """The indented `expected`/`actual` pair under a per-file line, when the finding has one."""
    if finding.expected is None:
        return []
    return [
        f"        expected {for_terminal(finding.expected)}",
        f"        actual   {for_terminal(finding.actual)}",
    ]


def findings_from_error(
    e: EstreamError, kind: ExitCode, *, with_lines: bool = True, path: Optional[str] = None
) -> List[Finding]:
    """One finding of `kind` per diagnostic: `file[:line]: `key`: message (help)`."""
    out = []
    for d in e.diagnostics:
        at = f"{d.path}:{d.line}" if with_lines and d.line is not None else d.path
        where = f"`{d.key}`: " if d.key else ""
        hint = f" ({d.help})" if d.help else ""
        out.append(Finding(kind, f"{at}: {where}{d.message}{hint}", path=path))
    if e.omitted:
        out.append(Finding(kind, f"... and {e.omitted} more problems in {e.diagnostics[-1].path}", path=path))
    return out


def _malformed(e: EstreamError) -> List[Finding]:
    # Every diagnostic of parse_signature_file names SIGNATURE.ml-dsa.
    return findings_from_error(e, ExitCode.MALFORMED_SIGNATURE, with_lines=False)


def _check_files(sig: SignatureFile, files: Mapping[str, bytes]) -> List[Finding]:
    out: List[Finding] = []
    listed = {e.path for e in sig.files}
    present = [e.path for e in sig.files if e.path in files]
    digests = dict(zip(present, sha3_256_many([files[p] for p in present])))  # on all cores
    for entry in sig.files:
        content = files.get(entry.path)
        if content is None:
            out.append(Finding(ExitCode.MISSING, "missing (listed in SIGNATURE.ml-dsa)", path=entry.path))
            continue
        actual = FileEntry(path=entry.path, size=len(content), digest=digests[entry.path])
        if actual.digest != entry.digest or actual.size != entry.size:
            size = "" if actual.size == entry.size else f", size {actual.size} bytes, expected {entry.size}"
            out.append(
                Finding(
                    ExitCode.MODIFIED,
                    f"modified (SHA3-256 mismatch{size})",
                    path=entry.path,
                    expected=entry.hash,
                    actual=actual.hash,
                )
            )
    for path in sorted(set(files) - listed - {SIGNATURE_FILE}):
        out.append(Finding(ExitCode.UNLISTED, "not listed in SIGNATURE.ml-dsa", path=path))
    return out


def _check_identity(sig: SignatureFile, files: Mapping[str, bytes], top_dir: Optional[str]) -> List[Finding]:
    out: List[Finding] = []
    signed = f"{sig.name} {sig.version}"
    manifest = files.get(MANIFEST_FILE)
    if manifest is None:
        if MANIFEST_FILE not in {e.path for e in sig.files}:
            out.append(
                Finding(
                    ExitCode.NAME_VERSION_MISMATCH,
                    f"no {MANIFEST_FILE}; cannot confirm the package is {signed}",
                )
            )
    else:
        name, version, problem = manifest_identity(manifest)
        if problem:
            out.append(
                Finding(ExitCode.NAME_VERSION_MISMATCH, f"{problem}; cannot confirm the package is {signed}")
            )
        elif (name, version) != (sig.name, sig.version):
            out.append(
                Finding(
                    ExitCode.NAME_VERSION_MISMATCH,
                    f"signature is for {signed} but {MANIFEST_FILE} declares {name} {version}",
                    expected=signed,
                    actual=f"{name} {version}",
                )
            )
    if top_dir is not None and top_dir != f"{sig.name}-{sig.version}":
        out.append(
            Finding(
                ExitCode.NAME_VERSION_MISMATCH,
                f"archive top directory is {top_dir!r}, expected '{sig.name}-{sig.version}'",
            )
        )
    return out


def _check_signature(
    sig: SignatureFile,
    actual_fp: str,
    check_signature: Optional[Callable[[PublicKey, bytes, bytes, bytes], bool]] = None,
) -> List[Finding]:
    """The key fingerprint, the ML-DSA-87 signature and the Merkle root of the listed files."""
    findings: List[Finding] = []
    if actual_fp != sig.key_fingerprint:
        findings.append(
            Finding(
                ExitCode.BAD_SIGNATURE,
                f"key_fingerprint {sig.key_fingerprint} is not the SHA3-256 of public_key_hex ({actual_fp})",
            )
        )
    valid = (
        sig.signature_is_valid()
        if check_signature is None
        else check_signature(sig.public, sig.statement(), sig.signature, CONTEXT)
    )
    if not valid:
        findings.append(
            Finding(
                ExitCode.BAD_SIGNATURE,
                "ML-DSA-87 signature does not match the signed statement "
                "(name, version, key, timestamp, file count or Merkle root was altered, or forged)",
            )
        )
    recomputed = merkle_root(sig.files, source=SIGNATURE_FILE)
    if recomputed != sig.merkle_root:
        findings.append(
            Finding(
                ExitCode.MERKLE_MISMATCH,
                "the listed files do not hash to the recorded merkle_root",
                expected=format_digest(sig.merkle_root),
                actual=format_digest(recomputed),
            )
        )
    return findings


def _check_trust(
    sig: SignatureFile,
    actual_fp: str,
    keyring: Keyring,
    extra_trusted_keys: Iterable[PublicKey],
    allow_development_key: bool,
) -> Tuple[List[Finding], Optional[str]]:
    """Whether the signing key is trusted: (findings, the key id it is trusted as)."""
    findings: List[Finding] = []
    trusted_as: Optional[str] = None
    ring = keyring.with_trusted(extra_trusted_keys)
    entry = ring.lookup(actual_fp)
    if entry is None:
        findings.append(
            Finding(
                ExitCode.UNKNOWN_KEY,
                f"key {sig.key_id!r} ({actual_fp}) is not in the keyring",
            )
        )
    elif entry.trust == REVOKED:
        findings.append(
            Finding(
                ExitCode.UNTRUSTED_KEY, f"key {entry.key_id!r} ({actual_fp}) is revoked in {keyring.source}"
            )
        )
    else:
        trusted_as = entry.key_id
    if sig.development_key and not allow_development_key:
        findings.append(
            Finding(
                ExitCode.UNTRUSTED_KEY,
                f"signed with development key {sig.key_id!r}; development keys are not trusted "
                "unless explicitly allowed (--allow-development-key)",
            )
        )
    return findings, trusted_as


def verify_package(
    files: Mapping[str, bytes],
    *,
    keyring: Optional[Keyring] = None,
    extra_trusted_keys: Iterable[PublicKey] = (),
    allow_development_key: bool = False,
    top_dir: Optional[str] = None,
    source: Optional[str] = None,
    check_signature: Optional[Callable[[PublicKey, bytes, bytes, bytes], bool]] = None,
) -> VerificationReport:
    """Check a package's files (including SIGNATURE.ml-dsa) and collect every finding.

    Trust: the signing key must be in `keyring` with trust "trusted" or be one of
    `extra_trusted_keys`; a "revoked" keyring entry always wins. A signature marked
    `development_key` is additionally refused unless `allow_development_key`. `top_dir` (the
    archive's top directory, when verifying an archive) must be `<name>-<version>`.
    `check_signature(key, message, signature, ctx)` replaces the plain ML-DSA-87 check (the
    registry's verification memo passes one that remembers passes: `core.registry.verification_memo`).
    """
    keyring = keyring if keyring is not None else empty_keyring()
    raw = files.get(SIGNATURE_FILE)
    if raw is None:
        finding = Finding(
            ExitCode.MALFORMED_SIGNATURE, f"{SIGNATURE_FILE} is missing; the package is unsigned"
        )
        return VerificationReport((finding,), source=source)
    try:
        sig = parse_signature_file(raw)
    except EstreamError as e:
        return VerificationReport(tuple(_malformed(e)), source=source)

    actual_fp = fingerprint(sig.public_key)
    findings = _check_signature(sig, actual_fp, check_signature)
    trust_findings, trusted_as = _check_trust(
        sig, actual_fp, keyring, extra_trusted_keys, allow_development_key
    )
    findings += trust_findings
    findings += _check_identity(sig, files, top_dir)
    findings += _check_files(sig, files)
    return VerificationReport(
        tuple(findings),
        package_name=sig.name,
        package_version=sig.version,
        key_id=sig.key_id,
        key_fingerprint=actual_fp,
        trusted_as=trusted_as,
        development_key=sig.development_key,
        signed_at=sig.signed_at,
        file_count=len(sig.files),
        source=source,
    )


__all__ = [
    "SEVERITY",
    "ExitCode",
    "Finding",
    "VerificationReport",
    "dot_leaders",
    "expected_actual_lines",
    "findings_from_error",
    "most_severe",
    "result_line",
    "title",
    "verify_package",
]
