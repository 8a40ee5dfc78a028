"""Benchmark: what the crash-safety work (locks, fsyncs, journal checks) costs `install` and `publish`.

Usage: python bench/crash_safety.py [--base 9cb949b] [--repeat 7] [--files 20]
(run from the repository with pants-plugins/ importable; needs dilithium-py, tomli, git).

The base revision is checked out into a temporary `git worktree` and both trees run side by side
on the same local bare-git registry, alternating run by run so a change of machine load hits both
alike. Each run is a real `estream` process (interpreter start-up included), each tree with its own
ESTREAM_HOME, warmed once:

* warm install: `install bench-app` (5 transitive dependencies, `--files` files each) into a fresh
  workspace with the cache and the registry checkout present (git fetch + verify + install);
* publish: `publish` of a new version of a small package (sync, verify, commit, push).

Prints the median and best of each and the ratio new/base of the medians (the budget is 1.20).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGINS = REPO / "pants-plugins"
sys.path.insert(0, str(PLUGINS))

from estream.cli.main import main as estream_main  # noqa: E402
from estream.core.keys import SigningKey  # noqa: E402
from estream.core.registry.testing import bare_repo, keyring_text, package_archive  # noqa: E402

CHAIN = ["bench-app", "bench-l1", "bench-l2", "bench-l3", "bench-l4", "bench-base"]


def schema(name: str, i: int) -> bytes:
    return (f'version: "1.0"\nnamespace: bench.{name.replace("-", "_")}\nschemas:\n  S{i}:\n'
            f'    description: "schema {i}"\n    fields:\n      id:\n        type: bytes32\n' + "#" * 2000 + "\n").encode()


def timed(args, env) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "estream.cli.main", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"estream {' '.join(args)} failed:\n{proc.stderr.decode()}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="9cb949b", help="revision before the change")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--files", type=int, default=20, help="files per package")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="crash-bench-"))
    base_tree = tmp / "base"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(base_tree), opts.base], check=True)
    try:
        os.environ["HOME"] = str(tmp / "home")
        key = SigningKey.generate("bench-release")
        url = bare_repo(tmp / "index.git")
        (tmp / "ring.toml").write_text(keyring_text(key))
        os.environ["ESTREAM_HOME"] = str(tmp / "setup-home")
        assert estream_main(["marketplace", "registry-init", "--registry", url, "--keyring", str(tmp / "ring.toml")]) == 0
        for depth, name in reversed(list(enumerate(CHAIN))):
            deps = {CHAIN[depth + 1]: "^1.0"} if depth + 1 < len(CHAIN) else {}
            extra = {f"schemas/{name}-{i}.esf.yaml": schema(name, i) for i in range(opts.files - 1)}
            (tmp / f"{name}.tar.gz").write_bytes(package_archive(name, "1.0.0", key=key, deps=deps, extra=extra, provides=[f"B{depth}Event"]))
            assert estream_main(["marketplace", "publish", str(tmp / f"{name}.tar.gz"), "--registry", url]) == 0
        trees = {"base": base_tree / "pants-plugins", "new": PLUGINS}
        envs = {}
        for label, plugins in trees.items():
            envs[label] = dict(os.environ, PYTHONPATH=str(plugins), ESTREAM_REGISTRY=url, ESTREAM_HOME=str(tmp / f"home-{label}"))
            warmup = tmp / f"ws-{label}-warmup"
            warmup.mkdir()
            timed(["marketplace", "install", "bench-app", "--workspace", str(warmup), "--no-tests"], envs[label])
        archives = {}
        for label in trees:
            for r in range(opts.repeat):
                path = tmp / f"pub-{label}-{r}.tar.gz"
                path.write_bytes(package_archive(f"bench-pub-{label}", f"1.0.{r}", key=key, provides=[f"P{r}"]))
                archives[label, r] = path
        install = {label: [] for label in trees}
        publish = {label: [] for label in trees}
        for r in range(opts.repeat):
            order = list(trees) if r % 2 == 0 else list(reversed(list(trees)))
            for label in order:
                ws = tmp / f"ws-{label}-{r}"
                ws.mkdir()
                install[label].append(timed(["marketplace", "install", "bench-app", "--workspace", str(ws), "--no-tests"], envs[label]))
                publish[label].append(timed(["marketplace", "publish", str(archives[label, r])], envs[label]))
        files = sum(1 for p in (tmp / "ws-new-0").rglob("*") if p.is_file())
        git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]
        print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, git {git}; load average {os.getloadavg()[0]:.2f} (1 min) at the end")
        print(f"# warm install: 6 packages x {opts.files} files, {files} workspace files; {opts.repeat} alternating runs per tree; base = {opts.base}")
        print("| run | base median (best) | new median (best) | new / base (medians) |")
        print("| --- | --- | --- | --- |")
        for what, values in (("warm install, 5 deps", install), ("publish", publish)):
            b, n = statistics.median(values["base"]), statistics.median(values["new"])
            print(f"| {what} | {b:.2f} s ({min(values['base']):.2f}) | {n:.2f} s ({min(values['new']):.2f}) | **{n / b:.2f}** |")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_tree)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
