"""Benchmark: a third-party FuseSoC core (SERV's servant SoC, `3rdparty/fusesoc:servant_icebreaker`)
built by `fusesoc_core` with the hermetic YoWASP toolchain.

On a copy of this repository, measures:
  1. cold (only with `--cold`): an empty WebAssembly cache (fresh named-caches dir; pex's cache
     shared so the tool venv is not rebuilt) and no process cache: YoWASP compiles its tools;
  2. warm: the WASM cache warm, the process cache off (FuseSoC, its generator and the tools
     really run);
  3. cache hit: a second `./pants package` of unchanged inputs.
The build time is the sandboxed process alone (Pants' "Starting:/Completed:" lines); the wall
time includes Pants' start-up without pantsd. Native tools are measured when `yosys`,
`nextpnr-ice40`, `icepack` and `icepll` are on the PATH.

Usage: python3 bench/fusesoc_core.py [--out DIR] [--cold]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = "3rdparty/fusesoc:servant_icebreaker"
ENTRIES = ("pants", "pants.toml", "BUILD", "3rdparty", "pants-plugins", "schemas", "circuits")
STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \[INFO\] (Starting|Completed): Build FuseSoC core")
SUMMARY = re.compile(r"icebreaker \(ice40\): .*")


def copy_repo(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for entry in ENTRIES:
        src = REPO / entry
        if src.is_dir():
            shutil.copytree(src, dest / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / entry)
    return dest


def pants(root: Path, *args: str) -> tuple:
    env = {k: os.environ[k] for k in ("HOME", "PATH", "PYENV_ROOT", "LANG") if k in os.environ}
    env.update(PANTS_PANTSD="false", PANTS_DYNAMIC_UI="false")
    start = time.monotonic()
    proc = subprocess.run(["bash", str(root / "pants"), *args], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    stamps = []
    for line in proc.stderr.splitlines():
        m = STAMP.match(line)
        if m:
            stamps.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
    summary = SUMMARY.search(proc.stderr)
    build = (max(stamps) - min(stamps)) if len(stamps) >= 2 else 0.0
    return wall, build, summary.group(0) if summary else ""


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "bench/out/fusesoc-core"))
    parser.add_argument("--cold", action="store_true", help="also measure an empty WASM cache (~1.7 GB RAM per tool)")
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    root = copy_repo(out / "repo")
    home_caches = Path(os.environ["HOME"]) / ".cache/pants/named_caches"

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"{datetime.utcnow():%Y-%m-%d}; load before: {load()}")
    if args.cold:
        cold_caches = out / "cold-caches"
        cold_caches.mkdir()
        os.symlink(home_caches / "pex_root", cold_caches / "pex_root")
        cold = pants(root, "--no-local-cache", f"--named-caches-dir={cold_caches}", "package", TARGET)
        print(f"cold WASM cache: build {cold[1]:.1f} s (wall {cold[0]:.1f} s), load {load()}")
    warm = pants(root, "--no-local-cache", "package", TARGET)
    print(f"warm WASM cache, tools run: build {warm[1]:.1f} s (wall {warm[0]:.1f} s), load {load()}")
    print(f"  {warm[2]}")
    pants(root, "package", TARGET)
    hit = pants(root, "package", TARGET)
    print(f"cache hit: {'ran nothing' if hit[1] == 0 else 'BUILD RAN'} (wall {hit[0]:.1f} s)")
    if all(shutil.which(t) for t in ("yosys", "nextpnr-ice40", "icepack", "icepll")):
        native = pants(root, "--no-local-cache", "--fpga-toolchain-default-toolchain=native", "package", TARGET)
        print(f"native toolchain: build {native[1]:.1f} s (YoWASP/native = {warm[1] / native[1]:.2f})")
        print(f"  {native[2]}")
    else:
        print("native toolchain: not measured (yosys, nextpnr-ice40, icepack, icepll not on the PATH)")


if __name__ == "__main__":
    main()
