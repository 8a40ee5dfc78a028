"""`estream marketplace install`: SmartCircuit package format §8.1 steps 1-7.

1. resolve the dependency graph (or take the workspace lock as is), 2. download archives into the
content-addressed cache, 3. verify every checksum and ML-DSA-87 signature, 4. resolve ESF
provides/requires, 5. install files per §8.2, 6. run test vectors, 7. update
`estream-workspace.toml`. Nothing touches the workspace before step 5, and steps 5 and 7 are one
`Transaction`: an error or interrupt leaves the workspace exactly as it was.

Locks (`estream.core.lock`): a command holds the workspace's lock from reading
`estream-workspace.toml` to the commit (`Installer.session`), so concurrent installs into one
workspace run one after the other and none loses the other's update; from its first registry sync
to its end it also holds the registry checkout's lock, so another process's sync never rewrites
the index under its reads.

An install that would change nothing returns before step 1 (`install_record.py`), so the modules
of steps 3-4 (signatures, YAML, schema resolution) are imported only when those steps run.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, List, Mapping, Optional, Sequence, Set, TextIO, Tuple

from estream.core.archive import DEFAULT_MAX_TOTAL_BYTES
from estream.core.errors import Diagnostic, EstreamError
from estream.core.home import estream_home
from estream.core.keys import Keyring, PublicKey, empty_keyring, local_development_key
from estream.core.portable_names import collision_message, name_key
from estream.core.registry.cache import ArchiveCache
from estream.core.registry.index import IndexDep, IndexEntry
from estream.core.registry.install_record import (
    install_digest,
    load_record,
    read_owned_files,
    record_path,
    save_record,
)
from estream.core.registry.registry import Registry
from estream.core.registry.resolver import Resolution, resolve
from estream.core.registry.transaction import Transaction, recover, test_pause, workspace_lock
from estream.core.registry.trust import (
    TrustedRegistry,
    TrustState,
    load_trust_state,
    record_trust_state,
    resolve_trust_roots,
)
from estream.core.registry.verification_memo import VerificationMemo, schema_resolution_key
from estream.core.registry.workspace import WORKSPACE_FILE, LockEntry, Workspace, load_workspace
from estream.core.semver import Version, VersionReq

if TYPE_CHECKING:
    from estream.core.manifest import Manifest
    from estream.core.resolution import PackageSchemas


#: How many unverifiable versions one install skips before giving up.
MAX_SKIPPED_VERSIONS = 20


class _Unverifiable(Exception):
    """Raised inside `apply` for a resolved (not locked) version whose archive cannot be verified."""

    def __init__(self, name: str, version: str, reason: str, error: EstreamError) -> None:
        super().__init__(f"{name} {version}: {reason}")
        self.name, self.version, self.reason, self.error = name, version, reason, error


@dataclass
class InstallOptions:
    force: bool = False
    offline: bool = False
    allow_development_key: bool = False
    local_keyring: Keyring = field(default_factory=empty_keyring)
    run_tests: bool = True
    #: Cap on an archive's unpacked size (gzip bombs stop here).
    max_unpacked_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    #: `--trust-root`: the registry root fingerprints to pin (else the workspace's, else
    #: $ESTREAM_TRUST_ROOT); written to the workspace's `[trust] roots` by a successful install.
    trust_roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Pinned:
    """A package chosen for installation: name, version, expected archive checksum, declared deps."""

    name: str
    version: str
    checksum: str
    size: Optional[int]
    deps: Tuple[IndexDep, ...]
    key_fingerprint: Optional[str] = None


@dataclass
class VerifiedPackage:
    pinned: Pinned
    manifest: Manifest
    files: Dict[str, bytes]
    key_id: str
    development_key: bool
    cached: bool
    key_fingerprint: str


@dataclass
class InstallResult:
    installed: List[Tuple[str, str]]
    written: List[str]
    deleted: List[str]
    workspace: Workspace


# -- test vectors --------------------------------------------------------------------------


def run_package_test_vectors(
    name: str, files: Mapping[str, bytes], others: Sequence[Mapping[str, bytes]] = ()
) -> Optional[str]:
    """THE hook for step 6: run a package's golden vectors and journeys; a summary, or None if it has none.

    Uses the SmartCircuit runner of `estream marketplace test` (package format §5.3) on the
    verified files, unpacked into a temporary directory (never the workspace); `others` are the
    other packages being installed, whose schemas the circuits may use. The runner's report is
    printed as it runs; a failing vector raises EstreamError, so nothing is installed.
    """
    from estream.core.manifest import MANIFEST_FILENAME, parse_manifest

    has_tests = "tests/golden/manifest.toml" in files or any(p.startswith("tests/journeys/") for p in files)
    manifest_bytes = files.get(MANIFEST_FILENAME)
    if (
        not has_tests
        or manifest_bytes is None
        or parse_manifest(manifest_bytes, MANIFEST_FILENAME).circuit is None
    ):
        return None
    import tempfile

    from estream.cli.circuits import run_package_tests  # the runner's driver (imports estream.core only)

    with tempfile.TemporaryDirectory(prefix="estream-install-vectors-") as tmp:
        dirs = []
        for i, package in enumerate([files, *others]):
            root = Path(tmp) / f"p{i}"
            for rel, content in package.items():
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            dirs.append(root)
        code = run_package_tests(dirs[0], extra_dirs=dirs[1:])
    if code != 0:
        raise EstreamError.single(name, "test vectors failed (see the report above); nothing was installed")
    return "test vectors passed"


# -- the installer -------------------------------------------------------------------------


class Installer:
    def __init__(
        self,
        root: Path,
        *,
        registry: Optional[Registry],
        cache: ArchiveCache,
        options: InstallOptions,
        out: Optional[TextIO] = None,
    ) -> None:
        self.root = root
        self.registry = registry
        self.cache = cache
        self.options = options
        self.out = out if out is not None else io.StringIO()
        self._synced = False
        #: Versions that cannot be verified, with why: treated like yanked ones (never chosen).
        self.unverifiable: Dict[Tuple[str, str], str] = {}
        self._locked: Dict[str, str] = {}
        self._skipped_errors: List[EstreamError] = []
        self._held: Optional[contextlib.ExitStack] = None
        self._own_development_key: Optional[List[PublicKey]] = None
        self._trusted: Optional[TrustedRegistry] = None
        self._pins_used: Tuple[str, ...] = ()
        #: Verdicts of checks already passed on the same bytes (signatures, schema resolution).
        self.memo = VerificationMemo.in_home(registry.home if registry is not None else estream_home())

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """The locks of one command that changes the workspace (see the module doc)."""
        if self._held is not None:
            yield
            return
        with workspace_lock(self.root), contextlib.ExitStack() as held:
            self._held = held
            try:
                yield
            finally:
                self._held = None

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def synced_registry(self) -> Registry:
        """The configured registry, synced (under the install lock when held) and its trust
        chain verified, once per Installer; every read of the index goes through here."""
        if self.registry is None:
            raise EstreamError.single(
                "--registry",
                "a registry is needed for this install but none is configured",
                help="pass --registry or set $ESTREAM_REGISTRY",
            )
        if not self._synced:
            if self._held is not None:
                self._held.enter_context(self.registry.locked())
            self.registry.sync(offline=self.options.offline)
            self._synced = True
            self._trusted = self._verify_trust(self.registry)
        return self.registry

    def pins(self) -> Tuple[Tuple[str, ...], str]:
        """The pinned registry root fingerprints and where they come from (`trust.resolve_trust_roots`)."""
        return resolve_trust_roots(self.options.trust_roots, load_workspace(self.root).trust_roots)

    def _verify_trust(self, registry: Registry) -> TrustedRegistry:
        """The registry's trust chain against the pinned roots, refusing a snapshot or keyring
        older than this machine (`$ESTREAM_HOME/trust/`) or this workspace has seen."""
        pins, where = self.pins()
        self._pins_used = pins
        seen = load_trust_state(registry.home, pins) if pins else TrustState()
        seen = TrustState(max(seen.snapshot, load_workspace(self.root).trust_snapshot), seen.keyring)
        own = self._development_keys()
        return registry.trusted(
            pins,
            pinned_in=where,
            seen=seen,
            local_keyring=self.options.local_keyring,
            development_key=own[0] if own else None,
            check_signature=self.memo.check_signature,
        )

    # -- step 1

    def _lock_satisfies(self, ws: Workspace, roots: Mapping[str, str]) -> bool:
        for name, req in roots.items():
            entry = ws.lock.get(name)
            if entry is None or not VersionReq.parse(req).matches(Version.parse(entry.version)):
                return False
        return bool(ws.lock)

    def _resolve(
        self, roots: Mapping[str, str], ws: Workspace, *, prefer_lock: bool = True, unlock: Sequence[str] = ()
    ) -> List[Pinned]:
        self.synced_registry()  # syncs the registry before the lock is read against it
        locked = (
            {
                n: e.version
                for n, e in ws.lock.items()
                if n not in unlock and (n, e.version) not in self.unverifiable
            }
            if prefer_lock
            else {}
        )
        resolution = resolve(roots, self._verifiable_versions, locked=locked)
        self._print_tree(resolution, roots)
        pinned = []
        for name in resolution.order():
            e = resolution.packages[name]
            lock = ws.lock.get(name)
            if lock is not None and lock.version == e.version and lock.checksum != e.checksum:
                raise EstreamError.single(
                    WORKSPACE_FILE,
                    f"the registry's checksum for {name} {e.version} ({e.checksum}) differs from the lock ({lock.checksum})",
                    key=f"lock.{name}",
                    help="a published version must never change; someone replaced it in the registry. Do not install it.",
                )
            if (
                lock is not None
                and lock.version == e.version
                and lock.key_fingerprint not in (None, e.key_fingerprint)
            ):
                raise EstreamError.single(
                    WORKSPACE_FILE,
                    f"the registry says {name} {e.version} is signed by {e.key_id} ({e.key_fingerprint}), "
                    f"but the lock records {lock.key_fingerprint}",
                    key=f"lock.{name}.key_fingerprint",
                    help="a published version's signing key never changes; someone re-signed it. Do not install it.",
                )
            if (
                lock is not None
                and lock.key_fingerprint not in (None, e.key_fingerprint)
                and lock.version != e.version
            ):
                self.say(
                    f"  note: {name} {e.version} is signed by {e.key_id} ({e.key_fingerprint}), "
                    f"not by the key of the locked {lock.version} ({lock.key_fingerprint})"
                )
            pinned.append(Pinned(e.name, e.version, e.checksum, e.size, e.deps, e.key_fingerprint))
        return pinned

    def _verifiable_versions(self, name: str) -> List[IndexEntry]:
        """The index entries of `name` minus those that cannot be verified (§ registry trust):
        signed by a key this install does not trust, or already found bad. Each is skipped with a
        warning naming it, so one bad upload cannot break `install` for everyone."""
        out = []
        keyring = None
        lines, problems = self.synced_registry().entries_lenient(name)
        for problem in problems:
            where = f"{problem.path}:{problem.line}" if problem.line else problem.path
            self.say(f"  warning: ignoring {where}: {problem.message.splitlines()[0]}")
        own = self._development_keys()
        for _, e in lines:
            key = (e.name, e.version)
            if key not in self.unverifiable and not any(k.fingerprint == e.key_fingerprint for k in own):
                keyring = keyring or self._keyring()
                trusted = keyring.lookup(e.key_fingerprint)
                if trusted is None or not trusted.trusted:
                    why = "revoked" if trusted is not None else "not trusted"
                    self._skip(
                        e.name,
                        e.version,
                        f"its signing key {e.key_id} ({e.key_fingerprint}) is {why} by {keyring.source}",
                    )
            out.append(e.with_yanked(True) if key in self.unverifiable else e)
        return out

    def _with_skipped(self, error: EstreamError) -> EstreamError:
        """A resolution failure, with why the versions it could not use were skipped."""
        if not self.unverifiable:
            return error
        skipped = [
            Diagnostic(f"{n} {v}", f"skipped: it cannot be verified ({why})")
            for (n, v), why in sorted(self.unverifiable.items())
        ]
        return EstreamError(
            [*error.diagnostics, *skipped, *(d for e in self._skipped_errors for d in e.diagnostics)]
        )

    def _skip(self, name: str, version: str, reason: str) -> None:
        if (name, version) not in self.unverifiable:
            self.unverifiable[(name, version)] = reason
            self.say(
                f"  warning: skipping {name} {version}: it cannot be verified ({reason}); treated as yanked"
            )

    def _print_tree(self, resolution: Resolution, roots: Mapping[str, str]) -> None:
        self.say("  1. Resolve dependencies")
        names = [n for n in resolution.order() if n not in roots] or []
        direct = [n for n in resolution.order() if n in roots]
        for n in direct:
            self.say(f"     ├── {n} v{resolution.packages[n].version}")
        for i, n in enumerate(names):
            parents = sorted({r.chain[-1][0] for r in resolution.required_by.get(n, ()) if r.chain})
            branch = "└──" if i == len(names) - 1 else "├──"
            self.say(
                f"     {branch} {n} v{resolution.packages[n].version} (required by {', '.join(parents)})"
            )

    # -- steps 2 and 3

    def _fetch(self, p: Pinned) -> Tuple[bytes, bool]:
        data = self.cache.get(p.checksum)
        if data is not None:
            return data, True
        if self.options.offline:
            raise EstreamError.single(
                f"{p.name} {p.version}",
                f"--offline, but the archive ({p.checksum}) is not in the cache {self.cache.root}",
            )
        registry = self.synced_registry()
        entry = next((e for _, e in registry.entries_lenient(p.name)[0] if e.version == p.version), None)
        if entry is None:
            raise EstreamError.single(
                f"{p.name} {p.version}", f"is not in the registry {registry.display_url}"
            )
        if entry.checksum != p.checksum:
            raise EstreamError.single(
                WORKSPACE_FILE,
                f"the registry's checksum for {p.name} {p.version} ({entry.checksum}) differs from the lock ({p.checksum})",
                key=f"lock.{p.name}",
                help="a published version must never change; refusing to install it",
            )
        # The checksum is checked with the signature in `_verify`; cached only once both passed.
        try:
            return registry.archive_bytes(entry), False
        except EstreamError as e:
            raise self._unverified(p, e) from None

    def _keyring(self) -> Keyring:
        """The keys archives are verified against: the registry's root-signed keyring (its
        trust chain verified against the pinned roots) plus the local keyring. Offline with a
        registry never fetched here, the local keyring alone (the lock's checksums pin the
        archives)."""
        ring = self.options.local_keyring
        if self.registry is not None:
            if self.options.offline and not self.registry.has_checkout():
                return ring
            self.synced_registry()
            trusted = self._trusted
            assert trusted is not None
            ring = Keyring(
                trusted.keyring.entries + ring.entries,
                f"{trusted.keyring.source} (signed by the pinned root) + {ring.source}",
            )
        return ring

    def _development_keys(self) -> List[PublicKey]:
        """With --allow-development-key: this user's own development key, no other (issue 13)."""
        if not self.options.allow_development_key:
            return []
        if self._own_development_key is None:
            own = local_development_key()
            self._own_development_key = [own] if own is not None else []
        return self._own_development_key

    def _unverified(self, p: Pinned, error: EstreamError) -> Exception:
        """A package that failed verification: a version resolution chose can be skipped (and
        the graph resolved again without it); one the lock pins cannot, the lock is the contract."""
        if p.deps is None or self._locked.get(p.name) == p.version:
            return error
        first = error.diagnostics[0]
        return _Unverifiable(p.name, p.version, first.message.split("\n", 1)[0], error)

    def _verify(self, p: Pinned, data: bytes, cached: bool, keyring: Keyring) -> VerifiedPackage:
        try:
            return self._verify_or_raise(p, data, cached, keyring)
        except EstreamError as e:
            raise self._unverified(p, e) from None

    def _verify_or_raise(self, p: Pinned, data: bytes, cached: bool, keyring: Keyring) -> VerifiedPackage:
        from estream.core.registry.archive_verification import verify_registry_archive

        verified = verify_registry_archive(
            data,
            name=p.name,
            version=p.version,
            checksum=p.checksum,
            keyring=keyring,
            source=f"{p.name}-{p.version}.tar.gz",
            action="nothing was installed",
            deps=None if p.deps is None else [(d.name, d.req) for d in p.deps],
            allow_development_key=self.options.allow_development_key,
            development_keys=self._development_keys(),
            expected_key_fingerprint=p.key_fingerprint,
            max_unpacked_bytes=self.options.max_unpacked_bytes,
            checksum_from="the lock" if p.deps is None else "the index",
            check_signature=self.memo.check_signature,
        )
        return VerifiedPackage(
            p,
            verified.manifest,
            verified.files,
            verified.key_id,
            verified.development_key,
            cached,
            verified.key_fingerprint,
        )

    # -- the whole flow

    def install(self, requests: Mapping[str, str], *, from_lock_only: bool = False) -> InstallResult:
        """Install `requests` (name -> requirement) plus everything already in the workspace."""
        with self.session():
            return self._install(requests)

    def _install(self, requests: Mapping[str, str]) -> InstallResult:
        message = recover(self.root)
        if message:
            self.say(f"  note: {message}")
        ws = load_workspace(self.root)
        roots = dict(ws.dependencies)
        roots.update(requests)
        if not roots:
            raise EstreamError.single(
                WORKSPACE_FILE,
                "nothing to install",
                help="name a component: estream marketplace install NAME",
            )
        if not requests and self._lock_satisfies(ws, roots):
            if self._nothing_changed(ws):
                self.say(
                    f"  Nothing to do: the workspace is as the last install left it ({len(ws.lock)} packages locked in {WORKSPACE_FILE})"
                )
                return InstallResult([(n, e.version) for n, e in sorted(ws.lock.items())], [], [], ws)
            self.say("  1. Resolve dependencies")
            self.say(f"     └── using the lock in {WORKSPACE_FILE} ({len(ws.lock)} packages)")
            pinned = [Pinned(n, e.version, e.checksum, None, None, e.key_fingerprint) for n, e in sorted(ws.lock.items())]  # type: ignore[arg-type]
            return self.apply(pinned, dict(ws.dependencies), pin=list(requests), ws=ws)
        return self.resolve_and_apply(roots, ws, dict(ws.dependencies), pin=list(requests))

    def resolve_and_apply(
        self,
        roots: Mapping[str, str],
        ws: Workspace,
        dependencies: Dict[str, str],
        *,
        pin: Sequence[str],
        unlock: Sequence[str] = (),
    ) -> InstallResult:
        """Resolve, then install; a chosen version that fails verification is skipped like a
        yanked one (with a warning naming it) and the graph is resolved again without it."""
        self._locked = {n: e.version for n, e in ws.lock.items()}
        for _ in range(MAX_SKIPPED_VERSIONS):
            try:
                pinned = self._resolve(roots, ws, unlock=unlock)
            except EstreamError as e:
                raise self._with_skipped(e) from None
            try:
                return self.apply(pinned, dependencies, pin=pin, ws=ws)
            except _Unverifiable as u:
                self._skip(u.name, u.version, u.reason)
                self._skipped_errors.append(u.error)
        raise EstreamError.single(
            WORKSPACE_FILE,
            f"gave up after skipping {MAX_SKIPPED_VERSIONS} versions that cannot be verified",
            help="run `estream marketplace registry check`",
        )

    def apply(
        self, pinned: List[Pinned], dependencies: Dict[str, str], *, pin: Sequence[str], ws: Workspace
    ) -> InstallResult:
        self.say("  2. Download package archives")
        fetched = self._download_all(pinned)
        test_pause("downloaded")

        self.say("  3. Verify ML-DSA-87 signatures")
        verified = self._verify_all(fetched)
        by_name = {v.pinned.name: v for v in verified}
        # A lock-only install has no index: the signed manifests must close the graph themselves.
        for v in verified:
            for dep in v.manifest.dependencies.values():
                got = by_name.get(dep.name)
                if got is None or not dep.req.matches(got.manifest.version):
                    raise EstreamError.single(
                        WORKSPACE_FILE,
                        f"{v.pinned.name} {v.pinned.version} requires {dep.name} {dep.req_text}, "
                        + (f"but the lock has {got.pinned.version}" if got else "which is not in the lock"),
                        help="run `estream marketplace install` without --offline to re-resolve",
                    )

        self.say("  4. Resolve ESF schemas")
        self._resolve_schemas(verified)

        self.say("  5. Install files to workspace")
        txn, owned, written = self._plan(verified, ws)
        test_pause("planned")

        self.say("  6. Run test vectors")
        self._run_test_vectors(verified)

        self.say("  7. Update workspace tracking")
        new_ws = Workspace(
            dependencies=dict(dependencies),
            lock={
                v.pinned.name: LockEntry(v.pinned.version, v.pinned.checksum, v.key_fingerprint)
                for v in verified
            },
            files=owned,
            trust_roots=ws.trust_roots,
            trust_snapshot=ws.trust_snapshot,
        )
        if self._trusted is not None:
            new_ws.trust_roots = self._pins_used
            new_ws.trust_snapshot = max(ws.trust_snapshot, self._trusted.snapshot.version)
        for name in pin:
            new_ws.dependencies[name] = f"={by_name[name].pinned.version}"
        for name in list(new_ws.dependencies):
            if name not in by_name:
                del new_ws.dependencies[name]
        txn.write(WORKSPACE_FILE, new_ws.render().encode("utf-8"))
        changes = txn.changes()
        txn.commit()
        if self._trusted is not None and self.registry is not None:
            record_trust_state(self.registry.home, self._pins_used, self._trusted.seen)
        self._save_record(verified, owned, new_ws)
        self.say(f"     └── {WORKSPACE_FILE} updated ({len(changes)} file changes)")
        return InstallResult(
            installed=[(v.pinned.name, v.pinned.version) for v in verified],
            written=[p for a, p in changes if a == "write"],
            deleted=[p for a, p in changes if a == "delete"],
            workspace=new_ws,
        )

    def _download_all(self, pinned: List[Pinned]) -> List[Tuple[Pinned, bytes, bool]]:
        """Step 2: each archive (from the cache when there), with whether it was cached."""
        fetched: List[Tuple[Pinned, bytes, bool]] = []
        for i, p in enumerate(pinned):
            data, cached = self._fetch(p)
            branch = "└──" if i == len(pinned) - 1 else "├──"
            self.say(f"     {branch} {p.name} v{p.version} ({_kb(len(data))}{', cached' if cached else ''})")
            fetched.append((p, data, cached))
        return fetched

    def _verify_all(self, fetched: List[Tuple[Pinned, bytes, bool]]) -> List[VerifiedPackage]:
        """Step 3: each archive verified; a newly downloaded one enters the cache only once verified."""
        keyring = self._keyring()
        verified: List[VerifiedPackage] = []
        for i, (p, data, cached) in enumerate(fetched):
            v = self._verify(p, data, cached, keyring)
            if not cached:
                self.cache.put(data)
            branch = "└──" if i == len(fetched) - 1 else "├──"
            dev = " [development key]" if v.development_key else ""
            self.say(
                f"     {branch} {p.name}: ✓ Valid (Merkle root + {len(v.files) - 1} file hashes, key {v.key_id}{dev})"
            )
            verified.append(v)
        return verified

    def _run_test_vectors(self, verified: List[VerifiedPackage]) -> None:
        """Step 6: each package's golden vectors and journeys, against the others installed with it."""
        if not self.options.run_tests:
            self.say("     └── skipped (--no-tests)")
            return
        ran = False
        for v in verified:
            others = [o.files for o in verified if o is not v]
            summary = run_package_test_vectors(v.pinned.name, v.files, others)
            if summary is not None:
                ran = True
                self.say(f"     ├── {v.pinned.name}: {summary}")
        if not ran:
            self.say("     └── no package has golden vectors or journeys")

    # -- the install record (install_record.py): an install that changes nothing returns at once

    def _record_inputs(self) -> List[str]:
        """What else an install's outcome depends on: version, options, keyrings, registry config."""
        from estream.version import VERSION

        o = self.options
        ring = o.local_keyring
        inputs = [
            VERSION,
            f"dev={o.allow_development_key} tests={o.run_tests} max={o.max_unpacked_bytes} force={o.force}",
            ring.source,
        ]
        inputs += [
            f"{e.key_id} {e.fingerprint} {e.trust} {(e.public_key or b'').hex()}" for e in ring.entries
        ]
        if self.registry is not None:
            inputs.append(self.registry.url)
            for name in ("config.toml", "keyring.toml"):
                try:
                    inputs.append((self.registry.checkout / name).read_bytes().hex())
                except OSError:
                    inputs.append("-")
        return inputs

    def _nothing_changed(self, ws: Workspace) -> bool:
        expected = load_record(record_path(self.cache.root, self.root))
        if expected is None:
            return False
        try:
            workspace_file = (self.root / WORKSPACE_FILE).read_bytes()
        except OSError:
            return False
        files = read_owned_files(self.root, ws.files)
        return files is not None and install_digest(workspace_file, files, self._record_inputs()) == expected

    def _save_record(
        self, verified: Sequence[VerifiedPackage], owned: Mapping[str, Tuple[str, ...]], ws: Workspace
    ) -> None:
        files = []
        for v in verified:
            mine = set(owned.get(v.pinned.name, ()))
            for rel, content in v.files.items():
                target, _ = install_target(v.pinned.name, rel)
                if target in mine:
                    files.append((target, content))
        digest = install_digest(ws.render().encode("utf-8"), files, self._record_inputs())
        save_record(record_path(self.cache.root, self.root), digest)

    def _resolve_schemas(self, verified: Sequence[VerifiedPackage]) -> None:
        """Step 4 with Pants' rule (`core.resolution.resolve_packages`): what `./pants package`
        accepts, the registry installs. A package exports the schemas it provides and every enum it
        defines; `requires` and every type reference must resolve among its dependencies.

        A set of archives (by checksum) that resolved before under this estream version is not
        parsed again (`verification_memo`: its printed summary is remembered with the verdict)."""
        from estream.version import VERSION

        key = schema_resolution_key(
            VERSION, [(v.pinned.name, v.pinned.version, v.pinned.checksum) for v in verified]
        )
        remembered = self.memo.get("schema-resolution", key)
        if remembered is not None:
            for line in remembered.decode("utf-8", "replace").splitlines():
                self.say(line)
            return
        summary: List[str] = []
        self._resolve_schemas_in_full(verified, summary)
        for line in summary:
            self.say(line)
        self.memo.put("schema-resolution", key, "\n".join(summary).encode("utf-8"))

    def _resolve_schemas_in_full(self, verified: Sequence[VerifiedPackage], summary: List[str]) -> None:
        packages = [
            package_schemas(v.manifest, v.files, f"{v.pinned.name}-{v.pinned.version}") for v in verified
        ]
        from estream.core.resolution import resolve_packages

        resolved = resolve_packages(packages)
        count = 0
        for v in verified:
            r = resolved[v.pinned.name]
            if r.provides:
                count += len(r.provides)
                summary.append(f"     ├── {r.name} provides: {', '.join(s for s, _ in r.provides)}")
            if r.requires:
                marks = ", ".join(f"{q.schema} ✓ ({q.provider})" for q in r.requires)
                summary.append(f"     ├── {r.name} requires: {marks}")
        summary.append(f"     └── {count} schemas provided, every requirement met")

    def _plan(
        self, verified: List[VerifiedPackage], ws: Workspace
    ) -> Tuple[Transaction, Dict[str, Tuple[str, ...]], List[str]]:
        txn = Transaction(self.root)
        owner: Dict[str, str] = {}
        owned: Dict[str, Tuple[str, ...]] = {}
        lines: List[str] = []
        conflicts: List[str] = []
        folded: Dict[str, str] = {}  # name_key(target) -> target: one file on macOS/Windows
        on_disk = _DiskNames(self.root, {rel for paths in ws.files.values() for rel in paths})
        for v in verified:
            name = v.pinned.name
            paths = []
            for rel, content in sorted(v.files.items()):
                target, policy = install_target(name, rel)
                if target is None:
                    continue
                if target in owner:
                    conflicts.append(f"{target}: both {owner[target]} and {name} install it")
                    continue
                owner[target] = name
                twin: Optional[str] = folded.setdefault(name_key(target), target)
                if twin == target:
                    twin = on_disk.twin(target)
                if twin is not None:
                    conflicts.append(collision_message((twin, target)))
                    continue
                full = self.root / target
                previous_owner = ws.owner_of(target)
                if (
                    policy == "fail-if-exists"
                    and (full.exists() or full.is_symlink())
                    and previous_owner != name
                ):
                    same = full.is_file() and not full.is_symlink() and full.read_bytes() == content
                    if not same and not self.options.force:
                        who = f" (installed by {previous_owner})" if previous_owner else ""
                        conflicts.append(f"{target} already exists{who}; use --force to overwrite it")
                        continue
                txn.write(target, content)
                paths.append(target)
                lines.append(f"{target}" + (f" (from {name})" if len(verified) > 1 else ""))
            owned[name] = tuple(paths)
        if conflicts:
            raise EstreamError.single(
                str(self.root),
                "cannot install: " + "; ".join(conflicts[:20]) + ("; ..." if len(conflicts) > 20 else ""),
            )
        # Files an older version (or a package no longer needed) installed and nobody installs now.
        for installed in ws.files.values():
            for rel in installed:
                if rel not in owner:
                    txn.delete(rel)
        for i, line in enumerate(lines):
            self.say(f"     {'└──' if i == len(lines) - 1 else '├──'} {line}")
        return txn, owned, lines


class _DiskNames:
    """Existing workspace files a target would collide with on macOS/Windows (`name_key`), other
    than those a package installed (the plan replaces or deletes them)."""

    def __init__(self, root: Path, installed: Set[str]) -> None:
        self._root = root
        self._installed = installed
        self._dirs: Dict[str, Dict[str, str]] = {}

    def twin(self, target: str) -> Optional[str]:
        parent, _, leaf = target.rpartition("/")
        names = self._dirs.get(parent)
        if names is None:
            names = {}
            folder = self._root / parent if parent else self._root
            if folder.is_dir() and not folder.is_symlink():
                for entry in sorted(os.listdir(folder)):
                    names.setdefault(name_key(entry), entry)
            self._dirs[parent] = names
        existing = names.get(name_key(leaf))
        if existing is None or existing == leaf:
            return None
        rel = f"{parent}/{existing}" if parent else existing
        return None if rel in self._installed else rel


#: Where installed packages live in a workspace: one directory per package (`vendor/<name>/`).
VENDOR_DIR = "vendor"
#: A package's own definitions: a file of that name the package did not install is not overwritten
#: without --force (§8.2 "fail if exists"); everything else is the package's to replace.
_PROTECTED_DIRS = ("circuits", "schemas", "src", "rtl")


def install_target(name: str, rel: str) -> Tuple[Optional[str], str]:
    """Where a package file goes in the workspace and its overwrite policy (§8.2, extended).

    Every file of the verified package, signature and manifest included, goes to
    `vendor/<name>/<its path in the package>`: the installed package is a package directory again,
    so what its circuits' `implementation` names (`src/`, `rtl/`), its tests and its FPGA
    manifest resolve exactly as where it was built, `estream marketplace test vendor/<name>` runs
    its vectors and `estream marketplace verify vendor/<name>` re-checks its signature; two
    packages with a file of the same name never collide.
    """
    if not rel or rel.startswith("/") or ".." in rel.split("/"):
        return None, ""  # read_archive refuses these already; never write outside vendor/<name>/
    top = rel.partition("/")[0]
    policy = "fail-if-exists" if top in _PROTECTED_DIRS else "overwrite"
    return f"{VENDOR_DIR}/{name}/{rel}", policy


def package_schemas(manifest: "Manifest", files: Mapping[str, bytes], prefix: str) -> "PackageSchemas":
    """A verified package as schema resolution sees it: its manifest and its ESF files."""
    from estream.core.esf import parse_esf
    from estream.core.git_baseline import ESF_SUFFIX
    from estream.core.resolution import PackageSchemas

    documents = tuple(
        parse_esf(content, f"{prefix}/{rel}")
        for rel, content in sorted(files.items())
        if rel.endswith(ESF_SUFFIX)
    )
    return PackageSchemas(manifest, documents)


def _kb(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.0f} KB"


__all__ = [
    "InstallOptions",
    "InstallResult",
    "Installer",
    "Pinned",
    "VENDOR_DIR",
    "install_target",
    "package_schemas",
    "run_package_test_vectors",
]
