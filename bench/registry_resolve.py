"""Benchmark: dependency resolution over a synthetic registry of 5,000 versions in 500 components.

Usage: python bench/registry_resolve.py [--components 500] [--versions 10] [--repeat 5]
(run with pants-plugins/ on sys.path). Component i has versions 1.0.0 ... 1.(v-1).0 and each
depends on up to 3 components with a lower index (caret requirements), so resolving the top
components pulls in a large transitive graph. Two scenarios:

* greedy:    newest versions are compatible (no backtracking needed)
* missing:  the newest version of every 10th component requires `^2` of a dependency that only
            has 1.x releases (the resolver's one-step lookahead tries older versions first)
* conflict: the newest version of every 10th component pins a dependency to `=1.0.0` while
            others accept the newest 1.x: a clash found only deep in the graph, resolved by
            conflict-directed backjumping

Times cover `resolve()` with index entries parsed from real index files on disk (the
`Registry.entries` path without git), and separately the pure resolution step.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pants-plugins"))

from estream.core.registry.index import IndexDep, IndexEntry, index_path, parse_index_file, render_index_file  # noqa: E402
from estream.core.registry.resolver import resolve  # noqa: E402


def build(components: int, versions: int, backtrack: str):
    rnd = random.Random(42)
    reg = {}
    for i in range(components):
        name = f"comp-{i:04d}"
        entries = []
        for v in range(versions):
            deps = []
            if i:
                for j in sorted(rnd.sample(range(i), min(3, i))):
                    req = "^1.0"
                    if backtrack == "missing" and i % 10 == 0 and v == versions - 1 and not deps:
                        req = "^2.0"
                    if backtrack == "conflict" and i % 10 == 0 and v == versions - 1 and not deps:
                        req = "=1.0.0"
                    deps.append(IndexDep(f"comp-{j:04d}", req))
            entries.append(IndexEntry(name, f"1.{v}.0", "sha3-256:" + "0" * 64, 1000, tuple(deps), (), (), "esf-schema",
                                      (), "synthetic", "bench", "sha3-256:" + "0" * 64, False, "2026-01-01T00:00:00Z"))
        reg[name] = entries
    return reg


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--components", type=int, default=500)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"# {opts.components} components x {opts.versions} versions = {opts.components * opts.versions} versions")
    print("| scenario | packages resolved | resolve only (best) | parse index files + resolve (best) |")
    print("| --- | --- | --- | --- |")
    for backtrack in ("", "missing", "conflict"):
        reg = build(opts.components, opts.versions, backtrack)
        roots = {f"comp-{i:04d}": "^1.0" for i in range(opts.components - 20, opts.components)}
        with tempfile.TemporaryDirectory() as tmp:
            for name, entries in reg.items():
                p = Path(tmp) / index_path(name)
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(render_index_file(entries))
            pure, full = [], []
            for _ in range(opts.repeat):
                t = time.perf_counter()
                res = resolve(roots, lambda n: reg.get(n, []))
                pure.append(time.perf_counter() - t)
                t = time.perf_counter()

                def from_disk(n):
                    p = Path(tmp) / index_path(n)
                    return parse_index_file(p.read_bytes(), name=n, source=str(p)) if p.is_file() else []

                res2 = resolve(roots, from_disk)
                full.append(time.perf_counter() - t)
                assert {n: e.version for n, e in res.packages.items()} == {n: e.version for n, e in res2.packages.items()}
        label = {
            "": "greedy (newest all compatible)",
            "missing": "every 10th newest needs an unreleased ^2 (one-step lookahead)",
            "conflict": "every 10th newest pins a dependency =1.0.0 (backjumping)",
        }[backtrack]
        print(f"| {label} | {len(res.packages)} | **{min(pure):.3f} s** | **{min(full):.3f} s** |")


if __name__ == "__main__":
    main()
