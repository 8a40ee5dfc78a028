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
    for entry in ("pants", "pants.toml", "3rdparty", "pants-plugins"):
        src = REPO / entry
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / entry)
    (root / "BUILD").write_text("")
    for i in range(packages):
        pkg = root / "pkgs" / f"p{i:04d}"
        (pkg / "schemas").mkdir(parents=True)
        (pkg / "BUILD").write_text("marketplace_package()\n")
        (pkg / "estream-component.toml").write_text(MANIFEST.format(i=i))
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


def count(log: str, desc: str) -> int:
    return len(re.findall(r"Completed: " + re.escape(desc), log))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--out", default=str(REPO / "bench" / "out" / "monorepo"))
    args = parser.parse_args()
    root = Path(args.out)
    generate(root, args.packages)
    # Bootstrap (venv, plugin resolution) is not what we measure.
    pants(root, "--version")

    cold, _ = pants(root, "--pantsd", "package", "pkgs::")
    warm_runs = [pants(root, "--pantsd", "package", "pkgs::")[0] for _ in range(3)]
    schema = root / "pkgs" / "p0007" / "schemas" / "bench.esf.yaml"
    schema.write_text(SCHEMA.format(i=7, description="An edited event"))
    touched, log = pants(root, "--pantsd", "-ldebug", "package", "pkgs::")
    cold_nodaemon, _ = pants(root, "--no-pantsd", "--no-local-cache", "package", "pkgs::")

    # Stop this build root's pantsd: the benchmark leaves nothing running.
    subprocess.run(["pkill", "-f", f"pantsd \\[{root}\\]"], check=False)
    archives = len(list((root / "dist").glob("*.tar.gz")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"packages: {args.packages} (archives in dist: {archives})")
    print(f"cold package (fresh build root, pantsd starting): {cold:.2f} s")
    print(f"cold package without pantsd, no local cache: {cold_nodaemon:.2f} s")
    print(f"warm no-op with pantsd (best of 3): {min(warm_runs):.2f} s  (all: "
          + ", ".join(f"{t:.2f}" for t in warm_runs) + ")")
    print(f"rebuild after touching one schema: {touched:.2f} s; rules run: "
          f"sign+archive={count(log, 'Sign and archive a marketplace package')}, "
          f"validate-schema={count(log, 'Validate ESF schema')}, "
          f"collect-package={count(log, 'Collect and validate marketplace package files')}")


if __name__ == "__main__":
    main()
