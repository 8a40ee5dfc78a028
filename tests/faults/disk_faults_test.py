"""Full and read-only file systems under the workspace, the archive cache and ESTREAM_HOME: one
clear error naming the path, nothing partial left, and the next command after space is freed (or
the file system made writable) succeeds. A small tmpfs is mounted when that is permitted (root);
the RLIMIT_FSIZE case needs no privilege and always runs."""

from __future__ import annotations

import resource
import shutil
from pathlib import Path

import pytest

from faults.world import archive, fill, remount, snapshot, tmpfs, world


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("disk-faults")) as w:
        yield w


def no_temporaries(root: Path):
    return [p for p in root.rglob("*") if p.name.startswith(".estream-tmp-") or p.name.endswith(".tmp")]


def test_full_workspace(w, tmp_path):
    ws = tmp_path / "ws"
    with tmpfs(ws, "256k") as why:
        if why:
            pytest.skip(why)
        assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
        filler = fill(ws)
        before = snapshot(ws)
        code, out, err = w.run("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests")
        assert code == 2 and "Traceback" not in err, err
        assert "no space left on device while installing into the workspace" in err and str(ws) in err
        assert snapshot(ws) == before
        filler.unlink()
        assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests") == 0


def test_full_cache(w, tmp_path):
    cache = tmp_path / "cache"
    ws = tmp_path / "ws"
    ws.mkdir()
    with tmpfs(cache, "64k") as why:
        if why:
            pytest.skip(why)
        filler = fill(cache)
        env = {"ESTREAM_CACHE_DIR": str(cache)}
        code, out, err = w.run(
            "marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", extra_env=env
        )
        assert code == 2 and "Traceback" not in err, err
        assert "no space left on device while writing to the archive cache" in err
        assert no_temporaries(cache) == []
        assert snapshot(ws) == {}
        filler.unlink()
        assert (
            w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", extra_env=env)
            == 0
        )
        assert len(list(cache.glob("sha3-256/*/*.tar.gz"))) == 3


def test_full_registry_checkout(w, tmp_path):
    home = tmp_path / "home"
    ws = tmp_path / "ws"
    ws.mkdir()
    with tmpfs(home, "128k") as why:
        if why:
            pytest.skip(why)
        filler = fill(home)
        env = {"ESTREAM_HOME": str(home)}
        code, out, err = w.run(
            "marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", extra_env=env
        )
        assert code == 2 and "Traceback" not in err, err
        assert "No space left on device" in err or "no space left on device" in err, err
        assert snapshot(ws) == {}
        filler.unlink()
        # A tmpfs this small cannot hold the registry: give it room, as a user freeing space would.
        remount(home, "size=16m")
        assert (
            w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", extra_env=env)
            == 0
        )
        assert not [p for p in (home / "registry").iterdir() if p.name.startswith(".estream-tmp-")]


def test_registry_checkout_filling_up_mid_fetch(w, tmp_path):
    """The checkout exists and the disk fills while fetching new versions; after space is freed
    the next install works without any manual cleanup."""
    home = tmp_path / "home"
    ws = tmp_path / "ws"
    ws.mkdir()
    with tmpfs(home, "16m") as why:
        if why:
            pytest.skip(why)
        env = {"ESTREAM_HOME": str(home)}
        assert (
            w.main("marketplace", "install", "esf-a", "--workspace", str(ws), "--no-tests", extra_env=env)
            == 0
        )
        for i in range(1, 4):  # new versions with big-enough archives to need space in the fetch
            assert w.publish(archive("esf-d", f"1.0.{i}", pages=40), f"esf-d-1.0.{i}.tar.gz") == 0
        filler = fill(home)
        code, out, err = w.run(
            "marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests", extra_env=env
        )
        assert code == 2 and "Traceback" not in err, err
        filler.unlink()
        assert (
            w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests", extra_env=env)
            == 0
        )


def test_read_only_workspace(w, tmp_path):
    ws = tmp_path / "ws"
    with tmpfs(ws, "4m") as why:
        if why:
            pytest.skip(why)
        assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
        before = snapshot(ws)
        remount(ws, "ro")
        code, out, err = w.run("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests")
        assert code == 2 and "Traceback" not in err, err
        assert "read-only file system while installing into the workspace" in err
        remount(ws, "rw")
        assert snapshot(ws) == before
        assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests") == 0


def test_file_size_limit_in_the_child(w, tmp_path):
    """RLIMIT_FSIZE (`ulimit -f`) needs no privilege: writes past it fail with EFBIG."""
    ws = tmp_path / "ws"
    ws.mkdir()
    assert w.main("marketplace", "install", "esf-d", "--workspace", str(ws), "--no-tests") == 0
    # Warm the cache and the checkout, so the limited run writes only into the workspace.
    warm = tmp_path / "warm"
    warm.mkdir()
    assert w.main("marketplace", "install", "esf-c", "--workspace", str(warm), "--no-tests") == 0
    shutil.rmtree(warm)
    before = snapshot(ws)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    proc = w.start(
        "marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", "--offline", preexec_fn=limit
    )
    out, err = proc.communicate(timeout=120)
    err = err.decode()
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert "file size limit exceeded while installing into the workspace" in err
    assert snapshot(ws) == before
    assert w.main("marketplace", "install", "esf-c", "--workspace", str(ws), "--no-tests", "--offline") == 0
