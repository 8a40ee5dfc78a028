"""All-or-nothing changes to a workspace directory.

New file contents are first written to a staging directory inside the workspace
(`.estream-install/`). Committing renames each staged file into place after moving the file it
replaces into the staging directory as a backup; a journal written (atomically) before the first
rename lists every step. If the process stops half-way, for any reason including SIGKILL or a
power cut, `recover()` reads the journal and undoes the steps, so the workspace is exactly as
before. Every estream command that changes a workspace recovers first.

Crash model, step by step (a kill may land between any two):

1. staged files written and made durable (one `syncfs` of the workspace's file system on Linux,
   else one fsync per file: see `flush_file_system`); no journal yet: recovery just removes the
   staging area;
2. journal written (temp + fsync + rename + fsync of the directory): from here recovery rolls
   back, restoring every backup and removing every file the install created;
3. the renames; then every touched directory is made durable (the same one flush);
4. the commit point: the journal is removed (and the directory fsynced). Without a journal,
   recovery only removes the rest of the staging area (old backups), it never touches the
   workspace again. So a signal in the post-commit cleanup leaves the complete new install.

Rollback and cleanup run with SIGINT/SIGTERM/SIGHUP blocked, so an impatient second Ctrl-C cannot
cut a rollback in half; the signal is delivered when they are done.

The journal is untrusted input: a checkout can ship an `.estream-install/journal.json`. Every
workspace path in it goes through `confined_path` (no absolute path, no `..`, no symlinked
directory), staging paths must be the names `commit()` itself writes (`new/<n>`, `backup/w<n>`,
`backup/d<n>`), and a journal that is not that shape is an error naming the file; nothing is
touched then.

Concurrency: the changes of a whole command (read the workspace, resolve, commit) happen under
`workspace_lock(root)` (`estream.core.lock`: a flock on the workspace directory itself, so
locking never adds a file to the workspace), so two commands on one workspace run one after the
other and no update is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from estream.core.atomic_file import disk_errors, fsync_dir, write_durably
from estream.core.confine import confined_path
from estream.core.errors import EstreamError
from estream.core.lock import exclusive_lock

STAGE_DIR = ".estream-install"
JOURNAL = "journal.json"
DONE = "done"
_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_STAGED_RE = re.compile(r"new/[0-9]+\Z")
_BACKUP_RE = re.compile(r"backup/[wd][0-9]+\Z")
#: Test hooks: pause at a named point so tests can kill the process there with a real signal,
#: or (with _ESTREAM_TEST_RESUME naming a file) until that file exists, to stage races.
ENV_TEST_PAUSE = "_ESTREAM_TEST_PAUSE"
ENV_TEST_RESUME = "_ESTREAM_TEST_RESUME"


def test_pause(point: str) -> None:
    if os.environ.get(ENV_TEST_PAUSE) == point:
        sys.stderr.write(f"estream: paused at {point}\n")
        sys.stderr.flush()
        resume = os.environ.get(ENV_TEST_RESUME)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
            time.sleep(0.05)


class Interrupted(KeyboardInterrupt):
    """Raised by the SIGTERM/SIGHUP handler so `finally` blocks roll back like on Ctrl-C.

    `exit_status` is the shell's convention, 128 + the signal number (143 for SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_status = 128 + signum


def _raise_interrupted(signum, frame):  # noqa: ARG001
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP raise `Interrupted` (SIGINT already raises KeyboardInterrupt)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupted)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Block SIGINT/SIGTERM/SIGHUP for the block; a signal that came meanwhile is delivered after."""
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


@contextlib.contextmanager
def workspace_lock(root: Path) -> Iterator[None]:
    """Hold the workspace's lock for a whole command (see the module doc and `estream.core.lock`)."""
    with exclusive_lock(root, what="the workspace"):
        yield


def _journal_error(root: Path, problem: str) -> EstreamError:
    return EstreamError.single(
        str(root / STAGE_DIR / JOURNAL),
        f"the install journal is malformed: {problem}; nothing was rolled back",
        help=f"if the workspace looks right, remove {root / STAGE_DIR} by hand; a checkout must never ship this directory",
    )


def _read_journal(root: Path, path: Path) -> Dict:
    """The journal at `path`, checked entry by entry (it is untrusted, see the module doc)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _journal_error(root, f"not JSON ({str(e).splitlines()[0][:200]})") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("ops"), list)
        or not isinstance(data.get("created_dirs"), list)
    ):
        raise _journal_error(root, "expected an object with `ops` and `created_dirs` lists")
    for i, op in enumerate(data["ops"]):
        if not isinstance(op, dict) or set(op) != {"target", "new", "backup", "existed"}:
            raise _journal_error(root, f"ops[{i}] must have exactly `target`, `new`, `backup` and `existed`")
        if not isinstance(op["target"], str) or not isinstance(op["existed"], bool):
            raise _journal_error(root, f"ops[{i}]: `target` must be a path and `existed` true or false")
        if not isinstance(op["backup"], str) or not _BACKUP_RE.match(op["backup"]):
            raise _journal_error(root, f"ops[{i}].backup must be backup/w<n> or backup/d<n>")
        if op["new"] is not None and not (isinstance(op["new"], str) and _STAGED_RE.match(op["new"])):
            raise _journal_error(root, f"ops[{i}].new must be new/<n> or null")
        confined_path(root, op["target"], shown=str(root))
    for i, d in enumerate(data["created_dirs"]):
        if not isinstance(d, str):
            raise _journal_error(root, f"created_dirs[{i}] must be a path")
        confined_path(root, d, shown=str(root), kind="dir")
    return data


def recover(root: Path) -> Optional[str]:
    """Undo an interrupted transaction (or finish cleaning a committed one); a message if anything was done."""
    stage = root / STAGE_DIR
    if not stage.exists() and not stage.is_symlink():
        return None
    confined_path(root, STAGE_DIR, shown=str(root), kind="dir")
    journal_path = stage / JOURNAL
    message = "removed the staging area of an interrupted install"
    with signals_deferred():
        if (stage / DONE).exists():
            message = "cleaned up after a completed install"
        elif journal_path.exists() or journal_path.is_symlink():
            if journal_path.is_symlink() or not journal_path.is_file():
                raise _journal_error(root, "it is not a regular file")
            journal = _read_journal(root, journal_path)
            _rollback(root, stage, journal)
            message = "rolled back an interrupted install; the workspace is as it was before"
        _remove_stage(root, stage)
    return message


def flush_file_system(anchor: Path, paths: List[Path]) -> None:
    """Make the content of `paths` (files or directories, all on `anchor`'s file system) durable.

    One fsync per file cost ~2.5 ms of wall time each on ext4 (a journal commit each): 0.35-0.7 s
    of a 139-file install. Linux's `syncfs` writes the whole file system back in one call (also
    other processes' dirty data there, so it can take longer on a machine writing a lot at the
    same moment; it is never weaker). Elsewhere, or if `syncfs` is unavailable or reports an
    error, every path is fsynced one by one as before (errors then raise as before)."""
    if _syncfs(anchor):
        return
    for path in paths:
        if path.is_dir():
            fsync_dir(path)
        else:
            fd = os.open(str(path), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _syncfs(anchor: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    try:
        fd = os.open(str(anchor), os.O_RDONLY)
    except OSError:
        return False
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def _remove_stage(root: Path, stage: Path) -> None:
    """Remove the staging area, journal first: once it is gone nothing is ever rolled back."""
    try:
        (stage / JOURNAL).unlink()
        fsync_dir(stage)
    except FileNotFoundError:
        pass
    shutil.rmtree(stage)
    fsync_dir(root)


def _rollback(root: Path, stage: Path, journal: Dict) -> None:
    """Undo the journal's steps (signals are blocked by the caller)."""
    for op in reversed(journal["ops"]):
        target = confined_path(root, op["target"], shown=str(root))
        backup = stage / op["backup"]
        staged = stage / op["new"] if op["new"] else None
        if backup.is_file() and not backup.is_symlink():
            os.replace(backup, target)
        elif op["existed"] is False and staged is not None and not staged.exists() and target.exists():
            target.unlink()
    for d in reversed(journal["created_dirs"]):
        try:
            confined_path(root, d, shown=str(root), kind="dir").rmdir()
        except OSError:
            pass
    for d in {(root / op["target"]).parent for op in journal["ops"]} | {root}:
        fsync_dir(d)


class Transaction:
    """Collect writes and deletes, then `commit()` them all or none."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stage = root / STAGE_DIR
        self.writes: Dict[str, bytes] = {}
        self.deletes: List[str] = []

    def write(self, rel: str, content: bytes) -> None:
        self.writes[rel] = content

    def delete(self, rel: str) -> None:
        self.deletes.append(rel)

    def changes(self) -> List[Tuple[str, str]]:
        """(action, path) for what would change: "write" (new/different content) or "delete"."""
        out = []
        for rel, content in sorted(self.writes.items()):
            target = self.root / rel
            if not (target.is_file() and target.read_bytes() == content):
                out.append(("write", rel))
        out += [("delete", rel) for rel in sorted(self.deletes) if (self.root / rel).exists()]
        return out

    def commit(self) -> None:
        """Apply every write and delete, or none (see the module doc for the crash model).

        The caller holds `workspace_lock(self.root)` for its whole read-modify-write."""
        with disk_errors(self.root, "installing into the workspace"):
            self._commit()

    def _commit(self) -> None:
        recover(self.root)
        ops: List[Dict[str, Any]] = []
        created_dirs: List[str] = []
        written: List[Path] = []
        try:
            self.stage.mkdir()
            (self.stage / "new").mkdir()
            (self.stage / "backup").mkdir()
            for i, (rel, content) in enumerate(sorted(self.writes.items())):
                confined_path(self.root, rel)
                staged = f"new/{i}"
                with open(self.stage / staged, "xb") as f:
                    f.write(content)
                written.append(self.stage / staged)
                ops.append(
                    {
                        "target": rel,
                        "new": staged,
                        "backup": f"backup/w{i}",
                        "existed": (self.root / rel).exists(),
                    }
                )
                parent = Path(rel).parent
                missing = []
                while str(parent) not in ("", ".") and not (self.root / parent).exists():
                    missing.append(parent.as_posix())
                    parent = parent.parent
                for d in reversed(missing):
                    if d not in created_dirs:
                        created_dirs.append(d)
            for i, rel in enumerate(sorted(set(self.deletes) - set(self.writes))):
                if (self.root / rel).exists():
                    confined_path(self.root, rel)
                    ops.append({"target": rel, "new": None, "backup": f"backup/d{i}", "existed": True})
            flush_file_system(self.stage, written + [self.stage / "new"])
            test_pause("staged")
            journal = {"ops": ops, "created_dirs": created_dirs}
            tmp = self.stage / (JOURNAL + ".tmp")
            write_durably(tmp, json.dumps(journal).encode("utf-8"))
            os.replace(tmp, self.stage / JOURNAL)
            fsync_dir(self.stage)
            test_pause("journalled")
            for d in created_dirs:
                (self.root / d).mkdir(exist_ok=True)
            for n, op in enumerate(ops, 1):
                target = self.root / op["target"]
                if op["existed"]:
                    os.replace(target, self.stage / op["backup"])
                if op["new"]:
                    os.replace(self.stage / op["new"], target)
                test_pause(f"commit:{n}")
            with signals_deferred():
                flush_file_system(
                    self.root,
                    sorted(
                        {(self.root / op["target"]).parent for op in ops} | {self.root, self.stage / "backup"}
                    ),
                )
                write_durably(self.stage / DONE, b"")
                fsync_dir(self.stage)
                test_pause("committed")
                _remove_stage(self.root, self.stage)
        except BaseException:
            recover(self.root)
            raise


__all__ = [
    "ENV_TEST_PAUSE",
    "Interrupted",
    "Transaction",
    "install_signal_handlers",
    "recover",
    "signals_deferred",
    "test_pause",
    "flush_file_system",
    "workspace_lock",
]
