"""Benchmark: `estream marketplace verify` on a 100 MB package vs raw SHA3-256 of the same bytes.

Usage: python bench/verify_throughput.py [--mb 100] [--files 100] [--repeat 3]
(run with pants-plugins/ on sys.path; needs dilithium-py, tomli). Prints a Markdown table row.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pants-plugins"))

from estream.cli.main import main as estream_main  # noqa: E402
from estream.core.keys import SigningKey, write_public_key  # noqa: E402
from estream.core.merkle import SIGNATURE_FILE  # noqa: E402
from estream.core.signature import sign_package  # noqa: E402


def make_package(root: Path, total_mb: int, files: int) -> None:
    size = total_mb * 1024 * 1024 // files
    contents = {
        "estream-component.toml": (
            b'[component]\nname = "bench-big"\nversion = "1.0.0"\ncategory = "esf-schema"\n'
            b'description = "benchmark"\nlicense = "Apache-2.0"\n'
        )
    }
    for i in range(files):
        contents[f"data/blob-{i:04d}.bin"] = os.urandom(size)
    key = SigningKey.generate("bench-key")
    contents[SIGNATURE_FILE] = sign_package(
        contents, name="bench-big", version="1.0.0", key=key, signed_at="2026-01-01T00:00:00Z"
    )
    for rel, data in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    write_public_key(root.parent / "bench.pub", key.public)


def raw_sha3(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hashlib.sha3_256(path.read_bytes()).digest()


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        make_package(root, args.mb, args.files)
        pub = str(Path(tmp) / "bench.pub")

        def verify() -> None:
            code = estream_main(["marketplace", "verify", str(root), "--key", pub])
            assert code == 0, code

        raw = best_of(args.repeat, lambda: raw_sha3(root))
        ver = best_of(args.repeat, verify)
    mbps = args.mb / ver
    print(f"| {platform.processor() or platform.machine()} | {args.mb} MB / {args.files} files "
          f"| raw SHA3-256 {raw:.3f} s | verify {ver:.3f} s ({mbps:.0f} MB/s) | ratio {ver / raw:.2f}x |")


if __name__ == "__main__":
    main()
