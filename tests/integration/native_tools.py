"""Optional native tools (Debian packages) that some tests need, and what to do without them.

Decision: the README's two commands install everything that comes from PyPI (through lockfiles),
but not Debian's Icarus Verilog, Yosys, nextpnr or icestorm. A test of such a tool runs where the
tool is on the PATH and otherwise is reported as skipped with the install command (pytest runs
with `-rs`, so the reason is printed). CI installs the tools (`.ci/run`) and sets
`ESTREAM_REQUIRE_NATIVE_TOOLS=1`, which turns a missing tool into a failure: CI always runs them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Tuple

import pytest

REQUIRE_ENV = "ESTREAM_REQUIRE_NATIVE_TOOLS"


@dataclass(frozen=True)
class NativeTools:
    name: str
    executables: Tuple[str, ...]
    debian_packages: Tuple[str, ...]

    def missing(self) -> Tuple[str, ...]:
        return tuple(exe for exe in self.executables if shutil.which(exe) is None)

    def install_command(self) -> str:
        return "sudo apt-get install " + " ".join(self.debian_packages)

    def reason(self) -> str:
        return (
            f"{self.name} not found on the PATH (missing: {', '.join(self.missing())}); "
            f"install it with: {self.install_command()}"
        )

    def require(self) -> None:
        """Skip the calling test when a tool is missing (fail instead where CI requires them)."""
        if not self.missing():
            return
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {self.reason()}")
        pytest.skip(self.reason())

    def available(self) -> bool:
        return not self.missing()


ICARUS = NativeTools("Icarus Verilog", ("iverilog", "vvp"), ("iverilog",))
ICE40 = NativeTools(
    "Debian's iCE40 toolchain",
    ("yosys", "nextpnr-ice40", "icepack"),
    ("yosys", "nextpnr-ice40", "fpga-icestorm"),
)
