"""The `fpga_bitstream` target: RTL built into an FPGA bitstream by Edalize."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional, Tuple, Union

from pants.core.goals.package import OutputPathField
from pants.engine.addresses import Address
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    DictStringToStringSequenceField,
    Field,
    FieldSet,
    FloatField,
    IntField,
    MultipleSourcesField,
    SpecialCasedDependencies,
    StringField,
    StringSequenceField,
    Target,
)
from pants.util.docutil import bin_name
from pants.util.frozendict import FrozenDict
from pants.util.strutil import help_text

from estream.core.fpga.devices import DIES, FAMILIES, TOOLCHAINS

TOOL_OPTION_KEYS = ("yosys", "nextpnr", "pack")
HDL_HEADER_SUFFIXES = (".vh", ".svh")
VHDL_SUFFIXES = (".vhd", ".vhdl")
HDL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
ParameterValue = Union[bool, int, str]


class FpgaRtlSourcesField(MultipleSourcesField):
    required = True
    expected_file_extensions = (".v", ".sv", *HDL_HEADER_SUFFIXES, *VHDL_SUFFIXES)
    help = help_text(
        """
        The RTL files of the design, relative to the BUILD file: Verilog `.v`, SystemVerilog
        `.sv` (read with Yosys' `-sv` frontend), and `.vh`/`.svh` headers, which are made
        available for `` `include `` (see `include_dirs`) but not read as units. VHDL
        (`.vhd`, `.vhdl`) only for `family="xilinx"` (Vivado): Yosys, as YoWASP and Debian
        ship it, has no VHDL frontend (that needs the GHDL plugin), and an iCE40/ECP5 target with
        VHDL sources fails with an error saying so. Example:
        `sources=["queue_append.v", "queue_append_top.v"]`.
        """
    )


class FpgaHdlValuesField(Field):
    """A dict of HDL names to typed values (bool, int or str), as FuseSoC parameters are typed."""

    value: Optional[FrozenDict[str, ParameterValue]]
    default = None

    @classmethod
    def compute_value(
        cls, raw_value: Optional[Dict[str, Any]], address: Address
    ) -> Optional[FrozenDict[str, ParameterValue]]:
        value = super().compute_value(raw_value, address)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ValueError(
                f"`{cls.alias}` of {address} must be a dict of names to values, "
                f"not {type(value).__name__}"
            )
        checked = {}
        for name, item in value.items():
            if not isinstance(name, str) or not HDL_IDENTIFIER.match(name):
                raise ValueError(f"`{cls.alias}` of {address}: {name!r} is not a Verilog identifier")
            if not isinstance(item, (bool, int, str)):
                raise ValueError(
                    f"`{cls.alias}` of {address}: `{name}` must be a bool, an int or a str, "
                    f"not {type(item).__name__} ({item!r})"
                )
            checked[name] = item
        return FrozenDict(sorted(checked.items()))


class FpgaParametersField(FpgaHdlValuesField):
    alias = "parameters"
    help = help_text(
        """
        Parameters of the top-level module, typed by their Python value as FuseSoC types them
        (`datatype` `bool`, `int` or `str`; `paramtype: vlogparam`): Yosys sets them with
        `chparam`, and the FuseSoC export declares them in the core's `parameters`. Example:
        `parameters={"DEPTH": 64, "NAME": "q0", "FAST": True}`.
        """
    )


class FpgaDefinesField(FpgaHdlValuesField):
    alias = "defines"
    help = help_text(
        """
        Verilog preprocessor defines (`paramtype: vlogdefine` in FuseSoC), typed like
        `parameters`: `defines={"SYNTHESIS": True, "WIDTH": 32}` is `` `define SYNTHESIS 1 ``
        and `` `define WIDTH 32 `` in every source file.
        """
    )


class FpgaIncludeDirsField(StringSequenceField):
    alias = "include_dirs"
    help = help_text(
        """
        Include directories for `` `include ``, relative to the BUILD file. Each must hold at
        least one `.vh`/`.svh` header of `sources` (the headers are what the sandbox gets). A
        header outside every listed directory is found from its own directory. Example:
        `include_dirs=["include"]` with `sources=["top.v", "include/regs/map.vh"]` lets
        `top.v` say `` `include "regs/map.vh" ``.
        """
    )


class FpgaDataFilesField(MultipleSourcesField):
    alias = "data_files"
    help = help_text(
        """
        Memory initialisation and other data files the design reads at synthesis time
        (`$readmemh("rom.hex", mem)`: `.hex`, `.mem`, `.bin`, `.txt`, ...), relative to the BUILD
        file. They are copied into the synthesis directory under the same relative path (what
        FuseSoC's `copyto` does), so the RTL names them as they are named here.
        """
    )


class FpgaTopField(StringField):
    alias = "top"
    required = True
    value: str
    help = "The top-level module of the design (the one whose ports are the package pins)."


class FpgaConstraintsField(StringField):
    alias = "constraints"
    required = True
    value: str
    help = help_text(
        """
        The physical constraints file, relative to the BUILD file: a `.pcf` for iCE40, an `.lpf`
        for ECP5, an `.xdc` for Xilinx. It maps the top module's ports onto package pins.
        """
    )


class FpgaFamilyField(StringField):
    alias = "family"
    required = True
    value: str
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
    value: str
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
    value: float
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
        FpgaParametersField,
        FpgaDefinesField,
        FpgaIncludeDirsField,
        FpgaDataFilesField,
        FpgaBitstreamOutputPathField,
    )
    help = help_text(
        f"""
        An FPGA bitstream built from RTL by Edalize: Yosys synthesis, nextpnr place and route and
        bitstream packing (iCE40, ECP5), or Vivado (Xilinx).

        `{bin_name()} package` builds it in a sandbox with the hermetic YoWASP toolchain by
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
    parameters: FpgaParametersField
    defines: FpgaDefinesField
    include_dirs: FpgaIncludeDirsField
    data_files: FpgaDataFilesField
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


class FusesocCoreSourcesField(MultipleSourcesField):
    default = ("**/*",)
    help = help_text(
        """
        The files of the FuseSoC libraries the core and its dependencies come from, relative to
        the BUILD file (default: everything below it). Only these reach the sandbox.
        """
    )


class FusesocCoreFileField(StringField):
    alias = "core"
    help = help_text(
        """
        The `.core` file (CAPI2) to build, relative to the BUILD file, e.g. `serv/servant.core`.
        Its dependencies are found by VLNV in `cores_roots`. Set this or `vlnv`.
        """
    )


class FusesocCoreVlnvField(StringField):
    alias = "vlnv"
    help = help_text(
        """
        The core to build, by VLNV, from the FuseSoC libraries declared in pants.toml
        (`[fusesoc].libraries`), e.g. `award-winning:serv:servant:1.4.0`; FuseSoC's matching
        applies (without a version, the newest). Its dependencies come from the same libraries.
        Set this or `core`. With `vlnv`, `sources` holds only the files the target's
        `parameters` name (e.g. a memory file), so set it (`sources=[]` when there are none).
        """
    )


class FusesocCoreLibrariesField(StringSequenceField):
    alias = "libraries"
    help = help_text(
        """
        With `vlnv`: the names of the `[fusesoc].libraries` to search (and to put in the build's
        inputs). Default: all of them.
        """
    )


class FusesocCoreTargetField(StringField):
    alias = "core_target"
    required = True
    value: str
    help = "The core's target to build (`fusesoc run --target=...`), e.g. `icebreaker`."


class FusesocCoresRootsField(StringSequenceField):
    alias = "cores_roots"
    help = help_text(
        """
        With `core`: directories, relative to the BUILD file, that FuseSoC searches for cores
        (`--cores-root`): the core's own library and those of its dependencies. Default: the
        BUILD directory. (With `vlnv`, the libraries are `[fusesoc].libraries`.)
        """
    )


class FusesocCoreParametersField(FpgaHdlValuesField):
    alias = "parameters"
    help = help_text(
        """
        Values of the core's parameters, as `fusesoc run` takes them after the VLNV
        (`--memsize=8192`); `True` passes a bool parameter, `False` leaves it out. FuseSoC runs
        from the BUILD file's directory, so `file` parameters are relative to it. Example:
        `parameters={"memfile": "serv/sw/blinky.hex", "memsize": 8192}`. The flow's options
        go here too, as FuseSoC takes them (`{"nextpnr_options": "--seed 2"}` adds to the
        core's). No generator reads these: changing them rebuilds without re-running one.
        """
    )


class FusesocCoreFlagsField(StringSequenceField):
    alias = "flags"
    help = 'FuseSoC flags (`fusesoc run --flag`), e.g. `["mdu"]`.'


class FusesocCoreMinFmaxField(FloatField):
    alias = "min_fmax_mhz"
    help = help_text(
        """
        The slowest clock the build accepts, in MHz: below it, the build fails naming the clock
        (nextpnr's report). Default: the core's own `--freq`, which nextpnr enforces itself.
        """
    )


class FusesocCoreToolchainField(StringField):
    alias = "toolchain"
    valid_choices = TOOLCHAINS
    help = "`yowasp` (default, from `[fpga-toolchain].default_toolchain`) or `native` tools."


class FusesocCoreTarget(Target):
    alias = "fusesoc_core"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        FusesocCoreSourcesField,
        FusesocCoreFileField,
        FusesocCoreVlnvField,
        FusesocCoreLibrariesField,
        FusesocCoreTargetField,
        FusesocCoresRootsField,
        FusesocCoreParametersField,
        FusesocCoreFlagsField,
        FpgaFamilyField,
        FusesocCoreMinFmaxField,
        FusesocCoreToolchainField,
        FpgaBitstreamOutputPathField,
    )
    help = help_text(
        """
        A bitstream built from an existing FuseSoC core (CAPI2): a `.core` file of the
        repository (`core`), e.g. a vendored third-party SoC, or a core by VLNV (`vlnv`) from the
        FuseSoC libraries declared in pants.toml (`[fusesoc].libraries`: directories, or git
        repositories locked to a commit), by FuseSoC's own `fusesoc run --build` in a sandbox: its filesets, dependencies,
        parameters and generators are resolved by FuseSoC, each generator runs as a sandboxed
        process of its own (cached by what it reads), the tools are the hermetic YoWASP ones (or
        native), and the build is cached by its inputs. `package` writes the
        bitstream and nextpnr's report and prints resource use and fmax.
        """
    )


def target_types():
    return [FpgaBitstreamTarget, FusesocCoreTarget]
