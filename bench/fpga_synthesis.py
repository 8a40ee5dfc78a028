"""Benchmark: `fpga_bitstream` builds of the queue-append RTL with the hermetic YoWASP toolchain.

Measures, per example design (iCE40 UP5K, ECP5 25k), on a copy of this repository:
  1. cold synthesis: an empty WebAssembly cache (fresh named-caches dir; only pex's cache is
     shared so the tool venv is not rebuilt) and no process cache, so YoWASP compiles its tools;
  2. warm synthesis: the WASM cache warm, the process cache off (the tools really run);
  3. cache hit: a second `./pants package` of unchanged inputs (the process cache answers).
The synthesis time is the sandboxed process alone (from Pants' "Starting:/Completed:" log lines);
the wall time includes Pants' start-up (~10 s without pantsd). YoWASP versus native tools is
measured when `yosys`, `nextpnr-ice40` and `icepack` are on the PATH, and reported as not
measured otherwise.

Usage: python3 bench/fpga_synthesis.py [--out bench/out/fpga]
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
RTL = "circuits/queue/append/rtl"
DESIGNS = ("queue_append_up5k", "queue_append_ecp5_25k")
ENTRIES = ("pants", "pants.toml", "BUILD", "3rdparty", "pants-plugins", "schemas", "circuits")
STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \[INFO\] (Starting|Completed): Synthesise")


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
    return wall, synth_seconds(proc.stderr)


def synth_seconds(log: str) -> float:
    """Seconds from the first `Starting: Synthesise` to the last `Completed: Synthesise`."""
    stamps = []
    for line in log.splitlines():
        m = STAMP.match(line)
        if m:
            stamps.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
    return (max(stamps) - min(stamps)) if len(stamps) >= 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "bench/out/fpga"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    root = copy_repo(out / "repo")
    home_caches = Path(os.environ["HOME"]) / ".cache/pants/named_caches"
    pants(root, "package", f"{RTL}:")  # the tool venv and everything else in place

    rows = []
    for design in DESIGNS:
        target = f"{RTL}:{design}"
        cold_caches = out / f"cold-caches-{design}"
        cold_caches.mkdir()
        os.symlink(home_caches / "pex_root", cold_caches / "pex_root")
        cold = pants(root, "--no-local-cache", f"--named-caches-dir={cold_caches}", "package", target)
        warm = pants(root, "--no-local-cache", "package", target)
        pants(root, "package", target)
        hit = pants(root, "package", target)
        rows.append((design, cold, warm, hit))

    native = all(shutil.which(t) for t in ("yosys", "nextpnr-ice40", "icepack"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"{datetime.utcnow():%Y-%m-%d}")
    print("| design | cold synthesis (wall) | warm synthesis (wall) | cache-hit `package` (wall) |")
    print("| --- | --- | --- | --- |")
    for design, cold, warm, hit in rows:
        print(f"| {design} | {cold[1]:.1f} s ({cold[0]:.1f} s) | {warm[1]:.1f} s ({warm[0]:.1f} s) "
              f"| ran nothing{'' if hit[1] == 0 else ' (SYNTHESIS RAN)'} ({hit[0]:.1f} s) |")
    if native:
        native_wall, native_synth = pants(
            root, "--no-local-cache", "--fpga-toolchain-default-toolchain=native", "package",
            f"{RTL}:queue_append_up5k")
        print(f"native toolchain, queue_append_up5k: {native_synth:.1f} s "
              f"(YoWASP/native = {rows[0][2][1] / native_synth:.2f})")
    else:
        print("native toolchain: not measured (yosys, nextpnr-ice40, icepack not on the PATH)")


if __name__ == "__main__":
    main()
