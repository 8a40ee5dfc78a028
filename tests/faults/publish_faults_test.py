"""kill -9 at evenly spread points of `publish`: the registry has the version once or not at all,
`git fsck` is clean, and the same ESTREAM_HOME publishes, searches and installs next without help."""

from __future__ import annotations

import subprocess

import pytest

from faults.world import archive, kill9, world


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("publish-faults")) as w:
        yield w


@pytest.mark.parametrize("point", ["checkout-created", "fetched", "publish-written", "before-push"])
def test_kill_9_at_points_of_publish(w, tmp_path, point):
    home = tmp_path / "publisher-home"  # a fresh home, so the first checkout is part of it
    env = {"ESTREAM_HOME": str(home)}
    name = f"esf-p-{point.replace(':', '-')}"
    path = tmp_path / f"{name}.tar.gz"
    path.write_bytes(archive(name, "1.0.0"))
    proc = w.paused(point, "marketplace", "publish", str(path), extra_env=env)
    kill9(proc)
    # The same home is usable at once: the publish goes through (never pushed before the kill) ...
    assert w.main("marketplace", "publish", str(path), extra_env=env) == 0
    # ... and exactly once.
    assert w.main("marketplace", "publish", str(path), extra_env=env) == 2
    assert w.main("marketplace", "search", name, extra_env=env) == 0
    ws = tmp_path / "ws"
    ws.mkdir()
    assert w.main("marketplace", "install", name, "--workspace", str(ws), "--no-tests", extra_env=env) == 0
    fsck = subprocess.run(["git", "fsck", "--strict"], cwd=w.url, capture_output=True, text=True, timeout=120)
    assert fsck.returncode == 0, fsck.stderr
