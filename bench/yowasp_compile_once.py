"""Benchmark: a fresh `./pants package` of both queue-append bitstreams compiles each YoWASP tool once.

On a copy of this repository, with an empty WebAssembly cache (a fresh named-caches dir; only
pex's cache is shared so the tool venv is not rebuilt) and without the process cache, one
`./pants --no-pantsd package circuits/queue/append/rtl:` builds the iCE40 and the ECP5 bitstream at
the same time. Both need YoWASP's Yosys; the driver's per-tool lock lets one build compile it while
the other waits. Reported: the wall time, and from the lock files' history (one line per build
that found a tool not compiled: `compiled` or `reused after waiting N s`) how often each tool was
compiled.

Usage: python3 bench/yowasp_compile_once.py [--out bench/out/yowasp]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "bench/out/yowasp"))
    args = parser.parse_args()
    out = Path(args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    repo = out / "repo"
    repo.mkdir(parents=True)
    # Every tracked file, as a fresh clone has them (pants.toml names config files all over the tree).
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, stdout=subprocess.PIPE
    ).stdout.decode().split("\0")
    for name in filter(None, tracked):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, repo / name)
    named = out / "named-caches"
    named.mkdir()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    os.symlink(Path(xdg) / "pants/named_caches/pex_root", named / "pex_root")

    env = {**os.environ, "PANTS_PANTSD": "false", "PANTS_DYNAMIC_UI": "false"}
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", "pants", "--no-local-cache", f"--named-caches-dir={named}", "package",
         "circuits/queue/append/rtl:"],
        cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-4000:])
    print(f"package of both bitstreams, empty WASM cache: {wall:.1f} s wall")
    for lock in sorted((named / "estream_yowasp/estream-locks").glob("*.lock")):
        lines = lock.read_text().splitlines()
        compiled = sum(1 for line in lines if line == "compiled")
        print(f"  {lock.stem}: compiled {compiled}x; history: {lines}")
    with open("/proc/loadavg") as f:
        print("load average after the run:", " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
