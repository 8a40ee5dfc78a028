"""ML-DSA-87 signing keys, public key files and keyrings.

File formats (all TOML, UTF-8):

* Private key file (mode 0600)::

      algorithm = "ML-DSA-87"
      key_id = "estream-signing-key-01"
      seed = "<64 hex chars: the 32-byte FIPS 204 seed>"
      development = true            # optional, default false

* Public key file (`<private>.pub`)::

      algorithm = "ML-DSA-87"
      key_id = "estream-signing-key-01"
      public_key = "<hex, 2592 bytes>"

* Keyring::

      [[keys]]
      key_id = "estream-signing-key-01"
      public_key = "<hex>"          # or: fingerprint = "sha3-256:<hex>"
      trust = "trusted"             # or "revoked"

Where a signing key comes from (`resolve_signing_key`): an explicit path, else
`ESTREAM_SIGNING_KEY` (the private key file's TOML text inline, for CI secrets), else
`ESTREAM_SIGNING_KEY_FILE` (a path), else the per-user development key, created on first use at
`~/.estream/keys/dev-signing-key.toml`.

Secret material never appears in `repr()`, `str()` or error messages.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Mapping, Optional, Tuple

from estream.core.errors import Diagnostic, EstreamError
from estream.core.home import HOME_DIRNAME
from estream.core.merkle import sha3_256
from estream.core.toml_loader import load_toml

ALGORITHM = "ML-DSA-87"
SEED_SIZE = 32
PUBLIC_KEY_SIZE = 2592
SIGNATURE_SIZE = 4627
FINGERPRINT_PREFIX = "sha3-256:"

ENV_SIGNING_KEY = "ESTREAM_SIGNING_KEY"
ENV_SIGNING_KEY_FILE = "ESTREAM_SIGNING_KEY_FILE"
DEV_KEY_RELPATH = Path(HOME_DIRNAME) / "keys" / "dev-signing-key.toml"

TRUSTED = "trusted"
REVOKED = "revoked"

_HEX = re.compile(r"\A(?:[0-9a-f]{2})*\Z")
_FINGERPRINT = re.compile(r"\Asha3-256:[0-9a-f]{64}\Z")
_KEY_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}\Z")


# dilithium-py 1.5.1 is NOT thread-safe: without the optional `xoflib` it hashes through
# module-level SHAKE wrapper singletons whose buffers are shared, so concurrent key derivation or
# signing silently yields wrong keys/signatures (reproduced: 4 of 20 parallel key_derive calls
# differed). Pants runs rules on several threads, so every ML-DSA call goes through this lock.
_ML_DSA_LOCK = threading.Lock()


def _ml_dsa_87():
    # Imported lazily so key-file handling works even where dilithium_py is not installed.
    from dilithium_py.ml_dsa import ML_DSA_87

    return ML_DSA_87


def key_derive(seed: bytes) -> Tuple[bytes, bytes]:
    with _ML_DSA_LOCK:
        return _ml_dsa_87().key_derive(seed)


def fingerprint(public_key: bytes) -> str:
    """`sha3-256:<hex>` of the raw public key bytes."""
    return FINGERPRINT_PREFIX + sha3_256(public_key).hex()


def key_id_problem(key_id: object) -> Optional[str]:
    if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
        return "expected 1-128 characters from [A-Za-z0-9._@:+-], starting with a letter or digit"
    return None


def _decode_hex(value: object, size: int) -> Optional[bytes]:
    """Strict lowercase hex of exactly `size` bytes (bytes.fromhex alone accepts spaces)."""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.match(value):
        return None
    return bytes.fromhex(value)


@dataclass(frozen=True)
class PublicKey:
    """An ML-DSA-87 verification key with its human label."""

    key_id: str
    public_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def verify(self, message: bytes, signature: bytes, *, ctx: bytes) -> bool:
        if len(self.public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
            return False
        with _ML_DSA_LOCK:
            return bool(_ml_dsa_87().verify(self.public_key, message, signature, ctx=ctx))

    def to_toml(self) -> str:
        return (
            f'algorithm = "{ALGORITHM}"\n'
            f'key_id = "{self.key_id}"\n'
            f'public_key = "{self.public_key.hex()}"\n'
        )

    def __repr__(self) -> str:
        return f"PublicKey(key_id={self.key_id!r}, fingerprint={self.fingerprint!r})"


class SigningKey:
    """An ML-DSA-87 private key, held as its 32-byte seed.

    `repr()`/`str()` show only the key id, fingerprint and development flag.
    """

    __slots__ = ("_seed", "_key_id", "_development", "_pk", "_sk")

    def __init__(self, key_id: str, seed: bytes, *, development: bool = False) -> None:
        if key_id_problem(key_id):
            raise ValueError("invalid key_id")
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_SIZE:
            raise ValueError("seed must be 32 bytes")
        self._key_id = key_id
        self._seed = bytes(seed)
        self._development = development
        self._pk, self._sk = key_derive(self._seed)

    @classmethod
    def generate(cls, key_id: str, *, development: bool = False) -> "SigningKey":
        return cls(key_id, secrets.token_bytes(SEED_SIZE), development=development)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def development(self) -> bool:
        return self._development

    @property
    def public(self) -> PublicKey:
        return PublicKey(self._key_id, self._pk)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._pk)

    def sign(self, message: bytes, *, ctx: bytes) -> bytes:
        """Deterministic ML-DSA-87 signature (hedging off) so builds are reproducible."""
        with _ML_DSA_LOCK:
            return _ml_dsa_87().sign(self._sk, message, ctx=ctx, deterministic=True)

    def private_key_file_text(self) -> str:
        """The private key file's TOML. Contains the secret seed: write it only with mode 0600."""
        text = f'algorithm = "{ALGORITHM}"\nkey_id = "{self._key_id}"\nseed = "{self._seed.hex()}"\n'
        if self._development:
            text += "development = true\n"
        return text

    def __repr__(self) -> str:
        return (
            f"SigningKey(key_id={self._key_id!r}, fingerprint={self.fingerprint!r}, "
            f"development={self._development!r})"
        )

    __str__ = __repr__

    def __reduce__(self):
        # Refuse pickling so the seed cannot leak into caches or process pools by accident.
        raise TypeError("SigningKey cannot be pickled")


# ---------------------------------------------------------------------------------------------
# Parsing


def _parse_toml(text: str, source: str) -> dict:
    # The loader's messages carry only positions, never the offending text: safe for key files.
    return load_toml(text, source, what="the key file")


def _check_algorithm(data: Mapping[str, object], source: str, errors: List[Diagnostic]) -> None:
    if data.get("algorithm") != ALGORITHM:
        errors.append(Diagnostic(source, f'expected algorithm = "{ALGORITHM}"', key="algorithm"))


def parse_private_key(text: str, *, source: str, development: bool = False) -> SigningKey:
    """Parse private key file TOML. Errors never quote the seed."""
    data = _parse_toml(text, source)
    errors: List[Diagnostic] = []
    _check_algorithm(data, source, errors)
    key_id = data.get("key_id")
    problem = key_id_problem(key_id)
    if problem:
        errors.append(Diagnostic(source, f"invalid key_id: {problem}", key="key_id"))
    seed = _decode_hex(data.get("seed"), SEED_SIZE)
    if seed is None:
        errors.append(
            Diagnostic(source, "expected seed = 64 lowercase hex characters (a 32-byte seed)", key="seed")
        )
    dev_flag = data.get("development", False)
    if not isinstance(dev_flag, bool):
        errors.append(Diagnostic(source, "expected development = true or false", key="development"))
    unknown = sorted(set(data) - {"algorithm", "key_id", "seed", "development"})
    for name in unknown:
        errors.append(Diagnostic(source, "unknown field in private key file", key=name))
    if errors:
        raise EstreamError(errors)
    return SigningKey(key_id, seed, development=bool(dev_flag) or development)  # type: ignore[arg-type]


def _read_private_key_file(path: Path) -> str:
    """Read a key file, refusing it if group/other have any access.

    The mode is checked on the opened descriptor (a symlink is judged by its target) so the file
    cannot be swapped between the check and the read.
    """
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except FileNotFoundError:
        raise EstreamError.single(str(path), "signing key file not found") from None
    except OSError as e:
        raise EstreamError.single(str(path), f"cannot open signing key file: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise EstreamError.single(str(path), "signing key path is not a regular file")
        if os.name == "posix" and st.st_mode & 0o077:
            raise EstreamError.single(
                str(path),
                f"signing key file is accessible by group/others (mode {stat.S_IMODE(st.st_mode):04o})",
                help=f"restrict it to its owner: chmod 600 {path}",
            )
        with os.fdopen(fd, "rb") as f:
            fd = -1
            raw = f.read()
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EstreamError.single(str(path), "signing key file is not UTF-8 text") from None


def load_private_key(path: "str | os.PathLike[str]", *, development: bool = False) -> SigningKey:
    """Load a private key file; refuse it when group/other can read it."""
    path = Path(path)
    return parse_private_key(_read_private_key_file(path), source=str(path), development=development)


def load_signing_key_from_env(environ: Optional[Mapping[str, str]] = None) -> Optional[SigningKey]:
    """The key from ESTREAM_SIGNING_KEY (inline TOML) or ESTREAM_SIGNING_KEY_FILE, or None."""
    env = os.environ if environ is None else environ
    inline = env.get(ENV_SIGNING_KEY)
    path = env.get(ENV_SIGNING_KEY_FILE)
    if inline and path:
        raise EstreamError.single(
            f"${ENV_SIGNING_KEY}",
            f"both {ENV_SIGNING_KEY} and {ENV_SIGNING_KEY_FILE} are set",
            help="set only one of them",
        )
    if inline:
        # Inline keys come from CI secret stores; there is no file mode to check.
        return parse_private_key(inline, source=f"${ENV_SIGNING_KEY}")
    if path:
        return load_private_key(path)
    return None


def _write_new_file(path: Path, data: bytes, mode: int) -> None:
    """Create `path` atomically with `mode`, never replacing an existing file.

    Written to a temp file then hard-linked into place: link() fails if the target exists, so two
    concurrent creators cannot silently swap keys under each other, and readers never see a
    partial file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            os.fchmod(fd, mode)  # umask may have narrowed it; never widened, but be exact
        except AttributeError:  # pragma: no cover - not POSIX
            pass
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(str(tmp), str(path))
    finally:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(str(tmp))
        except FileNotFoundError:
            pass


def write_private_key(path: "str | os.PathLike[str]", key: SigningKey) -> None:
    """Write a new private key file with mode 0600; refuse to overwrite."""
    path = Path(path)
    try:
        _write_new_file(path, key.private_key_file_text().encode("utf-8"), 0o600)
    except FileExistsError:
        raise EstreamError.single(str(path), "file already exists; refusing to overwrite a key") from None


def write_public_key(path: "str | os.PathLike[str]", key: PublicKey) -> None:
    path = Path(path)
    try:
        _write_new_file(path, key.to_toml().encode("utf-8"), 0o644)
    except FileExistsError:
        raise EstreamError.single(str(path), "file already exists; refusing to overwrite") from None


def dev_key_path(home_dir: "str | os.PathLike[str] | None" = None) -> Path:
    return (Path(home_dir) if home_dir is not None else Path.home()) / DEV_KEY_RELPATH


def load_or_create_dev_key(home_dir: "str | os.PathLike[str] | None" = None) -> SigningKey:
    """The per-user development key, created once (0600 file in a 0700 dir) on first use.

    Its key_id is `dev-<first 16 hex of the fingerprint>`. Packages signed with it are marked
    `development_key: true` and fail verification unless development keys are allowed.
    """
    path = dev_key_path(home_dir)
    if path.exists():
        return load_private_key(path, development=True)
    keys_dir = path.parent
    for d in (keys_dir.parent, keys_dir):
        if not d.exists():
            try:
                d.mkdir(mode=0o700)
            except FileExistsError:
                pass
            os.chmod(str(d), 0o700)
    seed = secrets.token_bytes(SEED_SIZE)
    pk, _ = key_derive(seed)
    key = SigningKey(f"dev-{sha3_256(pk).hex()[:16]}", seed, development=True)
    try:
        _write_new_file(path, key.private_key_file_text().encode("utf-8"), 0o600)
    except FileExistsError:
        # Another process won the race; everyone uses its key.
        return load_private_key(path, development=True)
    pub = path.with_name(path.name + ".pub")
    try:
        _write_new_file(pub, key.public.to_toml().encode("utf-8"), 0o644)
    except FileExistsError:
        pass
    return key


def local_development_key(home_dir: "str | os.PathLike[str] | None" = None) -> Optional[PublicKey]:
    """The public half of THIS user's development key (`dev_key_path`), or None if there is none.

    `--allow-development-key` trusts this key only: a development key vouches for itself (anyone
    can make one and mark a package `development_key`), so the only development key a person can
    meaningfully trust is their own. Never creates the key.
    """
    path = dev_key_path(home_dir)
    if not path.is_file():
        return None
    return load_private_key(path, development=True).public


def resolve_signing_key(
    *,
    key_file: "str | os.PathLike[str] | None" = None,
    environ: Optional[Mapping[str, str]] = None,
    home_dir: "str | os.PathLike[str] | None" = None,
    allow_development_key: bool = True,
) -> SigningKey:
    """Explicit `key_file`, else the environment, else the development key (if allowed)."""
    if key_file is not None:
        return load_private_key(key_file)
    key = load_signing_key_from_env(environ)
    if key is not None:
        return key
    if not allow_development_key:
        raise EstreamError.single(
            "<signing>",
            "no signing key configured",
            help=f"set {ENV_SIGNING_KEY_FILE} to a key file (create one with `estream marketplace keygen`)",
        )
    return load_or_create_dev_key(home_dir)


def parse_public_key(text: str, *, source: str) -> PublicKey:
    data = _parse_toml(text, source)
    errors: List[Diagnostic] = []
    _check_algorithm(data, source, errors)
    key_id = data.get("key_id")
    problem = key_id_problem(key_id)
    if problem:
        errors.append(Diagnostic(source, f"invalid key_id: {problem}", key="key_id"))
    pk = _decode_hex(data.get("public_key"), PUBLIC_KEY_SIZE)
    if pk is None:
        errors.append(
            Diagnostic(
                source,
                f"expected public_key = {2 * PUBLIC_KEY_SIZE} lowercase hex characters (ML-DSA-87 public key)",
                key="public_key",
            )
        )
    if "seed" in data:
        errors.append(
            Diagnostic(source, "this is a private key file; pass the `.pub` file instead", key="seed")
        )
    if errors:
        raise EstreamError(errors)
    return PublicKey(key_id, pk)  # type: ignore[arg-type]


def load_public_key(path: "str | os.PathLike[str]") -> PublicKey:
    path = Path(path)
    return parse_public_key(_read_text(path, "public key file"), source=str(path))


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise EstreamError.single(str(path), f"{what} not found") from None
    except IsADirectoryError:
        raise EstreamError.single(str(path), f"{what} is a directory") from None
    except OSError as e:
        raise EstreamError.single(str(path), f"cannot read {what}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise EstreamError.single(str(path), f"{what} is not UTF-8 text") from None


@dataclass(frozen=True)
class KeyringEntry:
    """A keyring entry: a fingerprint (and the key when given) with its trust level."""

    key_id: str
    fingerprint: str
    trust: str
    public_key: Optional[bytes] = None

    @property
    def trusted(self) -> bool:
        return self.trust == TRUSTED


@dataclass(frozen=True)
class Keyring:
    """Publisher keys the verifier knows about, looked up by fingerprint."""

    entries: Tuple[KeyringEntry, ...] = ()
    source: str = "<keyring>"

    def lookup(self, key_fingerprint: str) -> Optional[KeyringEntry]:
        """The entry for a fingerprint; a revoked entry wins over a trusted one."""
        found = [e for e in self.entries if e.fingerprint == key_fingerprint]
        for entry in found:
            if entry.trust == REVOKED:
                return entry
        return found[0] if found else None

    def with_trusted(self, keys: Iterable[PublicKey], source: str = "--key") -> "Keyring":
        extra = tuple(KeyringEntry(k.key_id, k.fingerprint, TRUSTED, k.public_key) for k in keys)
        return Keyring(self.entries + extra, self.source)


def parse_keyring(text: str, *, source: str) -> Keyring:
    """Parse keyring TOML, reporting every bad entry at once."""
    data = _parse_toml(text, source)
    errors: List[Diagnostic] = []
    raw = data.get("keys", [])
    if not isinstance(raw, list):
        raise EstreamError.single(source, "expected an array of tables `[[keys]]`", key="keys")
    unknown_top = sorted(set(data) - {"keys"})
    for name in unknown_top:
        errors.append(Diagnostic(source, "unknown top-level field in keyring", key=name))
    entries: List[KeyringEntry] = []
    for i, item in enumerate(raw):
        where = f"keys[{i}]"
        if not isinstance(item, dict):
            errors.append(Diagnostic(source, "expected a table", key=where))
            continue
        key_id = item.get("key_id")
        problem = key_id_problem(key_id)
        if problem:
            errors.append(Diagnostic(source, f"invalid key_id: {problem}", key=f"{where}.key_id"))
        trust = item.get("trust")
        if trust not in (TRUSTED, REVOKED):
            errors.append(Diagnostic(source, 'expected trust = "trusted" or "revoked"', key=f"{where}.trust"))
        pk: Optional[bytes] = None
        fp: Optional[str] = None
        if "public_key" in item:
            pk = _decode_hex(item["public_key"], PUBLIC_KEY_SIZE)
            if pk is None:
                errors.append(
                    Diagnostic(
                        source,
                        f"expected {2 * PUBLIC_KEY_SIZE} lowercase hex characters (ML-DSA-87 public key)",
                        key=f"{where}.public_key",
                    )
                )
            else:
                fp = fingerprint(pk)
        if "fingerprint" in item:
            given = item["fingerprint"]
            if not isinstance(given, str) or not _FINGERPRINT.match(given):
                errors.append(
                    Diagnostic(source, 'expected "sha3-256:<64 lowercase hex>"', key=f"{where}.fingerprint")
                )
            elif fp is not None and given != fp:
                errors.append(
                    Diagnostic(source, "fingerprint does not match public_key", key=f"{where}.fingerprint")
                )
            else:
                fp = given
        if "public_key" not in item and "fingerprint" not in item:
            errors.append(Diagnostic(source, "expected public_key or fingerprint", key=where))
        for name in sorted(set(item) - {"key_id", "public_key", "fingerprint", "trust"}):
            errors.append(Diagnostic(source, "unknown field in keyring entry", key=f"{where}.{name}"))
        if fp is not None and not problem and trust in (TRUSTED, REVOKED):
            entries.append(KeyringEntry(key_id, fp, trust, pk))  # type: ignore[arg-type]
    if errors:
        raise EstreamError(errors)
    return Keyring(tuple(entries), source)


def load_keyring(path: "str | os.PathLike[str]") -> Keyring:
    path = Path(path)
    return parse_keyring(_read_text(path, "keyring file"), source=str(path))


def empty_keyring() -> Keyring:
    return Keyring((), "<empty keyring>")


def find_keyring(
    explicit: "str | os.PathLike[str] | None" = None, environ: Optional[Mapping[str, str]] = None
) -> Keyring:
    """THE keyring lookup of every command: `explicit` (--keyring), else $ESTREAM_KEYRING, else
    `$ESTREAM_HOME/keyring.toml` (default `~/.estream/keyring.toml`) if present, else empty.
    A keyring named explicitly or by the environment must exist."""
    from estream.core.home import ENV_KEYRING, default_keyring_path

    env = os.environ if environ is None else environ
    if explicit:
        return load_keyring(explicit)
    if env.get(ENV_KEYRING):
        return load_keyring(env[ENV_KEYRING])
    default = default_keyring_path(env)
    return load_keyring(default) if default.is_file() else empty_keyring()


__all__ = [
    "ALGORITHM",
    "ENV_SIGNING_KEY",
    "ENV_SIGNING_KEY_FILE",
    "Keyring",
    "KeyringEntry",
    "PublicKey",
    "SigningKey",
    "dev_key_path",
    "empty_keyring",
    "find_keyring",
    "fingerprint",
    "load_keyring",
    "local_development_key",
    "load_or_create_dev_key",
    "load_private_key",
    "load_public_key",
    "load_signing_key_from_env",
    "parse_keyring",
    "parse_private_key",
    "parse_public_key",
    "resolve_signing_key",
    "write_private_key",
    "write_public_key",
]
