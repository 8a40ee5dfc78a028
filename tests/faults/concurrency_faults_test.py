"""Two commands on one workspace: they take turns (no lost update, no orphan file) and say the
workspace is busy; with $ESTREAM_LOCK_TIMEOUT=0 the second fails fast naming the holder's pid."""

from __future__ import annotations

from pathlib import Path

import pytest

from estream.core.registry.workspace import load_workspace
from faults.world import snapshot, wait_for_line, world


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("concurrency-faults")) as w:
        yield w


def consistent(ws: Path) -> None:
    """Every installed file is owned by a locked package and every owned file exists."""
    state = load_workspace(ws)
    owned = {p for paths in state.files.values() for p in paths}
    on_disk = {p.relative_to(ws).as_posix() for p in (ws / "vendor").rglob("*") if p.is_file()}
    assert owned == on_disk
    assert set(state.files) == set(state.lock)
    assert not (ws / ".estream-install").exists()


@pytest.mark.parametrize("second", ["esf-c", "esf-d"], ids=["same-request", "different-request"])
def test_interleaved_installs_take_turns_and_lose_nothing(w, tmp_path, second):
    ws = tmp_path / "ws"
    ws.mkdir()
    resume = tmp_path / "resume"
    first = w.paused(
        "planned",
        "marketplace",
        "install",
        "esf-c",
        "--workspace",
        str(ws),
        "--no-tests",
        extra_env={"_ESTREAM_TEST_RESUME": str(resume)},
    )
    other = w.start("marketplace", "install", second, "--workspace", str(ws), "--no-tests")
    line = wait_for_line(other, "is busy")
    assert line is not None and f"the workspace is busy (pid {first.pid})" in line, line
    resume.touch()  # the first goes on; the second gets the workspace after it
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err.decode()
    first.stdout.close()
    first.stderr.close()
    locked = load_workspace(ws).lock
    assert {"esf-a", "esf-b", "esf-c"} <= set(locked)
    assert (second in locked) and set(load_workspace(ws).dependencies) == {"esf-c", second}
    consistent(ws)


def test_many_concurrent_installs_all_land(w, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    procs = [
        w.start("marketplace", "install", name, "--workspace", str(ws), "--no-tests")
        for name in ("esf-c", "esf-d", "esf-a", "esf-c")
    ]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
    assert set(load_workspace(ws).dependencies) == {"esf-a", "esf-c", "esf-d"}
    consistent(ws)


def test_fail_fast_names_the_holder_and_changes_nothing(w, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
    resume = tmp_path / "resume"
    first = w.paused(
        "planned",
        "marketplace",
        "install",
        "esf-c",
        "--workspace",
        str(ws),
        "--no-tests",
        extra_env={"_ESTREAM_TEST_RESUME": str(resume)},
    )
    before = snapshot(ws)
    code, out, err = w.run(
        "marketplace",
        "install",
        "esf-a",
        "--workspace",
        str(ws),
        "--no-tests",
        extra_env={"ESTREAM_LOCK_TIMEOUT": "0"},
    )
    assert code == 2
    assert f"the workspace is busy (pid {first.pid})" in err and "Traceback" not in err
    assert (
        w.run("marketplace", "recover", "--workspace", str(ws), extra_env={"ESTREAM_LOCK_TIMEOUT": "0"})[0]
        == 2
    )
    assert snapshot(ws) == before
    resume.touch()
    assert first.wait(timeout=120) == 0
    first.stdout.close()
    first.stderr.close()
    consistent(ws)
