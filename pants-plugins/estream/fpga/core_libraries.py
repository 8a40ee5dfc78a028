"""The FuseSoC libraries `fusesoc_core` targets take cores from by VLNV: `[fusesoc].libraries`.

(Not to be confused with `estream.core.fpga.fusesoc_library`, where `publish` puts our own cores.)

Decisions:
* A library is a directory of the repository, or a git repository locked to a full commit id.
  A branch or tag is refused: it can move, and then the same pants.toml would build something
  else. A `file://` URL or a path to a (bare) repository works like any remote.
* A directory library enters the build as its files, so its content digest is in the build's
  cache key. A git library is fetched by FuseSoC's own git provider
  (`fusesoc.provider.git.Git.init_library`: clone, then check out the library's
  `sync_version`) in a sandboxed process whose only inputs are the URL and the commit: Pants
  caches it by those, so the commit alone decides the content (`.git` is dropped; the output is
  the tree), and a branch moved upstream changes nothing. A failed fetch is not cached.
* The VLNV is looked up by FuseSoC's `CoreManager` over those libraries, in the generator plan
  and the build processes (`edalize_driver.core_vlnv`), with FuseSoC's matching (a VLNV without version picks the
  newest). When it is not found, the driver prints the libraries' VLNVs on one marked line and
  this module turns them into the error, with a did-you-mean.
"""

from __future__ import annotations

import difflib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from pants.backend.python.util_rules import pex
from pants.backend.python.util_rules.pex import VenvPex, VenvPexProcess
from pants.base.build_root import BuildRoot
from pants.core.util_rules.system_binaries import MaybeGitBinary
from pants.engine.fs import AddPrefix, CreateDigest, Digest, FileContent, PathGlobs, RemovePrefix, Snapshot
from pants.engine.process import FallibleProcessResult
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.fpga import bitstream
from estream.fpga.bitstream import driver_source
from estream.fpga.subsystems.fusesoc import FusesocSubsystem
from estream.fpga.subsystems.toolchain import DRIVER_FILE, FpgaToolchain

CONFIG_WHERE = "pants.toml"
OPTION_KEY = "[fusesoc].libraries"
# Where a git library's tree is put in the build sandbox: `<FETCH_DIR>/<library name>/`.
FETCH_DIR = "__fusesoc_libraries"
# The driver's line for a VLNV that no library holds: this prefix, then JSON.
NOT_FOUND_MARKER = "estream-fusesoc-vlnv-not-found: "
# The driver's exit codes for a git fetch.
FETCH_CLONE_FAILED = 3
FETCH_COMMIT_NOT_FOUND = 4

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_COMMIT = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class CoreLibrary:
    """One entry of `[fusesoc].libraries`: `directory` (build-root relative) or `git` + `commit`."""

    name: str
    directory: Optional[str] = None
    git: Optional[str] = None
    commit: Optional[str] = None

    @property
    def description(self) -> str:
        if self.directory is not None:
            return f"directory `{self.directory}`"
        return f"`{self.git}` at commit {self.commit}"

    def sandbox_location(self) -> str:
        """Where the library's cores are in the build sandbox (build-root relative)."""
        if self.directory is not None:
            return self.directory
        return f"{FETCH_DIR}/{self.name}"


def _error(name: Optional[str], message: str, help: Optional[str] = None) -> EstreamError:
    key = f"{OPTION_KEY}.{name}" if name else OPTION_KEY
    return EstreamError.single(CONFIG_WHERE, message, key=key, help=help)


def parse_libraries(raw: Mapping[str, Any]) -> Tuple[CoreLibrary, ...]:
    """`[fusesoc].libraries` (name -> directory string, or `{git = URL, commit = SHA}`), checked."""
    libraries = []
    for name, value in sorted(raw.items()):
        if not isinstance(name, str) or not _NAME.match(name):
            raise _error(
                None,
                f"library name `{name}` is not a name",
                help="use letters, digits, `_`, `.` and `-`, e.g. `serv`",
            )
        if isinstance(value, str):
            directory = posixpath.normpath(value.strip())
            if not value.strip() or directory.startswith("/") or directory.split("/")[0] == "..":
                raise _error(
                    name,
                    f"directory `{value}` is not inside the repository",
                    help="give a directory relative to the build root, e.g. `3rdparty/fusesoc`",
                )
            libraries.append(CoreLibrary(name, directory=directory))
        elif isinstance(value, dict):
            unknown = sorted(set(value) - {"git", "commit"})
            if unknown:
                raise _error(
                    name,
                    f"unknown key `{unknown[0]}`",
                    help='a git library is `{git = "URL", commit = "<full commit id>"}`',
                )
            git, commit = value.get("git"), value.get("commit")
            if not isinstance(git, str) or not git.strip():
                raise _error(name, "a git library needs `git`, the repository's URL or path")
            if not isinstance(commit, str) or not _COMMIT.match(commit):
                raise _error(
                    name,
                    f"`commit` must be a full commit id (40 hex digits), not `{commit}`",
                    help="a branch or tag can move; lock the library to `git rev-parse <ref>`",
                )
            libraries.append(CoreLibrary(name, git=git.strip(), commit=commit))
        else:
            raise _error(
                name,
                f"expected a directory (string) or `{{git = ..., commit = ...}}`, not `{value!r}`",
            )
    return tuple(libraries)


def select_libraries(
    declared: Sequence[CoreLibrary], names: Optional[Sequence[str]], *, where: str
) -> Tuple[CoreLibrary, ...]:
    """The libraries a target searches: those it names in `libraries`, or every declared one."""
    by_name = {lib.name: lib for lib in declared}
    if not declared:
        raise EstreamError.single(
            where,
            "`vlnv` needs a FuseSoC library, and `[fusesoc].libraries` in pants.toml is empty",
            key="vlnv",
            help='declare one, e.g. `[fusesoc]\nlibraries = { serv = "3rdparty/fusesoc" }`',
        )
    if names is None:
        return tuple(declared)
    chosen = []
    for name in names:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise EstreamError.single(
                where,
                f"unknown FuseSoC library `{name}`",
                key="libraries",
                help=f"{hint}libraries declared in pants.toml `[fusesoc].libraries`: "
                + ", ".join(f"`{n}`" for n in sorted(by_name)),
            )
        chosen.append(by_name[name])
    return tuple(chosen)


def _name_part(vlnv: str) -> str:
    parts = vlnv.split(":")
    return parts[2] if len(parts) >= 3 else parts[-1]


def suggestions(vlnv: str, known: Sequence[str], n: int = 3) -> List[str]:
    """The known VLNVs closest to `vlnv`: same core name first, then similar names."""
    wanted = _name_part(vlnv)
    same = [k for k in sorted(known) if _name_part(k) == wanted]
    if same:
        return same[:n]
    by_name: Dict[str, List[str]] = {}
    for k in sorted(known):
        by_name.setdefault(_name_part(k), []).append(k)
    close = difflib.get_close_matches(wanted, list(by_name), n=n, cutoff=0.6)
    close_full = difflib.get_close_matches(vlnv, sorted(known), n=n, cutoff=0.6)
    out: List[str] = []
    for k in [v for name in close for v in by_name[name]] + close_full:
        if k not in out:
            out.append(k)
    return out[:n]


def vlnv_not_found_error(vlnv: str, known: Mapping[str, Sequence[str]], *, where: str) -> EstreamError:
    """`vlnv` is in none of the libraries; `known` maps each library name to its VLNVs."""
    everything = [v for vlnvs in known.values() for v in vlnvs]
    close = suggestions(vlnv, everything)
    searched = ", ".join(f"`{name}` ({len(v)} cores)" for name, v in sorted(known.items()))
    help = (
        f"did you mean `{close[0]}`?"
        if close
        else ("`fusesoc core list` with these libraries shows their cores")
    )
    return EstreamError.single(
        where, f"no core `{vlnv}` in the FuseSoC libraries {searched}", key="vlnv", help=help
    )


def not_found_in_stderr(stderr: str) -> Optional[Tuple[str, Dict[str, List[str]]]]:
    """(vlnv, VLNVs by library) from the driver's marked line, if it printed one."""
    for line in stderr.splitlines():
        if line.startswith(NOT_FOUND_MARKER):
            data = json.loads(line[len(NOT_FOUND_MARKER) :])
            return data["vlnv"], data["known"]
    return None


def fetch_error(library: CoreLibrary, exit_code: int, stderr: str) -> EstreamError:
    """The error of a failed git fetch (`edalize_driver.py fetch-library`)."""
    fatal = [line for line in stderr.splitlines() if line.startswith("fatal:")]
    detail = "\n".join(fatal) if fatal else stderr.strip()[-2000:]
    if exit_code == FETCH_COMMIT_NOT_FOUND:
        return _error(
            library.name,
            f"commit {library.commit} is not in `{library.git}`",
            help="check the commit id (`git ls-remote` shows the branches' commits)",
        )
    return _error(
        library.name,
        f"cannot fetch the git library `{library.git}` (exit {exit_code})",
        help=(detail or "check the URL and that git can reach it"),
    )


def missing_directory_error(library: CoreLibrary) -> EstreamError:
    return _error(
        library.name,
        f"the library directory `{library.directory}` does not exist or holds no files",
        help="point it at a directory of FuseSoC cores below the build root, e.g. `3rdparty/fusesoc`",
    )


def _is_local_path(url: str) -> bool:
    return "://" not in url and not re.match(r"^[^/]+@[^/]+:", url)


@dataclass(frozen=True)
class DeclaredCoreLibraries:
    """`[fusesoc].libraries`, parsed."""

    libraries: Tuple[CoreLibrary, ...]


@rule(desc="Read [fusesoc].libraries", level=LogLevel.DEBUG)
async def declared_core_libraries(subsystem: FusesocSubsystem) -> DeclaredCoreLibraries:
    return DeclaredCoreLibraries(parse_libraries(subsystem.libraries))


@dataclass(frozen=True)
class CoreLibraryFiles:
    """A library's files, at `library.sandbox_location()` from the digest's root."""

    digest: Digest


@rule(desc="Fetch a FuseSoC library", level=LogLevel.DEBUG)
async def core_library_files(
    library: CoreLibrary, toolchain: FpgaToolchain, maybe_git: MaybeGitBinary, build_root: BuildRoot
) -> CoreLibraryFiles:
    if library.directory is not None:
        snapshot = await Get(Snapshot, PathGlobs([f"{library.directory}/**"]))
        if not snapshot.files:
            raise missing_directory_error(library)
        return CoreLibraryFiles(snapshot.digest)
    if maybe_git.git_binary is None:
        raise _error(library.name, "git libraries need `git`, and it is not on the PATH")
    url = library.git or ""
    if _is_local_path(url) and not os.path.isabs(url):
        url = os.path.join(build_root.path, url)  # a repository path relative to the build root
    venv_pex, driver = await MultiGet(
        Get(VenvPex, pex.PexRequest, toolchain.to_pex_request()),
        Get(Digest, CreateDigest([FileContent(DRIVER_FILE, driver_source())])),
    )
    result = await Get(
        FallibleProcessResult,
        VenvPexProcess(
            venv_pex,
            argv=[DRIVER_FILE, "fetch-library", maybe_git.git_binary.path, url, library.commit or "", "tree"],
            description=f"Fetch FuseSoC library {library.name} ({library.git} at {library.commit})",
            level=LogLevel.INFO,
            input_digest=driver,
            output_directories=("tree",),
            extra_env={"PEX_INTERPRETER": "1", "GIT_TERMINAL_PROMPT": "0"},
            timeout_seconds=1800,
        ),
    )
    if result.exit_code != 0:
        raise fetch_error(library, result.exit_code, result.stderr.decode("utf-8", "replace"))
    tree = await Get(Digest, RemovePrefix(result.output_digest, "tree"))
    return CoreLibraryFiles(await Get(Digest, AddPrefix(tree, library.sandbox_location())))


def rules():
    return [*collect_rules(), *bitstream.rules()]
