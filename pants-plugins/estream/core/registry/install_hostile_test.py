"""Hostile archives served by a compromised registry (index checksum rewritten to match) never reach the workspace."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from estream.cli.main import main
from estream.core.errors import EstreamError
from estream.core.keys import SigningKey, write_private_key
from estream.core.registry.cache import ArchiveCache, checksum_of
from estream.core.registry.index import index_path
from estream.core.registry.install import Installer, InstallOptions
from estream.core.registry.registry import Registry
from estream.core.registry.testing import ROOT_KEY, bare_repo, keyring_text, package_archive, root_key_args
from estream.core.registry.trust import write_snapshot

KEY = SigningKey.generate("acme-release")
TOP = "esf-core-1.0.0"


def craft(entries) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {
                "sym": tarfile.SYMTYPE,
                "lnk": tarfile.LNKTYPE,
                "chr": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[kind]
            info.linkname = payload or ""
            tar.addfile(info)
    return gzip.compress(buf.getvalue())


OK = (f"{TOP}/schemas/ok.esf.yaml", "file", b"ok")
CASES = {
    "traversal": ([OK, (f"{TOP}/../../../outside.txt", "file", b"x")], "unsafe path"),
    "absolute": ([OK, ("/tmp/absolute-evil.txt", "file", b"x")], "unsafe path"),
    "symlink": ([OK, (f"{TOP}/circuits", "sym", "/etc")], "symbolic link"),
    "hardlink": ([OK, (f"{TOP}/schemas/h.esf.yaml", "lnk", "/etc/passwd")], "hard link"),
    "device": ([OK, (f"{TOP}/schemas/dev", "chr", None)], "device node"),
    "fifo": ([OK, (f"{TOP}/schemas/fifo", "fifo", None)], "FIFO"),
    "duplicate": ([OK, (f"{TOP}/schemas/ok.esf.yaml", "file", b"evil")], "duplicate entry"),
    "bomb": (
        [(f"{TOP}/schemas/bomb.esf.yaml", "file", b"\0" * (4 * 1024 * 1024))],
        "more than 1048576 bytes",
    ),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A registry whose esf-core 1.0.0 archive is replaced by each hostile archive in turn (one commit each)."""
    root = tmp_path_factory.mktemp("hostile")
    home = root / "home"
    home.mkdir()
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        url = bare_repo(root / "index.git")
        ring = root / "ring.toml"
        ring.write_text(keyring_text(KEY))
        assert (
            main(
                [
                    "marketplace",
                    "registry-init",
                    "--registry",
                    url,
                    "--keyring",
                    str(ring),
                    *root_key_args(root),
                ]
            )
            == 0
        )
        good = root / "good.tar.gz"
        good.write_bytes(package_archive("esf-core", "1.0.0", key=KEY, provides=["CoreEvent"]))
        key_file = root / "publisher-key.toml"
        write_private_key(key_file, KEY)
        assert (
            main(["marketplace", "publish", str(good), "--registry", url, "--key-file", str(key_file)]) == 0
        )
    finally:
        if old_home is not None:
            os.environ["HOME"] = old_home
    return root, url


def serve(root: Path, url: str, archive: bytes) -> None:
    work = root / "attacker"
    if not work.exists():
        subprocess.run(["git", "clone", "-q", "-b", "main", url, str(work)], check=True)
    (work / "archives/esf-core/esf-core-1.0.0.tar.gz").write_bytes(archive)
    ipath = work / index_path("esf-core")
    line = json.loads(ipath.read_text())
    line["checksum"], line["size"] = checksum_of(archive), len(archive)
    ipath.write_text(json.dumps(line) + "\n")
    # the attacker holds the (trusted) publisher key, so the snapshot of the new index verifies:
    # what stops them is the archive check
    write_snapshot(work, KEY, source="attacker")
    env = {
        "PATH": os.environ["PATH"],
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@x",
    }
    subprocess.run(["git", "-C", str(work), "commit", "-qam", "hostile"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q", "-f", "origin", "HEAD:main"], check=True, env=env)


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_archive_is_refused_and_nothing_is_written(served, tmp_path, case):
    root, url = served
    entries, needle = CASES[case]
    serve(root, url, craft(entries))
    ws = tmp_path / "ws"
    ws.mkdir()
    installer = Installer(
        ws,
        registry=Registry(url, home=tmp_path / "estream-home"),
        cache=ArchiveCache(tmp_path / "cache"),
        options=InstallOptions(max_unpacked_bytes=1024 * 1024, trust_roots=(ROOT_KEY.fingerprint,)),
    )
    with pytest.raises(EstreamError) as e:
        installer.install({"esf-core": "^1.0"})
    assert needle in str(e.value)
    assert list(ws.iterdir()) == []
    assert not list((tmp_path / "cache").rglob("*.tar.gz"))  # nothing unverified is cached either
    assert not Path("/tmp/absolute-evil.txt").exists()
    assert not (tmp_path / "outside.txt").exists()


def test_signed_archive_with_an_unvouched_bitstream_is_refused(served, tmp_path):
    """Correctly signed by the trusted key, but a bitstream no fpga/manifest.toml lists: the
    checksum of what would run on hardware is unchecked, so nothing is installed."""
    root, url = served
    serve(
        root,
        url,
        package_archive(
            "esf-core", "1.0.0", key=KEY, provides=["CoreEvent"], extra={"fpga/core.bit": b"\x01" * 32}
        ),
    )
    ws = tmp_path / "ws"
    ws.mkdir()
    installer = Installer(
        ws,
        registry=Registry(url, home=tmp_path / "estream-home"),
        cache=ArchiveCache(tmp_path / "cache"),
        options=InstallOptions(trust_roots=(ROOT_KEY.fingerprint,)),
    )
    with pytest.raises(EstreamError) as e:
        installer.install({"esf-core": "^1.0"})
    assert "the FPGA bitstreams do not match fpga/manifest.toml" in str(
        e.value
    ) and "nothing was installed" in str(e.value)
    assert "core.bit" in str(e.value)
    assert list(ws.iterdir()) == []
