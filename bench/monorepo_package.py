"""Benchmark: `./pants package` over a generated monorepo of N schema packages.

Measures (1) cold `package` (fresh build root, pantsd starting), (2) warm no-op with pantsd,
(3) rebuild after touching one schema, counting the package/sign/validate rules that actually ran
(from Pants' debug workunit log), which must be exactly one package's worth.

Usage: python3 bench/monorepo_package.py [--packages 200] [--out bench/out]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--out", default=str(REPO / "bench" / "out" / "monorepo"))
    args = parser.parse_args()
    root = Path(args.out)
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
