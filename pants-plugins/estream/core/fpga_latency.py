"""Latency and throughput of circuits on FPGAs: measured cycles per operation x routed fmax,
set against the marketplace spec's §9.3 targets.

Pure code (no Pants imports). The inputs are both measurements, never constants:

* cycles per operation, from the RTL vector simulation: each testbench counts the rising clock
  edges from the one that samples an operation's last input to the one that registers its result
  (both counted) and reports them as `T` lines (estream/fpga/rtl_sim.py); every golden vector's
  operations are collected per operation name (`queue.append`, `map.put`, ...);
* fmax, nextpnr's achieved frequency of the routed design (`--report`, estream/fpga/report.py).

Decisions:

* The cycles of an operation are its worst case over every simulated instance (the spec asks
  for deterministic latency; `constant` says whether every instance took the same count).
* ns per operation = cycles x 1000 / fmax (MHz). Operations per second = fmax / cycles: one
  operation in flight at a time, as the testbenches drive the designs (each waits for the
  result). A pipelined issue rate is not claimed, because it is not measured.
* A target is met only when the figure is strictly inside it (§9.3 says "< 40 ns"); an
  operation without a §9.3 target (map.cas) says so instead of a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from estream.core.errors import EstreamError


@dataclass(frozen=True)
class Target:
    """A §9.3 target: latency below `max_ns`, throughput at least `min_ops_per_s`."""

    max_ns: Optional[float] = None
    min_ops_per_s: Optional[float] = None


#: ESTREAM_MARKETPLACE_SPEC §9.3, Performance — FPGA Target (the unsigned rows).
TARGETS: Dict[str, Target] = {
    "queue.append": Target(max_ns=40.0, min_ops_per_s=200e6),
    "map.get": Target(max_ns=5.0),
    "map.put": Target(max_ns=60.0, min_ops_per_s=200e6),
}


@dataclass(frozen=True)
class CycleCount:
    operation: str
    cycles: int  # worst case
    best: int
    samples: int

    @property
    def constant(self) -> bool:
        return self.best == self.cycles


def cycle_counts(cycles: Mapping[str, Sequence[int]], *, where: str) -> Tuple[CycleCount, ...]:
    """Summarise `{operation: [cycles per simulated instance]}`; bad counts name the operation."""
    found = []
    for operation in sorted(cycles):
        samples = cycles[operation]
        if not samples:
            raise EstreamError.single(where, f"operation `{operation}` was never simulated", key=operation)
        for n in samples:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise EstreamError.single(where, f"expected positive cycle counts, found {n!r}", key=operation)
        found.append(CycleCount(operation, max(samples), min(samples), len(samples)))
    return tuple(found)


@dataclass(frozen=True)
class LatencyRow:
    device: str
    count: CycleCount
    fmax_mhz: float

    @property
    def operation(self) -> str:
        return self.count.operation

    @property
    def ns_per_op(self) -> float:
        return self.count.cycles * 1000.0 / self.fmax_mhz

    @property
    def ops_per_s(self) -> float:
        return self.fmax_mhz * 1e6 / self.count.cycles

    @property
    def target(self) -> Optional[Target]:
        return TARGETS.get(self.operation)

    def latency_met(self) -> Optional[bool]:
        t = self.target
        return None if t is None or t.max_ns is None else self.ns_per_op < t.max_ns

    def throughput_met(self) -> Optional[bool]:
        t = self.target
        return None if t is None or t.min_ops_per_s is None else self.ops_per_s >= t.min_ops_per_s

    def verdict(self) -> str:
        """E.g. `meets < 40 ns; does not meet >= 200M ops/s`, or `no §9.3 target`."""
        t = self.target
        if t is None or (t.max_ns is None and t.min_ops_per_s is None):
            return "no §9.3 target"
        parts = []
        if t.max_ns is not None:
            parts.append(f"{'meets' if self.latency_met() else 'does not meet'} < {t.max_ns:g} ns")
        if t.min_ops_per_s is not None:
            parts.append(f"{'meets' if self.throughput_met() else 'does not meet'} >= {ops(t.min_ops_per_s)}")
        return "; ".join(parts)


def latency_rows(device: str, fmax_mhz: float, counts: Sequence[CycleCount], *, where: str) -> List[LatencyRow]:
    if isinstance(fmax_mhz, bool) or not isinstance(fmax_mhz, (int, float)) or not fmax_mhz > 0:
        raise EstreamError.single(where, f"expected a positive fmax in MHz for {device}, found {fmax_mhz!r}", key="fmax")
    return [LatencyRow(device, c, float(fmax_mhz)) for c in counts]


def ops(per_second: float) -> str:
    """`200M ops/s`, `12.5M ops/s`, `950k ops/s`."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per_second >= scale:
            return f"{per_second / scale:.3g}{suffix} ops/s"
    return f"{per_second:.3g} ops/s"


HEADER = ("device", "operation", "cycles/op", "fmax", "ns/op", "ops/s", "§9.3 target")


def table_cells(row: LatencyRow) -> Tuple[str, ...]:
    cycles = f"{row.count.cycles}" + ("" if row.count.constant else f" (best {row.count.best})")
    return (row.device, row.operation, cycles, f"{row.fmax_mhz:.1f} MHz", f"{row.ns_per_op:.1f}",
            ops(row.ops_per_s), row.verdict())


def render_text(rows: Sequence[LatencyRow]) -> List[str]:
    """An aligned plain-text table, one line per device and operation, for terminal output."""
    cells = [HEADER] + [table_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(len(HEADER))).rstrip() for c in cells]


def render_markdown(rows: Sequence[LatencyRow]) -> List[str]:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in rows]
    return lines


def summary(rows: Sequence[LatencyRow]) -> List[str]:
    """One plain sentence per device: which targets it meets and which it does not."""
    out = []
    for device in sorted({r.device for r in rows}):
        met = [r.operation for r in rows if r.device == device and r.target and r.latency_met() is not False and r.throughput_met() is not False]
        missed = [r.operation for r in rows if r.device == device and r.target and (r.latency_met() is False or r.throughput_met() is False)]
        out.append(
            f"{device}: meets the §9.3 targets for {', '.join(met) or 'none'}; "
            f"misses them for {', '.join(missed) or 'none'}"
        )
    return out
