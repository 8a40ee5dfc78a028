"""Exclusive locks between estream processes: a workspace, a registry checkout, the archive cache.

A lock is `fcntl.flock(LOCK_EX)` on a lock file next to what it guards; the holder writes its pid
into the file so a process that finds it taken can say who has it. A workspace is locked by
flocking its directory itself instead: a command that fails (or is killed) must leave the
workspace byte-identical, so it may not create a file there. Who holds a lock is read from the
kernel's own table (`/proc/locks`, so never stale), else from the pid written in the lock file. The kernel
drops a flock when its holder's file descriptor closes, which includes the holder dying by any
means (SIGKILL, OOM, power cut: the lock does not survive a reboot), so a lock is never stale and
is never broken by guessing from a file's age. The descriptor is close-on-exec and subprocesses
are started with `close_fds`, so a git child can never keep a lock after its parent died.

Decision: **wait, bounded, with a message.** A command that finds the lock taken prints one line
(`note: the workspace is busy (pid N); waiting up to 300 s for it`) and polls until it gets the
lock, so two commands run one after the other and neither update is lost. After
`$ESTREAM_LOCK_TIMEOUT` seconds (default 300; `0` fails fast) it stops with the error `the
workspace is busy (pid N)`. Polling (not a blocking flock) keeps SIGTERM/SIGINT responsive.

Because whoever holds a lock is the only process allowed to change what it guards, a holder may
treat every leftover it finds there (a git `*.lock` file in a registry checkout, a `.estream-tmp-*`
file in the cache) as coming from a dead process and remove it: that is how the callers self-heal
(`Registry.locked`, `ArchiveCache.put`).

The locks are re-entrant within a thread (keyed by thread and path; another thread of the same
process waits like another process would, since each acquisition opens its own file description)
and always taken in one order: workspace, then registry checkout, then cache.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, Mapping, Optional, Tuple

from estream.core.errors import EstreamError

ENV_LOCK_TIMEOUT = "ESTREAM_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 300.0
_POLL = 0.05
_MAX_POLL = 0.5

#: (thread, path) -> (fd, depth) for locks this process holds.
_held: Dict[Tuple[int, str], Tuple[int, int]] = {}


def lock_timeout(environ: Optional[Mapping[str, str]] = None) -> float:
    env = os.environ if environ is None else environ
    text = env.get(ENV_LOCK_TIMEOUT)
    if text is None or text.strip() == "":
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise EstreamError.single(
            f"${ENV_LOCK_TIMEOUT}", f"expected a number of seconds (0 or more), found {text!r}"
        )
    return value


def owner_pid(path: Path) -> Optional[int]:
    """The pid holding the flock on `path`: from /proc/locks, else what the holder wrote there."""
    try:
        st = path.stat()
    except OSError:
        return None
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            table = f.read()
    except OSError:
        table = ""
    exact = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    by_inode = None
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 25432 00:2f:1234 0 EOF" (blocked waiters have a "->" field)
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE" and fields[4].isdigit():
            if fields[5] == exact:
                return int(fields[4])
            if fields[5].rsplit(":", 1)[-1] == str(st.st_ino):
                by_inode = int(fields[4])
    if by_inode is not None:
        return by_inode
    if path.is_dir():
        return None
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _busy(what: str, path: Path) -> str:
    pid = owner_pid(path)
    return f"{what} is busy (pid {pid})" if pid is not None else f"{what} is busy (another estream process)"


def _open(path: Path, what: str) -> int:
    try:
        if path.is_dir():
            return os.open(str(path), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return os.open(str(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        reason = {
            errno.EROFS: "it is on a read-only file system",
            errno.ENOSPC: "no space left on device",
        }.get(e.errno, e.strerror)
        raise EstreamError.single(str(path), f"cannot lock {what}: {reason}") from None


@contextlib.contextmanager
def exclusive_lock(
    path: Path,
    *,
    what: str,
    timeout: Optional[float] = None,
    notify: Optional[Callable[[str], None]] = None,
) -> Iterator[bool]:
    """Hold the lock file (or directory) `path` for the `with` block (see the module doc).

    `what` names the guarded thing in messages ("the workspace"). Yields True when this call
    acquired the lock, False when this process already held it (re-entry), so callers run their
    self-healing only once.
    """
    key = (threading.get_ident(), os.path.abspath(str(path)))
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield False
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    limit = lock_timeout() if timeout is None else timeout
    fd = _open(path, what)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if limit <= 0:
                raise EstreamError.single(
                    str(path),
                    _busy(what, path),
                    help=f"another estream command is using it; run this one when it has finished, or set ${ENV_LOCK_TIMEOUT} to wait",
                ) from None
            say = notify or (lambda line: (sys.stderr.write(line + "\n"), sys.stderr.flush()))
            say(f"  note: {_busy(what, path)}; waiting up to {limit:.0f} s for it")
            deadline = time.monotonic() + limit
            pause = _POLL
            while True:
                time.sleep(pause)
                pause = min(pause * 1.5, _MAX_POLL)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise EstreamError.single(
                            str(path),
                            _busy(what, path),
                            help=f"gave up after {limit:.0f} s (${ENV_LOCK_TIMEOUT}); try again when the other command has finished",
                        ) from None
        is_file = not path.is_dir()
        if is_file:
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            except OSError:
                pass  # the pid is only for messages; the flock is the lock
        _held[key] = (fd, 1)
        try:
            yield True
        finally:
            del _held[key]
            if is_file:
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
    finally:
        os.close(fd)  # releases the flock


def holds(path: Path) -> bool:
    """Whether this thread holds the lock `path`."""
    return (threading.get_ident(), os.path.abspath(str(path))) in _held


__all__ = ["DEFAULT_TIMEOUT", "ENV_LOCK_TIMEOUT", "exclusive_lock", "holds", "lock_timeout", "owner_pid"]
