"""The lex map RTL (circuits/map/rtl) in Icarus Verilog against the golden vectors of `map_get`,
`map_put` and `map_cas`, the same files their CPU reference passes, with the cycles per operation
the testbench counts.

Without `iverilog` on the PATH the tests skip with the install command (native_tools.py); CI
installs it. The injected-fault case (a design that bumps versions by 2) proves a wrong design
fails the vectors.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from integration.native_tools import ICARUS
from integration.pants_repo import source_root
from integration.rtl_vector_sim import IcarusVectors, golden_vectors

MAP = Path("circuits/map")
RTL = ("lex_map_cam.v", "lex_map_top.v", "lex_map_vectors_tb.v")


def simulation(tmp_path: Path, rtl_dir: Path) -> IcarusVectors:
    ICARUS.require()
    root = source_root()
    return IcarusVectors(
        tmp_path / "sim", [rtl_dir / f for f in RTL], "lex_map_vectors_tb", root / MAP / "src", "lex_map_rtl"
    )


def vectors() -> list:
    return golden_vectors(source_root() / MAP / "tests/golden", ["map_get", "map_put", "map_cas"])


def cpu(vector: dict) -> dict:
    sys.path.insert(0, str(source_root() / MAP / "src"))
    import lex_map  # pants: no-infer-dep (the package source, put on sys.path above)

    return getattr(lex_map, vector["circuit"][len("map_") :])(copy.deepcopy(vector["input"]))


def test_the_rtl_passes_the_golden_vectors_of_get_put_and_cas_and_counts_cycles(tmp_path: Path) -> None:
    sim = simulation(tmp_path, source_root() / MAP / "rtl")
    found = vectors()
    assert {v["circuit"] for v in found} == {"map_get", "map_put", "map_cas"} and len(found) >= 15
    for vector in found:
        assert cpu(vector) == vector["expected_output"], vector["name"]
        assert sim(copy.deepcopy(vector["input"])) == vector["expected_output"], vector["name"]
    # Counted by the testbench, not assumed: the CAM answers on the edge that samples `go`.
    assert set(sim.cycles) == {"map.put", "map.cas", "map.get"}  # not the LOAD/READ helpers
    assert {n for op in ("map.put", "map.cas", "map.get") for n in sim.cycles[op]} == {1}
    # Every vector that reaches the map runs one GET (a get, or a write's read-back); a bad root
    # or key never reaches it.
    refused = [v for v in found if {"put_error", "get_error"} & set(v["expected_output"])]
    assert len(sim.cycles["map.get"]) == len(found) - len(refused)
    # The lookups miss as the CPU reference says: absent and expired keys are version 0.
    misses = [v["name"] for v in found if v["expected_output"].get("entry", {}).get("found") is False]
    assert misses == ["get-absent", "get-expired"]


def broken_design(tmp_path: Path, fault: str, replacement: str) -> IcarusVectors:
    broken = tmp_path / "rtl"
    broken.mkdir(parents=True)
    for name in RTL:
        text = (source_root() / MAP / "rtl" / name).read_text()
        if name == "lex_map_cam.v":
            assert text.count(fault) == 1
            text = text.replace(fault, replacement)
        (broken / name).write_text(text)
    return simulation(tmp_path, broken)


def test_a_wrong_design_fails_the_vectors(tmp_path: Path) -> None:
    sim = broken_design(tmp_path / "version", "+ 32'd1;", "+ 32'd2;")  # versions jump by two
    overwrite = next(v for v in vectors() if v["name"] == "put-overwrite")
    got = sim(copy.deepcopy(overwrite["input"]))
    assert got != overwrite["expected_output"]
    assert got["result"]["version"] == 3
    # A lookup that still finds an entry at its expiry time fails the get vectors.
    sim = broken_design(tmp_path / "ttl", "expires[hit_slot] > req_now", "expires[hit_slot] >= req_now")
    expired = next(v for v in vectors() if v["name"] == "get-expired")
    got = sim(copy.deepcopy(expired["input"]))
    assert got == {
        "entry": {"key": "session", "found": True, "value": "abc", "version": 1, "expires_at": 150}
    }


def test_the_capacity_is_eight_entries_and_says_so(tmp_path: Path) -> None:
    sys.path.insert(0, str(source_root() / MAP / "src"))
    from lex_map import state_root  # pants: no-infer-dep
    from lex_map_rtl import CAPACITY, CodecError  # pants: no-infer-dep

    sim = simulation(tmp_path, source_root() / MAP / "rtl")
    entries = {f"k{i}": {"value": str(i), "version": 1} for i in range(CAPACITY)}
    full = {
        "state": {"entries": entries, "root": state_root(entries)},
        "put": {"key": "new", "value": "x", "now": 1},
    }
    with pytest.raises(CodecError, match="the RTL map holds 8"):
        sim(full)
    # Overwriting a key of a full map needs no free slot.
    over = copy.deepcopy(full)
    over["put"]["key"] = "k3"
    assert sim(over)["result"]["version"] == 2
    entries = dict(entries, extra={"value": "9", "version": 1})
    with pytest.raises(CodecError, match="the state has 9 entries; the RTL map holds 8"):
        sim(
            {
                "state": {"entries": entries, "root": state_root(entries)},
                "put": {"key": "k0", "value": "x", "now": 1},
            }
        )
