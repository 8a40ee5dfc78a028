"""Run the `git` CLI with clear errors.

Credentials are never handled here: git's own mechanisms (credential helpers, SSH agent,
`GIT_ASKPASS`, `~/.git-credentials`) apply, because git is run with the user's environment.
Terminal prompts are disabled so a missing credential fails instead of hanging a build.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Mapping, Optional, Sequence

from estream.core.errors import EstreamError

_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def redact(text: str) -> str:
    """Strip `user:password@` from URLs before they appear in messages."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


class GitError(EstreamError):
    pass


def git_env(extra: Optional[Mapping[str, str]] = None) -> dict:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_AUTHOR_NAME", "estream-marketplace")
    env.setdefault("GIT_AUTHOR_EMAIL", "marketplace@estream.invalid")
    env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
    env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    # Never let a user's or system git config rewrite what we commit (hooks, signing prompts).
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def run_git(
    args: Sequence[str],
    *,
    cwd: Optional[Path] = None,
    what: str,
    check: bool = True,
    input: Optional[bytes] = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run `git args...`; on failure raise GitError saying what we were doing and git's message."""
    argv = ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", *args]
    try:
        proc = subprocess.run(
            argv,
            cwd=str(cwd) if cwd is not None else None,
            env=git_env(),
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise GitError.single("git", "the `git` command was not found", help="install git and make sure it is on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError.single("git", f"timed out after {timeout:.0f} s while trying to {what}") from None
    if check and proc.returncode != 0:
        message = redact(proc.stderr.decode("utf-8", "replace").strip()) or f"exit code {proc.returncode}"
        raise GitError.single(
            redact(str(cwd)) if cwd else "git", f"could not {what}: {message}"
        )
    return proc


__all__ = ["GitError", "redact", "run_git", "git_env"]
