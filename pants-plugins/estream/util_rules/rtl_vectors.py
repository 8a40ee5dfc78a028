"""The hook through which `test` runs a circuit's golden vectors against its RTL.

The core backend plans the run (`build_plan(..., implementation="rtl")`) but cannot simulate:
that needs the FPGA toolchain, which lives in the optional `estream.fpga` backend. That backend
registers a member of the `RtlVectorRunRequest` union (a subclass adding no fields) and a rule
turning it into an `RtlVectorRun`; without it, a circuit with an `implementation.rtl` fails its
test with an error saying which backend to enable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.environment import EnvironmentName
from pants.engine.process import FallibleProcessResult
from pants.engine.unions import union

from estream.util_rules.circuits import SmartCircuitPackage


@union(in_scope_types=[EnvironmentName])
@dataclass(frozen=True)
class RtlVectorRunRequest(EngineAwareParameter):
    """Simulate `plan` (JSON bytes, from `build_plan(implementation="rtl")`) for `package`."""

    package: SmartCircuitPackage
    plan: bytes
    case_count: int
    timeout_seconds: Optional[int]
    force: bool

    def debug_hint(self) -> str:
        return self.package.address.spec


@dataclass(frozen=True)
class RtlVectorRun:
    """The simulation's process result, or why there was none (e.g. no simulator installed)."""

    result: Optional[FallibleProcessResult]
    error: Optional[str] = None
