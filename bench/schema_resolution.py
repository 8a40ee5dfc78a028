"""Benchmark: dependency inference and schema resolution on a generated monorepo.

Generates N packages (default 500) with S schemas each (default 10: 5,000 schemas), spread over F
`*.esf.yaml` files per package (`--files`, default 2: 1,000 `esf_schema` targets; `--files 10`
gives one target per schema) and random acyclic `[component.dependencies]` (each package depends
on up to 3 earlier packages, requires one schema of each and references it and its enum from its
own schemas), then times:

* `./pants --no-pantsd dependencies ::` (cold: every rule runs, nothing memoized);
* `./pants --pantsd dependencies ::` first run (pantsd starting) and warm runs (memoized);
* warm `dependencies ::` after editing one schema file;
* warm `schema-graph ::` (full cross-package resolution of every package).

Stops the build root's pantsd at the end. Usage:
    python3 bench/schema_resolution.py [--packages 500] [--schemas 10] [--seed 1] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[1]


def manifest(i: int, provides: List[str], requires: List[str], deps: List[int]) -> str:
    text = f"""[component]
name = "bench-{i:04d}"
version = "1.{i % 7}.0"
category = "esf-schema"
description = "Generated benchmark package {i}"
license = "Apache-2.0"

[component.schemas]
provides = [{", ".join(f'"{p}"' for p in provides)}]
requires = [{", ".join(f'"{r}"' for r in requires)}]

[component.include]
schemas = ["schemas/*.esf.yaml"]
"""
    if deps:
        text += "\n[component.dependencies]\n" + "".join(f'bench-{d:04d} = "^1"\n' for d in deps)
    return text


def schema_body(i: int, k: int, extra_fields: List[str]) -> str:
    return f"""  P{i:04d}S{k:02d}:
    description: "Schema {k} of package {i}"
    lattice: bench.p{i:04d}.s{k:02d}
    path: /bench/{i}/{k}/{{id}}
    fields:
      id:
        type: bytes32
      value:
        type: u64
      kind:
        type: P{i:04d}Kind
""" + "".join(extra_fields)


def schema_file(i: int, bodies: List[str], with_enum: bool) -> str:
    text = f'version: "1.0"\nnamespace: bench.p{i:04d}\nschemas:\n' + "".join(bodies)
    if with_enum:
        text += f"enums:\n  P{i:04d}Kind:\n    values: [A, B, C]\n"
    return text


def generate(root: Path, packages: int, schemas: int, files: int, seed: int) -> int:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # The real content too, so `::` is this repository plus the generated packages.
    for entry in ("pants", "pants.toml", "3rdparty", "pants-plugins", "schemas", "components"):
        src = REPO / entry
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / entry, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    (root / "BUILD").write_text("")
    edges = 0
    for i in range(packages):
        deps = sorted(rng.sample(range(i), min(i, rng.randint(0, 3))))
        edges += len(deps)
        provides = [f"P{i:04d}S{k:02d}" for k in range(schemas)]
        requires = [f"P{d:04d}S{rng.randrange(schemas):02d}" for d in deps]
        pkg = root / "pkgs" / f"p{i:04d}"
        (pkg / "schemas").mkdir(parents=True)
        (pkg / "BUILD").write_text("marketplace_package()\n")
        (pkg / "estream-component.toml").write_text(manifest(i, provides, requires, deps))
        (pkg / "schemas" / "BUILD").write_text("esf_schemas()\n")
        bodies: List[List[str]] = [[] for _ in range(files)]
        for k in range(schemas):
            extra = []
            if k == 0:
                for n, (d, req) in enumerate(zip(deps, requires)):
                    extra.append(f"      dep{n}:\n        type: {req}\n")
                    extra.append(f"      dep{n}_kind:\n        type: P{d:04d}Kind\n        optional: true\n")
            bodies[k % files].append(schema_body(i, k, extra))
        for f, group in enumerate(bodies):
            (pkg / "schemas" / f"s{f:02d}.esf.yaml").write_text(schema_file(i, group, f == 0))
    return edges


def pants(root: Path, *args: str) -> "tuple[float, str]":
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "PATH", "PYENV_ROOT", "LANG", "ESTREAM_PANTS_CACHE")}
    env["PANTS_DYNAMIC_UI"] = "false"
    start = time.perf_counter()
    proc = subprocess.run(["./pants", *args], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--schemas", type=int, default=10)
    parser.add_argument("--files", type=int, default=2, help="schema files per package (schemas spread over them)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(REPO / "bench" / "out" / "schema-resolution"))
    args = parser.parse_args()
    root = Path(args.out)
    edges = generate(root, args.packages, args.schemas, min(args.files, args.schemas), args.seed)
    pants(root, "--no-pantsd", "--version")  # bootstrap is not what we measure

    try:
        cold, out = pants(root, "--no-pantsd", "dependencies", "::")
        first, _ = pants(root, "--pantsd", "dependencies", "::")
        warm = [pants(root, "--pantsd", "dependencies", "::")[0] for _ in range(5)]
        # Pants' own floor for walking every target of this repo, for comparison.
        floor = [pants(root, "--pantsd", "list", "::")[0] for _ in range(3)]
        edited = root / "pkgs" / "p0007" / "schemas" / "s00.esf.yaml"
        edited.write_text(edited.read_text().replace("Schema 0 of", "Edited schema 0 of"))
        touched, _ = pants(root, "--pantsd", "dependencies", "::")
        graph_first, graph = pants(root, "--pantsd", "schema-graph", "::")
        graph_warm = [pants(root, "--pantsd", "schema-graph", "::")[0] for _ in range(2)]
    finally:
        # Stop this build root's pantsd: the benchmark leaves nothing running.
        subprocess.run(["pkill", "-f", f"pantsd \\[{root}\\]"], check=False)

    dep_lines = len(out.splitlines())
    required = graph.count("  requires ")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"packages: {args.packages}, schemas: {args.packages * args.schemas}, "
          f"schema files/targets: {args.packages * min(args.files, args.schemas)}, "
          f"package dependency edges: {edges}, requires resolved: {required}")
    print(f"`dependencies ::` printed {dep_lines} addresses")
    print(f"cold `dependencies ::` without pantsd: {cold:.2f} s")
    print(f"first `dependencies ::` with pantsd starting: {first:.2f} s")
    print("warm `dependencies ::` with pantsd (best of 5): "
          f"{min(warm):.2f} s (all: {', '.join(f'{t:.2f}' for t in warm)})")
    print("warm `list ::` with pantsd (best of 3, Pants' floor): "
          f"{min(floor):.2f} s (all: {', '.join(f'{t:.2f}' for t in floor)})")
    print(f"warm `dependencies ::` after editing one schema: {touched:.2f} s")
    print(f"`schema-graph ::` first (pantsd warm for inference): {graph_first:.2f} s; "
          f"warm best of 2: {min(graph_warm):.2f} s")


if __name__ == "__main__":
    main()
