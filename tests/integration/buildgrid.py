"""Helpers for tests and benchmarks that run Pants against a real BuildGrid remote cache.

A BuildGrid server is started and stopped with the repository's own
`build-support/buildgrid/buildgrid.sh` (which installs BuildGrid into the per-user cache on first
use); Pants runs in a scrubbed environment; its `[stats]` counters are parsed from its log; and
directories (dist/, BuildGrid's disk CAS) are scanned for bytes that must not be there.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

from integration.pants_repo import PantsResult

SCRIPT = Path("build-support") / "buildgrid" / "buildgrid.sh"
PROFILE = "pants.remote-cache.toml"
# A PATH with no user-specific entries: what the inner Pants and its processes may use.
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"


def _real_home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def launcher_cache() -> str:
    """Where ./pants keeps Pants and the pex CLI (and buildgrid.sh keeps BuildGrid)."""
    if os.environ.get("ESTREAM_PANTS_CACHE"):
        return os.environ["ESTREAM_PANTS_CACHE"]
    xdg = os.environ.get("XDG_CACHE_HOME") or str(_real_home() / ".cache")
    return str(Path(xdg) / "estream-pants")


def pyenv_root() -> str:
    return os.environ.get("PYENV_ROOT") or str(_real_home() / ".pyenv")


def user_named_caches() -> str:
    """The user's Pants named caches (pip/pex downloads): append-only caches Pants declares."""
    xdg = os.environ.get("XDG_CACHE_HOME") or str(_real_home() / ".cache")
    return str(Path(xdg) / "pants" / "named_caches")


def clean_env(home: Path, *, user: str, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """A scrubbed environment: a fixed PATH, an empty HOME, and only what ./pants needs to start.

    ESTREAM_PANTS_CACHE points at the launcher's cache (Pants' own venv and the pex CLI, outside
    the build root) and PYENV_ROOT lets Pants find its interpreters; nothing else from the
    caller's environment (no PIP_*, PYTHON*, XDG_*, proxies, ...) reaches Pants or its processes.
    """
    env = {
        "PATH": CLEAN_PATH,
        "HOME": str(home),
        "USER": user,
        "LOGNAME": user,
        "ESTREAM_PANTS_CACHE": launcher_cache(),
        "PYENV_ROOT": pyenv_root(),
        "LANG": "C.UTF-8",
        "PANTS_PANTSD": "false",
        "PANTS_DYNAMIC_UI": "false",
    }
    env.update(extra or {})
    return env


def run_pants_clean(
    build_root: Path, args: Sequence[str], env: Mapping[str, str], *, timeout: int = 900
) -> PantsResult:
    """Run the checkout's ./pants with exactly `env` (nothing inherited)."""
    proc = subprocess.run(
        ["/bin/bash", str(build_root / "pants"), *args],
        cwd=build_root,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    return PantsResult(proc.returncode, proc.stdout, proc.stderr)


def remote_cache_args(address: str, local_store: Path, named_caches: Path) -> List[str]:
    return [
        f"--pants-config-files={PROFILE}",
        f"--remote-store-address={address}",
        f"--local-store-dir={local_store}",
        f"--named-caches-dir={named_caches}",
        # Name every remote cache hit and miss in the log (the Rust remote-cache runner), and
        # every package signed in-process (`signed_packages`).
        "--log-levels-by-target={'remote::remote_cache': 'debug', "
        "'estream.util_rules.package_signature': 'debug'}",
    ]


_COUNTER_LINE = re.compile(r"^\s+([a-z_]+): (\d+)\s*$")


def parse_counters(log: str) -> Dict[str, int]:
    """The `[stats] log` counters Pants prints at the end of a run ("Counters:" then "  name: n")."""
    lines = log.splitlines()
    starts = [i for i, line in enumerate(lines) if line.rstrip().endswith("Counters:")]
    if not starts:
        raise ValueError("no `Counters:` block in the Pants log: is `[stats] log = true` set?")
    counters: Dict[str, int] = {}
    for line in lines[starts[-1] + 1 :]:
        match = _COUNTER_LINE.match(line)
        if not match:
            break
        counters[match.group(1)] = int(match.group(2))
    if not counters:
        raise ValueError("the `Counters:` block in the Pants log is empty")
    return counters


_REMOTE_LOOKUP = re.compile(r'remote cache (hit|miss) for: "([^"]*)"')


def remote_lookups(log: str) -> Dict[str, List[str]]:
    """Process descriptions by remote cache outcome ({"hit": [...], "miss": [...]})."""
    out: Dict[str, List[str]] = {"hit": [], "miss": []}
    for kind, description in _REMOTE_LOOKUP.findall(log):
        out[kind].append(description)
    return out


#: The descriptions of a package signature's two lookups (util_rules/package_signature.py): the
#: first asks the caches; after a miss the package is signed and the second stores it.
LOOK_UP_SIGNATURE = "Look up the signature of "
CACHE_SIGNATURE = "Cache the signature of "

_SIGNED = re.compile(r"estream: signed (.+?)\s*$", re.MULTILINE)


def signed_packages(log: str) -> List[str]:
    """`name version` of every package the run signed in-process (a debug line per signature)."""
    return _SIGNED.findall(log)


def described(descriptions: Sequence[str], prefix: str) -> List[str]:
    """What follows `prefix` in the descriptions that start with it (e.g. the package of a lookup)."""
    return [d[len(prefix) :] for d in descriptions if d.startswith(prefix)]


def scan(root: Path, needles: Sequence[bytes]) -> List[str]:
    """`path: needle` for every regular file under `root` that contains one of `needles`."""
    hits: List[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits.extend(f"{path}: {needle!r}" for needle in needles if needle in data)
    return hits


@dataclass(frozen=True)
class BuildGrid:
    address: str
    state_dir: Path

    @property
    def cas_dir(self) -> Path:
        return self.state_dir / "cas"


@contextlib.contextmanager
def buildgrid_server(
    repo: Path, state_dir: Path, *, timeout: int = 900, max_lifetime: int = 3600
) -> Iterator[BuildGrid]:
    """Start BuildGrid with the repo's script (installing it if needed); always stop it.

    `max_lifetime` arms the script's watchdog, which stops the server even if this process is
    killed before its `finally` runs (e.g. by a test timeout).
    """
    script = repo / SCRIPT
    try:
        started = subprocess.run(
            ["/bin/bash", str(script), "start", str(state_dir), "--max-lifetime", str(max_lifetime)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # The first run installs BuildGrid from PyPI; the script bounds its own waits too.
            timeout=timeout,
        )
        assert started.returncode == 0, f"buildgrid.sh start failed:\n{started.stderr}"
        address = started.stdout.strip()
        assert re.fullmatch(r"grpc://127\.0\.0\.1:\d+", address), address
        yield BuildGrid(address, state_dir)
    finally:
        subprocess.run(["/bin/bash", str(script), "stop", str(state_dir)], timeout=60, check=False)


def copy_checkout(dest: Path) -> Path:
    """A copy of the repository as a developer would check it out, with the remote-cache profile."""
    from integration.pants_repo import copy_repo, source_root

    repo = copy_repo(dest)
    (repo / PROFILE).write_bytes((source_root() / PROFILE).read_bytes())
    return repo


def expanded_contents(path: Path) -> Iterator[bytes]:
    """A file's bytes, then (for gzip and zip files) the bytes of what they compress."""
    import gzip
    import io
    import zipfile

    data = path.read_bytes()
    yield data
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError):
            yield gzip.decompress(data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        with contextlib.suppress(zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist():
                    yield info.filename.encode() + b"\n" + zf.read(info)


def scan_expanded(root: Path, needles: Sequence[bytes]) -> List[str]:
    """Like `scan`, but also looks inside gzip and zip files (archives, pexes, wheels)."""
    hits: List[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            for data in expanded_contents(path):
                hits.extend(f"{path}: {needle!r}" for needle in needles if needle in data)
    return sorted(set(hits))
