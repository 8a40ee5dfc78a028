"""`./pants publish` of `fpga_bitstream` targets into FuseSoC libraries, read back by the real FuseSoC.

One copy of the repository, one test: publish into a directory library (in the same run as
`fusesoc-export`, so the published cores can be compared with the exported ones), publish again
over a tampered core (refused, naming the file; the untouched core is "already published"),
publish into a bare git repository, then FuseSoC from the locked `fpga-tools` resolve
(`./pants export`) adds each library and lists, shows and sets up (`run --setup`, no synthesis)
every published core.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict

from estream.core.registry.testing import bare_repo
from integration.pants_repo import copy_repo, run_pants

RTL = "circuits/queue/append/rtl"
LIB = "circuits.queue.append.rtl"
TARGETS = ("queue_append_ecp5_25k", "queue_append_up5k")
VLNVS = tuple(f"estream:{LIB}:{name}:0" for name in TARGETS)
DRIVER = "estream_fpga_driver.py"


def tree(root: Path) -> Dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", ".estream-staging"} & set(p.relative_to(root).parts)
    }


def test_publish_into_directory_and_git_libraries_that_fusesoc_accepts(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    (tmp_path / "libraries").mkdir()
    directory = tmp_path / "libraries" / "cores"  # publish creates it (its parent exists)
    bare = bare_repo(tmp_path / "libraries" / "cores.git")

    # (a) A directory library. The cores published are the files `fusesoc-export` writes.
    result = run_pants(
        repo,
        ["fusesoc-export", "publish", f"{RTL}:"],
        env={"PANTS_FUSESOC_LIBRARY_LOCATION": str(directory)},
        pantsd=True,
    ).assert_success()
    for vlnv in VLNVS:
        assert f"✓ {vlnv} published to {directory}." in result.stderr, result.stderr
    exported = repo / "dist" / "fusesoc"
    for name in TARGETS:
        core = tree(exported / LIB / name)
        assert f"{name}.core" in core and tree(directory / LIB / name / "0") == core
    assert (directory / DRIVER).read_bytes() == (exported / DRIVER).read_bytes()
    published = tree(directory)

    # Publishing over a core whose content differs fails, naming the file and the remedy; the
    # other core is already published (identical), which is not an error.
    tampered = directory / LIB / "queue_append_up5k" / "0" / "queue_append.v"
    original = tampered.read_bytes()
    tampered.write_bytes(original + b"// someone else's edit\n")
    again = run_pants(
        repo, ["publish", f"{RTL}:"], env={"PANTS_FUSESOC_LIBRARY_LOCATION": str(directory)}, pantsd=True
    )
    output = again.stdout + again.stderr
    assert again.returncode != 0 and "Traceback" not in output
    assert (
        f"error: {tampered}: estream:{LIB}:queue_append_up5k:0 is already published with different content: "
        "`queue_append.v` differs from the published file"
    ) in output, output
    assert "give the changed core a new version" in output and "--fusesoc-export-version" in output
    assert f"✕ {VLNVS[1]} failed for {directory}." in again.stderr
    assert (
        f"{VLNVS[0]} is already published in {directory}/{LIB}/queue_append_ecp5_25k/0 (identical)" in output
    )
    assert f"✓ {VLNVS[0]} published to {directory}." in again.stderr
    tampered.write_bytes(original)
    assert tree(directory) == published

    # (b) A bare git repository: one commit per core, pushed; the same files as the directory.
    run_pants(
        repo, ["publish", f"{RTL}:"], env={"PANTS_FUSESOC_LIBRARY_LOCATION": bare}, pantsd=True
    ).assert_success()
    log = subprocess.run(
        ["git", "--git-dir", bare, "log", "--format=%s", "main"], capture_output=True, text=True, check=True
    )
    assert sorted(log.stdout.splitlines()) == [f"Publish FuseSoC core {vlnv}" for vlnv in VLNVS]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", bare, str(clone)], check=True)
    assert tree(clone) == published

    # FuseSoC from the same locked resolve, as a user gets it.
    run_pants(repo, ["export", "--resolve=fpga-tools"], pantsd=True).assert_success()
    [venv] = (repo / "dist/export/python/virtualenvs/fpga-tools").iterdir()
    home = tmp_path / "home"  # FuseSoC and git need nothing from the real HOME
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}

    for kind, location, sync_type, root in (
        ("directory", directory, "local", directory),
        ("git", bare, "git", tmp_path / "fusesoc-git" / "fusesoc_libraries" / "cores"),
    ):
        work = tmp_path / f"fusesoc-{kind}"
        work.mkdir()
        (work / "fusesoc.conf").write_text(
            f"[main]\ncache_root = {work / 'cache'}\nlibrary_root = {work / 'libraries'}\n"
        )

        def fusesoc(*args: str) -> str:
            proc = subprocess.run(
                [str(venv / "bin/fusesoc"), "--config", "fusesoc.conf", *args],
                cwd=work,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0, f"fusesoc {' '.join(args)} ({kind}):\n{proc.stdout}"
            return proc.stdout

        fusesoc("library", "add", "cores", str(location), "--sync-type", sync_type)
        listed = fusesoc("core", "list")
        # `core list` exits 0 even when a core fails to parse: look for the cores and for warnings.
        assert "Parse error" not in listed and "Ignoring" not in listed, listed
        for vlnv in VLNVS:
            assert vlnv in listed, listed
        for vlnv, name in zip(VLNVS, TARGETS):
            shown = fusesoc("core", "show", vlnv)
            assert f"Core root:   {root / LIB / name / '0'}\n" in shown, shown
            assert "synth" in shown and "sim" in shown
            fusesoc("run", "--setup", "--target=synth", vlnv)
            build = work / "build" / f"estream_{LIB}_{name}_0" / "synth"
            assert (build / "Makefile").is_file() and (build / f"estream_{LIB}_{name}_0.eda.yml").is_file()
        assert not (home / ".cache").exists(), "FuseSoC wrote outside its configured cache_root"
