"""kill -9 at evenly spread points of `install`, and of the whole process group while git runs:
the workspace is byte-identical to before or to a complete install, and the next command succeeds."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from faults.world import changed_files, kill9, restore, snapshot, world


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("install-faults")) as w:
        yield w


def reference(w, ws: Path, *request: str):
    """The workspace before and after a complete install of `request`."""
    before = snapshot(ws)
    assert w.main("marketplace", "install", *request, "--workspace", str(ws), "--no-tests") == 0
    after = snapshot(ws)
    restore(ws, before)
    return before, after


def test_kill_9_at_evenly_spread_points_of_install(w, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
    before, after = reference(w, ws, "esf-c")
    ops = len(changed_files(before, after))
    assert ops > 10
    points = [
        "fetched",
        "downloaded",
        "planned",
        "staged",
        "journalled",
        "commit:1",
        f"commit:{ops // 2}",
        f"commit:{ops}",
        "committed",
    ]
    outcomes = {}
    for point in points:
        restore(ws, before)
        proc = w.paused(point, "marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests")
        kill9(proc)
        if point.startswith("commit:"):
            assert snapshot(ws) not in (before, after)  # really half-way
        assert w.main("marketplace", "recover", "--workspace", str(ws)) == 0
        state = snapshot(ws)
        assert state in (before, after), point
        outcomes[point] = "new" if state == after else "old"
        assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests") == 0, point
        assert snapshot(ws) == after, point
    # Before the commit point the old workspace comes back, after it the new one.
    assert (
        outcomes["commit:1"] == "old"
        and outcomes[f"commit:{ops}"] == "old"
        and outcomes["committed"] == "new"
    )


@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_roll_back_with_one_line_and_their_status(w, tmp_path, sig, status):
    ws = tmp_path / "ws"
    ws.mkdir()
    assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
    before = snapshot(ws)
    proc = w.paused("commit:2", "marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests")
    proc.send_signal(sig)
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert proc.returncode == status
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err
    assert snapshot(ws) == before
    assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests") == 0


GIT_THAT_HANGS = """#!/bin/sh
# A git that takes the index lock like git does, then hangs on `reset` until killed.
for a in "$@"; do
  if [ "$a" = "reset" ]; then
    : > .git/index.lock
    : > "{marker}"
    exec sleep 600
  fi
done
exec {real} "$@"
"""


def test_killing_the_process_group_while_git_runs_heals_on_the_next_install(w, tmp_path):
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True).stdout.strip()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "git"
    marker = tmp_path / "git-holds-index-lock"
    fake.write_text(GIT_THAT_HANGS.format(real=real, marker=marker))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    ws = tmp_path / "ws"
    ws.mkdir()
    before, after = reference(w, ws, "esf-c")
    proc = w.start(
        "marketplace",
        "install",
        "esf-c",
        "--workspace",
        str(ws),
        "--no-tests",
        extra_env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"},
        start_new_session=True,
    )
    for _ in range(1200):  # bounded: at most 120 s
        if marker.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), proc.stderr.read().decode() if proc.poll() is not None else "git was never run"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    locks = list((w.home / ".estream" / "registry").glob("*/.git/index.lock"))
    assert locks, "the killed git left its index.lock"
    assert snapshot(ws) == before
    assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests") == 0
    assert snapshot(ws) == after
    assert not any(p.exists() for p in locks)


def test_kill_9_during_the_first_registry_checkout(w, tmp_path):
    home = tmp_path / "fresh-home"
    env = {"ESTREAM_HOME": str(home)}
    ws = tmp_path / "ws"
    ws.mkdir()
    before, after = reference(w, ws, "esf-a")
    for point in ("checkout-created", "fetched"):
        proc = w.paused(
            point, "marketplace", "install", "esf-a", "--workspace", str(ws), "--no-tests", extra_env=env
        )
        kill9(proc)
        assert snapshot(ws) == before
        if point == "checkout-created":
            # Only a temporary directory exists: the checkout itself is absent or complete.
            assert [p.name for p in (home / "registry").iterdir() if not p.name.endswith(".lock")][
                0
            ].startswith(".estream-tmp-")
    assert w.main("marketplace", "install", "esf-a", "--workspace", str(ws), "--no-tests", extra_env=env) == 0
    assert snapshot(ws) == after
    assert not [p for p in (home / "registry").iterdir() if p.name.startswith(".estream-tmp-")]
