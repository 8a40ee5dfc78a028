"""`fusesoc_core`: a vendored third-party FuseSoC core (SERV's servant SoC, with its dependencies
and the icepll generator) built unmodified by `./pants package`, then by a user's own
`fusesoc run` on the same core: the same bitstream bytes.

One test, one repository copy: the YoWASP WebAssembly cache is the machine's (shared with the
other FPGA integration tests), so only the builds themselves cost time.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from integration.pants_repo import copy_repo, run_pants

TARGET = "3rdparty/fusesoc:servant_icebreaker"
BITSTREAM = "dist/3rdparty.fusesoc/servant_icebreaker.bin"
VLNV = "award-winning:serv:servant:1.4.0"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_third_party_core_builds_as_fusesoc_builds_it(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    built = run_pants(repo, ["package", TARGET]).assert_success()
    # (The build itself may be a cache hit from an earlier run: its description is then not printed.)
    assert f"Wrote {BITSTREAM}" in built.stderr, built.stderr
    # nextpnr's report, asked for by the launcher: resource use and fmax of the SoC.
    assert "icebreaker (ice40): logic cells" in built.stderr, built.stderr
    assert (repo / f"{BITSTREAM}.report.json").exists()

    # The same core with FuseSoC from the same locked resolve, as a user runs it (from the
    # BUILD file's directory, where the target's `memfile` path is relative to).
    run_pants(repo, ["export", "--resolve=fpga-tools"]).assert_success()
    venv = next((repo / "dist/export/python/virtualenvs/fpga-tools").iterdir())
    tools = tmp_path / "tools"
    tools.mkdir()
    os.symlink(venv / "bin/yowasp-icepll", tools / "icepll")  # the icepll generator's tool
    home = Path(os.environ.get("HOME", "/root"))
    work = repo / "3rdparty/fusesoc"
    (tmp_path / "fusesoc.conf").write_text(f"[main]\ncache_root = {tmp_path / 'fusesoc-cache'}\n")
    env = {
        "PATH": f"{venv / 'bin'}:{tools}:/usr/bin:/bin",
        "HOME": str(home),
        "EDALIZE_LAUNCHER": f"{venv / 'bin/python'} {repo / 'pants-plugins/estream/fpga/edalize_driver.py'} launch",
        "YOWASP_CACHE_DIR": str(home / ".cache/pants/named_caches/estream_yowasp"),
    }
    proc = subprocess.run(
        [str(venv / "bin/fusesoc"), "--config", str(tmp_path / "fusesoc.conf"),
         "--cores-root", "serv", "--cores-root", "fusesoc-generators",
         "run", "--target=icebreaker", "--work-root", str(tmp_path / "fusesoc-build"),
         VLNV, "--memfile=serv/sw/blinky.hex", "--memsize=8192"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    bins = list((tmp_path / "fusesoc-build").glob("*.bin"))
    assert len(bins) == 1, bins
    assert sha256(bins[0]) == sha256(repo / BITSTREAM)
