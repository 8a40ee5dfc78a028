"""Run this repository's real `./pants` on a copy of the repository in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

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
) -> PantsResult:
    full_env = base_env()
    full_env.update(env or {})
    full_env["PANTS_PANTSD"] = "false"
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
