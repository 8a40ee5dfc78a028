"""The `fpga_bitstream` target: RTL built into an FPGA bitstream by Edalize."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Tuple

from estream.fpga.devices import DIES, FAMILIES, TOOLCHAINS
from pants.core.goals.package import OutputPathField
from pants.engine.addresses import Address
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    DictStringToStringSequenceField,
    FieldSet,
    FloatField,
    IntField,
    MultipleSourcesField,
    SpecialCasedDependencies,
    StringField,
    Target,
)
from pants.util.frozendict import FrozenDict
from pants.util.strutil import help_text

TOOL_OPTION_KEYS = ("yosys", "nextpnr", "pack")


class FpgaRtlSourcesField(MultipleSourcesField):
    required = True
    expected_file_extensions = (".v", ".sv", ".vh", ".svh")
    help = help_text(
        """
        The RTL files of the design (Verilog `.v`, SystemVerilog `.sv`; `.vh`/`.svh` headers are
        made available for `` `include `` but not read as units), relative to the BUILD file.
        Example: `sources=["queue_append.v", "queue_append_top.v"]`.
        """
    )


class FpgaTopField(StringField):
    alias = "top"
    required = True
    help = "The top-level module of the design (the one whose ports are the package pins)."


class FpgaConstraintsField(StringField):
    alias = "constraints"
    required = True
    help = help_text(
        """
        The physical constraints file, relative to the BUILD file: a `.pcf` for iCE40, an `.lpf`
        for ECP5, an `.xdc` for Xilinx. It maps the top module's ports onto package pins.
        """
    )


class FpgaFamilyField(StringField):
    alias = "family"
    required = True
    valid_choices = FAMILIES
    help = help_text(
        """
        The device family: `ice40` and `ecp5` are built with Yosys and nextpnr (YoWASP or
        native), `xilinx` with Vivado (requires `[fpga-toolchain].vivado`).
        """
    )


class FpgaDeviceField(StringField):
    alias = "device"
    required = True
    help = help_text(
        f"""
        The device (die) within the family. iCE40: {", ".join(DIES["ice40"])}. ECP5:
        {", ".join(DIES["ecp5"])}. Xilinx: a full part name such as `xcvu9p-flga2104-2L-e`.
        """
    )


class FpgaPackageField(StringField):
    alias = "package"
    help = help_text(
        """
        The device package, as nextpnr names it (`sg48`, `ct256`, `CABGA381`, ...). Defaults to
        the die's most common package (iCE40 UP5K: `sg48`, HX8K: `ct256`, ECP5: `CABGA381`).
        """
    )


class FpgaClockField(FloatField):
    alias = "clock_mhz"
    required = True
    help = help_text(
        """
        The target clock in MHz. Place and route optimises for it, and the build fails with
        "timing not met" when any clock's achieved fmax (from nextpnr's report) is below it.
        """
    )

    @classmethod
    def compute_value(cls, raw_value: Optional[float], address: Address) -> Optional[float]:
        if isinstance(raw_value, int) and not isinstance(raw_value, bool):
            raw_value = float(raw_value)  # `clock_mhz=12` is as good as `clock_mhz=12.0`
        value = super().compute_value(raw_value, address)
        if value is not None and not value > 0:
            raise ValueError(f"`clock_mhz` of {address} must be a positive number of MHz, not {value}")
        return value


class FpgaSeedField(IntField):
    alias = "seed"
    default = 1
    help = help_text(
        """
        The place-and-route seed (nextpnr `--seed`). Fixed, so the same inputs give a
        byte-identical bitstream; change it to explore other placements.
        """
    )


class FpgaToolOptionsField(DictStringToStringSequenceField):
    alias = "tool_options"
    help = help_text(
        f"""
        Extra options per tool, appended to the flow's own: keys {", ".join(TOOL_OPTION_KEYS)}
        (`yosys`: options of the `synth_<arch>` command; `nextpnr`: nextpnr arguments; `pack`:
        `icepack`/`ecppack` arguments). Example: `tool_options={{"yosys": ["-abc9"]}}`.
        """
    )

    @classmethod
    def compute_value(
        cls, raw_value: Optional[Dict[str, Iterable[str]]], address: Address
    ) -> Optional[FrozenDict[str, Tuple[str, ...]]]:
        value = super().compute_value(raw_value, address)
        unknown = sorted(set(value or {}) - set(TOOL_OPTION_KEYS))
        if unknown:
            raise ValueError(
                f"`tool_options` of {address} has unknown key(s) {', '.join(unknown)}; "
                f"expected: {', '.join(TOOL_OPTION_KEYS)}"
            )
        return value


class FpgaToolchainField(StringField):
    alias = "toolchain"
    valid_choices = TOOLCHAINS
    help = help_text(
        """
        Which Yosys/nextpnr to run. `yowasp` (the default, from `[fpga-toolchain].default_toolchain`):
        the WebAssembly builds from PyPI, locked in the `fpga-tools` resolve, the same on every
        machine. `native`: `yosys`, `nextpnr-*` and `icepack`/`ecppack` found on the PATH.
        """
    )


class FpgaBitstreamOutputPathField(OutputPathField):
    help = help_text(
        """
        Where the bitstream is written, relative to `--distdir`; nextpnr's report is written
        beside it as `<bitstream>.report.json`. Default: `<dir.with.dots>/<target name>.bin`
        (iCE40) or `.bit` (ECP5, Xilinx).
        """
    )


class FpgaBitstreamTarget(Target):
    alias = "fpga_bitstream"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        FpgaRtlSourcesField,
        FpgaTopField,
        FpgaConstraintsField,
        FpgaFamilyField,
        FpgaDeviceField,
        FpgaPackageField,
        FpgaClockField,
        FpgaSeedField,
        FpgaToolOptionsField,
        FpgaToolchainField,
        FpgaBitstreamOutputPathField,
    )
    help = help_text(
        """
        An FPGA bitstream built from RTL by Edalize: Yosys synthesis, nextpnr place and route and
        bitstream packing (iCE40, ECP5), or Vivado (Xilinx).

        `{bin_name} package` builds it in a sandbox with the hermetic YoWASP toolchain by
        default, checks timing against `clock_mhz` and prints resource use and fmax. The build
        is cached by its inputs (RTL, constraints, options, tool versions).
        """
    )


@dataclass(frozen=True)
class FpgaBitstreamFieldSet(FieldSet):
    required_fields = (FpgaRtlSourcesField, FpgaTopField, FpgaFamilyField, FpgaDeviceField)

    sources: FpgaRtlSourcesField
    top: FpgaTopField
    constraints: FpgaConstraintsField
    family: FpgaFamilyField
    device: FpgaDeviceField
    package: FpgaPackageField
    clock_mhz: FpgaClockField
    seed: FpgaSeedField
    tool_options: FpgaToolOptionsField
    toolchain: FpgaToolchainField
    output_path: FpgaBitstreamOutputPathField


class MarketplacePackageBitstreamsField(SpecialCasedDependencies):
    alias = "bitstreams"
    help = help_text(
        """
        `fpga_bitstream` targets whose bitstreams this `marketplace_package` ships, e.g.
        `["./rtl:queue_append_up5k"]` (SmartCircuit package format §7).

        `package` builds them (a cache hit when they are unchanged) and adds each bitstream as
        `fpga/<target name>.<bin|bit>` with a generated `fpga/manifest.toml` (§7.1: circuit
        version, and per bitstream its device family, SHA3-256 checksum, clock, resource use and
        verification), all covered by the package signature. The package's manifest must target
        `fpga`, and `[component.circuit.fpga].device_families` must list exactly the device
        families of these bitstreams (`ice40-up5k`, `ecp5-25k`, `xcvu9p`, ...). A bitstream is
        `verified` when a circuit of the package has an `implementation.rtl` with the
        bitstream's `top` and sources and its golden vectors pass in RTL simulation.
        """
    )


def target_types():
    return [FpgaBitstreamTarget]
