"""All-or-nothing changes to a workspace directory.

New file contents are first written to a staging directory inside the workspace
(`.estream-install/`). Committing renames each staged file into place after moving the file it
replaces into the staging directory as a backup; a journal written (atomically) before the first
rename lists every step. If the process stops half-way, for any reason including SIGKILL or a
power cut, `recover()` reads the journal and undoes the steps, so the workspace is exactly as
before. Every estream command that changes a workspace recovers first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from estream.core.atomic_file import fsync_dir
from estream.core.confine import confined_path

STAGE_DIR = ".estream-install"
JOURNAL = "journal.json"
DONE = "done"
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
    """Raised by the SIGTERM/SIGHUP handler so `finally` blocks roll back like on Ctrl-C."""


def _raise_interrupted(signum, frame):  # noqa: ARG001
    raise Interrupted(f"interrupted by signal {signum}")


def install_signal_handlers() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupted)


def recover(root: Path) -> Optional[str]:
    """Undo an interrupted transaction (or finish cleaning a committed one); a message if anything was done."""
    stage = root / STAGE_DIR
    if not stage.exists():
        return None
    journal_path = stage / JOURNAL
    message = "removed the staging area of an interrupted install"
    if (stage / DONE).exists():
        message = "cleaned up after a completed install"
    elif journal_path.exists():
        journal = json.loads(journal_path.read_text())
        _rollback(root, stage, journal)
        message = "rolled back an interrupted install; the workspace is as it was before"
    shutil.rmtree(stage)
    fsync_dir(root)
    return message


def _rollback(root: Path, stage: Path, journal: Dict) -> None:
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        for op in reversed(journal["ops"]):
            target = root / op["target"]
            backup = stage / op["backup"]
            staged = stage / op["new"] if op["new"] else None
            if backup.exists():
                os.replace(backup, target)
            elif op["existed"] is False and staged is not None and not staged.exists() and target.exists():
                target.unlink()
        for d in reversed(journal["created_dirs"]):
            try:
                (root / d).rmdir()
            except OSError:
                pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


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
        recovered = recover(self.root)
        del recovered
        ops: List[Dict[str, Any]] = []
        created_dirs: List[str] = []
        try:
            self.stage.mkdir()
            (self.stage / "new").mkdir()
            (self.stage / "backup").mkdir()
            for i, (rel, content) in enumerate(sorted(self.writes.items())):
                confined_path(self.root, rel)
                staged = f"new/{i}"
                with open(self.stage / staged, "wb") as f:
                    f.write(content)
                    f.flush()
                    os.fsync(f.fileno())
                ops.append({"target": rel, "new": staged, "backup": f"backup/w{i}", "existed": (self.root / rel).exists()})
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
            test_pause("staged")
            journal = {"ops": ops, "created_dirs": created_dirs}
            tmp = self.stage / (JOURNAL + ".tmp")
            with open(tmp, "w") as f:
                json.dump(journal, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.stage / JOURNAL)
            fsync_dir(self.stage)
            for d in created_dirs:
                (self.root / d).mkdir(exist_ok=True)
            for n, op in enumerate(ops, 1):
                target = self.root / op["target"]
                if op["existed"]:
                    os.replace(target, self.stage / op["backup"])
                if op["new"]:
                    os.replace(self.stage / op["new"], target)
                test_pause(f"commit:{n}")
            (self.stage / DONE).write_text("")
            fsync_dir(self.root)
        except BaseException:
            recover(self.root)
            raise
        recover(self.root)


__all__ = ["ENV_TEST_PAUSE", "Interrupted", "Transaction", "install_signal_handlers", "recover", "test_pause"]
