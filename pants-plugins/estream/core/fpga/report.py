"""nextpnr's `--report` JSON: resource use per bel type and achieved fmax per clock.

Pure code (no Pants imports): parsed here, checked against the target clock, summarised in one
line for `package` output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

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
class CriticalPath:
    """One of nextpnr's `critical_paths`: the slowest path between two clock domains."""

    from_clock: str
    to_clock: str
    start: str  # cell.port the path starts at
    end: str  # cell.port it ends at
    logic_ns: float
    routing_ns: float
    nets: Tuple[str, ...]
    sources: Tuple[str, ...]  # HDL locations of the nets, as nextpnr gives them

    @property
    def total_ns(self) -> float:
        return self.logic_ns + self.routing_ns

    def describe(self) -> str:
        nets = ", ".join(self.nets[:6]) + (", ..." if len(self.nets) > 6 else "")
        where = "; ".join(sorted(set(self.sources))[:4])
        return (
            f"{self.start} -> {self.end}: {self.total_ns:.2f} ns ({self.logic_ns:.2f} ns logic, "
            f"{self.routing_ns:.2f} ns routing) through {len(self.nets)} net(s) {nets}"
            + (f" [{where}]" if where else "")
        )


@dataclass(frozen=True)
class NextpnrReport:
    utilization: Tuple[BelUsage, ...]
    clocks: Tuple[ClockFmax, ...]
    critical_paths: Tuple[CriticalPath, ...] = ()

    def critical_path(self, clock: str) -> Optional[CriticalPath]:
        """The critical path within `clock`'s domain (nextpnr names it `posedge <clock>` etc.)."""
        paths = [p for p in self.critical_paths if p.to_clock.split(" ")[-1] == clock]
        return max(paths, key=lambda p: p.total_ns) if paths else None

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
    return NextpnrReport(tuple(usages), tuple(clocks), _critical_paths(doc.get("critical_paths", []), path))


def _endpoint(segment: dict, side: str) -> str:
    point = segment.get(side)
    if not isinstance(point, dict):
        return "?"
    return f"{point.get('cell', '?')}.{point.get('port', '?')}"


def _critical_paths(entries, path: str) -> Tuple[CriticalPath, ...]:
    if not isinstance(entries, list):
        raise EstreamError.single(path, "expected a list of paths", key="critical_paths")
    found = []
    for i, entry in enumerate(entries):
        segments = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(segments, list) or not segments or not all(isinstance(s, dict) for s in segments):
            raise EstreamError.single(
                path, "expected {from, to, path: [segments]}", key=f"critical_paths[{i}]"
            )
        logic = routing = 0.0
        nets: List[str] = []
        sources: List[str] = []
        for j, seg in enumerate(segments):
            delay = _number(seg.get("delay"), path, f"critical_paths[{i}].path[{j}].delay")
            if seg.get("type") == "routing":
                routing += delay
                if isinstance(seg.get("net"), str):
                    nets.append(seg["net"])
                sources.extend(s for s in seg.get("sources", []) if isinstance(s, str))
            else:
                logic += delay
        found.append(
            CriticalPath(
                from_clock=str(entry.get("from", "")),
                to_clock=str(entry.get("to", "")),
                start=_endpoint(segments[0], "from"),
                end=_endpoint(segments[-1], "to"),
                logic_ns=logic,
                routing_ns=routing,
                nets=tuple(nets),
                sources=tuple(sources),
            )
        )
    return tuple(found)


def check_timing(report: NextpnrReport, *, target_mhz: float, where: str, key: str = "clock_mhz") -> None:
    """Fail when any clock's achieved fmax is below the target clock (timing not met)."""
    failing = [c for c in report.clocks if c.achieved_mhz < target_mhz]
    if not failing:
        return
    worst = min(failing, key=lambda c: c.achieved_mhz)
    clocks = ", ".join(f"`{c.clock}` reaches {c.achieved_mhz:.2f} MHz" for c in failing)
    critical = report.critical_path(worst.clock)
    message = f"timing not met: target clock {target_mhz:g} MHz, but {clocks}"
    if critical is not None:
        message += f"\n  critical path of `{worst.clock}`: {critical.describe()}"
    raise EstreamError.single(
        where,
        message,
        key=key,
        help=(
            f"lower `{key}` to at most {worst.achieved_mhz:.2f}, pipeline the critical path "
            "(all of them are in the bitstream's report.json, `critical_paths`), or try another `seed`"
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
