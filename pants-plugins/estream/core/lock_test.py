"""Exclusive locks between processes: busy messages with the holder's pid, waiting, re-entry, dead holders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from estream.core.errors import EstreamError
from estream.core.lock import ENV_LOCK_TIMEOUT, exclusive_lock, holds, lock_timeout, owner_pid

HOLDER = """
import fcntl, os, sys, time
p = sys.argv[1]
fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY) if os.path.isdir(p) else os.open(p, os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # hold until stdin closes
"""


def hold(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"held\n"
    return proc


@pytest.mark.parametrize("kind", ["file", "dir"])
def test_a_taken_lock_fails_fast_naming_the_holder(tmp_path, kind):
    path = tmp_path / ("ws" if kind == "dir" else "x.lock")
    if kind == "dir":
        path.mkdir()
    proc = hold(path)
    try:
        assert owner_pid(path) == proc.pid
        with pytest.raises(EstreamError) as e:
            with exclusive_lock(path, what="the workspace", timeout=0):
                pass
        assert f"the workspace is busy (pid {proc.pid})" in e.value.render()
    finally:
        proc.stdin.close()
        proc.wait()
    with exclusive_lock(path, what="the workspace", timeout=0) as acquired:
        assert acquired and holds(path)
    assert not holds(path)
    if kind == "dir":
        assert list(path.iterdir()) == []  # locking a workspace adds no file to it


def test_waits_for_the_holder_and_says_so(tmp_path):
    path = tmp_path / "x.lock"
    proc = hold(path)
    said = []

    def notify(line):
        said.append(line)
        proc.stdin.close()  # the holder finishes while we wait

    with exclusive_lock(path, what="the cache", timeout=60, notify=notify):
        assert path.read_text() == f"{os.getpid()}\n"
    proc.wait()
    assert said == [f"  note: the cache is busy (pid {proc.pid}); waiting up to 60 s for it"]


def test_a_killed_holder_never_leaves_a_stale_lock(tmp_path):
    path = tmp_path / "x.lock"
    proc = hold(path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert path.read_text() == ""  # the holder never wrote its pid: a raw flock
    with exclusive_lock(path, what="the cache", timeout=0) as acquired:
        assert acquired


def test_reentry_in_one_process(tmp_path):
    path = tmp_path / "x.lock"
    with exclusive_lock(path, what="x", timeout=0) as outer:
        with exclusive_lock(path, what="x", timeout=0) as inner:
            assert (outer, inner) == (True, False)
        assert holds(path)
    assert not holds(path)


def test_timeout_setting(monkeypatch):
    assert lock_timeout({}) == 300
    assert lock_timeout({ENV_LOCK_TIMEOUT: "0"}) == 0
    for bad in ("soon", "-1", "nan", "inf"):
        with pytest.raises(EstreamError, match=ENV_LOCK_TIMEOUT):
            lock_timeout({ENV_LOCK_TIMEOUT: bad})


def test_a_place_that_cannot_hold_a_lock_file_is_a_clear_error(tmp_path):
    with pytest.raises(EstreamError, match="cannot lock the cache"):
        with exclusive_lock(tmp_path / "missing-dir" / "x.lock", what="the cache"):
            pass


def test_another_thread_waits_like_another_process(tmp_path):
    import threading

    path = tmp_path / "x.lock"
    seen = []
    with exclusive_lock(path, what="the cache", timeout=0):
        t = threading.Thread(target=lambda: seen.append(_try(path)))
        t.start()
        t.join()
    assert seen and "the cache is busy" in seen[0]


def _try(path):
    try:
        with exclusive_lock(path, what="the cache", timeout=0):
            return "acquired"
    except EstreamError as e:
        return e.render()
