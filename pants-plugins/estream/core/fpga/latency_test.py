from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.fpga.latency import (
    cycle_counts,
    latency_rows,
    ops,
    render_markdown,
    render_text,
    summary,
)


def rows(device: str, fmax: float, cycles: dict):
    return latency_rows(device, fmax, cycle_counts(cycles, where="sim"), where="report.json")


def test_ns_and_ops_per_second_come_from_measured_cycles_and_fmax() -> None:
    (row,) = rows("up5k", 50.0, {"queue.append": [2, 2, 2]})
    assert row.count.cycles == 2 and row.count.constant and row.count.samples == 3
    assert row.ns_per_op == pytest.approx(40.0)
    assert row.ops_per_s == pytest.approx(25e6)


def test_the_worst_case_counts_and_a_varying_latency_is_shown() -> None:
    (row,) = rows("up5k", 100.0, {"map.put": [1, 3, 2]})
    assert (row.count.cycles, row.count.best, row.count.constant) == (3, 1, False)
    assert row.ns_per_op == pytest.approx(30.0)
    assert "3 (best 1)" in render_text([row])[1]


def test_a_target_is_met_only_strictly_inside_it() -> None:
    (exactly,) = rows("a", 50.0, {"queue.append": [2]})  # 40.0 ns: not < 40 ns
    (faster,) = rows("b", 51.0, {"queue.append": [2]})
    assert exactly.latency_met() is False
    assert faster.latency_met() is True
    assert exactly.verdict() == "does not meet < 40 ns; does not meet >= 200M ops/s"
    (fast,) = rows("c", 400.0, {"queue.append": [2]})  # 5 ns, 200M ops/s
    assert fast.verdict() == "meets < 40 ns; meets >= 200M ops/s"


def test_an_operation_without_a_target_says_so() -> None:
    (row,) = rows("up5k", 50.0, {"map.cas": [1]})
    assert row.latency_met() is None and row.throughput_met() is None
    assert row.verdict() == "no §9.3 target"


def test_map_get_has_a_latency_target_only() -> None:
    (row,) = rows("ecp5", 250.0, {"map.get": [1]})  # 4 ns
    assert row.verdict() == "meets < 5 ns"


def test_rendering_names_each_device_and_what_it_meets() -> None:
    table = rows("iCE40 UP5K", 40.0, {"map.get": [1], "map.put": [1]}) + rows(
        "ECP5 25k", 300.0, {"map.get": [1], "map.put": [1]}
    )
    text = render_text(table)
    assert text[0].split()[:3] == ["device", "operation", "cycles/op"]
    assert any(
        "iCE40 UP5K" in row and "map.get" in row and "25.0" in row and "does not meet < 5 ns" in row
        for row in text
    )
    md = render_markdown(table)
    assert md[0].startswith("| device |") and len(md) == 2 + 4
    said = summary(table)
    assert said == [
        "ECP5 25k: meets map.get < 5 ns, map.put < 60 ns, map.put >= 200M ops/s; misses none",
        # map.put: 25 ns is inside 60 ns, but 40M ops/s is short of 200M ops/s.
        "iCE40 UP5K: meets map.put < 60 ns; misses map.get < 5 ns, map.put >= 200M ops/s",
    ]


def test_ops_units() -> None:
    assert ops(200e6) == "200M ops/s"
    assert ops(12.5e6) == "12.5M ops/s"
    assert ops(950e3) == "950k ops/s"
    assert ops(1.5e9) == "1.5G ops/s"


@pytest.mark.parametrize("bad", [[], [0], [True], [1.5], ["2"]])
def test_bad_cycle_counts_name_the_operation(bad) -> None:
    with pytest.raises(EstreamError) as e:
        cycle_counts({"map.put": bad}, where="sim")
    assert "map.put" in e.value.render()


@pytest.mark.parametrize("bad", [0, -5.0, None, True])
def test_a_bad_fmax_is_an_error(bad) -> None:
    with pytest.raises(EstreamError) as e:
        latency_rows("up5k", bad, cycle_counts({"map.get": [1]}, where="sim"), where="report.json")
    assert "fmax" in e.value.render()


def test_the_runner_line_round_trips_into_cycles() -> None:
    from estream.core.circuit_runner import cycles_line
    from estream.core.fpga.latency import cycles_from_output

    out = (
        "  ✓ a ... PASS\n"
        + cycles_line({"map.put": [1, 1, 2], "map.get": [1]})
        + "\n  3/3 tests passed in 5ms\n"
    )
    assert cycles_from_output(out, where="sim") == {"map.get": [1], "map.put": [1, 1, 2]}
    assert cycles_from_output("  3/3 tests passed in 5ms\n", where="sim") == {}


def test_latency_json_round_trips_and_bad_input_names_the_key() -> None:
    from estream.core.fpga.latency import BitstreamLatency, parse_latency_json, render_latency_json

    entry = BitstreamLatency(
        "map_up5k.bin", "iCE40UP5K-sg48", 48.5, "map_put", {"map.put": [1, 1], "map.get": [1]}
    )
    (back,) = parse_latency_json(render_latency_json([entry]))
    assert back == BitstreamLatency(
        "map_up5k.bin", "iCE40UP5K-sg48", 48.5, "map_put", {"map.get": [1], "map.put": [1, 1]}
    )
    assert [r.operation for r in back.rows(where="x")] == ["map.get", "map.put"]
    for bad, key in [
        (b"{", None),
        (b'{"format": "other"}', "format"),
        (
            b'{"format": "estream-fpga-latency/1", "bitstreams": {"a.bin": {"part": "p", "circuit": "c", "fmax_mhz": 0, "cycles": {}}}}',
            "bitstreams.a.bin.fmax_mhz",
        ),
        (
            b'{"format": "estream-fpga-latency/1", "bitstreams": {"a.bin": {"part": "p", "circuit": "c", "fmax_mhz": 5, "cycles": {"m": {"x": 1}}}}}',
            "cycles.m",
        ),
        # A hostile instance count is refused before anything is allocated for it.
        (
            b'{"format": "estream-fpga-latency/1", "bitstreams": {"a.bin": {"part": "p", "circuit": "c", "fmax_mhz": 5, "cycles": {"m": {"1": 1000000000000}}}}}',
            "cycles.m",
        ),
    ]:
        with pytest.raises(EstreamError) as e:
            parse_latency_json(bad)
        if key:
            assert key in e.value.render()
