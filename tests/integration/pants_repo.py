"""Run this repository's real `./pants` on a copy of the repository in a temporary directory.

Start-up is most of a short Pants run here: without pantsd, every `./pants` invocation builds
Pants' rule graph again (15-30 s of CPU on the 2-core CI machine, against ~1.5 s for a run served
by a warm pantsd). So a test that runs Pants several times in one copy asks for `pantsd=True`, as
a user's shell has it, and its later runs skip the start-up; conftest.py stops the daemons after
each test. The runs that prove what CI relies on (the persistent process cache, which pantsd's
in-memory memoization would mask; a umask or a user of its own) keep pantsd off.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence, Set

# What a copy needs: the launcher, config, lockfiles, the plugin and the example content.
REPO_ENTRIES = (
    "pants",
    "pants.toml",
    "ruff.toml",
    "mypy.ini",
    "pants.remote-cache.toml",
    "BUILD",
    "3rdparty",
    "build-support",
    "pants-plugins",
    "schemas",
    "circuits",
    "components",
    "fpga",
)


@dataclass(frozen=True)
class PantsResult:
    returncode: int
    stdout: str
    stderr: str

    def assert_success(self) -> "PantsResult":
        assert self.returncode == 0, f"pants failed ({self.returncode}):\n{self.stdout}\n{self.stderr}"
        return self


def source_root() -> Path:
    """The directory holding the repository files (the test sandbox, or the repo itself)."""
    here = Path.cwd()
    if (here / "pants.toml").exists():
        return here
    raise RuntimeError(f"no pants.toml in {here}: the test must depend on //:repo")


def copy_repo(dest: Path) -> Path:
    """Copy the repository files into `dest` (created) and return it.

    A test's sandbox holds only the content the test depends on (tests/integration/BUILD); what
    it does not depend on (e.g. `schemas/` for an FPGA test) is absent there and in the copy.
    """
    src = source_root()
    dest.mkdir(parents=True)
    for entry in REPO_ENTRIES:
        path = src / entry
        if not path.exists():
            continue
        if path.is_dir():
            shutil.copytree(path, dest / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, dest / entry)
    (dest / "pants").chmod(0o755)
    return dest


def base_env() -> dict:
    """The minimal environment a user's shell gives Pants; nothing else leaks in."""
    keep = ("HOME", "PATH", "PYENV_ROOT", "LANG", "ESTREAM_PANTS_CACHE", "XDG_CACHE_HOME")
    return {k: os.environ[k] for k in keep if k in os.environ}


def run_pants(
    build_root: Path,
    args: Sequence[str],
    *,
    env: Optional[Mapping[str, str]] = None,
    umask: Optional[int] = None,
    timeout: int = 900,
    pantsd: bool = False,
) -> PantsResult:
    full_env = base_env()
    full_env.update(env or {})
    full_env["PANTS_PANTSD"] = "true" if pantsd else "false"
    if pantsd:
        DAEMON_ROOTS.add(build_root)
    full_env["PANTS_DYNAMIC_UI"] = "false"

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    proc = subprocess.run(
        ["bash", str(build_root / "pants"), *args],
        cwd=build_root,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        preexec_fn=set_umask,
    )
    return PantsResult(proc.returncode, proc.stdout, proc.stderr)


# Build roots whose runs may have started a pantsd (stopped by `stop_all_pantsd`).
DAEMON_ROOTS: Set[Path] = set()


def stop_pantsd(build_root: Path, *, wait: float = 15.0) -> None:
    """Stop the pantsd of `build_root`, if one runs: SIGTERM, then SIGKILL after `wait` seconds.

    Pants keeps the daemon's pid in `<build root>/.pids/<host>/pantsd/pid`.
    """
    for pid_file in build_root.glob(".pids/*/pantsd/pid"):
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (ValueError, OSError):
            continue  # no pid written yet, or the daemon is gone
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def stop_all_pantsd() -> None:
    while DAEMON_ROOTS:
        stop_pantsd(DAEMON_ROOTS.pop())
