"""`fusesoc_core` runs a core's FuseSoC generators as sandboxed processes of their own, cached by
what they read: a tiny iCE40 UP5K design (`gen_blinky`) whose counter comes from a generator
defined with it (`counter`, which appends a line to a log outside the sandbox each time it runs) and
whose PLL settings come from the vendored `fusesoc:utils:generators` icepll generator
(`integration.gen_blinky`).

1. The first `./pants package` runs the plan, both generators and the build.
2. Changing only a toolchain option (nextpnr's seed, a backend argument after the VLNV) re-runs
   the build only: the generators' log still has one line, and Pants ran neither the plan nor a
   generator process again (no `Completed:` line for them).
3. A user's own `fusesoc run` on the same core with the same option gives the same bitstream bytes.

The log's path is unique to the test run, so the first build is a cold one for the generator
(its parameters are in its cache key).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from integration.gen_blinky import BITSTREAM, TARGET, VLNV, write_gen_blinky
from integration.pants_repo import copy_repo, run_pants


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def completed(stderr: str, description: str) -> int:
    """How many processes with this description Pants ran (a cache hit logs nothing)."""
    return sum(1 for line in stderr.splitlines() if f"Completed: {description}" in line)


def test_generators_are_processes_of_their_own_and_the_bitstream_is_fusesoc_s(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    runs = tmp_path / "generator-runs.log"
    set_seed = write_gen_blinky(repo, log=runs)
    set_seed(1)

    first = run_pants(repo, ["package", TARGET], timeout=1500, pantsd=True).assert_success()
    assert f"Wrote {BITSTREAM}" in first.stderr, first.stderr
    assert completed(first.stderr, "List the FuseSoC generators") == 1, first.stderr
    assert completed(first.stderr, "Run FuseSoC generator counter") == 1, first.stderr
    assert completed(first.stderr, "Run FuseSoC generator icepll") == 1, first.stderr
    assert completed(first.stderr, "Build FuseSoC core") == 1, first.stderr
    assert runs.read_text().splitlines() == ["estream:demo:gen_blinky-counter:1.0.0 width=22"]
    seed1 = sha256(repo / BITSTREAM)

    # Only the seed changes: the build runs again, the plan and the generators come from the cache.
    set_seed(2)
    # Without pantsd, as in CI: the plan and the generators come from the persistent cache.
    second = run_pants(repo, ["package", TARGET], timeout=1500).assert_success()
    assert completed(second.stderr, "Build FuseSoC core") == 1, second.stderr
    assert completed(second.stderr, "List the FuseSoC generators") == 0, second.stderr
    assert completed(second.stderr, "Run FuseSoC generator") == 0, second.stderr
    assert len(runs.read_text().splitlines()) == 1
    seed2 = sha256(repo / BITSTREAM)
    assert seed2 != seed1  # the seed reached nextpnr: a different placement

    # A user's own `fusesoc run` on the same core and option, with FuseSoC from the same locked
    # resolve: the same bytes.
    run_pants(repo, ["export", "--resolve=fpga-tools"], pantsd=True).assert_success()
    venv = next((repo / "dist/export/python/virtualenvs/fpga-tools").iterdir())
    tools = tmp_path / "tools"
    tools.mkdir()
    os.symlink(venv / "bin/yowasp-icepll", tools / "icepll")  # the icepll generator's tool
    home = Path(os.environ.get("HOME", "/root"))
    (tmp_path / "fusesoc.conf").write_text(f"[main]\ncache_root = {tmp_path / 'fusesoc-cache'}\n")
    env = {
        "PATH": f"{venv / 'bin'}:{tools}:/usr/bin:/bin",
        "HOME": str(home),
        "EDALIZE_LAUNCHER": f"{venv / 'bin/python'} {repo / 'pants-plugins/estream/fpga/edalize_driver.py'} launch",
        "YOWASP_CACHE_DIR": str(home / ".cache/pants/named_caches/estream_yowasp"),
    }
    proc = subprocess.run(
        [
            str(venv / "bin/fusesoc"),
            "--config",
            str(tmp_path / "fusesoc.conf"),
            "--cores-root",
            "gen_demo",
            "--cores-root",
            "fusesoc-generators",
            "run",
            "--target=icebreaker",
            "--work-root",
            str(tmp_path / "fusesoc-build"),
            VLNV,
            "--nextpnr_options=--seed 2",
        ],
        cwd=repo / "3rdparty/fusesoc",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(runs.read_text().splitlines()) == 2  # FuseSoC ran the generator itself
    bins = list((tmp_path / "fusesoc-build").glob("*.bin"))
    assert len(bins) == 1, bins
    assert sha256(bins[0]) == seed2
