"""A registry backed by a git repository: local checkout, reads, and atomic publishing.

Every change (publish, yank, unyank, init) is one commit holding both the index line and the
archive, pushed to the remote branch. Pushes are atomic per ref, so a change is either entirely
in the registry or not at all. When another publisher pushed first, the push is rejected; the
change is then re-applied on top of the new tip (re-checking that the version is still free) and
pushed again, so racing publishers both land and no index line is lost.

The local checkout (`$ESTREAM_HOME/registry/<label>-<hash>`) is guarded by the lock file next to
it (`estream.core.lock`): only a holder runs git in it. So whoever takes the lock knows that any
git `*.lock` file there (`index.lock`, `HEAD.lock`, `refs/**.lock`, `packed-refs.lock`,
`shallow.lock`, ...) and any half-made checkout (`.estream-tmp-<name>.*`) was left by a process
that died holding it (SIGKILL, a killed process group, a full disk) and removes them, and the
sync that follows (`fetch`, `checkout -B`, `reset --hard`, `clean -fdx`) puts the tree back to the
remote's tip whatever a killed publisher left. The first checkout is created in a temporary
directory (init + remote) and renamed into place, so a checkout either does not exist or is
complete.

Reading (sync, index entries, the index cache) imports nothing heavy: archives, manifests, keys,
signatures and the trust chain (`trust.py`, `core.keys`, `core.merkle`) are imported by the
functions that publish, inspect or verify, so `estream marketplace search`, which verifies
nothing, starts fast (issue 18; `cli/main_test.py` checks a search run imports none of them).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from estream.core.atomic_file import TEMP_PREFIX, atomic_write_bytes, disk_errors, fsync_dir
from estream.core.errors import Diagnostic, EstreamError
from estream.core.format_version import format_version_problem
from estream.core.home import ENV_HOME, estream_home  # noqa: F401 (re-exported)
from estream.core.lock import exclusive_lock
from estream.core.registry.git import Attempt, GitError, commit_and_push, redact, run_git
from estream.core.registry.index import (
    IndexDep,
    IndexEntry,
    archive_path,
    index_path,
    parse_index_file,
    parse_index_line,
    parse_index_lines,
    render_index_file,
)
from estream.core.registry.index_cache import (
    IndexCache,
    ParsedIndexFile,
    build_index_cache,
    index_cache_path,
    list_index_files,
    newest_live_position,
    stat_key,
)
from estream.core.registry.transaction import test_pause
from estream.core.semver import Version

if TYPE_CHECKING:
    from estream.core.keys import Keyring, PublicKey, SigningKey
    from estream.core.manifest import Manifest
    from estream.core.registry.trust import TrustedRegistry, TrustState
    from estream.core.registry.verification_memo import SignatureCheck

ENV_REGISTRY = "ESTREAM_REGISTRY"
DEFAULT_BRANCH = "main"
CONFIG_FILE = "config.toml"
KEYRING_FILE = "keyring.toml"
REGISTRY_FORMAT = 1
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
DEFAULT_PUSH_ATTEMPTS = 20

T = TypeVar("T")


def resolve_registry_url(explicit: Optional[str], environ: Optional[Mapping[str, str]] = None) -> str:
    """`--registry`, else `$ESTREAM_REGISTRY`; never a committed file (credentials live in git's helpers)."""
    env = os.environ if environ is None else environ
    url = explicit or env.get(ENV_REGISTRY)
    if not url:
        raise EstreamError.single(
            "--registry",
            "no registry configured",
            help=f"pass --registry URL or set ${ENV_REGISTRY} (any git remote: https://github.com/org/index.git, a path to a bare repository, ...)",
        )
    return url


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


#: `[registry]` switches a registry's owner sets in its own config.toml (the registry decides
#: what it accepts, not each publisher's command line). Both default to false.
ALLOW_DEVELOPMENT_KEYS = "allow_development_keys"
ALLOW_UNTRUSTED_KEYS = "allow_untrusted_keys"
_CONFIG_KEYS = {"format_version", ALLOW_DEVELOPMENT_KEYS, ALLOW_UNTRUSTED_KEYS}


@dataclass(frozen=True)
class RegistryConfig:
    format_version: int
    keyring: Keyring
    #: Accept packages signed with a development key (with `publish --allow-development-key`).
    allow_development_keys: bool = False
    #: Accept packages signed by keys not in the registry's keyring.toml (e.g. only in the
    #: publisher's local keyring): for a private sandbox registry, never a shared one.
    allow_untrusted_keys: bool = False


def parse_config(config_text: bytes, keyring_text: Optional[bytes], source: str) -> RegistryConfig:
    from estream.core.keys import empty_keyring, parse_keyring
    from estream.core.toml_loader import load_toml

    data = load_toml(config_text, f"{source}/{CONFIG_FILE}", what="the registry config")
    table = data.get("registry")
    if not isinstance(table, dict):
        raise EstreamError.single(f"{source}/{CONFIG_FILE}", "expected a [registry] table", key="registry")
    version = table.get("format_version")
    problem = format_version_problem(version, REGISTRY_FORMAT)
    if problem:
        raise EstreamError.single(
            f"{source}/{CONFIG_FILE}",
            problem,
            key="registry.format_version",
            help="this registry was created by a different version of estream",
        )
    flags = {}
    for name in sorted(set(table) - _CONFIG_KEYS):
        raise EstreamError.single(
            f"{source}/{CONFIG_FILE}",
            "unknown registry setting",
            key=f"registry.{name}",
            help=f"known settings: {', '.join(sorted(_CONFIG_KEYS))}",
        )
    for name in (ALLOW_DEVELOPMENT_KEYS, ALLOW_UNTRUSTED_KEYS):
        value = table.get(name, False)
        if not isinstance(value, bool):
            raise EstreamError.single(
                f"{source}/{CONFIG_FILE}", f"expected true or false, found {value!r}", key=f"registry.{name}"
            )
        flags[name] = value
    keyring = empty_keyring()
    if keyring_text is not None:
        try:
            text = keyring_text.decode("utf-8")
        except UnicodeDecodeError:
            raise EstreamError.single(f"{source}/{KEYRING_FILE}", "keyring is not UTF-8") from None
        keyring = parse_keyring(text, source=f"{source}/{KEYRING_FILE}")
    return RegistryConfig(
        REGISTRY_FORMAT, keyring, flags[ALLOW_DEVELOPMENT_KEYS], flags[ALLOW_UNTRUSTED_KEYS]
    )


@dataclass(frozen=True)
class PackageInfo:
    """What publishing learned from a verified archive."""

    manifest: Manifest
    files: Dict[str, bytes]
    top_dir: str
    key_id: str
    key_fingerprint: str
    development_key: bool


def misplaced_index_file(expected: Optional[str]) -> str:
    return "index file is not where its name belongs" + (
        f" (expected {expected})" if expected else " (not a valid component name)"
    )


def _signature_or_none(files: Mapping[str, bytes]):
    from estream.core.merkle import SIGNATURE_FILE
    from estream.core.signature import parse_signature_file

    try:
        return parse_signature_file(files[SIGNATURE_FILE]) if SIGNATURE_FILE in files else None
    except EstreamError:
        return None  # verification reports it


class Registry:
    """A local checkout of a registry repository at `url` (any git remote)."""

    def __init__(self, url: str, *, home: Optional[Path] = None, branch: str = DEFAULT_BRANCH) -> None:
        self.url = url
        self.branch = branch
        self.home = home if home is not None else estream_home()
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        label = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:40] or "registry"
        self.checkout = self.home / "registry" / f"{label}-{digest}"
        self._read_only = False
        #: How many push attempts the last change needed (more than 1: another publisher raced us).
        self.last_attempts = 0
        #: The index cache of the current commit (`index_cache.py`); None: not looked up yet.
        self._index_cache: Optional[IndexCache] = None
        self._index_cache_off = False
        #: No cache could be had for this commit (asked once, not at every entry read).
        self._index_cache_failed = False

    @classmethod
    def working_tree(cls, path: Path) -> "Registry":
        """A registry read from a directory as it is (a CI checkout of a pull request): never
        fetched, reset or written to."""
        registry = cls(str(path))
        registry.checkout = path
        registry._read_only = True
        return registry

    def __repr__(self) -> str:
        return f"Registry({redact(self.url)!r})"

    @property
    def display_url(self) -> str:
        return redact(self.url)

    # -- checkout ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock on the local checkout (processes sharing a home take turns); the
        first acquisition clears what a dead holder left (see the module doc)."""
        self.checkout.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(
            Path(str(self.checkout) + ".lock"), what=f"the registry checkout {self.checkout}"
        ) as acquired:
            if acquired:
                self._clear_dead_leftovers()
            yield

    def _clear_dead_leftovers(self) -> None:
        """Remove git lock files and half-made checkouts: we hold the lock, so their owner is dead."""
        for leftover in self.checkout.parent.glob(f"{TEMP_PREFIX}{self.checkout.name}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        git_dir = self.checkout / ".git"
        if not git_dir.is_dir() or git_dir.is_symlink():
            return
        for dirpath, dirnames, filenames in os.walk(git_dir):
            if dirpath == str(git_dir):
                dirnames[:] = [d for d in dirnames if d != "objects"]
            for name in filenames:
                if name.endswith(".lock"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(dirpath, name))
        for junk in [*git_dir.glob("objects/pack/tmp_*"), *git_dir.glob("objects/incoming-*")]:
            if junk.is_dir():
                shutil.rmtree(junk, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    junk.unlink()

    def _git(self, *args: str, what: str, check: bool = True):
        return run_git(list(args), cwd=self.checkout, what=what, check=check)

    def _ensure_repo(self) -> None:
        """Create the checkout (init + remote) in a temporary directory renamed into place."""
        if (self.checkout / ".git").is_dir():
            return
        if self.checkout.exists():
            shutil.rmtree(self.checkout)  # not a checkout at all: what an older estream left half-made
        tmp = self.checkout.parent / f"{TEMP_PREFIX}{self.checkout.name}.{os.urandom(4).hex()}"
        try:
            run_git(["init", "-q", str(tmp)], what="create the local registry checkout")
            run_git(["remote", "add", "origin", self.url], cwd=tmp, what="configure the registry remote")
            test_pause("checkout-created")
            os.rename(tmp, self.checkout)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fsync_dir(self.checkout.parent)

    def sync(self, *, offline: bool = False) -> bool:
        """Bring the checkout to the remote branch's tip; False if the remote branch is empty.

        Offline, use the existing checkout as is (an error if there is none).
        """
        if self._read_only:
            return (self.checkout / CONFIG_FILE).is_file()
        self._index_cache, self._index_cache_failed = None, False  # the commit may move
        with self.locked():
            if offline:
                if not (self.checkout / CONFIG_FILE).is_file():
                    raise EstreamError.single(
                        self.display_url,
                        "--offline, but this registry has never been fetched on this machine",
                        help="run once without --offline",
                    )
                return True
            self._ensure_repo()
            fetch = self._git(
                "fetch",
                "-q",
                "--no-tags",
                "origin",
                f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}",
                what=f"fetch the registry {self.display_url}",
                check=False,
            )
            if fetch.returncode != 0:
                err = fetch.stderr.decode("utf-8", "replace")
                if "couldn't find remote ref" in err:
                    return False
                raise GitError.single(
                    self.display_url, f"could not fetch the registry: {redact(err.strip())}"
                )
            test_pause("fetched")
            self._git(
                "checkout",
                "-q",
                "-B",
                self.branch,
                f"refs/remotes/origin/{self.branch}",
                what="check out the registry",
            )
            self._git(
                "reset",
                "-q",
                "--hard",
                f"refs/remotes/origin/{self.branch}",
                what="reset the registry checkout",
            )
            self._git("clean", "-q", "-fdx", what="clean the registry checkout")
            return True

    def has_checkout(self) -> bool:
        """Whether this registry was fetched here before (what --offline reads)."""
        return (self.checkout / CONFIG_FILE).is_file()

    def head(self) -> str:
        return self._git("rev-parse", "HEAD", what="read the registry revision").stdout.decode().strip()

    # -- reading ----------------------------------------------------------------------------

    def config(self) -> RegistryConfig:
        path = self.checkout / CONFIG_FILE
        if not path.is_file():
            raise EstreamError.single(
                self.display_url,
                "not an estream registry (no config.toml)",
                help="create one with `estream marketplace registry-init`",
            )
        keyring = self.checkout / KEYRING_FILE
        return parse_config(
            path.read_bytes(), keyring.read_bytes() if keyring.is_file() else None, self.display_url
        )

    def entries(self, name: str) -> List[IndexEntry]:
        """All versions of `name` (publication order); empty if it was never published."""
        rel = index_path(name)
        cached = self._cached_index_file(name, rel)
        if cached is not None:
            lines, problems = cached
            if problems:
                raise EstreamError(problems)
            return [entry for _, entry in lines]
        path = self.checkout / rel
        if not path.is_file():
            return []
        return parse_index_file(path.read_bytes(), name=name, source=f"{self.display_url}:{rel}")

    def entries_lenient(self, name: str) -> Tuple[List[Tuple[int, IndexEntry]], List[Diagnostic]]:
        """`name`'s valid index lines (with line numbers) and the problems of the others."""
        rel = index_path(name)
        cached = self._cached_index_file(name, rel)
        if cached is not None:
            return cached
        path = self.checkout / rel
        if not path.is_file():
            return [], []
        return parse_index_lines(path.read_bytes(), name=name, source=f"{self.display_url}:{rel}")

    # -- the index cache (core/registry/index_cache.py: parsed index files of the current commit)

    def _cached_index_file(self, name: str, rel: str) -> Optional[ParsedIndexFile]:
        cache = self.index_cache()
        if cache is None:
            return None
        return cache.parsed(
            name, rel, stat_key(os.path.join(self.checkout, rel)), f"{self.display_url}:{rel}"
        )

    def index_cache(self) -> Optional[IndexCache]:
        """The index cache of the commit the checkout is at, loaded or (re)built on first use;
        None where there is none to trust: a working-tree registry, a change in progress, no
        commit yet, or git failing (callers then parse the index files themselves)."""
        if self._read_only or self._index_cache_off or self._index_cache_failed:
            return None
        if self._index_cache is not None:
            return self._index_cache
        self._index_cache_failed = True  # until it is had below
        if not (self.checkout / ".git").is_dir():
            return None
        head = self._git(
            "rev-parse", "-q", "--verify", "HEAD^{commit}", what="read the registry revision", check=False
        )
        commit = head.stdout.decode().strip()
        if head.returncode != 0 or not commit:
            return None
        path = index_cache_path(self.checkout)
        cache = IndexCache.load(path)
        if cache is None or cache.commit != commit:
            listing = [
                (rel, rel.rsplit("/", 1)[-1] if expected == rel else None)
                for rel, expected in self.index_files()
            ]

            def parse(rel: str, name: str) -> ParsedIndexFile:
                return parse_index_lines(
                    (self.checkout / rel).read_bytes(), name=name, source=f"{self.display_url}:{rel}"
                )

            try:
                cache = build_index_cache(path, commit, self.checkout, listing, parse, previous=cache)
            except OSError:
                return None
        self._index_cache, self._index_cache_failed = cache, False
        return cache

    def index_files(self) -> List[Tuple[str, Optional[str]]]:
        """Every file under `index/`: (its path, the path its name belongs at, or None when the
        file name is no valid component name), in sorted order."""
        base = str(self.checkout)
        out: List[Tuple[str, Optional[str]]] = []
        for dirpath, dirnames, filenames in os.walk(os.path.join(base, "index")):
            dirnames.sort()
            reldir = os.path.relpath(dirpath, base).replace(
                os.sep, "/"
            )  # plain strings: pathlib costs ~20 us a file
            for filename in sorted(filenames):
                rel = f"{reldir}/{filename}"
                try:
                    out.append((rel, index_path(filename)))
                except EstreamError:
                    out.append((rel, None))
        return out

    def names(self) -> List[str]:
        """Every component with an index file; a file in the wrong shard is an error."""
        out: List[str] = []
        for rel, expected in self.index_files():
            if expected != rel:
                raise EstreamError.single(f"{self.display_url}:{rel}", misplaced_index_file(expected))
            out.append(rel.rsplit("/", 1)[-1])
        return out

    def all_entries(self) -> Dict[str, List[IndexEntry]]:
        return {name: self.entries(name) for name in self.names()}

    def newest_live_entries(self) -> Dict[str, IndexEntry]:
        """The newest non-yanked version of every component that has one; like `all_entries`,
        an invalid index file is an error. From the index cache, one entry is built per component, and
        the component list is the cache's when `index/` lists exactly its files (`IndexCache.names_of`)."""
        out: Dict[str, IndexEntry] = {}
        cache = self.index_cache()
        listing = None if cache is None else list_index_files(self.checkout)
        names = None if cache is None or listing is None else cache.names_of(listing)
        files: List[Tuple[str, str, Optional[str]]]
        if cache is None or listing is None or names is None:
            files = [(name, index_path(name), None) for name in self.names()]
        else:  # the cache's own file list, checked against `index/` as listed now
            files = [(name, rel, key) for name, (rel, key) in zip(names, listing)]
        for name, rel, key in files:
            got = None
            if cache is not None:
                if key is None:
                    key = stat_key(os.path.join(self.checkout, rel))
                got = cache.newest_live(name, rel, key, f"{self.display_url}:{rel}")
            if got is None:
                entries = self.entries(name)
                position = newest_live_position(list(enumerate(entries)))
                newest = entries[position] if position >= 0 else None
            else:
                newest, problems = got
                if problems:
                    raise EstreamError(problems)
            if newest is not None:
                out[name] = newest
        return out

    def archive_bytes(self, entry: IndexEntry) -> bytes:
        path = self.checkout / entry.archive_path
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise EstreamError.single(
                f"{self.display_url}:{entry.archive_path}",
                f"archive of {entry.name} {entry.version} is missing from the registry",
            ) from None
        if size > MAX_ARCHIVE_BYTES:
            raise EstreamError.single(
                f"{self.display_url}:{entry.archive_path}",
                f"archive is larger than {MAX_ARCHIVE_BYTES} bytes",
            )
        return path.read_bytes()

    # -- changing ---------------------------------------------------------------------------

    def _transact(self, message: str, change: Callable[[], T], *, attempts: int = DEFAULT_PUSH_ATTEMPTS) -> T:
        """Apply `change` on a fresh tip, commit everything and push; retry when the push is rejected."""
        if self._read_only:
            raise EstreamError.single(
                str(self.checkout),
                "a registry read from a directory cannot be changed",
                help="pass --registry URL",
            )
        self._index_cache, self._index_cache_off = None, True  # the working tree is being edited
        try:
            return self._transact_uncached(message, change, attempts=attempts)
        finally:
            self._index_cache, self._index_cache_off = None, False

    def _transact_uncached(self, message: str, change: Callable[[], T], *, attempts: int) -> T:
        existed: List[bool] = []

        def prepare(attempt: int) -> Attempt[T]:
            exists = self.sync()
            existed[:] = [exists]
            if not exists and not message.startswith("Initialise"):
                raise EstreamError.single(
                    self.display_url,
                    "the registry is empty",
                    help="create it with `estream marketplace registry-init`",
                )
            base = self.head() if exists else None
            return Attempt(base, message, change())

        def remote_moved(base: Optional[str]) -> bool:
            fetch = self._git(
                "fetch",
                "-q",
                "--no-tags",
                "origin",
                f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}",
                what="fetch the registry",
                check=False,
            )
            tip = self._git(
                "rev-parse",
                "-q",
                "--verify",
                f"refs/remotes/origin/{self.branch}",
                what="read the tip",
                check=False,
            )
            moved = fetch.returncode == 0 and tip.stdout.decode().strip() not in ("", base or "")
            if not moved and existed and existed[0]:
                self.sync()  # leave the checkout at the remote's tip, without the refused commit
            return moved

        with self.locked():
            result, self.last_attempts = commit_and_push(
                self.checkout,
                branch=self.branch,
                attempts=attempts,
                prepare=prepare,
                remote_moved=remote_moved,
                shown=self.display_url,
                target="the registry",
                push_help="check your git credentials for this remote (credential helper, SSH agent, GIT_ASKPASS)",
                give_up_help="try again",
                before_push=lambda _: test_pause("before-push"),
            )
            return result

    def init(
        self,
        keyring_text: str,
        *,
        root_keys: Sequence[SigningKey],
        allow_development_keys: bool = False,
        allow_untrusted_keys: bool = False,
        snapshot_days: Optional[int] = None,
    ) -> None:
        """Create the registry in an empty remote: config, the root keys (`root.toml`), the
        trusted publisher keyring signed by them, the first snapshot (signed by the first root
        key, valid `snapshot_days`, default `trust.DEFAULT_SNAPSHOT_DAYS`) and the CI workflow
        that runs `estream marketplace registry check` on pull requests."""
        from estream.core.keys import parse_keyring
        from estream.core.registry.trust import (
            DEFAULT_SNAPSHOT_DAYS,
            write_keyring,
            write_root,
            write_snapshot,
        )

        valid_days = DEFAULT_SNAPSHOT_DAYS if snapshot_days is None else snapshot_days
        parse_keyring(keyring_text, source=KEYRING_FILE)
        if not root_keys:
            raise EstreamError.single(
                "--root-key",
                "a registry needs at least one root key",
                help="create one with `estream marketplace keygen`",
            )
        from estream.core.registry.check import CI_WORKFLOW_PATH, ci_workflow

        switches = "".join(
            f"{name} = true\n"
            for name, on in (
                (ALLOW_DEVELOPMENT_KEYS, allow_development_keys),
                (ALLOW_UNTRUSTED_KEYS, allow_untrusted_keys),
            )
            if on
        )

        def change() -> None:
            if (self.checkout / CONFIG_FILE).exists():
                raise EstreamError.single(
                    self.display_url, "the registry already exists (config.toml is present)"
                )
            (self.checkout / CONFIG_FILE).write_text(
                f"# eStream component registry (https://github.com/estream) - do not put credentials here\n"
                f"[registry]\nformat_version = {REGISTRY_FORMAT}\n{switches}"
            )
            write_root(self.checkout, root_keys)
            write_keyring(self.checkout, keyring_text, root_keys, source=self.display_url)
            workflow = self.checkout / CI_WORKFLOW_PATH
            workflow.parent.mkdir(parents=True, exist_ok=True)
            workflow.write_text(ci_workflow())
            write_snapshot(self.checkout, root_keys[0], source=self.display_url, days=valid_days)

        with self.locked():
            self._ensure_repo()
        self._transact("Initialise the estream registry", change)

    def inspect(
        self,
        archive: bytes,
        *,
        source: str,
        local_keyring: Optional[Keyring] = None,
        extra_trusted_keys: Iterable[PublicKey] = (),
        allow_development_key: bool = False,
    ) -> PackageInfo:
        """Read and fully verify an archive against the registry's and the local trusted keys.

        The archive names itself (nothing was asked for yet): its manifest's name and version are
        what `verify_registry_archive` then checks the signed statement against.
        """
        from estream.core.archive import read_archive
        from estream.core.keys import Keyring, local_development_key
        from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
        from estream.core.registry.archive_verification import verify_registry_archive

        top, files = read_archive(archive, source=source)
        manifest_bytes = files.get(MANIFEST_FILENAME)
        if manifest_bytes is None:
            raise EstreamError.single(source, f"the archive has no {MANIFEST_FILENAME}")
        manifest = parse_manifest(manifest_bytes, f"{top}/{MANIFEST_FILENAME}")
        config = self.config()
        own_development_key = local_development_key() if allow_development_key else None
        keyring = self.own_trust(local_keyring, development_key=own_development_key).keyring
        extra = list(extra_trusted_keys)
        if allow_development_key and not config.allow_development_keys:
            raise EstreamError.single(
                f"{self.display_url}/{CONFIG_FILE}",
                "this registry does not accept packages signed with a development key; "
                f"{source} cannot be published with --allow-development-key",
                key=f"registry.{ALLOW_DEVELOPMENT_KEYS}",
                help="sign it with a release key in the registry's keyring.toml (`--key-file`, $ESTREAM_SIGNING_KEY_FILE)",
            )
        if config.allow_untrusted_keys:
            # The registry's owner chose to accept any publisher: the package's own key vouches for it.
            sig = _signature_or_none(files)
            if sig is not None and not sig.development_key:
                extra.append(sig.public)
            if local_keyring is not None:
                keyring = Keyring(
                    keyring.entries + local_keyring.entries, f"{keyring.source} + {local_keyring.source}"
                )
        try:
            verified = verify_registry_archive(
                archive,
                name=manifest.name,
                version=str(manifest.version),
                checksum=None,
                keyring=keyring,
                source=source,
                action="it cannot be published",
                extra_trusted_keys=extra,
                allow_development_key=allow_development_key,
                development_keys=[own_development_key] if own_development_key is not None else [],
            )
        except EstreamError as e:
            hint = (
                f"only packages signed by a key in the registry's {KEYRING_FILE} can be published "
                f"(its {CONFIG_FILE} sets neither {ALLOW_UNTRUSTED_KEYS} nor {ALLOW_DEVELOPMENT_KEYS})"
            )
            raise EstreamError(
                [
                    replace(d, help=hint if "trusted keys come from" in (d.help or "") else d.help)
                    for d in e.diagnostics
                ]
            ) from None
        return PackageInfo(
            verified.manifest,
            verified.files,
            verified.top_dir,
            verified.key_id,
            verified.key_fingerprint,
            verified.development_key,
        )

    def own_trust(
        self,
        local_keyring: Optional[Keyring] = None,
        *,
        development_key: Optional[PublicKey] = None,
        check_expiry: bool = False,
    ) -> TrustedRegistry:
        """The registry's trust chain checked against its OWN root keys (no consumer pin): what
        a publisher or `registry check` relies on. The keyring must be root-signed and the
        snapshot must match the index (an unsigned change is refused); expiry is checked only
        when asked (`registry check`): the next signed change renews it."""
        from estream.core.registry.trust import ROOT_FILE, read_root, verify_registry_trust

        roots = read_root(self.checkout, self.display_url)
        return verify_registry_trust(
            self.checkout,
            source=self.display_url,
            pins=roots.fingerprints,
            pinned_in=f"{ROOT_FILE}",
            local_keyring=local_keyring,
            extra_snapshot_keys=[development_key] if development_key is not None else [],
            check_expiry=check_expiry,
        )

    def trusted(
        self,
        pins: Sequence[str],
        *,
        pinned_in: str,
        seen: TrustState,
        local_keyring: Optional[Keyring] = None,
        development_key: Optional[PublicKey] = None,
        check_signature: Optional[SignatureCheck] = None,
    ) -> TrustedRegistry:
        """The checkout's trust chain against a consumer's pinned root keys (`trust.verify_registry_trust`);
        signatures are checked by `check_signature` (default: `verification_memo.verify_signature`)."""
        from estream.core.registry.trust import verify_registry_trust
        from estream.core.registry.verification_memo import verify_signature

        return verify_registry_trust(
            self.checkout,
            source=self.display_url,
            pins=pins,
            pinned_in=pinned_in,
            seen=seen,
            local_keyring=local_keyring,
            extra_snapshot_keys=[development_key] if development_key is not None else [],
            check_signature=check_signature or verify_signature,
        )

    def _check_snapshot_key(self, key: SigningKey, local_keyring: Optional[Keyring]) -> None:
        """Refuse to sign the snapshot with a key consumers will not accept (a sandbox registry
        that accepts untrusted or development keys leaves that to its consumers' keyrings)."""
        config = self.config()
        trusted = self.own_trust(local_keyring, development_key=key.public if key.development else None)
        entry = trusted.keyring.lookup(key.fingerprint)
        if key.fingerprint in trusted.roots.fingerprints or (entry is not None and entry.trusted):
            return
        if config.allow_untrusted_keys or (key.development and config.allow_development_keys):
            return
        raise EstreamError.single(
            self.display_url,
            f"the registry's snapshot would be signed by {key.key_id} ({key.fingerprint}), which its keyring does not trust",
            help="publishing signs the registry snapshot with your publisher key: pass --key-file (or set $ESTREAM_SIGNING_KEY_FILE) "
            "to a key in the registry's keyring.toml",
        )

    def publish(
        self,
        archive: bytes,
        *,
        source: str,
        snapshot_key: SigningKey,
        local_keyring: Optional[Keyring] = None,
        allow_development_key: bool = False,
        attempts: int = DEFAULT_PUSH_ATTEMPTS,
    ) -> IndexEntry:
        """Verify `archive` and add it to the registry; refuses to overwrite any published version.

        `snapshot_key` signs the registry's next snapshot (written in the same commit): a key the
        registry's root-signed keyring trusts, or consumers refuse the snapshot."""
        from estream.core.archive import read_archive
        from estream.core.merkle import sha3_256
        from estream.core.registry.trust import write_snapshot

        checksum = "sha3-256:" + sha3_256(archive).hex()

        def change() -> IndexEntry:
            info = self.inspect(
                archive,
                source=source,
                local_keyring=local_keyring,
                allow_development_key=allow_development_key,
            )
            m = info.manifest
            self._check_snapshot_key(snapshot_key, local_keyring)
            version = str(m.version)
            existing = self.entries(m.name)
            for e in existing:
                if e.semver == m.version:
                    state = " (yanked)" if e.yanked else ""
                    raise EstreamError.single(
                        source,
                        f"{m.name} {e.version}{state} is already published in {self.display_url}; published versions are immutable",
                        help="bump the version in estream-component.toml and publish again",
                    )
            entry = IndexEntry(
                name=m.name,
                version=version,
                checksum=checksum,
                size=len(archive),
                deps=tuple(IndexDep(d.name, d.req_text) for d in m.dependencies.values()),
                provides=tuple(m.schemas.provides),
                requires=tuple(m.schemas.requires),
                category=m.category,
                keywords=tuple(m.keywords),
                description=m.description.replace("\n", " ").strip()[:500],
                key_id=info.key_id,
                key_fingerprint=info.key_fingerprint,
                yanked=False,
                published_at=utc_now(),
            )
            # Round-trip through the strict parser: never write a line readers would reject.
            parse_index_line(entry.to_line(), expected_name=m.name, source="<new entry>", line=1)
            with disk_errors(self.checkout, "writing to the registry checkout"):
                apath = self.checkout / archive_path(m.name, version)
                apath.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(apath, archive)
                ipath = self.checkout / index_path(m.name)
                ipath.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(ipath, render_index_file(existing + [entry]))
                write_snapshot(self.checkout, snapshot_key, source=self.display_url)
            test_pause("publish-written")
            return entry

        top, _ = read_archive(archive, source=source)
        return self._transact(f"Publish {top}", change, attempts=attempts)

    def set_yanked(self, name: str, version: str, yanked: bool, *, snapshot_key: SigningKey) -> IndexEntry:
        wanted = Version.parse(version)
        verb = "Yank" if yanked else "Unyank"
        from estream.core.registry.trust import write_snapshot

        def change() -> IndexEntry:
            self.own_trust()
            entries = self.entries(name)
            for i, e in enumerate(entries):
                if e.semver == wanted:
                    if e.yanked == yanked:
                        raise EstreamError.single(
                            f"{name} {e.version}", f"is {'already' if yanked else 'not'} yanked"
                        )
                    entries[i] = e.with_yanked(yanked)
                    atomic_write_bytes(self.checkout / index_path(name), render_index_file(entries))
                    write_snapshot(self.checkout, snapshot_key, source=self.display_url)
                    return entries[i]
            raise EstreamError.single(f"{name} {version}", f"no such version in {self.display_url}")

        return self._transact(f"{verb} {name} {version}", change)

    def resign_snapshot(self, key: SigningKey, *, days: Optional[int] = None) -> int:
        """Sign a new snapshot of the unchanged registry (an idle registry's snapshot expires),
        valid `days` (default `trust.DEFAULT_SNAPSHOT_DAYS`); the current one must verify (a
        changed index is not blessed silently), except that the registry's root key may re-sign
        after reviewing a change. Its new version."""
        from estream.core.registry.trust import DEFAULT_SNAPSHOT_DAYS, read_root, write_snapshot

        valid_days = DEFAULT_SNAPSHOT_DAYS if days is None else days

        def change() -> int:
            roots = read_root(self.checkout, self.display_url)
            if key.fingerprint not in roots.fingerprints:
                self.own_trust(development_key=key.public if key.development else None)
            return write_snapshot(self.checkout, key, source=self.display_url, days=valid_days)

        return self._transact("Re-sign the registry snapshot", change)

    def set_keyring(self, keyring_text: str, root_keys: Sequence[SigningKey]) -> int:
        """Replace `keyring.toml` (add, rotate, revoke publisher keys), signed by the root keys;
        a registry without root keys (made before them) gets `root_keys` as its roots. The new
        keyring version; the snapshot is re-signed by the first root key."""
        if not root_keys:
            raise EstreamError.single(
                "--root-key", "the keyring is signed by the registry's root key: pass --root-key"
            )
        from estream.core.registry.trust import ROOT_FILE, write_keyring, write_root, write_snapshot

        def change() -> int:
            if not (self.checkout / ROOT_FILE).is_file():
                write_root(self.checkout, root_keys)
            version = write_keyring(self.checkout, keyring_text, root_keys, source=self.display_url)
            write_snapshot(self.checkout, root_keys[0], source=self.display_url)
            return version

        return self._transact("Change the registry keyring (signed by the root)", change)


__all__ = [
    "ALLOW_DEVELOPMENT_KEYS",
    "ALLOW_UNTRUSTED_KEYS",
    "ENV_HOME",
    "ENV_REGISTRY",
    "PackageInfo",
    "Registry",
    "RegistryConfig",
    "estream_home",
    "misplaced_index_file",
    "parse_config",
    "resolve_registry_url",
    "utc_now",
]
