"""Golden vectors through a circuit's RTL codec and testbench in Icarus Verilog, without Pants.

The same protocol and the same functions as `estream/core/fpga/rtl_sim.py` (`render_stimulus`,
`parse_responses`, `split_timings`, `record_timings`), with `iverilog`/`vvp` called directly
instead of through Edalize, so an RTL sim test and `bench/fpga_latency.py` need neither Pants
nor the `fpga-tools` venv. The cycles per operation are the testbench's own `T` lines.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from estream.core.fpga.rtl_sim import (
    SimulationFailed,
    parse_responses,
    record_timings,
    render_stimulus,
    split_timings,
)


class IcarusVectors:
    """One circuit's RTL compiled once; call it with a step's input ports, like a CPU reference."""

    def __init__(self, work: Path, sources: Sequence[Path], top: str, codec_dir: Path, codec: str) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        if str(codec_dir) not in sys.path:
            sys.path.insert(0, str(codec_dir))
        self.codec = importlib.import_module(codec)
        self.binary = work / "tb.vvp"
        compiled = subprocess.run(
            [
                shutil.which("iverilog") or "iverilog",
                "-g2012",
                "-Wall",
                "-Wno-timescale",
                "-s",
                top,
                "-o",
                str(self.binary),
                *map(str, sources),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if compiled.returncode != 0:
            raise SimulationFailed(f"iverilog failed:\n{compiled.stdout}")
        self.cycles: Dict[str, List[int]] = {}

    def __call__(self, inputs: dict) -> dict:
        stimulus, responses = self.work / "stimulus.txt", self.work / "responses.txt"
        stimulus.write_text(render_stimulus(self.codec.encode(inputs)))
        if responses.exists():
            responses.unlink()
        run = subprocess.run(
            [
                shutil.which("vvp") or "vvp",
                "-n",
                str(self.binary),
                f"+stimulus={stimulus}",
                f"+responses={responses}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        if run.returncode != 0 or not responses.exists():
            raise SimulationFailed(f"vvp exited {run.returncode}:\n{run.stdout[-2000:]}")
        kept, timings = split_timings(parse_responses(responses.read_text()))
        record_timings(self.cycles, timings, getattr(self.codec, "OPERATIONS", {}))
        return self.codec.decode(inputs, kept)


def golden_vectors(golden_dir: Path, circuits: Sequence[str]) -> List[dict]:
    """The golden vectors of `circuits` in a directory, as `{"name", "circuit", "input", "expected_output"}`."""
    found = []
    for path in sorted(golden_dir.glob("*.json")):
        doc = json.loads(path.read_text())
        circuit = doc.get("test_vector", {}).get("circuit")
        if circuit in circuits:
            found.append(
                {
                    "name": path.stem,
                    "circuit": circuit,
                    "input": doc["input"],
                    "expected_output": doc["expected_output"],
                }
            )
    return found
