"""Benchmark: what a `fusesoc_core` re-runs when only a toolchain option changes.

The design is `gen_blinky` (tests/integration/gen_blinky.py: a tiny iCE40 UP5K core with two
FuseSoC generators, a counter generator of its own and the vendored icepll generator). On a copy
of a checkout (`--repo`, default this one), with the YoWASP toolchain and the local process cache on:
  1. cold: the first `./pants package` (the generator's log path is new, so no process of this
     design is in the cache);
  2. re-build: the same after changing only nextpnr's seed (`parameters={"nextpnr_options":
     "--seed 2"}`).
For each, the wall time, and each sandboxed process that really ran with its own duration (Pants'
`Starting:`/`Completed:` lines), and how many times the counter generator ran in all (its log).
Run it with `--repo` on a checkout from before generators were processes of their own to compare
(there, the generators run inside the build process).

Usage: python3 bench/fusesoc_generators.py [--repo CHECKOUT] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE / "tests"))
from integration.gen_blinky import TARGET, write_gen_blinky  # noqa: E402
from integration.pants_repo import REPO_ENTRIES  # noqa: E402
STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \[INFO\] (Starting|Completed): (.*)$")
WATCHED = ("List the FuseSoC generators", "Run FuseSoC generator", "Build FuseSoC core")


def copy_repo(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for entry in REPO_ENTRIES:
        path = src / entry
        if path.is_dir():
            shutil.copytree(path, dest / entry, ignore=shutil.ignore_patterns("__pycache__", "dist"))
        elif path.exists():
            shutil.copy2(path, dest / entry)
    return dest


def pants(root: Path, *args: str):
    """Wall time and, per process that ran, (description, seconds)."""
    env = {k: os.environ[k] for k in ("HOME", "PATH", "PYENV_ROOT", "LANG") if k in os.environ}
    env.update(PANTS_PANTSD="false", PANTS_DYNAMIC_UI="false")
    start = time.monotonic()
    proc = subprocess.run(["bash", str(root / "pants"), *args], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    started = {}
    ran = []
    for line in proc.stderr.splitlines():
        m = STAMP.match(line)
        if not m or not m.group(5).startswith(WATCHED):
            continue
        at = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        description = m.group(5).split(" - succeeded")[0].rstrip(".")
        if m.group(4) == "Starting":
            started[description] = at
        else:
            ran.append((description, at - started.get(description, at)))
    return wall, ran


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default=str(HERE))
    parser.add_argument("--out", default=str(HERE / "bench/out/fusesoc-generators"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    root = copy_repo(Path(args.repo), out / "repo")
    log = out / f"generator-runs-{os.getpid()}-{time.time_ns()}.log"
    set_seed = write_gen_blinky(root, log=log)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; repo {args.repo}; load before: {load()}")
    for label, seed in (("cold", 1), ("re-build, only the seed changed", 2)):
        set_seed(seed)
        wall, ran = pants(root, "package", TARGET)
        runs = len(log.read_text().splitlines()) if log.exists() else 0
        print(f"{label}: wall {wall:.1f} s, load {load()}, counter generator runs so far: {runs}")
        for description, seconds in ran:
            print(f"  ran {seconds:6.1f} s  {description}")
        if not ran:
            print("  no watched process ran")


if __name__ == "__main__":
    main()
