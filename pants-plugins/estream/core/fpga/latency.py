"""Latency and throughput of circuits on FPGAs: measured cycles per operation x routed fmax,
set against the marketplace spec's §9.3 targets.

Pure code (no Pants imports). The inputs are both measurements, never constants:

* cycles per operation, from the RTL vector simulation: each testbench counts the rising clock
  edges from the one that samples an operation's last input to the one that registers its result
  (both counted) and reports them as `T` lines (estream/core/fpga/rtl_sim.py); every golden vector's
  operations are collected per operation name (`queue.append`, `map.put`, ...);
* fmax, nextpnr's achieved frequency of the routed design (`--report`, estream/core/fpga/report.py).

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

import json
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from estream.core.circuit_runner import CYCLES_PREFIX, cycle_histogram
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
                raise EstreamError.single(
                    where, f"expected positive cycle counts, found {n!r}", key=operation
                )
        found.append(CycleCount(operation, max(samples), min(samples), len(samples)))
    return tuple(found)


#: Simulated instances of one operation a histogram may claim: far above any golden-vector run,
#: low enough that a hostile fpga/latency.json cannot make `verify` allocate without bound.
MAX_INSTANCES = 1_000_000


def cycles_from_histogram(histogram, *, where: str) -> Dict[str, List[int]]:
    """`{operation: [cycles, ...]}` from `{operation: {"cycles": instances}}` (the runner's line,
    and `fpga/latency.json`); anything else is an error naming the key."""
    if not isinstance(histogram, dict):
        raise EstreamError.single(where, "expected an object {operation: {cycles: instances}}", key="cycles")
    found: Dict[str, List[int]] = {}
    for operation, counts in sorted(histogram.items()):
        if not isinstance(counts, dict) or not counts:
            raise EstreamError.single(
                where, "expected a non-empty object {cycles: instances}", key=f"cycles.{operation}"
            )
        samples: List[int] = []
        for cycles, instances in sorted(counts.items()):
            if not (isinstance(cycles, str) and cycles.isdigit() and int(cycles) > 0):
                raise EstreamError.single(
                    where, f"expected a positive cycle count, found {cycles!r}", key=f"cycles.{operation}"
                )
            if isinstance(instances, bool) or not isinstance(instances, int) or instances < 1:
                raise EstreamError.single(
                    where,
                    f"expected a positive number of instances, found {instances!r}",
                    key=f"cycles.{operation}.{cycles}",
                )
            if len(samples) + instances > MAX_INSTANCES:
                raise EstreamError.single(
                    where,
                    f"more than {MAX_INSTANCES:,} instances of one operation",
                    key=f"cycles.{operation}",
                )
            samples += [int(cycles)] * instances
        found[operation] = samples
    return found


def cycles_from_output(text: str, *, where: str) -> Dict[str, List[int]]:
    """The measured cycles in a circuit runner's output (its `CYCLES_PREFIX` lines); `{}` when
    the testbench counts none."""
    found: Dict[str, List[int]] = {}
    for line in text.splitlines():
        if line.startswith(CYCLES_PREFIX):
            try:
                histogram = json.loads(line[len(CYCLES_PREFIX) :])
            except ValueError as e:
                raise EstreamError.single(where, f"unreadable cycle counts from the RTL simulation: {e}")
            for operation, samples in cycles_from_histogram(histogram, where=where).items():
                found.setdefault(operation, []).extend(samples)
    return found


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


def latency_rows(
    device: str, fmax_mhz: float, counts: Sequence[CycleCount], *, where: str
) -> List[LatencyRow]:
    if isinstance(fmax_mhz, bool) or not isinstance(fmax_mhz, (int, float)) or not fmax_mhz > 0:
        raise EstreamError.single(
            where, f"expected a positive fmax in MHz for {device}, found {fmax_mhz!r}", key="fmax"
        )
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
    return (
        row.device,
        row.operation,
        cycles,
        f"{row.fmax_mhz:.1f} MHz",
        f"{row.ns_per_op:.1f}",
        ops(row.ops_per_s),
        row.verdict(),
    )


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
    """One plain sentence per device: each §9.3 target it meets and each it misses."""
    out = []
    for device in sorted({r.device for r in rows}):
        met: List[str] = []
        missed: List[str] = []
        for r in rows:
            t = r.target
            if r.device != device or t is None:
                continue
            if t.max_ns is not None:
                (met if r.latency_met() else missed).append(f"{r.operation} < {t.max_ns:g} ns")
            if t.min_ops_per_s is not None:
                (met if r.throughput_met() else missed).append(f"{r.operation} >= {ops(t.min_ops_per_s)}")
        out.append(
            f"{device}: meets {', '.join(met) or 'no §9.3 target'}; misses {', '.join(missed) or 'none'}"
        )
    return out


#: Where a package ships the figures (SmartCircuit package, beside fpga/manifest.toml).
LATENCY_PATH = "fpga/latency.json"
LATENCY_FORMAT = "estream-fpga-latency/1"


@dataclass(frozen=True)
class BitstreamLatency:
    """One bitstream's measurements: its part, routed fmax, and the cycles its RTL took."""

    bitstream: str
    part: str
    fmax_mhz: float
    circuit: str  # the circuit whose vectors ran, or several sharing the design: `map_cas, map_get, map_put`
    cycles: Mapping[str, Sequence[int]]

    def rows(self, *, where: str) -> List[LatencyRow]:
        return latency_rows(self.part, self.fmax_mhz, cycle_counts(self.cycles, where=where), where=where)


def render_latency_json(entries: Sequence[BitstreamLatency]) -> bytes:
    doc = {
        "format": LATENCY_FORMAT,
        "bitstreams": {
            e.bitstream: {
                "part": e.part,
                "fmax_mhz": e.fmax_mhz,
                "circuit": e.circuit,
                "cycles": cycle_histogram({k: list(v) for k, v in e.cycles.items()}),
            }
            for e in entries
        },
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def parse_latency_json(data: bytes, *, path: str = LATENCY_PATH) -> List[BitstreamLatency]:
    """The entries of a `fpga/latency.json`; malformed input is an EstreamError naming the key."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise EstreamError.single(path, f"not valid JSON: {e}")
    if not isinstance(doc, dict) or doc.get("format") != LATENCY_FORMAT:
        raise EstreamError.single(path, f'expected an object with "format": "{LATENCY_FORMAT}"', key="format")
    bitstreams = doc.get("bitstreams")
    if not isinstance(bitstreams, dict):
        raise EstreamError.single(path, "expected an object of bitstreams", key="bitstreams")
    entries = []
    for name, entry in sorted(bitstreams.items()):
        key = f"bitstreams.{name}"
        if not isinstance(entry, dict):
            raise EstreamError.single(path, "expected {part, fmax_mhz, circuit, cycles}", key=key)
        part, circuit, fmax = entry.get("part"), entry.get("circuit"), entry.get("fmax_mhz")
        if not isinstance(part, str) or not isinstance(circuit, str):
            raise EstreamError.single(path, "expected `part` and `circuit` strings", key=key)
        if isinstance(fmax, bool) or not isinstance(fmax, (int, float)) or not fmax > 0:
            raise EstreamError.single(
                path, f"expected a positive fmax in MHz, found {fmax!r}", key=f"{key}.fmax_mhz"
            )
        cycles = cycles_from_histogram(entry.get("cycles"), where=f"{path} ({key})")
        entries.append(BitstreamLatency(name, part, float(fmax), circuit, cycles))
    return entries
