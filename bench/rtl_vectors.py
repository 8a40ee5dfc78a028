"""Benchmark: golden vectors on RTL (Icarus Verilog and Verilator) against the CPU reference.

On a copy of this repository, adds N generated golden vectors (random batches of 1-16 entries on
random stored queues, expected outputs from the CPU reference) to circuits/queue/append, then per
simulator runs `./pants test circuits/queue/append/circuits: --test-force` and reads the
runner's own totals ("M/M tests passed in T") for the CPU and the RTL suite: the RTL total
includes Edalize's one compile (iverilog, or Verilator's C++ build) and one simulation per
vector. A last run without `--test-force` measures the cache hit (nothing is simulated).

Usage: python3 bench/rtl_vectors.py [--vectors 500] [--out bench/out/rtl]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = "circuits/queue/append"
TOTAL = re.compile(r"Running test suite: (.*?) \((\d+) tests?\)|(\d+)/(\d+) tests passed in ([\d.]+)(ms|s)")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fpga_synthesis import copy_repo  # noqa: E402  (the same repository copy)


def add_vectors(root: Path, count: int) -> None:
    sys.path.insert(0, str(root / PKG / "src"))
    import queue_append  # type: ignore[import-not-found]

    rng = random.Random(7)
    golden = root / PKG / "tests/golden"
    manifest = (golden / "manifest.toml").read_text()
    for i in range(count):
        stored = [rng.getrandbits(32) for _ in range(rng.randrange(0, 64))]
        inputs = {
            "queue": {"entries": stored, "witness": queue_append._crc(stored)},
            "batch": {"entries": [rng.getrandbits(32) for _ in range(rng.randrange(1, 17))]},
        }
        name = f"bench-{i:05d}"
        doc = {
            "test_vector": {"name": name, "circuit": "queue_append_pipeline", "version": "1.0.0"},
            "input": inputs,
            "expected_output": queue_append.append(json.loads(json.dumps(inputs))),
        }
        (golden / f"{name}.json").write_text(json.dumps(doc))
        manifest += f'\n[[tests]]\nfile = "{name}.json"\nexpected = "pass"\n'
    (golden / "manifest.toml").write_text(manifest)


def pants(root: Path, *args: str) -> tuple:
    env = {k: os.environ[k] for k in ("HOME", "PATH", "PYENV_ROOT", "LANG") if k in os.environ}
    env.update(PANTS_PANTSD="false", PANTS_DYNAMIC_UI="false")
    start = time.monotonic()
    proc = subprocess.run(["bash", str(root / "pants"), *args], cwd=root, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stdout[-4000:]}")
    return wall, proc.stdout


def suites(log: str) -> list:
    """[(suite title, tests, seconds)] in order of appearance."""
    found, title = [], None
    for m in TOTAL.finditer(log):
        if m.group(1):
            title = m.group(1)
        else:
            seconds = float(m.group(5)) / (1000 if m.group(6) == "ms" else 1)
            found.append((title, int(m.group(4)), seconds))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectors", type=int, default=500)
    parser.add_argument("--out", default=str(REPO / "bench/out/rtl"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    root = copy_repo(out / "repo")
    add_vectors(root, args.vectors)
    target = f"{PKG}/circuits:"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; {args.vectors} extra vectors")
    for simulator in ("icarus", "verilator"):
        wall, log = pants(root, "test", target, "--test-force", "--test-output=all", f"--fpga-toolchain-simulator={simulator}")
        for title, tests, seconds in suites(log):
            print(f"{simulator:9s} {title}: {tests} tests in {seconds:.2f} s ({1000 * seconds / tests:.1f} ms/test)")
        print(f"{simulator:9s} wall (Pants without pantsd, CPU and RTL runs in parallel): {wall:.1f} s")
    wall, log = pants(root, "test", target)
    assert "Simulate" not in "".join(l for l in log.splitlines() if "Starting:" in l), "the cache hit re-ran"
    print(f"cache hit: {wall:.1f} s wall, nothing simulated")


if __name__ == "__main__":
    main()
