"""Benchmark: `./pants package` over a generated monorepo of N schema packages.

Measures (1) cold `package` (fresh build root, pantsd starting), (2) warm no-op with pantsd,
(3) rebuild after touching one schema, counting the package/sign/validate rules that actually ran
(from Pants' debug workunit log), which must be exactly one package's worth.

With `--ci` it measures instead what a CI build without pantsd pays (issue 18, item 3), side by
side in one run against Pants' own floor, `--no-pantsd list ::` (start-up, options, rule graph,
BUILD files: what every goal pays):

* local-warm: `--no-pantsd package ::` again with the local store of a first build;
* remote-warm: `--no-pantsd package ::` with an empty local store and empty named caches, and a
  warm remote cache (a real BuildGrid on loopback, started by build-support/buildgrid/buildgrid.sh).

Both in a scrubbed environment (tests/integration/buildgrid.py's `clean_env`), with the
plugin's own sources and the vendored FPGA cores kept out of the build graph (`pants_ignore`),
as in a repository that consumes the plugin: `::` is the 200 packages.

Usage: python3 bench/monorepo_package.py [--packages 200] [--out bench/out] [--ci [--repeat 3]]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]

MANIFEST = """[component]
name = "esf-bench-{i:04d}"
version = "1.0.{i}"
category = "esf-schema"
description = "Generated benchmark schema pack {i}"
license = "Apache-2.0"
keywords = ["bench"]

[component.schemas]
provides = ["Bench{i:04d}Event", "Bench{i:04d}Reading"]
requires = []

[component.include]
schemas = ["schemas/*.esf.yaml"]
"""

SCHEMA = """version: "1.0"
namespace: estream.bench.p{i:04d}
schemas:
  Bench{i:04d}Event:
    description: "{description}"
    lattice: estream.bench.event
    path: /bench/{i}/events/{{event_id}}
    fields:
      event_id:
        type: bytes32
      severity:
        type: Bench{i:04d}Severity
      payload:
        type: "map(string, string)"
        optional: true
    retention:
      duration_days: 30
  Bench{i:04d}Reading:
    description: "A reading"
    lattice: estream.bench.reading
    path: /bench/{i}/readings/{{reading_id}}
    fields:
      reading_id:
        type: bytes32
      value:
        type: f64
      tags:
        type: "array(string(32))"
enums:
  Bench{i:04d}Severity:
    values: [Low, Medium, High]
"""


def generate(root: Path, packages: int) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # Everything pants.toml names (config files of ruff/mypy/twine included), or Pants refuses to start.
    for entry in ("pants", "pants.toml", "3rdparty", "pants-plugins", "mypy.ini", "ruff.toml", "build-support"):
        src = REPO / entry
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / entry)
    (root / "BUILD").write_text("")
    for i in range(packages):
        pkg = root / "pkgs" / f"p{i:04d}"
        (pkg / "schemas").mkdir(parents=True)
        (pkg / "BUILD").write_text("marketplace_package()\n")
        (pkg / "estream-component.toml").write_text(MANIFEST.format(i=i))
        # A published package needs its licence text (SmartCircuit package format §2.1).
        (pkg / "LICENSE").write_text("Apache License, Version 2.0 (benchmark package)\n")
        (pkg / "schemas" / "BUILD").write_text("esf_schemas()\n")
        (pkg / "schemas" / "bench.esf.yaml").write_text(SCHEMA.format(i=i, description="An event"))


def pants(root: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "PATH", "PYENV_ROOT", "LANG")}
    env["PANTS_DYNAMIC_UI"] = "false"
    start = time.perf_counter()
    proc = subprocess.run(["./pants", *args], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout + proc.stderr


def count(log: str, what: str) -> int:
    """How many times a rule did `what` (the backend's `estream: ...` debug log lines)."""
    return len(re.findall(r"estream: " + re.escape(what) + " ", log))


def count_signed(log: str) -> int:
    """Signatures made (not taken from a cache) in a run."""
    return len(re.findall(r"estream: signed (?!and archived)", log))


CI_COUNTERS = (
    "local_cache_requests_cached",
    "local_cache_requests_uncached",
    "local_execution_requests",
    "remote_cache_requests_cached",
    "remote_cache_requests_uncached",
    "remote_cache_speculation_local_completed_first",
    "remote_cache_speculation_remote_completed_first",
)


def ci_cache(root: Path, packages: int, repeat: int) -> None:
    """`--no-pantsd package ::` local-warm and remote-warm against `--no-pantsd list ::`."""
    sys.path[:0] = [str(REPO / "tests")]
    from integration.buildgrid import (  # noqa: E402
        PROFILE,
        buildgrid_server,
        clean_env,
        parse_counters,
        remote_cache_args,
    )

    generate(root, packages)
    shutil.copy2(REPO / PROFILE, root / PROFILE)
    toml = root / "pants.toml"
    toml.write_text(toml.read_text().replace(
        # Not the vendored FPGA cores of 3rdparty/fusesoc either: their bitstreams would make
        # `package ::` a YoWASP build, not the 200 schema packages this measures.
        'pants_ignore.add = ["/bench/out/"]', 'pants_ignore.add = ["/bench/out/", "/pants-plugins/", "/3rdparty/fusesoc/"]'
    ))
    scratch = Path(tempfile.mkdtemp(prefix="estream-ci-cache-bench-"))
    home = scratch / "home"
    home.mkdir()
    env = clean_env(home, user="bench", extra={"SOURCE_DATE_EPOCH": "1767225600"})

    def run(args: List[str]) -> Tuple[float, float, Dict[str, int], str]:
        """Wall and CPU (user+sys of Pants and its children) seconds, counters, log."""
        before = os.times()
        start = time.perf_counter()
        proc = subprocess.run(["/bin/bash", str(root / "pants"), *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=3600)
        wall = time.perf_counter() - start
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        if proc.returncode != 0:
            raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return wall, cpu, parse_counters(proc.stderr), proc.stderr

    def load() -> str:
        return ", ".join(open("/proc/loadavg").read().split()[:3])

    def cache_args(store: Path, named: Path) -> List[str]:
        # The remote cache's hits and misses, and the signatures made, in the log (only those
        # two loggers at debug: -ldebug would itself cost seconds).
        return remote_cache_args(grid.address, store, named)

    rows: List[Tuple[str, float, float, Dict[str, int], str]] = []
    with buildgrid_server(REPO, scratch / "buildgrid") as grid:
        store, named = scratch / "store", scratch / "named"
        warm_args = cache_args(store, named)
        wall, cpu, counters, log = run([*warm_args, "package", "::"])
        rows.append(("cold package :: (empty store, empty remote cache)", wall, cpu, counters, load()))
        cold_signed = count_signed(log)
        for i in range(repeat):
            for name, goal in (("list ::", ["list", "::"]), ("package :: local-warm", ["package", "::"])):
                wall, cpu, counters, _ = run([*warm_args, *goal])
                rows.append((f"{name} #{i + 1}", wall, cpu, counters, load()))
            fresh = cache_args(scratch / f"store-{i}", scratch / f"named-{i}")
            wall, cpu, counters, log = run([*fresh, "package", "::"])
            rows.append((f"package :: remote-warm (empty store + named caches) #{i + 1}", wall, cpu, counters, load()))
            rows.append((f"  (signatures made in that run: {count_signed(log)})", 0, 0, {}, ""))
    archives = len(list((root / "dist").glob("*.tar.gz")))
    shutil.rmtree(scratch, ignore_errors=True)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"packages: {packages} (archives in dist: {archives}); cold run signed {cold_signed}")
    print("| run | wall | CPU (user+sys) | load (1, 5, 15 min) after | " + " | ".join(CI_COUNTERS) + " |")
    print("| --- | --- | --- | --- |" + " --- |" * len(CI_COUNTERS))
    for name, wall, cpu, counters, avg in rows:
        if not counters:
            print(f"| {name} | | | | " + " | " * (len(CI_COUNTERS) - 1) + " |")
            continue
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {avg} | "
              + " | ".join(str(counters.get(c, 0)) for c in CI_COUNTERS) + " |")
    floors = [r for r in rows if r[0].startswith("list ::")]
    for kind in ("local-warm", "remote-warm"):
        runs = [r for r in rows if kind in r[0] and r[3]]
        for floor, run_ in zip(floors, runs):
            print(f"{run_[0]}: wall {run_[1] / floor[1]:.2f}x, CPU {run_[2] / floor[2]:.2f}x of {floor[0]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--out", default=str(REPO / "bench" / "out" / "monorepo"))
    parser.add_argument("--ci", action="store_true", help="no-pantsd local-/remote-warm vs `list ::`")
    parser.add_argument("--repeat", type=int, default=2, help="--ci: rounds of list/package pairs")
    args = parser.parse_args()
    root = Path(args.out)
    if args.ci:
        ci_cache(root, args.packages, args.repeat)
        return
    generate(root, args.packages)
    # Bootstrap (venv, plugin resolution) is not what we measure.
    pants(root, "--no-pantsd", "--version")

    # Every pantsd run uses the same options (-ldebug included): changing bootstrap options
    # would restart pantsd and measure a cold start instead of the rebuild.
    cold, _ = pants(root, "--pantsd", "-ldebug", "package", "pkgs::")
    warm_runs = [pants(root, "--pantsd", "-ldebug", "package", "pkgs::")[0] for _ in range(3)]
    schema = root / "pkgs" / "p0007" / "schemas" / "bench.esf.yaml"
    schema.write_text(SCHEMA.format(i=7, description="An edited event"))
    # Give pantsd's file watcher a moment to see the edit, as it would between keystrokes and
    # a build; without it the run can start before the invalidation arrives.
    time.sleep(1)
    touched, log = pants(root, "--pantsd", "-ldebug", "package", "pkgs::")
    (root.parent / "touched-run.log").write_text(log)
    # Sanity check of the counter: a cold run must report all N packages.
    _, cold_log = pants(root, "--no-pantsd", "-ldebug", "package", "pkgs::")
    cold_signed = count(cold_log, "signed and archived")
    cold_nodaemon, _ = pants(root, "--no-pantsd", "package", "pkgs::")

    # Stop this build root's pantsd: the benchmark leaves nothing running.
    subprocess.run(["pkill", "-f", f"pantsd \\[{root}\\]"], check=False)
    archives = len(list((root / "dist").glob("*.tar.gz")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"packages: {args.packages} (archives in dist: {archives})")
    print(f"cold package (fresh build root, pantsd starting): {cold:.2f} s")
    print(f"package without pantsd (rules re-run in a fresh process): {cold_nodaemon:.2f} s")
    print(f"warm no-op with pantsd (best of 3): {min(warm_runs):.2f} s  (all: "
          + ", ".join(f"{t:.2f}" for t in warm_runs) + ")")
    print(f"cold run without pantsd signed {cold_signed} packages (counter sanity check)")
    print(f"rebuild after touching one schema: {touched:.2f} s; rules run: "
          f"sign+archive={count(log, 'signed and archived')}, "
          f"validate-schema={count(log, 'validated ESF schema')}, "
          f"collect-package={count(log, 'collected package')}")


if __name__ == "__main__":
    main()
