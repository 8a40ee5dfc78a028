"""The FuseSoC round trip and Debian's native toolchain, with the real `./pants` on copies of this repo.

Split from fpga_integration_test.py so that each target stays well inside its timeout on a busy
2-core machine and the two run in parallel.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from integration.buildgrid import user_named_caches
from integration.native_tools import ICE40
from integration.pants_repo import copy_repo, run_pants

RTL = "circuits/queue/append/rtl"
DIST = "dist/circuits.queue.append.rtl"
UP5K = f"{RTL}:queue_append_up5k"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fusesoc_synth_of_the_exported_core_gives_the_bitstream_pants_built(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    built = run_pants(repo, ["fusesoc-export", "package", UP5K], pantsd=True).assert_success()
    vlnv = "estream:circuits.queue.append.rtl:queue_append_up5k:0"
    assert f"({vlnv})" in built.stdout, built.stdout
    library = repo / "dist/fusesoc"
    core = library / "circuits.queue.append.rtl/queue_append_up5k/queue_append_up5k.core"
    text = core.read_text()
    assert text.startswith("CAPI=2:\n") and "flow: icestorm" in text and "--seed" in text

    # FuseSoC from the same locked resolve, as a user gets it: `./pants export`.
    run_pants(repo, ["export", "--resolve=fpga-tools"], pantsd=True).assert_success()
    venvs = list((repo / "dist/export/python/virtualenvs/fpga-tools").iterdir())
    assert len(venvs) == 1
    python = venvs[0] / "bin/python"

    work = tmp_path / "fusesoc-work"
    work.mkdir()
    (work / "fusesoc.conf").write_text(f"[main]\ncache_root = {work / 'cache'}\n")
    home = Path(os.environ.get("HOME", "/root"))
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "EDALIZE_LAUNCHER": f"{python} {library / 'estream_fpga_driver.py'} launch",
        "YOWASP_CACHE_DIR": str(Path(user_named_caches()) / "estream_yowasp"),
    }

    proc = subprocess.run(
        [
            str(venvs[0] / "bin/fusesoc"),
            "--config",
            "fusesoc.conf",
            "--cores-root",
            str(library),
            "run",
            "--target=synth",
            vlnv,
        ],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    fusesoc_bins = list((work / "build").rglob("*.bin"))
    assert len(fusesoc_bins) == 1, fusesoc_bins
    assert sha256(fusesoc_bins[0]) == sha256(repo / DIST / "queue_append_up5k.bin")


def test_native_toolchain_uses_the_tools_on_the_path(tmp_path: Path) -> None:
    ICE40.require()
    repo = copy_repo(tmp_path / "repo")
    result = run_pants(
        # Without the process cache: the native tools must really run here.
        repo,
        ["--no-local-cache", "--fpga-toolchain-default-toolchain=native", "package", UP5K],
    ).assert_success()
    assert "(iCE40UP5K-sg48, native)" in result.stderr
    assert "iCE40UP5K-sg48: logic cells" in result.stderr
    assert (repo / DIST / "queue_append_up5k.bin").stat().st_size > 0
