"""The queue-append RTL in Icarus Verilog against vectors computed in Python (zlib's CRC-32).

The testbench `$fatal`s on the first mismatch, the only way Icarus exits non-zero, so a wrong
witness, sequence number or read-back is seen in the exit status (the injected-failure case
proves it). Without `iverilog` on the PATH the tests skip (see native_tools.py); CI installs
it (.ci/run).
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from integration.native_tools import ICARUS
from integration.pants_repo import source_root

RTL = Path("circuits/queue/append/rtl")


def vectors(count: int, seed: int) -> list:
    rng = random.Random(seed)
    entries = [0, 0xFFFFFFFF, 0x80000000, 1] + [rng.getrandbits(32) for _ in range(count - 4)]
    crc, rows = 0, []
    for seq, entry in enumerate(entries):
        crc = zlib.crc32(struct.pack("<I", entry), crc)
        rows.append([entry, seq, crc])
    return rows


def simulate(tmp_path: Path, rows: list) -> subprocess.CompletedProcess:
    ICARUS.require()
    iverilog, vvp = shutil.which("iverilog"), shutil.which("vvp")
    assert iverilog and vvp  # the test is skipped without them
    root = source_root()
    hexfile = tmp_path / "vectors.hex"
    hexfile.write_text("".join(" ".join(f"{w:08x}" for w in row) + "\n" for row in rows))
    binary = tmp_path / "tb.vvp"
    subprocess.run(
        [
            iverilog,
            "-g2005",
            "-Wall",
            "-Wno-timescale",
            "-o",
            str(binary),
            str(root / RTL / "queue_append.v"),
            str(root / RTL / "queue_append_tb.v"),
        ],
        check=True,
    )
    return subprocess.run(
        [vvp, "-n", str(binary), f"+VECTORS={hexfile}", f"+N={len(rows)}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )


def test_rtl_matches_crc32_golden_vectors(tmp_path: Path) -> None:
    rows = vectors(64, seed=5)
    result = simulate(tmp_path, rows)
    assert result.returncode == 0, result.stdout
    assert "PASS: 64 entries appended, acknowledged and read back" in result.stdout


def test_a_wrong_expected_witness_fails_the_simulation(tmp_path: Path) -> None:
    rows = vectors(16, seed=9)
    rows[10][2] ^= 0x00010000
    result = simulate(tmp_path, rows)
    assert result.returncode != 0, result.stdout
    assert "entry 10: witness" in result.stdout


def test_the_vector_testbench_counts_cycles_per_append(tmp_path: Path) -> None:
    """The golden vectors through `queue_append_vectors_tb` (the design the bitstreams are built
    from): every acked append reports its latency, counted by the testbench."""
    import copy

    from integration.rtl_vector_sim import IcarusVectors, golden_vectors

    ICARUS.require()
    root = source_root()
    sim = IcarusVectors(
        tmp_path / "sim",
        [root / RTL / f for f in ("queue_append.v", "queue_append_top.v", "queue_append_vectors_tb.v")],
        "queue_append_vectors_tb",
        root / "circuits/queue/append/src",
        "queue_append_rtl",
    )
    found = golden_vectors(root / "circuits/queue/append/tests/golden", ["queue_append_pipeline"])
    assert found
    for vector in found:
        assert sim(copy.deepcopy(vector["input"])) == vector["expected_output"], vector["name"]
    # The 4th byte strobe is sampled on one edge, the word enters the core on the next, whose ack
    # is registered there: 2 edges, both counted.
    assert set(sim.cycles) == {"queue.append"} and set(sim.cycles["queue.append"]) == {2}
