"""`fusesoc_core` by VLNV: a vendored third-party FuseSoC core (SERV's servant SoC, with its
dependencies and the icepll generator) built unmodified by `./pants package` from the FuseSoC
libraries declared in pants.toml — SERV as a git repository locked to a commit, the generators as
a directory of the repository — then by a user's own `fusesoc run` on the same core: the same
bitstream bytes. Moving the git library's branch afterwards changes nothing.

One SERV build by Pants (the expensive part; `core=` targets share every step after the lookup,
and their checks are unit-tested), one repository copy: the YoWASP WebAssembly cache is the
machine's (shared with the other FPGA integration tests), so only the builds themselves cost time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from integration.pants_repo import copy_repo, run_pants

TARGET = "3rdparty/fusesoc:servant_by_vlnv"
BITSTREAM = "dist/3rdparty.fusesoc/servant_by_vlnv.bin"
VLNV = "award-winning:serv:servant:1.4.0"

BUILD = """
fusesoc_core(
    name="servant_by_vlnv",
    vlnv="award-winning:serv:servant:1.4",  # FuseSoC's matching: the newest 1.4
    core_target="icebreaker",
    sources=["serv/sw/blinky.hex"],
    parameters={"memfile": "serv/sw/blinky.hex", "memsize": 8192},
    family="ice40",
)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ).stdout.strip()


def test_a_third_party_core_by_vlnv_builds_as_fusesoc_builds_it(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    # SERV as a git library: a bare repository (GitHub is not reachable from tests) at a commit.
    work = tmp_path / "serv-work"
    shutil.copytree(repo / "3rdparty/fusesoc/serv", work)
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "SERV as vendored", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    bare = tmp_path / "serv.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    with (repo / "pants.toml").open("a") as f:
        f.write(
            f'\n[fusesoc]\nlibraries = {{ serv = {{ git = "file://{bare}", commit = "{commit}" }}, '
            f'generators = "3rdparty/fusesoc/fusesoc-generators" }}\n'
        )
    with (repo / "3rdparty/fusesoc/BUILD").open("a") as f:
        f.write(BUILD)

    built = run_pants(repo, ["package", TARGET], timeout=1500, pantsd=True).assert_success()
    # (The build itself may be a cache hit from an earlier run: its description is then not printed.)
    assert f"Wrote {BITSTREAM}" in built.stderr, built.stderr
    # nextpnr's report, asked for by the launcher: resource use and fmax of the SoC.
    assert "icebreaker (ice40): logic cells" in built.stderr, built.stderr
    assert (repo / f"{BITSTREAM}.report.json").exists()
    first = sha256(repo / BITSTREAM)

    # The branch moves on upstream (here to a core that no longer parses): the locked commit
    # still builds the same bitstream (from the cache; nothing is fetched by branch).
    (work / "servant.core").write_text("CAPI=2:\nname: award-winning:serv:servant:1.4.0\nbroken: [\n")
    git("commit", "-qam", "moved on", cwd=work)
    git("push", "-q", str(bare), "HEAD:main", cwd=work)
    assert git("rev-parse", "main", cwd=bare) != commit
    (repo / BITSTREAM).unlink()
    run_pants(repo, ["package", TARGET], timeout=1500).assert_success()  # no pantsd: the persistent cache
    assert sha256(repo / BITSTREAM) == first

    # The same core with FuseSoC from the same locked resolve, as a user runs it (from the
    # BUILD file's directory, where the target's `memfile` path is relative to), on the
    # vendored copy of the same files.
    run_pants(repo, ["export", "--resolve=fpga-tools"], pantsd=True).assert_success()
    venv = next((repo / "dist/export/python/virtualenvs/fpga-tools").iterdir())
    tools = tmp_path / "tools"
    tools.mkdir()
    os.symlink(venv / "bin/yowasp-icepll", tools / "icepll")  # the icepll generator's tool
    home = Path(os.environ.get("HOME", "/root"))
    cores = repo / "3rdparty/fusesoc"
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
            "serv",
            "--cores-root",
            "fusesoc-generators",
            "run",
            "--target=icebreaker",
            "--work-root",
            str(tmp_path / "fusesoc-build"),
            VLNV,
            "--memfile=serv/sw/blinky.hex",
            "--memsize=8192",
        ],
        cwd=cores,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    bins = list((tmp_path / "fusesoc-build").glob("*.bin"))
    assert len(bins) == 1, bins
    assert sha256(bins[0]) == first
