"""Tests of the RTL vector protocol: the stimulus the harness writes and the responses it accepts.

The simulation itself (Edalize, Icarus) runs in `pants test` of circuits/queue/append and in
tests/integration/rtl_vectors_integration_test.py, with a passing and an injected-failure case.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from estream.core.fpga.rtl_sim import (
    SIMULATORS,
    SimulationFailed,
    parse_responses,
    plan_for_simulator,
    record_timings,
    render_stimulus,
    split_timings,
)


def test_stimulus_frames_the_codec_operations() -> None:
    assert render_stimulus([("W", 0xDEADBEEF), ("H", 0), ["D", 255]]) == "V 0\nW deadbeef\nH 0\nD ff\nQ 0\n"
    assert render_stimulus([]) == "V 0\nQ 0\n"


@pytest.mark.parametrize(
    "item,fragment",
    [
        (("V", 1), "not an operation"),
        (("Q", 0), "not an operation"),
        (("WW", 1), "not an operation"),
        ((3, 1), "not an operation"),
        (("W", -1), "not a non-negative integer"),
        (("W", True), "not a non-negative integer"),
        (("W", "ff"), "not a non-negative integer"),
        (("W",), "expected (op, value)"),
    ],
)
def test_stimulus_rejects_what_a_testbench_cannot_read(item, fragment) -> None:
    with pytest.raises(SimulationFailed) as info:
        render_stimulus([("W", 1), item])
    assert "item 1" in str(info.value) and fragment in str(info.value)


def test_responses_between_the_frame() -> None:
    text = "V 0\nA 00000000 99f8b879\n\nH b435c918\nQ 0\n"
    assert parse_responses(text) == [("A", (0, 0x99F8B879)), ("H", (0xB435C918,))]


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("", "did not answer `V 0` first"),
        ("A 1\nQ 0\n", "did not answer `V 0` first"),
        ("V 0\nA 1\n", "stopped before the end of the stimulus"),
        ("V 0\nA xxxxxxxx 1\nQ 0\n", "line 2: 'A xxxxxxxx 1': 'xxxxxxxx' is an unknown (x/z) value"),
        ("V 0\nA 0000z000\nQ 0\n", "unknown (x/z) value"),
        ("V 0\nA 12g4\nQ 0\n", "not hexadecimal"),
        ("V 0\n1 2\nQ 0\n", "does not start with an operation letter"),
    ],
)
def test_responses_that_do_not_follow_the_protocol_fail(text, fragment) -> None:
    with pytest.raises(SimulationFailed) as info:
        parse_responses(text)
    assert fragment in str(info.value)
    assert SimulationFailed.estream_report  # the runner prints the message, not a traceback


def test_a_plan_is_set_to_one_simulator_without_changing_the_original() -> None:
    plan: Dict[str, Any] = {
        "suite": "golden [c] on RTL",
        "circuits": {"c": {"rtl": {"top": "t"}, "inputs": {}}},
        "cases": [],
    }
    verilator = plan_for_simulator(plan, "verilator")
    assert verilator["suite"] == "golden [c] on RTL (Verilator)"
    assert verilator["circuits"]["c"] == {"rtl": {"top": "t", "simulator": "verilator"}, "inputs": {}}
    assert plan["circuits"]["c"]["rtl"] == {"top": "t"} and plan["suite"] == "golden [c] on RTL"
    assert plan_for_simulator(plan, "icarus")["suite"].endswith("(Icarus Verilog)")
    assert sorted(SIMULATORS) == ["icarus", "verilator"]


def test_timing_lines_are_taken_out_and_kept_per_operation() -> None:
    parsed = parse_responses("V 0\nR 1 0\nT 50 1\nR 1 1\nT 47 3\nT 50 2\nQ 0\n")
    kept, timings = split_timings(parsed)
    assert kept == [("R", (1, 0)), ("R", (1, 1))]
    assert timings == [("P", 1), ("G", 3), ("P", 2)]
    cycles = record_timings({}, timings, {"P": "map.put", "G": "map.get"})
    assert cycles == {"map.put": [1, 2], "map.get": [3]}
    # A letter the codec does not name (a helper operation) is dropped; counts accumulate.
    assert record_timings(cycles, [("Z", 4), ("P", 1)], {"P": "map.put"}) == {
        "map.put": [1, 2, 1],
        "map.get": [3],
    }


@pytest.mark.parametrize("line", ["T 50", "T 50 1 2", "T 31 1", "T 7f 1"])
def test_a_malformed_timing_line_fails(line) -> None:
    with pytest.raises(SimulationFailed, match="timing line"):
        split_timings(parse_responses(f"V 0\n{line}\nQ 0\n"))
