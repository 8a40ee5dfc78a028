"""Benchmark: `estream marketplace install` of a component with 5 transitive dependencies.

Usage: python bench/registry_install.py [--repeat 3] [--files 20]
(run with pants-plugins/ on sys.path; needs dilithium-py, tomli, git). A local bare git repository
is the registry. Each run is a real `estream` process (interpreter start-up included):

* cold:    empty archive cache and no local registry checkout (clone + download + verify + install)
* warm:    cache and checkout present, fresh workspace (fetch + verify + install)
* offline: fresh workspace holding only estream-workspace.toml, `install --offline` from the lock
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[1] / "pants-plugins"
sys.path.insert(0, str(PLUGINS))

from estream.cli.main import main as estream_main  # noqa: E402
from estream.core.keys import SigningKey  # noqa: E402
from estream.core.registry.testing import bare_repo, keyring_text, package_archive, root_key_args, trust_env  # noqa: E402

CHAIN = ["bench-app", "bench-l1", "bench-l2", "bench-l3", "bench-l4", "bench-base"]


def schema(name: str, i: int) -> bytes:
    return (f'version: "1.0"\nnamespace: bench.{name.replace("-", "_")}\nschemas:\n  S{i}:\n'
            f'    description: "schema {i}"\n    fields:\n      id:\n        type: bytes32\n' + "#" * 2000 + "\n").encode()


def run(args, env) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "estream.cli.main", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode())
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", type=int, default=20, help="files per package")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    try:
        home = tmp / "home"
        home.mkdir()
        os.environ["HOME"] = str(home)
        key = SigningKey.generate("bench-release")
        url = bare_repo(tmp / "index.git")
        (tmp / "ring.toml").write_text(keyring_text(key))
        assert estream_main(["marketplace", "registry-init", "--registry", url, "--keyring", str(tmp / "ring.toml"), *root_key_args(tmp)]) == 0
        os.environ.update(trust_env(key))  # publishers sign snapshots; consumers pin the root (issue 13)
        total = 0
        for depth, name in reversed(list(enumerate(CHAIN))):
            deps = {CHAIN[depth + 1]: "^1.0"} if depth + 1 < len(CHAIN) else {}
            extra = {f"schemas/{name}-{i}.esf.yaml": schema(name, i) for i in range(opts.files - 1)}
            archive = package_archive(name, "1.0.0", key=key, deps=deps, extra=extra, provides=[f"B{depth}Event"])
            total += len(archive)
            (tmp / f"{name}.tar.gz").write_bytes(archive)
            assert estream_main(["marketplace", "publish", str(tmp / f"{name}.tar.gz"), "--registry", url]) == 0
        env = dict(os.environ, PYTHONPATH=str(PLUGINS), ESTREAM_REGISTRY=url, HOME=str(home))
        cold, warm, offline = [], [], []
        for r in range(opts.repeat):
            shutil.rmtree(home / ".estream", ignore_errors=True)
            ws = tmp / f"ws-cold-{r}"
            ws.mkdir()
            cold.append(run(["marketplace", "install", "bench-app", "--workspace", str(ws)], env))
            ws2 = tmp / f"ws-warm-{r}"
            ws2.mkdir()
            warm.append(run(["marketplace", "install", "bench-app", "--workspace", str(ws2)], env))
            ws3 = tmp / f"ws-off-{r}"
            ws3.mkdir()
            shutil.copy(ws / "estream-workspace.toml", ws3 / "estream-workspace.toml")
            offline.append(run(["marketplace", "install", "--offline", "--workspace", str(ws3)], env))
        files = sum(1 for _ in (tmp / "ws-cold-0").rglob("*") if _.is_file())
        print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}")
        print(f"# 6 packages x {opts.files} files ({total // 1024} KB of archives), {files} workspace files installed")
        print("| run | best | all runs |")
        print("| --- | --- | --- |")
        for label, values in (("cold (empty cache, no checkout)", cold), ("warm (cache + checkout)", warm), ("offline from lock", offline)):
            print(f"| {label} | **{min(values):.2f} s** | {', '.join(f'{v:.2f}' for v in values)} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
