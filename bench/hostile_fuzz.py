"""Hostile-input bench (issue 13): the cost of the amplification inputs through
`estream marketplace verify` (peak RSS and CPU of the CLI process, lines printed), and a longer
run of the fuzzing properties of `tests/hostile/fuzz_test.py`.

    PYTHONPATH=pants-plugins:tests python bench/hostile_fuzz.py [--examples 2000]
        [--before /work/main/pants-plugins] [--tomli PATH_WITH_TOMLI_2_0_1]

`--before` also measures another checkout (e.g. main before the fix) for a before/after table;
`--tomli` puts a directory holding tomli 2.0.1 (the version pinned in the pants-plugins resolve,
which is quadratic in a dotted key's parts) first on the import path of the measured CLI.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from estream.core.archive import DEFAULT_MAX_TOTAL_BYTES
from estream.core.keys import SigningKey
from hostile import fuzz_test
from hostile.amplification import gzip_bomb, long_dotted_key, measure_cli, million_entry_signature, write_keyring


def amplification(before: str, tomli: str) -> None:
    key = SigningKey.generate("acme-release")
    inputs = {
        "SIGNATURE.ml-dsa listing 1,000,000 bogus entries": million_entry_signature(key),
        "manifest with a 12,000-part dotted key": long_dotted_key(key),
        f"gzip bomb: one 300 MB file of zeros (cap {DEFAULT_MAX_TOTAL_BYTES // 2**20} MiB)": gzip_bomb(),
    }
    trees = [("after", None)] + ([("before", before)] if before else [])
    print("| input | archive | tree | exit | peak RSS | CPU | lines printed |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        ring = write_keyring(Path(tmp) / "keyring.toml", key)
        for label, archive in inputs.items():
            path = Path(tmp) / "input.tar.gz"
            path.write_bytes(archive)
            for tree, root in trees:
                cost = measure_cli(
                    ["marketplace", "verify", str(path), "--keyring", str(ring)],
                    env={"ESTREAM_HOME": tmp},
                    plugin_root=root,
                    path_prefix=[tomli] if tomli else [],
                )
                print(f"| {label} | {len(archive):,} B | {tree} | {cost.rc} | {cost.rss_mb:.0f} MB | {cost.cpu_s:.2f} s | {cost.lines:,} |")


def fuzz(examples: int) -> None:
    print("\n| reader | examples | seconds |\n| --- | --- | --- |")
    total = 0
    for kind, name in fuzz_test.CASES:
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
        @given(fuzz_test.STRATEGIES[kind])
        def prop(data: bytes) -> None:
            fuzz_test.check(kind, name, data)

        start = time.monotonic()
        prop()
        total += examples
        print(f"| {kind}: {name} | {examples} | {time.monotonic() - start:.1f} |")
    print(f"\n{total} examples, no exception other than EstreamError")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--before", default="", help="another checkout's pants-plugins directory to measure too")
    parser.add_argument("--tomli", default="", help="directory holding tomli 2.0.1, first on the measured CLI's path")
    parser.add_argument("--skip-fuzz", action="store_true")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; python {sys.version.split()[0]}\n")
    amplification(args.before, args.tomli)
    if not args.skip_fuzz:
        fuzz(args.examples)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
