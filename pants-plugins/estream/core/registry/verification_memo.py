"""The verification memo: verdicts of expensive checks whose inputs have not changed.

A warm install of 5 dependencies spent most of its time proving again what it had proved the
time before: 8 pure-Python ML-DSA-87 verifications (6 archives, the registry's keyring and
snapshot; ~40 ms each) and the ESF YAML parse of every schema for schema resolution (120
documents). Inputs that are byte-for-byte the same give the same verdict, so the verdict of a
check that *passed* is remembered, keyed by a digest of all of its inputs.

Decisions:

* Never a skipped check: a verdict is looked up by the SHA-256 of everything the check reads
  (for a signature: algorithm, context, public key, message, signature; for schema resolution:
  the estream version and the SHA3-256 of every archive), computed from the bytes in hand each
  time. Different bytes are a different key, so a changed archive, keyring or snapshot is checked
  in full. Only the pure computation is remembered: which keys are trusted, revoked or pinned,
  rollback and expiry are decided afresh by the callers on every run.
* Only passes are recorded. A failing check is re-run (and fails) every time.
* Hostile-safe: each record carries an HMAC-SHA256, under a per-user secret, of its kind, key
  and value. A record that is missing, truncated, edited, copied under another key's name or
  written by anyone who does not hold the secret fails the MAC and is ignored (the check then
  runs in full; a stale record is overwritten). A plain digest would not do: anyone able to write
  the memo could compute it for a verdict never reached.
* The secret (`<memo>/secret`, 32 random bytes) is created on first use with mode 0600; if it is
  not a regular file of ours that only we can read (or cannot be read or created), the memo is
  off for the process and every check runs in full, as without a memo.
* Location: `$ESTREAM_HOME/verification-memo/`, per user, not the archive cache (which
  `$ESTREAM_CACHE_DIR` may share between users: a record must not vouch across them). Records
  are small files `<kind>/<aa>/<hex>` written atomically (temp + rename) and not fsynced: a
  record lost in a crash only costs one full check.
* Best effort throughout: an unreadable or unwritable memo never fails a command.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Callable, Optional, Sequence

from estream.core.keys import PublicKey

MEMO_DIRNAME = "verification-memo"
SECRET_FILE = "secret"
SECRET_BYTES = 32
#: Bump when what a kind's key covers changes: older records then simply stop matching.
MEMO_FORMAT = 1
_KIND_RE = re.compile(r"[a-z][a-z0-9-]{0,31}\Z")

#: `check(key, message, signature, ctx)`: an ML-DSA-87 verification (PublicKey.verify's contract).
SignatureCheck = Callable[[PublicKey, bytes, bytes, bytes], bool]


def verify_signature(key: PublicKey, message: bytes, signature: bytes, ctx: bytes) -> bool:
    """The plain check, without a memo (the default `SignatureCheck`)."""
    return key.verify(message, signature, ctx=ctx)


def input_digest(*parts: bytes) -> str:
    """SHA-256 over length-prefixed parts (no two part lists share a digest)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


class VerificationMemo:
    """Verdicts of checks that passed, under `directory` (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._secret: Optional[bytes] = None
        self._off = False

    @classmethod
    def in_home(cls, home: Path) -> "VerificationMemo":
        return cls(Path(home) / MEMO_DIRNAME)

    # -- the secret

    def secret(self) -> Optional[bytes]:
        """The MAC key, created on first use; None turns the memo off (never raises)."""
        if self._secret is not None or self._off:
            return self._secret
        path = self.directory / SECRET_FILE
        secret = _read_secret(path)
        if secret is None and not path.exists() and not path.is_symlink():
            _create_secret(path)
            secret = _read_secret(path)
        if secret is None:
            self._off = True
        self._secret = secret
        return secret

    # -- records

    def _path(self, kind: str, key: str) -> Path:
        if not _KIND_RE.match(kind) or not re.fullmatch(r"[0-9a-f]{64}", key):
            raise ValueError(f"bad memo key {kind}/{key}")
        return self.directory / kind / key[:2] / key

    def _mac(self, secret: bytes, kind: str, key: str, value: bytes) -> bytes:
        message = input_digest(
            b"estream-verification-memo", str(MEMO_FORMAT).encode(), kind.encode(), key.encode(), value
        )
        return hmac.new(secret, message.encode("ascii"), hashlib.sha256).hexdigest().encode("ascii")

    def get(self, kind: str, key: str) -> Optional[bytes]:
        """The value recorded for `kind`/`key` if its MAC checks, else None."""
        secret = self.secret()
        if secret is None:
            return None
        try:
            raw = self._path(kind, key).read_bytes()
        except (OSError, ValueError):
            return None
        mac, sep, value = raw.partition(b"\n")
        if not sep or not hmac.compare_digest(mac, self._mac(secret, kind, key, value)):
            return None
        return value

    def put(self, kind: str, key: str, value: bytes = b"") -> None:
        """Record that `kind`'s check passed for inputs `key` (best effort)."""
        secret = self.secret()
        if secret is None:
            return
        try:
            path = self._path(kind, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            try:
                with open(tmp, "wb") as f:
                    f.write(self._mac(secret, kind, key, value) + b"\n" + value)
                os.replace(tmp, path)
            finally:
                if tmp.exists():
                    tmp.unlink()
        except (OSError, ValueError):
            pass

    # -- the checks

    def check_signature(self, key: PublicKey, message: bytes, signature: bytes, ctx: bytes) -> bool:
        """`key.verify(message, signature, ctx=ctx)`, remembered when it passes (a `SignatureCheck`)."""
        digest = input_digest(b"ML-DSA-87", ctx, key.public_key, message, signature)
        if self.get("signature", digest) is not None:
            return True
        if not key.verify(message, signature, ctx=ctx):
            return False
        self.put("signature", digest)
        return True


def signature_check(memo: Optional[VerificationMemo]) -> SignatureCheck:
    """The memo's signature check, or the plain one without a memo."""
    return memo.check_signature if memo is not None else verify_signature


def schema_resolution_key(version: str, packages: Sequence[tuple]) -> str:
    """The memo key of schema resolution over verified packages (name, version, archive checksum):
    the rules (the estream version and the source of the pure core that parses and resolves, so a
    changed rule during development, before a version bump, never reuses an old verdict) and
    exactly which archives (their content)."""
    return input_digest(
        b"schema-resolution",
        version.encode(),
        core_source_digest().encode(),
        *(f"{n} {v} {c}".encode() for n, v, c in sorted(packages)),
    )


_CORE_SOURCE_DIGEST: Optional[str] = None


def core_source_digest() -> str:
    """SHA-256 over the modules of `estream.core` (this package's parent, not the registry): the
    parsers, validators and the resolver whose verdict the memo remembers. ~60 files, read once
    per process (a few milliseconds)."""
    global _CORE_SOURCE_DIGEST
    if _CORE_SOURCE_DIGEST is None:
        core_dir = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for path in sorted(core_dir.glob("*.py")):
            if path.name.endswith("_test.py"):
                continue
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _CORE_SOURCE_DIGEST = h.hexdigest()
    return _CORE_SOURCE_DIGEST


def _read_secret(path: Path) -> Optional[bytes]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_mode & 0o077
            or (hasattr(os, "getuid") and st.st_uid != os.getuid())
        ):
            return None
        data = os.read(fd, SECRET_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == SECRET_BYTES else None


def _create_secret(path: Path) -> None:
    """Write a fresh secret (0600) and link it into place; a concurrent creator's wins."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(SECRET_BYTES))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    except OSError:
        pass


__all__ = [
    "MEMO_DIRNAME",
    "SignatureCheck",
    "VerificationMemo",
    "input_digest",
    "schema_resolution_key",
    "signature_check",
    "verify_signature",
]
