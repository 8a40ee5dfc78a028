"""build-support/buildgrid/buildgrid.sh: start, answer, refuse a taken port, stop by pid, watchdog."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from integration.buildgrid import SCRIPT
from integration.pants_repo import source_root


def bgd(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(source_root() / SCRIPT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.2)
    return not alive(pid)


def test_start_refuse_and_stop(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    try:
        started = bgd("start", str(first))
        assert started.returncode == 0, started.stderr
        address = started.stdout.strip()
        assert address.startswith("grpc://127.0.0.1:")
        port = address.rsplit(":", 1)[1]
        pid = int((first / "bgd.pid").read_text())
        assert alive(pid)
        assert bgd("address", str(first)).stdout.strip() == address

        # One server per state dir.
        again = bgd("start", str(first))
        assert again.returncode != 0 and "already running" in again.stderr

        # A second server cannot take the same port (grpc.so_reuseport: 0), and the script
        # does not mistake the first server's answers for its own.
        clash = bgd("start", str(second), "--port", port)
        assert clash.returncode != 0
        assert f"127.0.0.1:{port} is already in use" in clash.stderr, clash.stderr
        assert not (second / "bgd.pid").exists()

        stopped = bgd("stop", str(first))
        assert stopped.returncode == 0 and f"stopped BuildGrid (pid {pid})" in stopped.stderr
        assert wait_gone(pid, 5)
        assert not (first / "bgd.pid").exists()
        # Stopping twice is harmless.
        assert bgd("stop", str(first)).returncode == 0
        assert bgd("address", str(first)).returncode != 0
    finally:
        bgd("stop", str(first), timeout=60)
        bgd("stop", str(second), timeout=60)


def test_watchdog_stops_a_forgotten_server(tmp_path: Path) -> None:
    state = tmp_path / "forgotten"
    try:
        started = bgd("start", str(state), "--max-lifetime", "3")
        assert started.returncode == 0, started.stderr
        pid = int((state / "bgd.pid").read_text())
        assert wait_gone(pid, 20), "the --max-lifetime watchdog did not stop the server"
        assert "--max-lifetime of 3 s reached" in (state / "bgd.log").read_text()
    finally:
        bgd("stop", str(state), timeout=60)


def test_bad_arguments_are_reported(tmp_path: Path) -> None:
    bad = bgd("start", str(tmp_path / "x"), "--max-lifetime", "soon")
    assert bad.returncode != 0 and "--max-lifetime takes a number of seconds" in bad.stderr
    missing = bgd("start", str(tmp_path / "y"), "--config", str(tmp_path / "nope.yml"))
    assert missing.returncode != 0 and "no BuildGrid config" in missing.stderr
    assert bgd("frobnicate").returncode != 0
