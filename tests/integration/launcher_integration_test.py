"""The ./pants launcher finds a Python 3.9 or says exactly how to get one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from integration.pants_repo import copy_repo


def run_launcher(repo: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(repo / "pants"), "--version"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def test_wrong_python_in_override_is_refused(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    not_39 = "/bin/sh"  # anything that is not a CPython 3.9
    result = run_launcher(
        repo,
        {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path / "home"),
            "ESTREAM_PANTS_CACHE": str(tmp_path / "cache"),
            "ESTREAM_PANTS_PYTHON": not_39,
        },
    )
    assert result.returncode != 0
    assert f"ESTREAM_PANTS_PYTHON={not_39} is not a CPython 3.9 interpreter" in result.stderr


def test_no_python39_anywhere_gives_a_remedy(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    empty_pyenv = tmp_path / "pyenv"
    (empty_pyenv / "versions").mkdir(parents=True)
    result = run_launcher(
        repo,
        # Debian's /usr/bin has no python3.9; pyenv is pointed at an empty root.
        {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path / "home"),
            "ESTREAM_PANTS_CACHE": str(tmp_path / "cache"),
            "PYENV_ROOT": str(empty_pyenv),
        },
    )
    assert result.returncode != 0
    assert "needs CPython 3.9, and none was found" in result.stderr
    assert "ESTREAM_PANTS_PYTHON" in result.stderr
    assert not (tmp_path / "cache" / "pants-2.17.1-venv" / ".complete").exists()


def test_override_selects_the_interpreter(tmp_path: Path) -> None:
    """With a 3.9 given explicitly, the launcher gets past interpreter discovery to pip."""
    repo = copy_repo(tmp_path / "repo")
    if sys.version_info[:2] != (3, 9):
        raise AssertionError("the test runs under the plugin's Python 3.9")
    result = run_launcher(
        repo,
        # An unreachable index makes pip fail fast: the point is which Python was chosen.
        {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path / "home"),
            "ESTREAM_PANTS_CACHE": str(tmp_path / "cache"),
            "ESTREAM_PANTS_PYTHON": sys.executable,
            "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
            "PIP_RETRIES": "0",
            "PIP_TIMEOUT": "2",
        },
    )
    assert f"bootstrapping Pants 2.17.1 with {sys.executable}" in result.stderr
    assert result.returncode != 0
    assert "pip could not install pantsbuild.pants==2.17.1" in result.stderr
