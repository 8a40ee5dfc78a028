"""Benchmark: what building a `fusesoc_core` by VLNV adds to building it by `.core` file.

The VLNV path adds two steps before the build process (which is the same as `core=`'s and is
measured by bench/fusesoc_core.py):
  1. the git library fetch (`edalize_driver.py fetch-library`: FuseSoC's git provider clones,
     checks out the locked commit, drops `.git`); a Pants process cached by URL + commit, so it
     runs once per commit per machine (or remote cache);
  2. the VLNV lookup (`edalize_driver.resolve_vlnv`: FuseSoC's CoreManager loading every core of
     the libraries), inside the build process, on every build that really runs.
Measured on SERV (`3rdparty/fusesoc/serv`, committed into a local bare repository: GitHub is not
reachable here) and `3rdparty/fusesoc/fusesoc-generators`, each step run RUNS times as a fresh
process; the median is reported.

Usage: python3 bench/fusesoc_library.py --python PYTHON [--runs N]
  PYTHON: an interpreter with FuseSoC 2.4.7 (e.g. the `fpga-tools` venv from
  `./pants export --resolve=fpga-tools`).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "pants-plugins/estream/fpga/edalize_driver.py"
VLNV = "award-winning:serv:servant:1.4.0"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ).stdout.strip()


def timed(argv, cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fusesoc-library-bench-"))
    try:
        work = tmp / "serv"
        shutil.copytree(REPO / "3rdparty/fusesoc/serv", work)
        git("init", "-q", cwd=work)
        git("add", "-A", cwd=work)
        git("commit", "-qm", "serv", cwd=work)
        commit = git("rev-parse", "HEAD", cwd=work)
        bare = tmp / "serv.git"
        git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp)
        gitbin = shutil.which("git")
        shutil.copy(DRIVER, tmp / "edalize_driver.py")
        (tmp / "fusesoc.conf").write_text(f"[main]\ncache_root = {tmp / 'cache'}\n")
        shutil.copytree(REPO / "3rdparty/fusesoc/fusesoc-generators", tmp / "generators")

        fetches = []
        for i in range(args.runs):
            run_dir = tmp / f"fetch{i}"
            run_dir.mkdir()
            shutil.copy(DRIVER, run_dir / "edalize_driver.py")
            fetches.append(timed(
                [args.python, "edalize_driver.py", "fetch-library", gitbin, f"file://{bare}", commit, "tree"],
                run_dir,
            ))
        shutil.copytree(tmp / "fetch0/tree", tmp / "tree")
        lookup = (
            "import edalize_driver as d; "
            f"print(d.resolve_vlnv({VLNV!r}, [{{'name': 'serv', 'location': 'tree'}}, "
            f"{{'name': 'generators', 'location': 'generators'}}], {str(tmp)!r}))"
        )
        lookups = [timed([args.python, "-c", lookup], tmp) for _ in range(args.runs)]
        python_only = [timed([args.python, "-c", "import fusesoc.coremanager"], tmp) for _ in range(args.runs)]
        files = sum(len(f) for _, _, f in os.walk(tmp / "tree"))
        print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs")
        print(f"load average (1/5/15 min): {' '.join('%.2f' % x for x in os.getloadavg())}")
        print(f"python: {args.python}")
        print(f"SERV library: {files} files at {commit[:12]}")
        print(f"git fetch (FuseSoC git provider, local bare repo), median of {args.runs}: {statistics.median(fetches):.2f} s (min {min(fetches):.2f})")
        print(f"VLNV lookup (CoreManager over serv + generators), median of {args.runs}: {statistics.median(lookups):.2f} s (min {min(lookups):.2f})")
        print(f"  of which starting Python + importing FuseSoC: {statistics.median(python_only):.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
