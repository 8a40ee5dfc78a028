"""Benchmark: the `estream` CLI's speed against its targets (issue 18 item 7), before vs after.

Usage: python bench/registry_cli_speed.py --before /work/main [--after .] [--repeat 5]
(needs dilithium-py, tomli, PyYAML, semver and git). Every figure is a fresh process (interpreter
start-up included, bytecode cached), run alternately with the `pants-plugins/` of the two trees, each with its own
`$HOME`, so both see the same machine load. Reported per scenario: best wall time and the CPU
time of that process (user + system, `resource.getrusage(RUSAGE_CHILDREN)`), with the median.

* resolve 50,000 versions: 5,000 components x 10 versions in a git registry (index only); a
  process opens the registry checkout, reads what it needs (index files, or the index cache) and
  resolves the top 20 components (`bench/registry_resolve.py`'s graph)
* search: 2,000 components / 10,000 versions, `estream marketplace search iot --offline` and
  online (a `git fetch` of an unchanged remote)
* warm install: `install bench-app` (5 transitive dependencies, 20 files each) into a fresh
  workspace, archive cache and registry checkout present (`bench/registry_install.py`'s chain)
* no-op install: `install` again in that workspace (the lock satisfies it, nothing changed)

The install registry is set up as the trust chain requires (root-signed keyring, publisher-signed
snapshots, consumers pinning the test root key: `core.registry.testing.trust_env`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "pants-plugins"))
sys.path.insert(0, str(HERE))

from estream.core.keys import SigningKey  # noqa: E402
from estream.core.registry.index import IndexEntry, index_path, render_index_file  # noqa: E402
from estream.core.registry.testing import bare_repo, keyring_text, package_archive, root_key_args, trust_env  # noqa: E402

import registry_resolve  # noqa: E402

RESOLVE_SNIPPET = r"""
import sys
from pathlib import Path
from estream.core.registry.registry import Registry
from estream.core.registry.resolver import resolve
registry = Registry(sys.argv[1], home=Path(sys.argv[2]))
registry.sync(offline=True)
roots = {f"comp-{i:04d}": "^1.0" for i in range(int(sys.argv[3]) - 20, int(sys.argv[3]))}
print(len(resolve(roots, registry.entries).packages))
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=str(cwd), check=True, capture_output=True)


def index_registry(tmp: Path, label: str, reg: Dict[str, List[IndexEntry]], key: SigningKey) -> str:
    """A registry holding only index files (resolution and search never open an archive)."""
    url = bare_repo(tmp / f"{label}.git")
    work = tmp / f"{label}-work"
    git("clone", "-q", url, str(work), cwd=tmp)
    (work / "config.toml").write_text("[registry]\nformat_version = 1\n")
    (work / "keyring.toml").write_text(keyring_text(key))
    for name, entries in reg.items():
        p = work / index_path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(render_index_file(entries))
    git("add", "-A", cwd=work)
    git("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "index", cwd=work)
    git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=work)
    return url


def search_index(components: int, versions: int) -> Dict[str, List[IndexEntry]]:
    words = ["iot", "telemetry", "fix", "wire", "crypto", "sensor", "gateway", "stream"]
    reg = {}
    for i in range(components):
        name = f"pkg-{words[i % len(words)]}-{i:04d}"
        reg[name] = [
            IndexEntry(name, f"1.{v}.0", "sha3-256:" + "0" * 64, 1000, (), (f"S{i}E{v}",), (), "esf-schema",
                       (words[(i + 1) % len(words)], "bench"), f"component {i}: {words[i % 3]} schemas", "bench",
                       "sha3-256:" + "0" * 64, v == versions - 1 and i % 7 == 0, "2026-01-01T00:00:00Z")
            for v in range(versions)
        ]
    return reg


def timed(cmd: Sequence[str], env: Dict[str, str], cwd: Path) -> Tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout.decode()}\n{proc.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, required=True, help="tree of the 'before' code (e.g. /work/main)")
    ap.add_argument("--after", type=Path, default=HERE.parent)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--components", type=int, default=5000, help="resolution registry: components x 10 versions")
    ap.add_argument("--only", default="", help="comma-separated scenarios to run (resolve,search,install,noop)")
    opts = ap.parse_args()
    only = set(filter(None, opts.only.split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="cli-speed-"))
    trees = {"before": opts.before.resolve(), "after": opts.after.resolve()}
    results: Dict[str, Dict[str, List[Tuple[float, float]]]] = {}
    try:
        key = SigningKey.generate("bench-release")
        (tmp / "ring.toml").write_text(keyring_text(key))
        envs = {}
        for label, tree in trees.items():
            home = tmp / f"home-{label}"
            home.mkdir()
            envs[label] = dict(os.environ, PYTHONPATH=str(tree / "pants-plugins"), HOME=str(home), ESTREAM_KEYRING=str(tmp / "ring.toml"))
            # Bytecode cached as on a user's machine (this sandbox sets PYTHONDONTWRITEBYTECODE),
            # outside the trees so neither checkout is written to.
            envs[label].pop("PYTHONDONTWRITEBYTECODE", None)
            envs[label]["PYTHONPYCACHEPREFIX"] = str(tmp / f"pycache-{label}")
        py = sys.executable
        scenarios: List[Tuple[str, Dict[str, List[str]], Path]] = []

        if not only or "resolve" in only:
            reg = registry_resolve.build(opts.components, 10, "")
            url = index_registry(tmp, "resolve", reg, key)
            scenarios.append((
                f"resolve {opts.components * 10:,} versions (read index + resolve top 20)",
                {label: [py, "-c", RESOLVE_SNIPPET, url, envs[label]["HOME"] + "/.estream", str(opts.components)] for label in trees},
                tmp,
            ))
            for label in trees:  # clone once: resolution is measured offline, on the local checkout
                subprocess.run([py, "-m", "estream.cli.main", "marketplace", "search", "--registry", url, "zzz"], env=envs[label], check=True, capture_output=True)

        if not only or "search" in only:
            url = index_registry(tmp, "search", search_index(2000, 5), key)
            for label in trees:
                envs[label]["ESTREAM_REGISTRY"] = url
            cmd = [py, "-m", "estream.cli.main", "marketplace", "search", "iot"]
            scenarios.append(("search 2,000 components / 10,000 versions (git fetch)", {label: cmd for label in trees}, tmp))
            scenarios.append(("search 2,000 components / 10,000 versions, --offline", {label: cmd + ["--offline"] for label in trees}, tmp))

        if not only or "install" in only or "noop" in only:
            from registry_install import CHAIN, schema

            url = bare_repo(tmp / "install.git")
            from estream.cli.main import main as estream_main

            # Since the trust chain (core/registry/trust.py): a root-signed keyring, snapshots signed
            # by the publisher, consumers that pin the (test) root key.
            saved = {k: os.environ.get(k) for k in ("HOME", *trust_env(key))}
            os.environ["HOME"] = str(tmp / "home-publisher")
            os.environ.update(trust_env(key))
            assert estream_main(["marketplace", "registry-init", "--registry", url, "--keyring", str(tmp / "ring.toml"), *root_key_args(tmp)]) == 0
            for depth, name in reversed(list(enumerate(CHAIN))):
                deps = {CHAIN[depth + 1]: "^1.0"} if depth + 1 < len(CHAIN) else {}
                extra = {f"schemas/{name}-{i}.esf.yaml": schema(name, i) for i in range(19)}
                (tmp / f"{name}.tar.gz").write_bytes(package_archive(name, "1.0.0", key=key, deps=deps, extra=extra, provides=[f"B{depth}Event"]))
                assert estream_main(["marketplace", "publish", str(tmp / f"{name}.tar.gz"), "--registry", url]) == 0
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            for label in trees:
                envs[label].update(trust_env())
            install = [py, "-m", "estream.cli.main", "marketplace", "install", "--registry", url]
            for label in trees:  # warm the archive cache and the checkout
                ws = tmp / f"ws-warmup-{label}"
                ws.mkdir()
                timed(install + ["bench-app", "--workspace", str(ws)], envs[label], tmp)
            if not only or "install" in only:
                counter = [0]

                def fresh(label: str) -> List[str]:
                    counter[0] += 1
                    ws = tmp / f"ws-{label}-{counter[0]}"
                    ws.mkdir()
                    return install + ["bench-app", "--workspace", str(ws)]

                scenarios.append(("warm install of bench-app + 5 dependencies (fresh workspace)", {label: fresh for label in trees}, tmp))  # type: ignore[dict-item]
            if not only or "noop" in only:
                scenarios.append((
                    "install that changes nothing (lock satisfied, workspace as installed)",
                    {label: install + ["--workspace", str(tmp / f"ws-warmup-{label}")] for label in trees},
                    tmp,
                ))

        for title, cmds, cwd in scenarios:
            for label in trees:  # one warm-up run each (builds caches, page cache)
                cmd = cmds[label](label) if callable(cmds[label]) else cmds[label]
                timed(cmd, envs[label], cwd)
            runs: Dict[str, List[Tuple[float, float]]] = {label: [] for label in trees}
            for _ in range(opts.repeat):
                for label in trees:
                    cmd = cmds[label](label) if callable(cmds[label]) else cmds[label]
                    runs[label].append(timed(cmd, envs[label], cwd))
            results[title] = runs
            print(f"done: {title}", file=sys.stderr)

        load = os.getloadavg()
        print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} at the end")
        print(f"# before: {trees['before']}, after: {trees['after']}; best of {opts.repeat} (CPU of that run), median wall")
        print("| command | before: wall (CPU) | after: wall (CPU) | before median | after median |")
        print("| --- | --- | --- | --- | --- |")
        for title, runs in results.items():
            cells = []
            for label in trees:
                best = min(runs[label])
                cells.append(f"{best[0]:.3f} s ({best[1]:.3f} s)")
            meds = [f"{statistics.median(w for w, _ in runs[label]):.3f} s" for label in trees]
            print(f"| {title} | {cells[0]} | **{cells[1]}** | {meds[0]} | {meds[1]} |")
        print(json.dumps({t: r for t, r in results.items()}), file=open(tmp.parent / "cli-speed-last.json", "w"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
