"""FPGA device families and parts the `fpga_bitstream` target accepts, and how each is built.

Pure code (no Pants imports). nextpnr selects an iCE40 or ECP5 die with `--<device>` and a
package with `--package`; Xilinx parts are handed whole to Vivado.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from estream.core.errors import EstreamError

FAMILIES = ("ice40", "ecp5", "xilinx")
BITSTREAM_SUFFIX = {"ice40": ".bin", "ecp5": ".bit", "xilinx": ".bit"}
CONSTRAINT_SUFFIXES = {"ice40": (".pcf",), "ecp5": (".lpf",), "xilinx": (".xdc",)}


@dataclass(frozen=True)
class Die:
    nextpnr_flag: str  # `--up5k`, `--25k`, ...
    part_prefix: str  # for reports: iCE40UP5K, LFE5U-25F, ...
    packages: Tuple[str, ...]
    default_package: str


DIES: Dict[str, Dict[str, Die]] = {
    "ice40": {
        "up5k": Die("up5k", "iCE40UP5K", ("sg48", "uwg30"), "sg48"),
        "up3k": Die("up3k", "iCE40UP3K", ("sg48", "uwg30"), "sg48"),
        "hx1k": Die("hx1k", "iCE40HX1K", ("tq144", "vq100", "cb132"), "tq144"),
        "hx8k": Die("hx8k", "iCE40HX8K", ("ct256", "cb132", "bg121", "tq144"), "ct256"),
        "lp8k": Die("lp8k", "iCE40LP8K", ("cm81", "cm121", "cm225"), "cm81"),
    },
    "ecp5": {
        "25k": Die("25k", "LFE5U-25F", ("CABGA256", "CABGA381", "CSFBGA285", "TQFP144"), "CABGA381"),
        "45k": Die(
            "45k", "LFE5U-45F", ("CABGA256", "CABGA381", "CABGA554", "CSFBGA285", "TQFP144"), "CABGA381"
        ),
        "85k": Die("85k", "LFE5U-85F", ("CABGA381", "CABGA554", "CABGA756", "CSFBGA285"), "CABGA381"),
        "um5g-25k": Die("um5g-25k", "LFE5UM5G-25F", ("CABGA381",), "CABGA381"),
        "um5g-45k": Die("um5g-45k", "LFE5UM5G-45F", ("CABGA381", "CABGA554"), "CABGA381"),
        "um5g-85k": Die("um5g-85k", "LFE5UM5G-85F", ("CABGA381", "CABGA554", "CABGA756"), "CABGA381"),
    },
}

# Xilinx parts: family letters + size + optional package/speed suffix (xcvu9p-flga2104-2L-e).
XILINX_PART = re.compile(r"^xc[0-9a-z]+(-[0-9a-z]+)*$", re.IGNORECASE)


@dataclass(frozen=True)
class ResolvedDevice:
    family: str
    device: str
    package: Optional[str]
    nextpnr_flag: Optional[str]
    part: str  # human-readable part name for reports and manifests

    @property
    def bitstream_suffix(self) -> str:
        return BITSTREAM_SUFFIX[self.family]

    @property
    def device_family(self) -> str:
        """The name manifests use: `ice40-up5k`, `ecp5-25k`, or a Xilinx part's base (`xcvu9p`)."""
        if self.family == "xilinx":
            return self.device.split("-")[0].lower()
        return f"{self.family}-{self.device}"


def resolve_device(family: str, device: str, package: Optional[str], *, where: str) -> ResolvedDevice:
    if family not in FAMILIES:
        raise EstreamError.single(
            where,
            f"unknown device family `{family}`",
            key="family",
            help=f"expected one of: {', '.join(FAMILIES)}",
        )
    if family == "xilinx":
        if not XILINX_PART.match(device):
            raise EstreamError.single(
                where,
                f"`{device}` is not a Xilinx part name",
                key="device",
                help="expected a part such as `xcvu9p-flga2104-2L-e` or `xc7a35tcpg236-1`",
            )
        return ResolvedDevice(family, device, package, None, device)
    dies = DIES[family]
    die = dies.get(device)
    if die is None:
        raise EstreamError.single(
            where,
            f"unknown {family} device `{device}`",
            key="device",
            help=f"expected one of: {', '.join(dies)}",
        )
    pkg = package or die.default_package
    if pkg not in die.packages:
        raise EstreamError.single(
            where,
            f"{die.part_prefix} has no package `{pkg}`",
            key="package",
            help=f"expected one of: {', '.join(die.packages)}",
        )
    return ResolvedDevice(family, device, pkg, die.nextpnr_flag, f"{die.part_prefix}-{pkg}")


def check_constraints_suffix(family: str, path: str, *, where: str) -> None:
    suffixes = CONSTRAINT_SUFFIXES[family]
    if not path.lower().endswith(suffixes):
        raise EstreamError.single(
            where,
            f"constraints file `{path}` does not suit the {family} family",
            key="constraints",
            help=f"expected a {' or '.join(suffixes)} file",
        )


TOOLCHAINS = ("yowasp", "native")


def check_toolchain(device: ResolvedDevice, toolchain: str, vivado: Optional[str], *, where: str) -> None:
    """The chosen toolchain must exist and suit the family (Xilinx parts need Vivado)."""
    if toolchain not in TOOLCHAINS:
        raise EstreamError.single(
            where,
            f"unknown toolchain `{toolchain}`",
            key="toolchain",
            help=f"expected one of: {', '.join(TOOLCHAINS)}",
        )
    if device.family == "xilinx" and not vivado:
        raise EstreamError.single(
            where,
            f"Xilinx part `{device.part}` needs Vivado, and no `vivado` binary is configured",
            key="device",
            help="set `[fpga-toolchain].vivado` to the path of the `vivado` binary",
        )
