"""Publish FuseSoC cores into a FuseSoC library: a directory or a git repository (pure code).

No Pants imports: `./pants publish` runs this through `estream fusesoc publish` (see
`estream.fpga.publish`), and the CLI runs it on any directory `./pants fusesoc-export` wrote.

The input is laid out like `dist/fusesoc/`: one directory per core holding its `.core` file and
the files the core names, plus support files at the top (`estream_fpga_driver.py`, the
`EDALIZE_LAUNCHER` for the YoWASP tools). In the library, which `fusesoc library add` accepts
(`--sync-type local` for a directory, `--sync-type git` for a repository), each core is written to
`<library>/<VLNV library>/<VLNV name>/<VLNV version>/` and the support files to the top, so
several versions of a core live side by side and FuseSoC picks by version.

* **Published cores are immutable.** A core whose directory already holds exactly the same files
  is "already published" (not an error: publishing is idempotent); any other content is an error
  naming the first file that differs. The remedy is a new version. Support files are not
  versioned: a different `estream_fpga_driver.py` replaces the old one.
* **Directory library**: each core is written to a staging directory inside the library
  (`.estream-staging/`, which holds a `FUSESOC_IGNORE` so FuseSoC never scans it) and renamed into
  place, so readers see the whole core or none of it. Two publishers racing for one VLNV: the
  rename of the second fails and its content is compared like above.
* **Git library**: a shallow clone in a temporary directory, the same layout, one commit naming
  the VLNVs, a push. A push rejected because another publisher pushed first is re-applied on the
  new tip (re-checking immutability) and pushed again, a bounded number of times. Credentials are
  git's business (credential helpers, SSH agent, `GIT_ASKPASS`); URLs are redacted in messages.
* **Hostile content** is refused, never followed: a symbolic link, a file where a directory
  belongs, a special file, a directory holding another core.
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from estream.core.atomic_file import fsync_dir, write_durably
from estream.core.errors import EstreamError
from estream.core.registry.git import Attempt, GitError, commit_and_push, redact, run_git

SYNC_TYPES = ("auto", "local", "git")
DEFAULT_PUSH_ATTEMPTS = 20
STAGING_DIR = ".estream-staging"
IGNORE_FILE = "FUSESOC_IGNORE"
CORE_SUFFIX = ".core"
_VLNV_PART = re.compile(r"^[A-Za-z0-9_.\-]*$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# git's own rule: a colon before the first slash makes `[user@]host:path` (SSH), not a path.
_SCP_LIKE = re.compile(r"^[^/:]+:")

LOCATION_HELP = (
    "point `[fusesoc-library].location` (Pants) or `--library` (estream CLI) at a directory, "
    "a git URL or a bare git repository"
)
IMMUTABLE_HELP = (
    "published cores are immutable: give the changed core a new version (with Pants, "
    "`[fusesoc-export].version` or `--fusesoc-export-version`) and publish again"
)
CREDENTIALS_HELP = (
    "check the URL (`[fusesoc-library].location` with Pants, `--library` with the estream CLI) "
    "and your git credentials for it (credential helper, SSH agent, GIT_ASKPASS)"
)


@dataclass(frozen=True)
class Core:
    """One core to publish: its VLNV and its files, relative to the core's directory."""

    vlnv: str
    library: str
    name: str
    version: str
    source: str
    files: Mapping[str, bytes]

    @property
    def directory(self) -> str:
        """Where the core goes in a library."""
        return f"{self.library}/{self.name}/{self.version}"


@dataclass(frozen=True)
class CoreSet:
    """What `read_cores` found: the cores, and the files at the top shared by all of them."""

    cores: Tuple[Core, ...]
    support_files: Mapping[str, bytes]


# -- reading --------------------------------------------------------------------------------


def _read_tree(root: Path, *, shown: str) -> Dict[str, bytes]:
    """Regular files under `root` by POSIX relative path; symlinks and special files are errors.

    `shown` is how `root` appears in messages (a git library shows its URL, not the clone).
    """
    files: Dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(dirnames + filenames):
            full = Path(dirpath) / name
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if full.is_symlink():
                raise EstreamError.single(
                    f"{shown}/{rel}",
                    "is a symbolic link; refusing to read or write through it",
                    help="replace it with the file or directory itself",
                )
            if name in filenames:
                if not full.is_file():
                    raise EstreamError.single(
                        f"{shown}/{rel}", "is not a regular file (device, FIFO or socket)"
                    )
                files[rel] = full.read_bytes()
    return files


def parse_vlnv(content: bytes, *, source: str) -> Tuple[str, str, str, str]:
    """(vendor, library, name, version) from a CAPI2 core file's `name`."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise EstreamError.single(source, "is not UTF-8 text") from None
    if text.split("\n", 1)[0].strip() != "CAPI=2:":
        raise EstreamError.single(
            source, "is not a CAPI2 core file", line=1, help="its first line must be `CAPI=2:`"
        )
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise EstreamError.single(source, f"is not valid YAML: {e}") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError, RecursionError) as e:
        # PyYAML's constructors raise plain errors for `2026-02-30`, `!!int x`, `!!timestamp x`, ...
        raise EstreamError.single(source, f"is not valid YAML: {e}") from None
    name = doc.get("name") if isinstance(doc, dict) else None
    if not isinstance(name, str):
        raise EstreamError.single(
            source, "has no core name", key="name", help="expected `name: vendor:library:name:version`"
        )
    parts = name.split(":")
    if len(parts) != 4:
        raise EstreamError.single(
            source, f"`{name}` is not a full VLNV", key="name", help="expected `vendor:library:name:version`"
        )
    vendor, library, core_name, version = parts
    for label, part in (("vendor", vendor), ("library", library), ("name", core_name), ("version", version)):
        if not _VLNV_PART.match(part) or part in (".", ".."):
            raise EstreamError.single(
                source,
                f"the {label} `{part}` of `{name}` cannot be part of a VLNV",
                key="name",
                help="use letters, digits, `_`, `.` and `-`",
            )
        if not part and label != "vendor":
            raise EstreamError.single(source, f"`{name}` has an empty {label}", key="name")
    return vendor, library, core_name, version


def read_cores(root: Path) -> CoreSet:
    """The cores under `root` (a directory like `dist/fusesoc/`) and its top-level support files."""
    if not root.is_dir():
        raise EstreamError.single(
            str(root), "is not a directory of FuseSoC cores", help="run `./pants fusesoc-export` first"
        )
    files = _read_tree(root, shown=str(root))
    core_dirs: Dict[str, str] = {}
    for rel in sorted(p for p in files if p.endswith(CORE_SUFFIX)):
        directory = posixpath.dirname(rel)
        if not directory:
            raise EstreamError.single(
                f"{root}/{rel}", "a core file must be in a directory of its own, with the files it names"
            )
        if directory in core_dirs:
            raise EstreamError.single(
                f"{root}/{rel}", f"a second core file in one directory (beside {core_dirs[directory]})"
            )
        core_dirs[directory] = rel
    if not core_dirs:
        raise EstreamError.single(
            str(root), f"holds no `{CORE_SUFFIX}` file", help="run `./pants fusesoc-export` first"
        )
    for directory in core_dirs:
        for other in core_dirs:
            if other.startswith(directory + "/"):
                raise EstreamError.single(
                    f"{root}/{core_dirs[other]}",
                    f"a core inside the directory of another core ({core_dirs[directory]})",
                )

    owned: Dict[str, Dict[str, bytes]] = {d: {} for d in core_dirs}
    support: Dict[str, bytes] = {}
    for rel, content in files.items():
        owner = next((d for d in core_dirs if rel.startswith(d + "/")), None)
        if owner is not None:
            owned[owner][rel[len(owner) + 1 :]] = content
        elif "/" not in rel:
            support[rel] = content
        else:
            raise EstreamError.single(
                f"{root}/{rel}", "belongs to no core (there is no core file in its directory or above)"
            )

    cores: List[Core] = []
    seen: Dict[str, str] = {}
    for directory, core_rel in sorted(core_dirs.items()):
        source = f"{root}/{core_rel}"
        vendor, library, name, version = parse_vlnv(files[core_rel], source=source)
        vlnv = f"{vendor}:{library}:{name}:{version}"
        if vlnv in seen:
            raise EstreamError.single(source, f"{vlnv} is also the core of {seen[vlnv]}")
        seen[vlnv] = source
        cores.append(Core(vlnv, library, name, version, source, owned[directory]))
    return CoreSet(tuple(cores), support)


# -- the library's content ------------------------------------------------------------------


def _directory_chain(root: Path, parts: Sequence[str], *, shown: str, create: bool) -> Path:
    """`root/parts...`, refusing symlinks and non-directories on the way; created if `create`."""
    current, rel = root, ""
    for part in parts:
        current, rel = current / part, f"{rel}/{part}"
        if current.is_symlink():
            raise EstreamError.single(
                f"{shown}{rel}",
                "is a symbolic link where a directory of cores belongs; refusing to write through it",
                help="remove the link (or publish to another library)",
            )
        if current.exists() and not current.is_dir():
            raise EstreamError.single(f"{shown}{rel}", "is a file where a directory of cores belongs")
        if create:
            current.mkdir(exist_ok=True)
    return current


def _check_published(dest: Path, core: Core, *, shown: str) -> bool:
    """True if `dest` holds exactly `core`; False if nothing is there; an error otherwise."""
    where = f"{shown}/{core.directory}"
    if dest.is_symlink():
        raise EstreamError.single(
            where, "is a symbolic link where a core belongs; refusing to write through it"
        )
    if not dest.exists():
        return False
    if not dest.is_dir():
        raise EstreamError.single(where, "is a file where the directory of a core belongs")
    published = _read_tree(dest, shown=where)
    if not published:
        return False
    for rel, content in sorted(published.items()):
        if rel.endswith(CORE_SUFFIX) and "/" not in rel:
            try:
                found = ":".join(parse_vlnv(content, source=f"{where}/{rel}"))
            except EstreamError:
                continue  # not a core of ours: reported as a difference below
            if found != core.vlnv:
                raise EstreamError.single(
                    f"{where}/{rel}",
                    f"this directory holds another core, {found}, not {core.vlnv}",
                    help=(
                        "the layout has no vendor level, so cores differing only in the vendor cannot share a "
                        "library: publish to another library, or change `[fusesoc-export].vendor`"
                    ),
                )
    for rel in sorted(set(published) | set(core.files)):
        if rel not in published:
            difference = f"`{rel}` is not in the published core"
        elif rel not in core.files:
            difference = f"the published core has `{rel}`, which this one does not"
        elif published[rel] != core.files[rel]:
            difference = f"`{rel}` differs from the published file"
        else:
            continue
        raise EstreamError.single(
            f"{where}/{rel}",
            f"{core.vlnv} is already published with different content: {difference}",
            help=IMMUTABLE_HELP,
        )
    return True


def _already(core: Core, shown: str) -> str:
    return f"{core.vlnv} is already published in {shown}/{core.directory} (identical)"


def _published(core: Core, shown: str) -> str:
    return f"Published {core.vlnv} to {shown}/{core.directory}"


def _write_core_files(directory: Path, core: Core) -> None:
    for rel, content in sorted(core.files.items()):
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_durably(path, content)


def _support_file_target(root: Path, rel: str, *, shown: str) -> Path:
    target = root / rel
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise EstreamError.single(
            f"{shown}/{rel}", "exists and is not a regular file; refusing to replace it"
        )
    return target


def _preflight(root: Path, cores: CoreSet, *, shown: str) -> None:
    """Every error the library's current content would cause, before anything is written."""
    for core in cores.cores:
        parent = _directory_chain(root, [core.library, core.name], shown=shown, create=False)
        _check_published(parent / core.version, core, shown=shown)
    for rel in cores.support_files:
        _support_file_target(root, rel, shown=shown)


# -- directory libraries --------------------------------------------------------------------


def _is_bare_repository(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def _directory_root(library: Path) -> Path:
    if library.exists():
        if not library.is_dir():
            raise EstreamError.single(
                str(library),
                "is a file, but a FuseSoC library is a directory (or a git repository)",
                help=LOCATION_HELP,
            )
        if _is_bare_repository(library):
            raise EstreamError.single(
                str(library),
                "is a bare git repository, not a directory of cores",
                help="publish to it as a git library (sync type `git` or `auto`)",
            )
        return library
    if not library.parent.is_dir():
        raise EstreamError.single(
            str(library),
            "does not exist, nor does its parent directory",
            help="create the library directory, or " + LOCATION_HELP,
        )
    library.mkdir(exist_ok=True)
    return library


def _staging(root: Path) -> Path:
    """`root/.estream-staging`, holding FUSESOC_IGNORE: FuseSoC never sees half-written cores."""
    staging = _directory_chain(root, [STAGING_DIR], shown=str(root), create=True)
    try:
        with open(staging / IGNORE_FILE, "xb"):
            pass
    except FileExistsError:
        pass
    return staging


def _new_dir(parent: Path, prefix: str) -> Path:
    """A new directory with the umask's permissions (mkdtemp's are 0700: no one else could read the core)."""
    path = parent / f"{prefix}.{secrets.token_hex(8)}"
    path.mkdir()
    return path


def _remove_tree(path: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            os.rmdir(os.path.join(dirpath, name))
    os.rmdir(path)


def publish_to_directory(
    library: Path, cores: CoreSet, *, before_commit: Optional[Callable[[Core], object]] = None
) -> List[str]:
    """Put `cores` into the directory library `library`; returns one line per core and support file.

    `before_commit(core)` runs when a core is staged, just before it is renamed into place
    (tests race a second publisher there).
    """
    root = _directory_root(library)
    shown = str(library)
    _preflight(root, cores, shown=shown)
    staging = _staging(root)
    lines: List[str] = []
    for rel, content in sorted(cores.support_files.items()):
        target = _support_file_target(root, rel, shown=shown)
        if target.is_file() and target.read_bytes() == content:
            continue
        verb = "Updated" if target.exists() else "Wrote"
        tmp = staging / f"{rel}.{secrets.token_hex(8)}"
        write_durably(tmp, content)
        os.replace(tmp, target)
        lines.append(f"{verb} {shown}/{rel}")
    for core in cores.cores:
        parent = _directory_chain(root, [core.library, core.name], shown=shown, create=True)
        dest = parent / core.version
        if _check_published(dest, core, shown=shown):
            lines.append(_already(core, shown))
            continue
        tmp = _new_dir(staging, f"{core.name}-{core.version}")
        try:
            _write_core_files(tmp, core)
            for dirpath, _, _ in os.walk(tmp):
                fsync_dir(Path(dirpath))
            if before_commit is not None:
                before_commit(core)
            try:
                os.rename(tmp, dest)  # atomic; replaces nothing but an empty directory
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                    raise
                # Someone published the same VLNV meanwhile: same content is fine, other is not.
                if _check_published(dest, core, shown=shown):
                    lines.append(_already(core, shown))
                    continue
                raise
            fsync_dir(parent)
            lines.append(_published(core, shown))
        finally:
            if tmp.exists():
                _remove_tree(tmp)
    return lines


# -- git libraries --------------------------------------------------------------------------


def is_git_location(location: str) -> bool:
    """A URL (`https://`, `ssh://`, `file://`, `[user@]host:path`), or a path to a bare repository
    (or to none, ending in `.git`: cloning it then says it does not exist)."""
    if _URL.match(location) or _SCP_LIKE.match(location):
        return True
    path = Path(location).expanduser()
    if path.is_dir():
        return _is_bare_repository(path)
    return not path.exists() and location.rstrip("/").endswith(".git")


def absolute_location(location: str, base: str) -> str:
    """`location` with a path (not a URL) made absolute against `base` (`~` is expanded)."""
    if _URL.match(location) or _SCP_LIKE.match(location):
        return location
    return os.path.join(base, os.path.expanduser(location))


def _git(work: Path, *args: str, what: str, check: bool = True):
    return run_git(list(args), cwd=work, what=what, check=check)


def _checkout_tip(work: Path, branch: str, shown: str) -> Optional[str]:
    """Reset the clone to the remote branch's tip (None: the branch does not exist yet)."""
    fetch = _git(
        work,
        "fetch",
        "-q",
        "--depth",
        "1",
        "--no-tags",
        "origin",
        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        what="fetch the library",
        check=False,
    )
    if fetch.returncode != 0:
        err = fetch.stderr.decode("utf-8", "replace")
        if "couldn't find remote ref" not in err:
            raise GitError.single(
                shown, f"could not fetch branch `{branch}`: {redact(err.strip())}", help=CREDENTIALS_HELP
            )
        _git(work, "symbolic-ref", "HEAD", f"refs/heads/{branch}", what="start the branch")
        _git(work, "update-ref", "-d", f"refs/heads/{branch}", what="start the branch", check=False)
        _git(work, "read-tree", "--empty", what="start the branch")
        _git(work, "clean", "-q", "-ffdx", what="clean the clone")
        return None
    _git(
        work,
        "checkout",
        "-q",
        "--force",
        "-B",
        branch,
        f"refs/remotes/origin/{branch}",
        what="check out the library",
    )
    _git(work, "clean", "-q", "-ffdx", what="clean the clone")
    return _git(work, "rev-parse", "HEAD", what="read the library's revision").stdout.decode().strip()


def _apply_to_checkout(work: Path, cores: CoreSet, *, shown: str) -> Tuple[List[str], List[str], bool]:
    """Write the cores and support files into the clone: (lines, VLNVs newly published, changed)."""
    _preflight(work, cores, shown=shown)
    lines: List[str] = []
    published: List[str] = []
    changed = False
    for rel, content in sorted(cores.support_files.items()):
        target = _support_file_target(work, rel, shown=shown)
        if not (target.is_file() and target.read_bytes() == content):
            lines.append(f"{'Updated' if target.exists() else 'Wrote'} {shown}/{rel}")
            target.write_bytes(content)
            changed = True
    for core in cores.cores:
        dest = _directory_chain(work, [core.library, core.name], shown=shown, create=True) / core.version
        if _check_published(dest, core, shown=shown):
            lines.append(_already(core, shown))
            continue
        dest.mkdir(exist_ok=True)
        _write_core_files(dest, core)
        published.append(core.vlnv)
        lines.append(_published(core, shown))
    return lines, published, changed or bool(published)


def _remote_tip(work: Path, branch: str) -> Optional[str]:
    proc = _git(
        work, "ls-remote", "origin", f"refs/heads/{branch}", what="read the library's tip", check=False
    )
    if proc.returncode != 0:
        return None
    out = proc.stdout.decode().split()
    return out[0] if out else ""


def publish_to_git(
    url: str,
    cores: CoreSet,
    *,
    branch: Optional[str] = None,
    attempts: int = DEFAULT_PUSH_ATTEMPTS,
    before_push: Optional[Callable[[int], None]] = None,
) -> List[str]:
    """Commit `cores` to the git library at `url` and push, retrying when others push first.

    `branch`: the branch to publish to (default: the one `git clone` checks out, which is also
    what `fusesoc library add` uses). `before_push(attempt)` runs before each push (tests race a
    second publisher there).
    """
    shown = redact(url)
    if attempts < 1:
        raise EstreamError.single("attempts", f"must be at least 1, not {attempts}")
    url = absolute_location(url, os.getcwd())  # the clone's `origin` must not depend on the cwd
    with tempfile.TemporaryDirectory(prefix="estream-fusesoc-library-") as tmp:
        work = Path(tmp) / "library"
        clone = run_git(
            ["clone", "-q", "--depth", "1", "--no-tags", "--no-checkout", "--", url, str(work)],
            what="clone the FuseSoC library",
            check=False,
        )
        if clone.returncode != 0:
            message = redact(clone.stderr.decode("utf-8", "replace").strip())
            raise GitError.single(
                shown, f"could not clone the FuseSoC library: {message}", help=CREDENTIALS_HELP
            )
        # Compare and write bytes as they are: no line-ending conversion from the user's config.
        _git(work, "config", "core.autocrlf", "false", what="configure the clone")
        if branch is None:
            branch = (
                _git(work, "symbolic-ref", "--short", "HEAD", what="read the default branch")
                .stdout.decode()
                .strip()
            )
        elif (
            _git(
                work, "check-ref-format", "--branch", branch, what="check the branch name", check=False
            ).returncode
            != 0
        ):
            raise EstreamError.single(shown, f"`{branch}` is not a valid branch name", key="branch")
        target_branch: str = branch
        committed: List[bool] = []

        def prepare(attempt: int) -> Attempt[List[str]]:
            base = _checkout_tip(work, target_branch, shown)
            lines, published, changed = _apply_to_checkout(work, cores, shown=shown)
            subject = (
                None
                if not changed
                else f"Publish FuseSoC core {published[0]}"
                if len(published) == 1
                else f"Publish FuseSoC cores {', '.join(published)}"
                if published
                else "Update the FuseSoC library's support files"
            )
            committed[:] = [changed]
            return Attempt(base, subject, lines)

        lines, attempt = commit_and_push(
            work,
            branch=target_branch,
            attempts=attempts,
            prepare=prepare,
            remote_moved=lambda base: _remote_tip(work, target_branch) not in (base or "", None),
            shown=shown,
            target=f"branch `{target_branch}`",
            push_help=CREDENTIALS_HELP,
            give_up_help="publish again (or raise `[fusesoc-library].push_attempts` / `--attempts`)",
            before_push=before_push,
        )
        if attempt > 1 and committed[0]:
            lines.append(f"(other publishers pushed first; pushed on attempt {attempt})")
        return lines


# -- either ---------------------------------------------------------------------------------


def library_kind(location: str, sync_type: str = "auto") -> str:
    """`local` or `git`, as FuseSoC's `library add --sync-type` calls them."""
    if sync_type not in SYNC_TYPES:
        raise EstreamError.single("sync_type", f"`{sync_type}` is not one of {', '.join(SYNC_TYPES)}")
    if not location:
        raise EstreamError.single("location", "no FuseSoC library given", help=LOCATION_HELP)
    if sync_type == "git" or (sync_type == "auto" and is_git_location(location)):
        return "git"
    if _URL.match(location) or _SCP_LIKE.match(location):
        raise EstreamError.single(
            location,
            "is a URL, but a `local` library is a directory path",
            help="use sync type `git` (or `auto`)",
        )
    return "local"


def publish(
    location: str,
    cores: CoreSet,
    *,
    sync_type: str = "auto",
    branch: Optional[str] = None,
    attempts: int = DEFAULT_PUSH_ATTEMPTS,
) -> List[str]:
    """Publish into the library at `location` (a directory path, a git URL or a bare repository)."""
    if library_kind(location, sync_type) == "git":
        return publish_to_git(location, cores, branch=branch, attempts=attempts)
    if branch is not None:
        raise EstreamError.single(
            location, "is a directory library; a branch only applies to git libraries", key="branch"
        )
    return publish_to_directory(Path(location).expanduser(), cores)


__all__ = [
    "Core",
    "CoreSet",
    "absolute_location",
    "DEFAULT_PUSH_ATTEMPTS",
    "SYNC_TYPES",
    "is_git_location",
    "library_kind",
    "parse_vlnv",
    "publish",
    "publish_to_directory",
    "publish_to_git",
    "read_cores",
]
