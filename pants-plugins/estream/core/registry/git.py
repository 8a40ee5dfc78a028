"""Run the `git` CLI with clear errors.

Credentials are never handled here: git's own mechanisms (credential helpers, SSH agent,
`GIT_ASKPASS`, `~/.git-credentials`) apply, because git is run with the user's environment.
Terminal prompts are disabled so a missing credential fails instead of hanging a build.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generic, Mapping, Optional, Sequence, Tuple, TypeVar

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
    # No automatic gc/maintenance detached into the background: a git process must never outlive
    # the estream process holding the checkout's lock (its next holder removes git *.lock files).
    argv = [
        "git",
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "gc.autoDetach=false",
        "-c",
        "maintenance.autoDetach=false",
        *args,
    ]
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
        raise GitError.single(
            "git", "the `git` command was not found", help="install git and make sure it is on PATH"
        ) from None
    except subprocess.TimeoutExpired:
        raise GitError.single("git", f"timed out after {timeout:.0f} s while trying to {what}") from None
    if check and proc.returncode != 0:
        message = redact(proc.stderr.decode("utf-8", "replace").strip()) or f"exit code {proc.returncode}"
        raise GitError.single(redact(str(cwd)) if cwd else "git", f"could not {what}: {message}")
    return proc


T = TypeVar("T")


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What one attempt of `commit_and_push` prepared: the tip it started from (None: no branch
    yet), the commit message (None: nothing to commit) and the caller's result."""

    base: Optional[str]
    message: Optional[str]
    result: T


def commit_and_push(
    work: Path,
    *,
    branch: str,
    attempts: int,
    prepare: Callable[[int], Attempt[T]],
    remote_moved: Callable[[Optional[str]], bool],
    shown: str,
    target: str,
    push_help: str,
    give_up_help: str,
    before_push: Optional[Callable[[int], None]] = None,
) -> Tuple[T, int]:
    """THE git transaction of every publisher (the registry, the FuseSoC library): `prepare` the
    change on a fresh tip, commit everything, push; when the push is rejected because another
    publisher moved the branch (`remote_moved(base)`), start over on the new tip, up to
    `attempts` times with a small random back-off. Any other rejection is fatal. Returns the
    result and the attempt that pushed."""
    if attempts < 1:
        raise EstreamError.single("attempts", f"must be at least 1, not {attempts}")
    for attempt in range(1, attempts + 1):
        prepared = prepare(attempt)
        if prepared.message is None:
            return prepared.result, attempt
        run_git(["add", "-A"], cwd=work, what="stage the change")
        run_git(["commit", "-q", "-m", prepared.message], cwd=work, what="commit the change")
        if before_push is not None:
            before_push(attempt)
        push = run_git(
            ["push", "-q", "origin", f"HEAD:refs/heads/{branch}"], cwd=work, what="push", check=False
        )
        if push.returncode == 0:
            return prepared.result, attempt
        if not remote_moved(prepared.base):
            raise GitError.single(
                shown,
                f"could not push to {target}: {redact(push.stderr.decode('utf-8', 'replace').strip())}",
                help=push_help,
            )
        import random  # only between push attempts (it costs every command's start-up)

        time.sleep(random.uniform(0.01, 0.05) * min(attempt, 10))
    raise EstreamError.single(
        shown, f"gave up after {attempts} attempts: other publishers kept pushing first", help=give_up_help
    )


__all__ = ["Attempt", "GitError", "commit_and_push", "git_env", "redact", "run_git"]
