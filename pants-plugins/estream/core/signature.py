"""Create and parse `SIGNATURE.ml-dsa` (format_version 2).

format_version 1 is the spec's original scheme (§6): ML-DSA-87 over a Merkle root of content
hashes only. It is rejected as insecure: renamed files, extra unlisted files and a duplicated last
leaf all verified. format_version 2 (this module) signs a domain-separated *statement*:

    b"estream-package-signature-v2\\n" + canonical_json({
        "format_version": 2, "algorithm": "ML-DSA-87",
        "package": {"name": ..., "version": ...},
        "key_id": ..., "key_fingerprint": "sha3-256:<hex>", "development_key": bool,
        "signed_at": "YYYY-MM-DDTHH:MM:SSZ", "file_count": N, "merkle_root": "sha3-256:<hex>",
    })

canonical_json = sorted keys, separators (",", ":"), UTF-8, no ASCII escaping. The ML-DSA context
string is b"estream/package/v2" and signing is deterministic, so the same inputs and key always
produce the same bytes. The Merkle tree is described in `estream.core.merkle`.

The file itself is pretty JSON (2-space indent, sorted keys, trailing newline) holding the
statement fields plus `public_key_hex`, `files` ([{path, hash, size}], sorted by path) and
`signature_hex`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from estream.core.errors import Diagnostic, EstreamError
from estream.core.format_version import format_version_problem, is_exact_int
from estream.core.json_loader import load_json
from estream.core.keys import (
    ALGORITHM,
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    PublicKey,
    SigningKey,
    fingerprint,
    key_id_problem,
)
from estream.core.manifest import MANIFEST_FILENAME
from estream.core.merkle import (
    SIGNATURE_FILE,
    FileEntry,
    entries_for_files,
    format_digest,
    merkle_root,
    path_problem,
)
from estream.core.toml_loader import load_toml

FORMAT_VERSION = 2
DOMAIN_TAG = b"estream-package-signature-v2\n"
CONTEXT = b"estream/package/v2"
MANIFEST_FILE = MANIFEST_FILENAME

_HEX = re.compile(r"\A(?:[0-9a-f]{2})*\Z")
_DIGEST = re.compile(r"\Asha3-256:[0-9a-f]{64}\Z")
_TIMESTAMP = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_TOP_LEVEL_FIELDS = frozenset(
    {
        "format_version",
        "algorithm",
        "package",
        "key_id",
        "key_fingerprint",
        "public_key_hex",
        "development_key",
        "signed_at",
        "merkle_root",
        "files",
        "signature_hex",
    }
)

SignedAt = Union[str, int, datetime]


def format_signed_at(value: SignedAt) -> str:
    """Normalise a timestamp to `YYYY-MM-DDTHH:MM:SSZ` (UTC).

    Accepts that string form, integer seconds since the epoch (e.g. SOURCE_DATE_EPOCH), or an
    aware datetime. There is deliberately no "now" default: archives must be reproducible.
    """
    if isinstance(value, bool):
        raise ValueError("signed_at must be a timestamp string, epoch seconds or an aware datetime")
    if isinstance(value, int):
        try:
            value = datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError):
            raise ValueError(f"signed_at epoch seconds out of range: {value}") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("signed_at datetime must be timezone-aware")
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str) and _TIMESTAMP.match(value):
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # reject impossible dates like month 13
        return value
    raise ValueError(f"signed_at must look like 2026-02-10T12:00:00Z, got {value!r}")


def signed_at_from_source_date_epoch(value: str) -> str:
    """Timestamp for a SOURCE_DATE_EPOCH string (decimal seconds)."""
    if not value.strip().isdigit():
        raise EstreamError.single("$SOURCE_DATE_EPOCH", f"expected decimal seconds, got {value!r}")
    return format_signed_at(int(value.strip()))


#: `signed_at` when nothing says otherwise: the epoch, so that signing is reproducible.
DEFAULT_SIGNED_AT = "1970-01-01T00:00:00Z"


def default_signed_at(explicit: Optional[str], source_date_epoch: Optional[str], *, option: str) -> str:
    """THE `signed_at` of a new signature (`./pants package` and `estream marketplace publish DIR`):
    `explicit` (named `option` in errors), else $SOURCE_DATE_EPOCH, else `DEFAULT_SIGNED_AT`."""
    if explicit:
        try:
            return format_signed_at(explicit)
        except ValueError as e:
            raise EstreamError.single(option, str(e)) from None
    if source_date_epoch:
        return signed_at_from_source_date_epoch(source_date_epoch)
    return DEFAULT_SIGNED_AT


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_statement(
    *,
    name: str,
    version: str,
    key_id: str,
    key_fingerprint: str,
    development_key: bool,
    signed_at: str,
    file_count: int,
    merkle_root: bytes,
) -> bytes:
    """The exact bytes ML-DSA-87 signs (with context CONTEXT)."""
    return DOMAIN_TAG + canonical_json(
        {
            "format_version": FORMAT_VERSION,
            "algorithm": ALGORITHM,
            "package": {"name": name, "version": version},
            "key_id": key_id,
            "key_fingerprint": key_fingerprint,
            "development_key": development_key,
            "signed_at": signed_at,
            "file_count": file_count,
            "merkle_root": format_digest(merkle_root),
        }
    )


@dataclass(frozen=True)
class SignatureFile:
    """A parsed, structurally valid SIGNATURE.ml-dsa (not yet cryptographically checked)."""

    name: str
    version: str
    key_id: str
    key_fingerprint: str
    public_key: bytes
    development_key: bool
    signed_at: str
    merkle_root: bytes
    files: Tuple[FileEntry, ...]
    signature: bytes
    format_version: int = FORMAT_VERSION
    algorithm: str = ALGORITHM

    def statement(self) -> bytes:
        return signed_statement(
            name=self.name,
            version=self.version,
            key_id=self.key_id,
            key_fingerprint=self.key_fingerprint,
            development_key=self.development_key,
            signed_at=self.signed_at,
            file_count=len(self.files),
            merkle_root=self.merkle_root,
        )

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key_id, self.public_key)

    def signature_is_valid(self) -> bool:
        """ML-DSA-87 check of `signature` over `statement()` with the embedded public key."""
        return self.public.verify(self.statement(), self.signature, ctx=CONTEXT)

    def to_json_bytes(self) -> bytes:
        doc = {
            "format_version": self.format_version,
            "algorithm": self.algorithm,
            "package": {"name": self.name, "version": self.version},
            "key_id": self.key_id,
            "key_fingerprint": self.key_fingerprint,
            "public_key_hex": self.public_key.hex(),
            "development_key": self.development_key,
            "signed_at": self.signed_at,
            "merkle_root": format_digest(self.merkle_root),
            "files": [
                {"path": e.path, "hash": e.hash, "size": e.size}
                for e in sorted(self.files, key=lambda e: e.path.encode("utf-8"))
            ],
            "signature_hex": self.signature.hex(),
        }
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_identity(data: bytes) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(name, version, problem) from `[component]` in estream-component.toml, read minimally."""
    try:
        doc = load_toml(data, MANIFEST_FILE, what=MANIFEST_FILE)
    except EstreamError as e:
        return (
            None,
            None,
            "; ".join(d.message + (f" (line {d.line})" if d.line else "") for d in e.diagnostics),
        )
    component = doc.get("component")
    if not isinstance(component, dict):
        return None, None, f"{MANIFEST_FILE} has no [component] table"
    name, version = component.get("name"), component.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None, None, f"{MANIFEST_FILE} lacks [component] name/version strings"
    return name, version, None


@dataclass(frozen=True)
class UnsignedPackage:
    """Everything of a package's SIGNATURE.ml-dsa except the signature itself.

    `statement` is the exact message ML-DSA-87 signs (with context `CONTEXT`); `finish(signature)`
    gives the file's bytes. Splitting the two lets a caller sign where the private key lives and
    re-use a signature it already has for the same statement and key (deterministic signing:
    the same statement and key always give the same signature)."""

    name: str
    version: str
    public: PublicKey
    development_key: bool
    signed_at: str
    files: Tuple[FileEntry, ...]
    merkle_root: bytes

    @property
    def statement(self) -> bytes:
        return signed_statement(
            name=self.name,
            version=self.version,
            key_id=self.public.key_id,
            key_fingerprint=self.public.fingerprint,
            development_key=self.development_key,
            signed_at=self.signed_at,
            file_count=len(self.files),
            merkle_root=self.merkle_root,
        )

    def finish(self, signature: bytes) -> bytes:
        """The SIGNATURE.ml-dsa bytes, given the ML-DSA-87 signature of `statement`."""
        if len(signature) != SIGNATURE_SIZE:
            raise ValueError(f"an ML-DSA-87 signature is {SIGNATURE_SIZE} bytes, got {len(signature)}")
        return SignatureFile(
            name=self.name,
            version=self.version,
            key_id=self.public.key_id,
            key_fingerprint=self.public.fingerprint,
            public_key=self.public.public_key,
            development_key=self.development_key,
            signed_at=self.signed_at,
            merkle_root=self.merkle_root,
            files=self.files,
            signature=signature,
        ).to_json_bytes()


def prepare_signature(
    files: Mapping[str, bytes],
    *,
    name: str,
    version: str,
    public: PublicKey,
    development_key: bool,
    signed_at: SignedAt,
) -> UnsignedPackage:
    """The statement to sign for a package's files (the file hashes and the Merkle root).

    `files` maps canonical relative paths to contents; a SIGNATURE.ml-dsa entry in it is ignored
    (re-signing). If estream-component.toml is present its [component] name/version must equal
    `name`/`version`, so a mismatched package is caught at build time, not at install time.
    """
    for field, value in (("name", name), ("version", version)):
        if not isinstance(value, str) or not value or any(ord(c) < 0x20 for c in value):
            raise EstreamError.single("<sign>", f"invalid package {field} {value!r}")
    manifest = files.get(MANIFEST_FILE)
    if manifest is not None:
        m_name, m_version, problem = manifest_identity(manifest)
        if problem is None and (m_name, m_version) != (name, version):
            raise EstreamError.single(
                MANIFEST_FILE,
                f"[component] is {m_name} {m_version} but the package is being signed as {name} {version}",
                key="component",
            )
    entries = tuple(entries_for_files(files, source="<sign>"))
    return UnsignedPackage(
        name=name,
        version=version,
        public=public,
        development_key=development_key,
        signed_at=format_signed_at(signed_at),
        files=entries,
        merkle_root=merkle_root(entries),
    )


def sign_package(
    files: Mapping[str, bytes],
    *,
    name: str,
    version: str,
    key: SigningKey,
    signed_at: SignedAt,
) -> bytes:
    """Sign a package's files and return the SIGNATURE.ml-dsa bytes (`prepare_signature`, then
    ML-DSA-87 over its statement). Deterministic: the same inputs and key give identical bytes.
    """
    unsigned = prepare_signature(
        files,
        name=name,
        version=version,
        public=key.public,
        development_key=key.development,
        signed_at=signed_at,
    )
    return unsigned.finish(key.sign(unsigned.statement, ctx=CONTEXT))


def _hex_field(
    doc: Mapping[str, Any], field: str, size: int, what: str, out: List[Diagnostic]
) -> Optional[bytes]:
    value = doc.get(field)
    if not isinstance(value, str):
        out.append(Diagnostic(SIGNATURE_FILE, f"expected {what} as a hex string", key=field))
        return None
    if not _HEX.match(value):
        out.append(Diagnostic(SIGNATURE_FILE, "not lowercase hex of whole bytes", key=field))
        return None
    if len(value) != 2 * size:
        out.append(
            Diagnostic(
                SIGNATURE_FILE,
                f"{what} is {len(value) // 2} bytes, expected {size} (truncated or wrong algorithm?)",
                key=field,
            )
        )
        return None
    return bytes.fromhex(value)


def _digest_field(value: Any, key: str, out: List[Diagnostic]) -> Optional[bytes]:
    if not isinstance(value, str) or not _DIGEST.match(value):
        out.append(Diagnostic(SIGNATURE_FILE, 'expected "sha3-256:<64 lowercase hex>"', key=key))
        return None
    return bytes.fromhex(value[len("sha3-256:") :])


#: SIGNATURE.ml-dsa limits, checked before any per-entry work (issue 13: a 2.5 KB archive listing
#: a million bogus entries cost 800 MB, 13 s and a million error lines). A package holds at most
#: `archive.DEFAULT_MAX_FILES` (10,000) files; one entry is about 150 bytes, so 10,000 entries
#: are about 1.5 MB: 4 MiB leaves room for long paths.
MAX_SIGNATURE_BYTES = 4 * 1024 * 1024
MAX_SIGNATURE_ENTRIES = 10_000


def parse_signature_file(data: bytes) -> SignatureFile:
    """Parse SIGNATURE.ml-dsa strictly, raising EstreamError listing every problem found."""
    # Long because: a flat list of independent per-field checks, all collected before one raise.
    out: List[Diagnostic] = []
    doc = load_json(data, SIGNATURE_FILE, what=SIGNATURE_FILE, max_bytes=MAX_SIGNATURE_BYTES)
    if not isinstance(doc, dict):
        raise EstreamError.single(SIGNATURE_FILE, "expected a JSON object")

    fv = doc.get("format_version")
    if is_exact_int(fv, 1):
        raise EstreamError.single(
            SIGNATURE_FILE,
            "format_version 1 (the spec's original scheme) is rejected as insecure: its Merkle root "
            "covers file contents only, so renamed, added or duplicated files still verify",
            key="format_version",
            help="re-sign the package with this estream version (format_version 2)",
        )
    problem = format_version_problem(fv, FORMAT_VERSION)
    if problem:
        raise EstreamError.single(SIGNATURE_FILE, problem, key="format_version")
    if doc.get("algorithm") != ALGORITHM:
        out.append(
            Diagnostic(
                SIGNATURE_FILE,
                f"unsupported algorithm {doc.get('algorithm')!r}, expected {ALGORITHM!r}",
                key="algorithm",
            )
        )
    for field in sorted(_TOP_LEVEL_FIELDS - set(doc)):
        out.append(Diagnostic(SIGNATURE_FILE, "missing required field", key=field))
    for field in sorted(set(doc) - _TOP_LEVEL_FIELDS):
        out.append(Diagnostic(SIGNATURE_FILE, "unknown field (not covered by the signature)", key=field))

    name, version = _package_fields(doc, out)

    key_id = doc.get("key_id")
    if "key_id" in doc and key_id_problem(key_id):
        out.append(Diagnostic(SIGNATURE_FILE, f"invalid key_id: {key_id_problem(key_id)}", key="key_id"))
    key_fp = doc.get("key_fingerprint")
    if "key_fingerprint" in doc:
        _digest_field(key_fp, "key_fingerprint", out)
    public_key = (
        _hex_field(doc, "public_key_hex", PUBLIC_KEY_SIZE, "ML-DSA-87 public key", out)
        if "public_key_hex" in doc
        else None
    )
    signature = (
        _hex_field(doc, "signature_hex", SIGNATURE_SIZE, "ML-DSA-87 signature", out)
        if "signature_hex" in doc
        else None
    )
    dev = doc.get("development_key")
    if "development_key" in doc and not isinstance(dev, bool):
        out.append(Diagnostic(SIGNATURE_FILE, "expected true or false", key="development_key"))
    signed_at = doc.get("signed_at")
    if "signed_at" in doc:
        try:
            if not isinstance(signed_at, str):
                raise ValueError
            format_signed_at(signed_at)
        except ValueError:
            out.append(
                Diagnostic(
                    SIGNATURE_FILE, "expected a UTC timestamp like 2026-02-10T12:00:00Z", key="signed_at"
                )
            )
    root = _digest_field(doc.get("merkle_root"), "merkle_root", out) if "merkle_root" in doc else None

    entries = _file_entries(doc, out)

    if out:
        raise EstreamError(out)
    # The ignores: `out` is empty, so each field was checked above to have its type.
    return SignatureFile(
        name=name,
        version=version,
        key_id=key_id,  # type: ignore[arg-type]
        key_fingerprint=key_fp,  # type: ignore[arg-type]
        public_key=public_key,  # type: ignore[arg-type]
        development_key=dev,  # type: ignore[arg-type]
        signed_at=signed_at,  # type: ignore[arg-type]
        merkle_root=root,  # type: ignore[arg-type]
        files=tuple(sorted(entries, key=lambda e: e.path.encode("utf-8"))),
        signature=signature,  # type: ignore[arg-type]
    )


def _package_fields(doc: Dict[str, Any], out: List[Diagnostic]) -> Tuple[Any, Any]:
    """The `package` object's (name, version), problems appended to `out`."""
    name = version = None
    package = doc.get("package")
    if isinstance(package, dict):
        name, version = package.get("name"), package.get("version")
        for field, value in (("name", name), ("version", version)):
            if not isinstance(value, str) or not value:
                out.append(Diagnostic(SIGNATURE_FILE, "expected a non-empty string", key=f"package.{field}"))
        for field in sorted(set(package) - {"name", "version"}):
            out.append(Diagnostic(SIGNATURE_FILE, "unknown field", key=f"package.{field}"))
    elif "package" in doc:
        out.append(Diagnostic(SIGNATURE_FILE, "expected an object {name, version}", key="package"))
    return name, version


def _file_entries(doc: Dict[str, Any], out: List[Diagnostic]) -> List[FileEntry]:
    """The `files` array: valid entries returned, problems appended to `out`."""
    entries: List[FileEntry] = []
    raw_files = doc.get("files")
    if "files" in doc and (not isinstance(raw_files, list) or not raw_files):
        out.append(
            Diagnostic(SIGNATURE_FILE, "expected a non-empty array of {path, hash, size}", key="files")
        )
    elif raw_files is not None and len(raw_files) > MAX_SIGNATURE_ENTRIES:
        raise EstreamError.single(
            SIGNATURE_FILE,
            f"lists {len(raw_files)} files; the limit is {MAX_SIGNATURE_ENTRIES} (a package holds at most that many)",
            key="files",
        )
    elif isinstance(raw_files, list):
        seen = set()
        for i, item in enumerate(raw_files):
            where = f"files[{i}]"
            if not isinstance(item, dict):
                out.append(Diagnostic(SIGNATURE_FILE, "expected an object {path, hash, size}", key=where))
                continue
            path = item.get("path")
            problem = path_problem(path)
            if problem:
                out.append(
                    Diagnostic(SIGNATURE_FILE, f"invalid path {path!r}: {problem}", key=f"{where}.path")
                )
            elif path == SIGNATURE_FILE:
                out.append(
                    Diagnostic(SIGNATURE_FILE, "SIGNATURE.ml-dsa cannot list itself", key=f"{where}.path")
                )
            elif path in seen:
                out.append(Diagnostic(SIGNATURE_FILE, f"duplicate path {path!r}", key=f"{where}.path"))
            digest = _digest_field(item.get("hash"), f"{where}.hash", out)
            size = item.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size < 2**64:
                out.append(Diagnostic(SIGNATURE_FILE, "expected a non-negative integer", key=f"{where}.size"))
            for field in sorted(set(item) - {"path", "hash", "size"}):
                out.append(Diagnostic(SIGNATURE_FILE, "unknown field", key=f"{where}.{field}"))
            if (
                not problem
                and path != SIGNATURE_FILE
                and path not in seen
                and digest is not None
                and isinstance(size, int)
            ):
                seen.add(path)
                entries.append(FileEntry(path, size, digest))  # type: ignore[arg-type]  # `problem` is None: a str
    return entries


__all__ = [
    "CONTEXT",
    "DOMAIN_TAG",
    "FORMAT_VERSION",
    "MAX_SIGNATURE_BYTES",
    "MAX_SIGNATURE_ENTRIES",
    "SignatureFile",
    "UnsignedPackage",
    "canonical_json",
    "fingerprint",
    "format_signed_at",
    "manifest_identity",
    "parse_signature_file",
    "prepare_signature",
    "sign_package",
    "signed_at_from_source_date_epoch",
    "signed_statement",
]
