"""THE registry trust chain (issue 13), modelled on TUF's lessons: one set of functions that the
CLI (`install`, `outdated`, `upgrade`, `trust`, `publish`, `registry check`), the registry
itself and Pants' `estream-lock` goal all call.

Roles and files (all at the registry's root, next to `config.toml`):

* `root.toml` -- the **root keys** (ML-DSA-87 public keys) and a `threshold`. The consumer pins
  their fingerprints (workspace `[trust] roots`, `install --trust-root`, `$ESTREAM_TRUST_ROOT`,
  Pants `[estream-registry].trust_roots`); the registry's own copy is never trusted by itself.
* `keyring.toml` -- the **publisher keys** (unchanged format, `estream.core.keys`).
* `keyring.sig` -- the root's signature over the keyring: `{format_version, version, keyring,
  root, signatures}` where `keyring`/`root` are the SHA3-256 of `keyring.toml`/`root.toml` and
  `version` increases with every keyring change. `threshold` distinct *pinned* root keys must
  sign it; a keyring changed without that (an added key, a revocation undone) is refused before
  any publisher key is trusted. Key rotation = a new keyring signed by the root
  (`estream marketplace registry keyring`).
* `snapshot.json` -- the **snapshot**: `{format_version, version, state, signed_at, expires,
  key_id, key_fingerprint, public_key_hex, signature_hex}`; `state` is the SHA3-256 over
  `config.toml`, `root.toml`, `keyring.toml`, `keyring.sig` and every file under `index/`
  (archives are bound by the index lines' checksums). Every publish, yank and unyank writes the
  next version in the same commit, signed by the publisher's key. A snapshot signer must be a
  pinned root key, a trusted key of the root-signed keyring, a trusted key of the consumer's own
  keyring, or -- with `--allow-development-key` -- the consumer's own development key.

What the consumer checks, in order (`verify_registry_trust`): pinned at all (else an error that
shows the registry's root fingerprints and the exact pin command), pin matches `root.toml`,
keyring signed by `threshold` pinned roots, keyring version not lower than seen, snapshot
signature, snapshot `state` equal to the checkout's, snapshot version not lower than seen
(rollback), snapshot not expired (freeze). The highest versions seen are recorded under
`$ESTREAM_HOME/trust/` (per pinned root set) and the snapshot version also in the workspace
(`[trust] snapshot`), so deleting one of them does not reopen a rollback.

Decisions:

* Snapshots are signed by publisher keys, not a dedicated snapshot key: this registry has no
  server to hold an online key, and each publisher already holds a key the root delegated to.
  The cost: a compromised publisher key can sign a snapshot (but not archives of packages it
  did not sign -- install checks every archive -- and never a lower version than consumers saw).
* Default expiry 30 days (`DEFAULT_SNAPSHOT_DAYS`): long enough that a quiet registry needs a
  `registry sign-snapshot` about monthly, short enough that a mirror frozen in time is noticed
  within a month. A snapshot may not claim more than `MAX_SNAPSHOT_DAYS` (366).
* Root rotation is not automated: new roots mean consumers pin again, explicitly (the error
  says so). A threshold above one is supported in `root.toml`; `registry-init` writes 1.
* Signatures are deterministic ML-DSA-87 with domain-separated statements and contexts of their
  own, so a package signature can never be replayed as registry metadata or vice versa.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from estream.core.atomic_file import atomic_write_bytes
from estream.core.errors import Diagnostic, EstreamError
from estream.core.format_version import format_version_problem
from estream.core.home import ENV_TRUST_ROOT
from estream.core.keys import (
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    Keyring,
    PublicKey,
    SigningKey,
    fingerprint,
    key_id_problem,
    parse_keyring,
)
from estream.core.registry.verification_memo import SignatureCheck, verify_signature
from estream.core.toml_loader import load_toml

ROOT_FILE = "root.toml"
KEYRING_FILE = "keyring.toml"
KEYRING_SIGNATURE_FILE = "keyring.sig"
SNAPSHOT_FILE = "snapshot.json"
CONFIG_FILE = "config.toml"
TRUST_FORMAT = 1
DEFAULT_SNAPSHOT_DAYS = 30
MAX_SNAPSHOT_DAYS = 366
MAX_ROOT_KEYS = 16
MAX_METADATA_BYTES = 1024 * 1024

_KEYRING_DOMAIN = b"estream-registry-keyring-v1\n"
_KEYRING_CONTEXT = b"estream/registry/keyring/v1"
_SNAPSHOT_DOMAIN = b"estream-registry-snapshot-v1\n"
_SNAPSHOT_CONTEXT = b"estream/registry/snapshot/v1"
_FINGERPRINT = re.compile(r"sha3-256:[0-9a-f]{64}\Z")
_HEX = re.compile(r"\A(?:[0-9a-f]{2})*\Z")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_MAX_VERSION = 2**53


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _digest(data: bytes) -> str:
    return "sha3-256:" + hashlib.sha3_256(data).hexdigest()


def format_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _parse_time(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


# -- root.toml ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RootKeys:
    keys: Tuple[PublicKey, ...]
    threshold: int

    @property
    def fingerprints(self) -> Tuple[str, ...]:
        return tuple(k.fingerprint for k in self.keys)

    def describe(self) -> str:
        return ", ".join(f"{k.fingerprint} ({k.key_id})" for k in self.keys)


def render_root(keys: Sequence[PublicKey], threshold: int = 1) -> bytes:
    out = [
        "# The registry's root keys: they sign keyring.toml (keyring.sig). Consumers pin their fingerprints.",
        f"format_version = {TRUST_FORMAT}",
        f"threshold = {threshold}",
    ]
    for k in keys:
        out += ["", "[[keys]]", f'key_id = "{k.key_id}"', f'public_key = "{k.public_key.hex()}"']
    return ("\n".join(out) + "\n").encode("utf-8")


def parse_root(content: bytes, source: str) -> RootKeys:
    data = load_toml(content, source, what="the registry's root keys")
    errors: List[Diagnostic] = []
    problem = format_version_problem(data.get("format_version"), TRUST_FORMAT)
    if problem:
        errors.append(Diagnostic(source, problem, key="format_version"))
    for name in sorted(set(data) - {"format_version", "threshold", "keys"}):
        errors.append(Diagnostic(source, "unknown field", key=name))
    raw = data.get("keys")
    keys: List[PublicKey] = []
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ROOT_KEYS:
        errors.append(Diagnostic(source, f"expected 1 to {MAX_ROOT_KEYS} [[keys]] tables", key="keys"))
        raw = []
    for i, item in enumerate(raw):
        where = f"keys[{i}]"
        if not isinstance(item, dict) or set(item) != {"key_id", "public_key"}:
            errors.append(Diagnostic(source, 'expected { key_id = "...", public_key = "<hex>" }', key=where))
            continue
        if key_id_problem(item["key_id"]):
            errors.append(Diagnostic(source, "invalid key_id", key=f"{where}.key_id"))
            continue
        pk = item["public_key"]
        if not isinstance(pk, str) or len(pk) != 2 * PUBLIC_KEY_SIZE or not _HEX.match(pk):
            errors.append(
                Diagnostic(
                    source,
                    f"expected {2 * PUBLIC_KEY_SIZE} lowercase hex characters",
                    key=f"{where}.public_key",
                )
            )
            continue
        keys.append(PublicKey(item["key_id"], bytes.fromhex(pk)))
    if len({k.fingerprint for k in keys}) != len(keys):
        errors.append(Diagnostic(source, "a root key is listed twice", key="keys"))
    threshold = data.get("threshold")
    if type(threshold) is not int or not 1 <= threshold <= max(len(keys), 1):
        errors.append(
            Diagnostic(
                source,
                f"expected an integer from 1 to the number of keys, found {threshold!r}",
                key="threshold",
            )
        )
    if errors:
        raise EstreamError(errors)
    assert isinstance(threshold, int)  # checked above (any other value raised)
    return RootKeys(tuple(keys), threshold)


# -- keyring.sig -------------------------------------------------------------------------------


def _keyring_statement(version: int, keyring: bytes, root: bytes) -> bytes:
    return _KEYRING_DOMAIN + _canonical(
        {
            "format_version": TRUST_FORMAT,
            "version": version,
            "keyring": _digest(keyring),
            "root": _digest(root),
        }
    )


def sign_keyring(keyring: bytes, root: bytes, version: int, root_keys: Sequence[SigningKey]) -> bytes:
    """`keyring.sig` for `keyring` (keyring.toml's bytes) under `root` (root.toml's bytes)."""
    statement = _keyring_statement(version, keyring, root)
    doc = {
        "format_version": TRUST_FORMAT,
        "version": version,
        "keyring": _digest(keyring),
        "root": _digest(root),
        "signatures": [
            {"key_fingerprint": k.fingerprint, "signature_hex": k.sign(statement, ctx=_KEYRING_CONTEXT).hex()}
            for k in root_keys
        ],
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _load_json(content: bytes, source: str) -> Dict[str, object]:
    if len(content) > MAX_METADATA_BYTES:
        raise EstreamError.single(source, f"larger than {MAX_METADATA_BYTES} bytes")
    try:
        doc = json.loads(content.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise EstreamError.single(source, f"not valid JSON: {str(e)[:100]}") from None
    if not isinstance(doc, dict):
        raise EstreamError.single(source, "expected a JSON object")
    return doc


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _version_field(doc: Mapping[str, object], source: str) -> int:
    problem = format_version_problem(doc.get("format_version"), TRUST_FORMAT)
    if problem:
        raise EstreamError.single(source, problem, key="format_version")
    version = doc.get("version")
    if type(version) is not int or not 1 <= version < _MAX_VERSION:
        raise EstreamError.single(
            source, f"expected a positive integer version, found {str(version)[:30]}", key="version"
        )
    return version


def verify_keyring(
    keyring: bytes,
    signature: Optional[bytes],
    root: bytes,
    roots: RootKeys,
    trusted_roots: Sequence[str],
    source: str,
    check_signature: SignatureCheck = verify_signature,
) -> int:
    """The keyring's version when `threshold` distinct keys among `trusted_roots` signed it
    (`check_signature`: the ML-DSA-87 check, by default the plain one)."""
    where = f"{source}/{KEYRING_SIGNATURE_FILE}"
    if signature is None:
        raise EstreamError.single(
            where,
            f"{KEYRING_FILE} is not signed by the registry's root keys (no {KEYRING_SIGNATURE_FILE})",
            help="the registry's owner signs every keyring change: `estream marketplace registry keyring --root-key ROOT_KEY`",
        )
    doc = _load_json(signature, where)
    version = _version_field(doc, where)
    if set(doc) != {"format_version", "version", "keyring", "root", "signatures"}:
        raise EstreamError.single(
            where, "expected the fields format_version, version, keyring, root, signatures"
        )
    statement = _keyring_statement(version, keyring, root)
    if doc["keyring"] != _digest(keyring) or doc["root"] != _digest(root):
        raise EstreamError.single(
            where,
            f"{KEYRING_FILE} (or {ROOT_FILE}) was changed without a root signature: its SHA3-256 is not the signed one",
            help="a keyring change must be signed by the root: `estream marketplace registry keyring --root-key ROOT_KEY`; "
            "until then no publisher key of this registry is trusted",
        )
    by_fp = {k.fingerprint: k for k in roots.keys if k.fingerprint in trusted_roots}
    good = set()
    sigs = doc["signatures"]
    if not isinstance(sigs, list) or len(sigs) > MAX_ROOT_KEYS:
        raise EstreamError.single(where, f"expected at most {MAX_ROOT_KEYS} signatures", key="signatures")
    for item in sigs:
        if not isinstance(item, dict) or set(item) != {"key_fingerprint", "signature_hex"}:
            raise EstreamError.single(where, "expected {key_fingerprint, signature_hex}", key="signatures")
        key = by_fp.get(item["key_fingerprint"])
        sig = item["signature_hex"]
        if key is None or not isinstance(sig, str) or len(sig) != 2 * SIGNATURE_SIZE or not _HEX.match(sig):
            continue
        if check_signature(key, statement, bytes.fromhex(sig), _KEYRING_CONTEXT):
            good.add(key.fingerprint)
    if len(good) < roots.threshold:
        raise EstreamError.single(
            where,
            f"{KEYRING_FILE} is signed by {len(good)} of the pinned root keys, {roots.threshold} needed; "
            "the keyring was changed without a root signature",
            help="no publisher key of this registry is trusted until its owner signs the keyring with the root key",
        )
    return version


# -- snapshot.json -----------------------------------------------------------------------------


def registry_state(checkout: Path) -> str:
    """SHA3-256 over the trust metadata, config and every index file (path and content)."""
    h = hashlib.sha3_256(b"estream-registry-state-v1\n")
    paths = [CONFIG_FILE, ROOT_FILE, KEYRING_FILE, KEYRING_SIGNATURE_FILE]
    index = checkout / "index"
    found: List[str] = []
    for dirpath, dirnames, filenames in os.walk(index):
        dirnames.sort()
        for name in filenames:
            found.append((Path(dirpath) / name).relative_to(checkout).as_posix())
    for rel in paths + sorted(found):
        path = checkout / rel
        if path.is_symlink() or not path.is_file():
            h.update(rel.encode("utf-8") + b"\0-\n")
            continue
        h.update(
            rel.encode("utf-8") + b"\0" + hashlib.sha3_256(path.read_bytes()).hexdigest().encode() + b"\n"
        )
    return "sha3-256:" + h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    version: int
    state: str
    signed_at: str
    expires: str
    key_id: str
    key_fingerprint: str
    public_key: bytes
    signature: bytes

    def statement(self) -> bytes:
        return _SNAPSHOT_DOMAIN + _canonical(
            {
                "format_version": TRUST_FORMAT,
                "version": self.version,
                "state": self.state,
                "signed_at": self.signed_at,
                "expires": self.expires,
                "key_id": self.key_id,
                "key_fingerprint": self.key_fingerprint,
            }
        )


def sign_snapshot(
    checkout: Path,
    key: SigningKey,
    version: int,
    *,
    now: Optional[float] = None,
    days: int = DEFAULT_SNAPSHOT_DAYS,
) -> bytes:
    """`snapshot.json` for the checkout as it is now (write the index first)."""
    if not 1 <= days <= MAX_SNAPSHOT_DAYS:
        raise EstreamError.single("--days", f"expected 1 to {MAX_SNAPSHOT_DAYS} days, found {days}")
    at = time.time() if now is None else now
    unsigned = Snapshot(
        version,
        registry_state(checkout),
        format_time(at),
        format_time(at + days * 86400),
        key.key_id,
        key.fingerprint,
        key.public.public_key,
        b"",
    )
    signature = key.sign(unsigned.statement(), ctx=_SNAPSHOT_CONTEXT)
    doc = {
        "format_version": TRUST_FORMAT,
        "version": version,
        "state": unsigned.state,
        "signed_at": unsigned.signed_at,
        "expires": unsigned.expires,
        "key_id": key.key_id,
        "key_fingerprint": key.fingerprint,
        "public_key_hex": key.public.public_key.hex(),
        "signature_hex": signature.hex(),
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


_SNAPSHOT_FIELDS = {
    "format_version",
    "version",
    "state",
    "signed_at",
    "expires",
    "key_id",
    "key_fingerprint",
    "public_key_hex",
    "signature_hex",
}


def parse_snapshot(content: bytes, source: str) -> Snapshot:
    doc = _load_json(content, source)
    version = _version_field(doc, source)
    if set(doc) != _SNAPSHOT_FIELDS:
        raise EstreamError.single(
            source, f"expected exactly the fields {', '.join(sorted(_SNAPSHOT_FIELDS))}"
        )
    checks = (
        ("state", lambda v: isinstance(v, str) and _FINGERPRINT.match(v)),
        ("signed_at", lambda v: isinstance(v, str) and _TIME.match(v)),
        ("expires", lambda v: isinstance(v, str) and _TIME.match(v)),
        ("key_id", lambda v: not key_id_problem(v)),
        ("key_fingerprint", lambda v: isinstance(v, str) and _FINGERPRINT.match(v)),
        ("public_key_hex", lambda v: isinstance(v, str) and len(v) == 2 * PUBLIC_KEY_SIZE and _HEX.match(v)),
        ("signature_hex", lambda v: isinstance(v, str) and len(v) == 2 * SIGNATURE_SIZE and _HEX.match(v)),
    )
    for name, ok in checks:
        if not ok(doc[name]):
            raise EstreamError.single(source, "malformed value", key=name)
    public = bytes.fromhex(doc["public_key_hex"])  # type: ignore[arg-type]
    if fingerprint(public) != doc["key_fingerprint"]:
        raise EstreamError.single(
            source, "key_fingerprint does not match public_key_hex", key="key_fingerprint"
        )
    try:
        _parse_time(doc["expires"])  # type: ignore[arg-type]
        _parse_time(doc["signed_at"])  # type: ignore[arg-type]
    except ValueError:
        raise EstreamError.single(source, "not a valid UTC time", key="expires") from None
    return Snapshot(
        version,
        str(doc["state"]),
        str(doc["signed_at"]),
        str(doc["expires"]),
        str(doc["key_id"]),
        str(doc["key_fingerprint"]),
        public,
        bytes.fromhex(doc["signature_hex"]),  # type: ignore[arg-type]
    )


# -- what the consumer pins and has seen ---------------------------------------------------------


@dataclass(frozen=True)
class TrustState:
    """The highest versions a consumer has accepted from a registry (0: none yet)."""

    snapshot: int = 0
    keyring: int = 0


def _state_path(home: Path, pins: Sequence[str]) -> Path:
    label = hashlib.sha3_256("\n".join(sorted(pins)).encode()).hexdigest()[:32]
    return home / "trust" / f"{label}.json"


def load_trust_state(home: Path, pins: Sequence[str]) -> TrustState:
    path = _state_path(home, pins)
    if not path.is_file():
        return TrustState()
    doc = _load_json(path.read_bytes(), str(path))
    snapshot, keyring = doc.get("snapshot"), doc.get("keyring")
    if type(snapshot) is not int or type(keyring) is not int or snapshot < 0 or keyring < 0:
        raise EstreamError.single(
            str(path),
            'expected {"snapshot": N, "keyring": N}',
            help="it records the registry versions seen; delete it only if you trust the registry's current state",
        )
    return TrustState(snapshot, keyring)


def record_trust_state(home: Path, pins: Sequence[str], seen: TrustState) -> None:
    """Remember the highest versions seen (never lowers what is recorded)."""
    old = load_trust_state(home, pins)
    new = TrustState(max(old.snapshot, seen.snapshot), max(old.keyring, seen.keyring))
    if new == old:
        return
    path = _state_path(home, pins)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, _canonical({"snapshot": new.snapshot, "keyring": new.keyring}) + b"\n")


def parse_pins(values: Iterable[str], source: str) -> Tuple[str, ...]:
    out: List[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if not _FINGERPRINT.match(item):
                raise EstreamError.single(
                    source,
                    f'expected a root key fingerprint "sha3-256:<64 lowercase hex>", found {item[:80]!r}',
                )
            if item not in out:
                out.append(item)
    return tuple(out)


def resolve_trust_roots(
    explicit: Sequence[str], workspace_roots: Sequence[str], environ: Optional[Mapping[str, str]] = None
) -> Tuple[Tuple[str, ...], str]:
    """The pinned root fingerprints and where they came from: `--trust-root`, else the
    workspace's `[trust] roots`, else `$ESTREAM_TRUST_ROOT` (comma-separated)."""
    env = os.environ if environ is None else environ
    if explicit:
        return parse_pins(explicit, "--trust-root"), "--trust-root"
    if workspace_roots:
        return tuple(workspace_roots), "estream-workspace.toml [trust] roots"
    return parse_pins([env.get(ENV_TRUST_ROOT, "")], f"${ENV_TRUST_ROOT}"), f"${ENV_TRUST_ROOT}"


# -- the check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedRegistry:
    """A registry checkout that passed `verify_registry_trust`."""

    keyring: Keyring
    roots: RootKeys
    pins: Tuple[str, ...]
    keyring_version: int
    snapshot: Snapshot

    @property
    def seen(self) -> TrustState:
        return TrustState(self.snapshot.version, self.keyring_version)


def _read(checkout: Path, name: str, source: str) -> Optional[bytes]:
    path = checkout / name
    if path.is_symlink():
        raise EstreamError.single(f"{source}/{name}", "is a symbolic link")
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise EstreamError.single(f"{source}/{name}", f"larger than {MAX_METADATA_BYTES} bytes")
    return path.read_bytes()


def read_root(checkout: Path, source: str) -> RootKeys:
    content = _read(checkout, ROOT_FILE, source)
    if content is None:
        raise EstreamError.single(
            f"{source}/{ROOT_FILE}",
            "the registry has no root keys, so nothing in it can be trusted",
            help="its owner creates them: `estream marketplace registry keyring --root-key ROOT_KEY` "
            "(registries made with `registry-init` have them)",
        )
    return parse_root(content, f"{source}/{ROOT_FILE}")


def pin_help(url: str, roots: RootKeys) -> str:
    fps = " ".join(roots.fingerprints)
    return (
        f"check the fingerprint with the registry's owner (out of band), then pin it: "
        f"`estream marketplace trust --registry {url} {fps}` (writes [trust] roots to estream-workspace.toml), "
        f"or `estream marketplace install --trust-root {roots.fingerprints[0]} ...`, or set {ENV_TRUST_ROOT}={','.join(roots.fingerprints)} "
        f'(CI); for Pants: [estream-registry].trust_roots = ["{roots.fingerprints[0]}"] in pants.toml. '
        f"The registry's root keys: {roots.describe()}"
    )


def verify_registry_trust(
    checkout: Path,
    *,
    source: str,
    pins: Sequence[str],
    pinned_in: str = "the pin",
    seen: TrustState = TrustState(),
    extra_snapshot_keys: Sequence[PublicKey] = (),
    local_keyring: Optional[Keyring] = None,
    now: Optional[float] = None,
    check_expiry: bool = True,
    check_signature: SignatureCheck = verify_signature,
) -> TrustedRegistry:
    """Verify a registry checkout's trust chain against the consumer's pins (module docstring).

    `source` names the registry in messages (its redacted URL); `seen` is the highest versions
    already accepted; `extra_snapshot_keys` the consumer's own development key when allowed;
    `local_keyring` the consumer's own trusted keys (they may sign snapshots too);
    `check_signature` the ML-DSA-87 check (install passes its verification memo's: the same
    bytes are not verified twice, every other step of the chain runs each time).
    """
    roots = read_root(checkout, source)
    trusted_roots = _pinned_roots(roots, pins, pinned_in, source)
    keyring, keyring_version = _verified_keyring(
        checkout, source, roots, trusted_roots, seen, check_signature
    )
    snapshot = _verified_snapshot(
        checkout,
        source,
        roots,
        trusted_roots,
        keyring,
        seen,
        local_keyring,
        extra_snapshot_keys,
        now,
        check_expiry,
        check_signature,
    )
    return TrustedRegistry(keyring, roots, tuple(trusted_roots), keyring_version, snapshot)


def _pinned_roots(roots: RootKeys, pins: Sequence[str], pinned_in: str, source: str) -> List[str]:
    """Step 1: the registry's root key fingerprints the consumer pinned (at least one)."""
    if not pins:
        raise EstreamError.single(
            source,
            "this registry is not pinned: its root keys are not trusted yet (first use must be explicit)",
            help=pin_help(source, roots),
        )
    trusted_roots = [fp for fp in roots.fingerprints if fp in pins]
    if not trusted_roots:
        raise EstreamError.single(
            f"{source}/{ROOT_FILE}",
            f"none of the registry's root keys is pinned: {pinned_in} pins {', '.join(pins)}, the registry's root keys are {roots.describe()}",
            help="this is another registry than the one pinned, or its root keys were replaced. If the owner announced a root "
            f"rotation, verify the new fingerprint out of band and pin it again. {pin_help(source, roots)}",
        )
    return trusted_roots


def _verified_keyring(
    checkout: Path,
    source: str,
    roots: RootKeys,
    trusted_roots: List[str],
    seen: TrustState,
    check_signature: SignatureCheck,
) -> Tuple[Keyring, int]:
    """Step 2: the keyring, signed by a pinned root and not older than one seen before."""
    keyring_bytes = _read(checkout, KEYRING_FILE, source) or b""
    root_bytes = _read(checkout, ROOT_FILE, source) or b""
    keyring_version = verify_keyring(
        keyring_bytes,
        _read(checkout, KEYRING_SIGNATURE_FILE, source),
        root_bytes,
        roots,
        trusted_roots,
        source,
        check_signature,
    )
    if keyring_version < seen.keyring:
        raise EstreamError.single(
            f"{source}/{KEYRING_SIGNATURE_FILE}",
            f"keyring version {keyring_version} is older than version {seen.keyring} seen before: the registry was rolled back",
            help="someone serves an old state of this registry (a revoked key may be trusted again there); do not use it",
        )
    try:
        text = keyring_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise EstreamError.single(f"{source}/{KEYRING_FILE}", "keyring is not UTF-8") from None
    keyring = parse_keyring(text, source=f"{source}/{KEYRING_FILE}")
    return keyring, keyring_version


def _verified_snapshot(
    checkout: Path,
    source: str,
    roots: RootKeys,
    trusted_roots: List[str],
    keyring: Keyring,
    seen: TrustState,
    local_keyring: Optional[Keyring],
    extra_snapshot_keys: Sequence[PublicKey],
    now: Optional[float],
    check_expiry: bool,
    check_signature: SignatureCheck,
) -> Snapshot:
    """Step 3: the snapshot, signed by a trusted key, matching the index, not rolled back, not expired."""
    snapshot_bytes = _read(checkout, SNAPSHOT_FILE, source)
    where = f"{source}/{SNAPSHOT_FILE}"
    if snapshot_bytes is None:
        raise EstreamError.single(
            where,
            "the registry has no signed snapshot",
            help="a publisher or the owner signs one: `estream marketplace registry sign-snapshot`",
        )
    snapshot = parse_snapshot(snapshot_bytes, where)
    signer = _snapshot_signer(snapshot, roots, trusted_roots, keyring, local_keyring, extra_snapshot_keys)
    if signer is None:
        raise EstreamError.single(
            where,
            f"signed by {snapshot.key_id} ({snapshot.key_fingerprint}), a key that is neither a pinned root key nor trusted by the root-signed keyring",
            help="the snapshot must be signed by a publisher key of the registry's keyring.toml or its root key",
        )
    if not check_signature(
        PublicKey(snapshot.key_id, snapshot.public_key),
        snapshot.statement(),
        snapshot.signature,
        _SNAPSHOT_CONTEXT,
    ):
        raise EstreamError.single(
            where,
            "the snapshot's signature does not verify",
            help="the snapshot was modified after it was signed",
        )
    state = registry_state(checkout)
    if state != snapshot.state:
        raise EstreamError.single(
            where,
            f"the registry's index does not match its signed snapshot {snapshot.version} (state {state}, signed {snapshot.state})",
            help="the index was changed without a signed snapshot (not through `estream marketplace publish`/`yank`); "
            "its owner re-signs it after review: `estream marketplace registry sign-snapshot`",
        )
    if snapshot.version < seen.snapshot:
        raise EstreamError.single(
            where,
            f"snapshot version {snapshot.version} is older than version {seen.snapshot} seen before: the registry was rolled back",
            help="someone serves an old state of this registry (it would hide newer versions and yanks); do not install from it",
        )
    if check_expiry:
        at = time.time() if now is None else now
        if _parse_time(snapshot.expires) < at:
            raise EstreamError.single(
                where,
                f"the registry's snapshot {snapshot.version} expired on {snapshot.expires}: the registry may be frozen "
                "(an attacker or a stale mirror keeps serving an old state)",
                help="if the registry is merely idle, its owner or a publisher re-signs it: "
                f"`estream marketplace registry sign-snapshot --registry URL` (valid {DEFAULT_SNAPSHOT_DAYS} days by default)",
            )
    return snapshot


def _snapshot_signer(
    snapshot: Snapshot,
    roots: RootKeys,
    trusted_roots: Sequence[str],
    keyring: Keyring,
    local_keyring: Optional[Keyring],
    extra: Sequence[PublicKey],
) -> Optional[str]:
    fp = snapshot.key_fingerprint
    if fp in trusted_roots:
        return "root"
    for ring, role in ((keyring, "registry keyring"), (local_keyring, "local keyring")):
        if ring is None:
            continue
        entry = ring.lookup(fp)
        if entry is not None and entry.trusted:
            return role
    if any(k.fingerprint == fp for k in extra):
        return "own development key"
    return None


def next_snapshot_version(checkout: Path, source: str) -> int:
    """One more than the registry's current snapshot (1 when it has none)."""
    content = _read(checkout, SNAPSHOT_FILE, source)
    return 1 if content is None else parse_snapshot(content, f"{source}/{SNAPSHOT_FILE}").version + 1


def write_snapshot(
    checkout: Path,
    key: SigningKey,
    *,
    source: str,
    now: Optional[float] = None,
    days: int = DEFAULT_SNAPSHOT_DAYS,
) -> int:
    """Sign and write the next snapshot of the checkout as it is now; its version."""
    version = next_snapshot_version(checkout, source)
    atomic_write_bytes(checkout / SNAPSHOT_FILE, sign_snapshot(checkout, key, version, now=now, days=days))
    return version


def write_keyring(checkout: Path, keyring_text: str, root_keys: Sequence[SigningKey], *, source: str) -> int:
    """Write `keyring.toml` and its root signature (the next keyring version); root.toml must
    already list the signing root keys."""
    parse_keyring(keyring_text, source=KEYRING_FILE)
    roots = read_root(checkout, source)
    missing = [k for k in root_keys if k.fingerprint not in roots.fingerprints]
    if missing:
        raise EstreamError.single(
            "--root-key",
            f"{missing[0].key_id} ({missing[0].fingerprint}) is not a root key of the registry: {roots.describe()}",
        )
    if len({k.fingerprint for k in root_keys}) < roots.threshold:
        raise EstreamError.single(
            "--root-key", f"the registry's root.toml needs {roots.threshold} root keys to sign its keyring"
        )
    old = _read(checkout, KEYRING_SIGNATURE_FILE, source)
    version = (
        1
        if old is None
        else _version_field(_load_json(old, f"{source}/{KEYRING_SIGNATURE_FILE}"), source) + 1
    )
    content = keyring_text.encode("utf-8")
    root_bytes = _read(checkout, ROOT_FILE, source) or b""
    atomic_write_bytes(checkout / KEYRING_FILE, content)
    atomic_write_bytes(
        checkout / KEYRING_SIGNATURE_FILE, sign_keyring(content, root_bytes, version, root_keys)
    )
    return version


def write_root(checkout: Path, root_keys: Sequence[SigningKey], threshold: int = 1) -> None:
    atomic_write_bytes(checkout / ROOT_FILE, render_root([k.public for k in root_keys], threshold))


__all__ = [
    "DEFAULT_SNAPSHOT_DAYS",
    "ENV_TRUST_ROOT",
    "KEYRING_SIGNATURE_FILE",
    "ROOT_FILE",
    "RootKeys",
    "SNAPSHOT_FILE",
    "Snapshot",
    "TrustState",
    "TrustedRegistry",
    "format_time",
    "load_trust_state",
    "next_snapshot_version",
    "parse_pins",
    "parse_root",
    "parse_snapshot",
    "pin_help",
    "read_root",
    "record_trust_state",
    "registry_state",
    "render_root",
    "resolve_trust_roots",
    "sign_keyring",
    "sign_snapshot",
    "verify_keyring",
    "verify_registry_trust",
    "write_keyring",
    "write_root",
    "write_snapshot",
]
