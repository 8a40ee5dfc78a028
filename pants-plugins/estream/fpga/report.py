"""nextpnr's `--report` JSON: resource use per bel type and achieved fmax per clock.

Pure code (no Pants imports): parsed here, checked against the target clock, summarised in one
line for `package` output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from estream.core.errors import EstreamError

# Bel types of each architecture, mapped onto the resource classes the marketplace reports.
RESOURCE_CLASSES: Dict[str, Dict[str, str]] = {
    "ice40": {
        "ICESTORM_LC": "logic_cells",
        "ICESTORM_RAM": "bram",
        "ICESTORM_DSP": "dsp",
        "SB_IO": "io",
    },
    "ecp5": {
        "TRELLIS_COMB": "luts",
        "TRELLIS_FF": "flip_flops",
        "DP16KD": "bram",
        "MULT18X18D": "dsp",
        "TRELLIS_IO": "io",
    },
}
RESOURCE_ORDER = ("logic_cells", "luts", "flip_flops", "bram", "dsp", "io")


@dataclass(frozen=True)
class BelUsage:
    bel: str
    used: int
    available: int


@dataclass(frozen=True)
class ClockFmax:
    clock: str
    achieved_mhz: float
    constraint_mhz: float


@dataclass(frozen=True)
class NextpnrReport:
    utilization: Tuple[BelUsage, ...]
    clocks: Tuple[ClockFmax, ...]

    def resources(self, family: str) -> Dict[str, Tuple[int, int]]:
        """`{resource class: (used, available)}` for the family's bel types, in report order."""
        classes = RESOURCE_CLASSES.get(family, {})
        found = {}
        for usage in self.utilization:
            cls = classes.get(usage.bel)
            if cls:
                found[cls] = (usage.used, usage.available)
        return {k: found[k] for k in RESOURCE_ORDER if k in found}

    def min_fmax(self) -> Optional[ClockFmax]:
        return min(self.clocks, key=lambda c: c.achieved_mhz) if self.clocks else None


def _number(value, path: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EstreamError.single(path, f"expected a number, found {json.dumps(value)}", key=key)
    return value


def parse_nextpnr_report(data: bytes, *, path: str) -> NextpnrReport:
    """Parse a nextpnr report; malformed input gives an EstreamError naming the key."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise EstreamError.single(path, f"nextpnr's report is not valid JSON: {e}")
    if not isinstance(doc, dict):
        raise EstreamError.single(path, "expected a JSON object at the top of nextpnr's report")
    utilization = doc.get("utilization")
    if not isinstance(utilization, dict):
        raise EstreamError.single(path, "expected an object of bel types", key="utilization")
    usages = []
    for bel, entry in sorted(utilization.items()):
        if not isinstance(entry, dict):
            raise EstreamError.single(path, "expected {used, available}", key=f"utilization.{bel}")
        used = _number(entry.get("used"), path, f"utilization.{bel}.used")
        available = _number(entry.get("available"), path, f"utilization.{bel}.available")
        usages.append(BelUsage(bel, int(used), int(available)))
    fmax = doc.get("fmax", {})
    if not isinstance(fmax, dict):
        raise EstreamError.single(path, "expected an object of clocks", key="fmax")
    clocks = []
    for clock, entry in sorted(fmax.items()):
        if not isinstance(entry, dict):
            raise EstreamError.single(path, "expected {achieved, constraint}", key=f"fmax.{clock}")
        achieved = _number(entry.get("achieved"), path, f"fmax.{clock}.achieved")
        constraint = _number(entry.get("constraint"), path, f"fmax.{clock}.constraint")
        clocks.append(ClockFmax(clock, float(achieved), float(constraint)))
    return NextpnrReport(tuple(usages), tuple(clocks))


def check_timing(report: NextpnrReport, *, target_mhz: float, where: str) -> None:
    """Fail when any clock's achieved fmax is below the target clock (timing not met)."""
    failing = [c for c in report.clocks if c.achieved_mhz < target_mhz]
    if not failing:
        return
    worst = min(failing, key=lambda c: c.achieved_mhz)
    clocks = ", ".join(f"`{c.clock}` reaches {c.achieved_mhz:.2f} MHz" for c in failing)
    raise EstreamError.single(
        where,
        f"timing not met: target clock {target_mhz:g} MHz, but {clocks}",
        key="clock_mhz",
        help=(
            f"lower `clock_mhz` to at most {worst.achieved_mhz:.2f}, pipeline the critical path "
            "(nextpnr's report.json lists it under `critical_paths`), or try another `seed`"
        ),
    )


def summary_line(report: NextpnrReport, *, family: str, part: str, target_mhz: float) -> str:
    """One line per bitstream for `package` output."""
    parts = []
    for cls, (used, available) in report.resources(family).items():
        label = cls.replace("_", " ")
        parts.append(f"{label} {used}/{available}")
    worst = report.min_fmax()
    fmax = f"fmax {worst.achieved_mhz:.1f} MHz" if worst else "no clocked logic"
    return f"{part}: {', '.join(parts)}; {fmax} (target {target_mhz:g} MHz)"
