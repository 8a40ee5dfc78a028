"""Benchmark (issue 18, items 1, 2 and 5): the README's two commands on a fresh clone, empty caches.

What a stranger meets: `git clone` of a commit, then the README's commands with nothing cached.
"Nothing cached" is made with a fresh `XDG_CACHE_HOME`, which holds every cache the commands use:
the `./pants` launcher's Pants venv and pex CLI (`estream-pants/`), Pants' local process store
(`pants/lmdb_store`) and its named caches (`pants/named_caches`: pex's root, the YoWASP WebAssembly
cache, FuseSoC's cache) and pip's download cache, so the downloads from the package index are part of
the measured time, as on a fresh machine.

Steps, each in its own clone (so one step's outputs cannot help another) unless named:

* `package`: `./pants package ::` with empty caches (item 5: under 5 minutes; each YoWASP tool
  compiled once).
* `test`: `./pants test ::` with empty caches (item 2: under 20 minutes; item 1: every target
  passes and none runs within 3x of its timeout), then in the same clone and caches:
  - `cached`: `./pants test ::` again (item 2: under 2 minutes);
  - `esf-edit`: one ESF file edited (a field's description changes), `./pants test ::` again
    (item 2: under 3 minutes, and only the targets that depend on that file re-run: the
    re-run set is compared with `./pants dependents --transitive` of the file).

Every run is `--no-pantsd` (as CI runs). The load average is sampled every 5 s during each run
and reported as min/mean/max, with the CPU count. Per-target times come from Pants' own summary
lines, and each target's timeout from `./pants peek`.

Usage: python3 bench/fresh_clone_suite.py [--rev HEAD] [--out /tmp/fresh-bench] [--steps package,test]
       python3 bench/fresh_clone_suite.py --out DIR --steps edit  (the ESF edit again, in DIR's test clone)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
ESF_EDIT = "schemas/esf-iot/schemas/iot-telemetry.esf.yaml"
RESULT_LINE = re.compile(r"^([✓✕]) (\S+) (succeeded|failed) in ([0-9.]+)s(?: \(([^)]*)\))?\.?$")


@dataclass
class LoadSampler:
    samples: List[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))
            self.stop.wait(5)

    def summary(self) -> str:
        s = self.samples or [0.0]
        return f"load {min(s):.1f}/{sum(s) / len(s):.1f}/{max(s):.1f} (min/mean/max, {os.cpu_count()} CPUs)"


@dataclass
class Run:
    name: str
    wall: float
    returncode: int
    load: str
    output: str

    def targets(self) -> Dict[str, Tuple[str, float, str]]:
        """Target → (status, seconds, cache note) from Pants' summary lines."""
        found = {}
        for line in self.output.splitlines():
            m = RESULT_LINE.match(line.strip())
            if m:
                found[m.group(2)] = (m.group(3), float(m.group(4)), m.group(5) or "")
        return found


def pants(clone: Path, env: Dict[str, str], name: str, *args: str, log_dir: Path) -> Run:
    sampler = LoadSampler()
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    start = time.monotonic()
    proc = subprocess.run(
        ["./pants", *args], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    wall = time.monotonic() - start
    sampler.stop.set()
    thread.join()
    (log_dir / f"{name}.log").write_text(proc.stdout)
    run = Run(name, wall, proc.returncode, sampler.summary(), proc.stdout)
    print(
        f"{name}: ./pants {' '.join(args)}: {wall:.1f} s wall, exit {proc.returncode}, {run.load}", flush=True
    )
    return run


def clone_env(cache: Path) -> Dict[str, str]:
    """The environment of every run: CACHE as the only cache root, no pantsd, plain output."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PANTS_PANTSD": "false", "PANTS_DYNAMIC_UI": "false"}
    env.pop("ESTREAM_PANTS_CACHE", None)
    return env


def fresh_clone(rev: str, where: Path) -> Tuple[Path, Dict[str, str]]:
    clone = where / "repo"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", rev], cwd=clone, check=True)
    cache = where / "cache"
    cache.mkdir()
    return clone, clone_env(cache)


def pants_stdout(clone: Path, env: Dict[str, str], *args: str) -> str:
    """The stdout of a quick `./pants` query (peek, dependents); a failure stops the bench."""
    return subprocess.run(
        ["./pants", *args],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
    ).stdout


def default_timeout(clone: Path) -> int:
    return tomllib.loads((clone / "pants.toml").read_text())["test"]["timeout_default"]


def timeouts(clone: Path, env: Dict[str, str]) -> Dict[str, Optional[int]]:
    peek = pants_stdout(clone, env, "peek", "--exclude-defaults", "::")
    return {t["address"]: t.get("timeout") for t in json.loads(peek) if t.get("target_type") == "python_test"}


def report_targets(run: Run, limits: Dict[str, Optional[int]], default_timeout: int) -> None:
    rows = sorted(run.targets().items(), key=lambda kv: -kv[1][1])
    failed = [t for t, (status, _, _) in rows if status == "failed"]
    print(f"  targets: {len(rows)} ({len(rows) - len(failed)} passed, {len(failed)} failed: {failed})")
    close = []
    for target, (status, seconds, note) in rows:
        limit = limits.get(target) or default_timeout
        if seconds * 3 > limit:
            close.append(target)
        if seconds >= 60 or target in close:
            print(f"  {seconds:8.1f} s  timeout {limit:5d} s  {target} {status} {note}")
    print(f"  within 3x of the timeout: {close or 'none'}")


def step_package(rev: str, out: Path) -> None:
    clone, env = fresh_clone(rev, out / "package")
    run = pants(clone, env, "package-fresh", "package", "::", log_dir=out)
    locks = sorted((out / "package/cache/pants/named_caches/estream_yowasp/estream-locks").glob("*.lock"))
    for lock in locks:
        history = lock.read_text().splitlines()
        print(f"  {lock.stem}: compiled {history.count('compiled')}x; history {history}")
    if run.returncode != 0:
        print(run.output[-3000:])


def step_test(rev: str, out: Path) -> None:
    clone, env = fresh_clone(rev, out / "test")
    fresh = pants(clone, env, "test-fresh", "test", "::", log_dir=out)
    limits = timeouts(clone, env)
    report_targets(fresh, limits, default_timeout(clone))
    cached = pants(clone, env, "test-cached", "test", "::", log_dir=out)
    rerun = [t for t, (_, _, note) in cached.targets().items() if not note]
    print(f"  targets not from a cache: {rerun or 'none'}")

    step_esf_edit(clone, env, out, limits)


def step_esf_edit(clone: Path, env: Dict[str, str], out: Path, limits: Dict[str, Optional[int]]) -> None:
    """Edit one schema's description (valid ESF before and after) and run the tests again."""
    path = clone / ESF_EDIT
    text = path.read_text()
    edited = re.sub(r'(description: "[^"]*)(")', r"\1, edited\2", text, count=1)
    assert edited != text, f"{ESF_EDIT} has no quoted description to edit"
    path.write_text(edited)
    dependents = set(pants_stdout(clone, env, "dependents", "--transitive", ESF_EDIT).split())
    edit = pants(clone, env, "test-esf-edit", "test", "::", log_dir=out)
    rerun = sorted(t for t, (_, _, note) in edit.targets().items() if not note)
    print(f"  re-ran {len(rerun)} targets: {rerun}")
    print(f"  re-ran but not a dependent of {ESF_EDIT}: {sorted(set(rerun) - dependents) or 'none'}")
    report_targets(edit, limits, default_timeout(clone))


def step_edit_again(rev: str, out: Path) -> None:
    """Only the ESF edit, in the clone and caches a finished `test` step left in OUT (reset first)."""
    clone = out / "test/repo"
    env = clone_env(out / "test/cache")
    subprocess.run(["git", "checkout", "-q", "--", ESF_EDIT], cwd=clone, check=True)
    cached = pants(clone, env, "test-cached-again", "test", "::", log_dir=out)
    rerun = [t for t, (_, _, note) in cached.targets().items() if not note]
    print(f"  targets not from a cache: {rerun or 'none'}")
    step_esf_edit(clone, env, out, timeouts(clone, env))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--out", default="/tmp/fresh-bench")
    parser.add_argument("--steps", default="package,test")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    if args.steps != "edit":
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
    # `edit` re-uses the clone a `test` step left: report that clone's commit, not this one's.
    where = out / "test/repo" if args.steps == "edit" else REPO
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD" if args.steps == "edit" else args.rev],
        cwd=where,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.strip()
    print(
        f"commit {rev[:10]}, {os.cpu_count()} CPUs, started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    for step in args.steps.split(","):
        {"package": step_package, "test": step_test, "edit": step_edit_again}[step](rev, out)


if __name__ == "__main__":
    main()
