"""Benchmark: cold, local-cache-warm and remote-cache-warm `package test ::` of the example repo.

A real BuildGrid (build-support/buildgrid/buildgrid.sh, disk CAS + in-memory action cache) serves
as the remote cache. Each build runs `./pants --no-pantsd` (so every figure includes Pants'
~10 s start-up) in a scrubbed environment, with the remote-cache profile:

1. cold: a fresh checkout, empty local store, empty remote cache: every process runs (the pip/pex
   download cache, "named caches", is the user's, so PyPI downloads are not timed);
2. local-warm: the same checkout and store again: every process is a local cache hit;
3. remote-warm: a second checkout at another path with an empty local store and empty named
   caches: every process should come from the remote cache; the ones that did not are listed.

Usage: python3 bench/remote_cache.py [--repeat 1] [--out DIR]   (DIR: scratch, default a new
temporary directory; it is deleted at the end)
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests")]

from integration import pants_repo  # noqa: E402
from integration.buildgrid import (  # noqa: E402
    PROFILE,
    buildgrid_server,
    clean_env,
    parse_counters,
    remote_cache_args,
    remote_lookups,
    run_pants_clean,
    user_named_caches,
)

# Everything, except integration tests (they run Pants itself).
GOALS = ["--unmatched-cli-globs=ignore", "package", "test", "::", "-**/*_integration_test.py"]
SHOWN = (
    "local_execution_requests",
    "local_cache_requests_cached",
    "local_cache_requests_uncached",
    "remote_cache_requests",
    "remote_cache_requests_cached",
    "remote_cache_requests_uncached",
    "remote_cache_write_successes",
    "remote_cache_speculation_local_completed_first",
    "remote_cache_speculation_remote_completed_first",
)


def checkout(dest: Path) -> Path:
    """Copy the repository (as the integration tests do) plus the remote-cache profile."""
    repo = pants_repo.copy_repo(dest)
    shutil.copy2(REPO / PROFILE, repo / PROFILE)
    return repo


def timed(repo: Path, args: List[str], env: Dict[str, str]) -> Tuple[float, Dict[str, int], dict]:
    start = time.monotonic()
    result = run_pants_clean(repo, args, env).assert_success()
    elapsed = time.monotonic() - start
    return elapsed, parse_counters(result.stderr), remote_lookups(result.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each warm measurement")
    parser.add_argument("--out", type=Path, default=None, help="scratch directory (deleted)")
    args = parser.parse_args()

    # copy_repo copies from the current directory's repository.
    pants_repo.source_root = lambda: REPO  # type: ignore[assignment]
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="estream-remote-cache-bench-", dir=args.out))
    # Packages are signed with the development key Pants creates once in this (shared) HOME.
    home = out / "home"
    home.mkdir()
    extra = {"SOURCE_DATE_EPOCH": "1767225600"}
    env = clean_env(home, user="bench", extra=extra)

    rows = []
    with buildgrid_server(REPO, out / "buildgrid") as grid:
        first = checkout(out / "first" / "checkout")
        store = out / "store-first"
        named = Path(user_named_caches())
        cold = timed(first, [*remote_cache_args(grid.address, store, named), *GOALS], env)
        rows.append(("cold (empty local store, empty remote cache)", cold))
        for i in range(args.repeat):
            warm = timed(first, [*remote_cache_args(grid.address, store, named), *GOALS], env)
            rows.append((f"local-warm (same checkout and store) #{i + 1}", warm))
        floor = timed(first, [*remote_cache_args(grid.address, store, named), "list", "::"], env)
        rows.append(("floor: `list ::` (Pants start-up, no process)", floor))
        for i in range(args.repeat):
            second = checkout(out / f"second-{i}" / "elsewhere" / "checkout")
            remote = timed(
                second,
                [*remote_cache_args(grid.address, out / f"store-second-{i}", out / f"named-{i}"),
                 *GOALS],
                env,
            )
            rows.append((f"remote-warm (other checkout, empty store + named caches) #{i + 1}", remote))

    print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
          f"python {platform.python_version()}")
    print("| build | wall time | " + " | ".join(SHOWN) + " |")
    print("| --- | --- |" + " --- |" * len(SHOWN))
    for name, (elapsed, counters, _) in rows:
        print(f"| {name} | {elapsed:.1f} s | "
              + " | ".join(str(counters.get(c, 0)) for c in SHOWN) + " |")
    cold_time = rows[0][1][0]
    for name, (elapsed, _, lookups) in rows:
        if name.startswith("remote-warm"):
            print(f"\n{name}: {elapsed / cold_time:.0%} of cold; remote hits {len(lookups['hit'])}, "
                  f"misses {len(lookups['miss'])}: {lookups['miss'] or 'none'}")
    print("\nprocesses served from the remote cache:")
    for description in sorted(rows[-1][1][2]["hit"]):
        print(f"  {description}")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
