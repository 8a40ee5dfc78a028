"""The `fusesoc_core` target: a bitstream built from an existing FuseSoC core, by FuseSoC itself.

Decisions:
* FuseSoC resolves the core (CAPI2 parsing, filesets, dependencies by VLNV from the cores
  roots, parameters, flags, generators): the sandboxed driver runs FuseSoC's own `fusesoc run
  --build --target=T` on the locked `fpga-tools` venv. Nothing of CAPI2 is re-implemented here, so
  the bitstream is the one a user's `fusesoc run` gives (tested byte for byte).
* The cores roots are directories in the repository (vendored libraries, e.g. `3rdparty/fusesoc`);
  every file under them that the target's `sources` globs is an input, so the whole build, its
  generators included, is one sandboxed process cached by those inputs.
* Generators run inside that sandbox: `python3` is the venv's interpreter (generators import
  fusesoc) and, with the YoWASP toolchain, `icepll` is YoWASP's build; FuseSoC's cache root is in
  the sandbox. Tools run through the same `EDALIZE_LAUNCHER` as `fpga_bitstream`, which also asks
  nextpnr for its JSON report (utilisation, fmax), so timing is checked and summarised the same way.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

from estream.core.errors import EstreamError
from estream.fpga.devices import BITSTREAM_SUFFIX, TOOLCHAINS
from estream.fpga.report import check_timing, parse_nextpnr_report, summary_line
from estream.fpga.rules import OUT_DIR, REPORT_FILE, FpgaToolProcess, build_failure
from estream.fpga.subsystem import FpgaToolchain
from estream.fpga.target_types import FpgaBitstreamOutputPathField, FpgaFamilyField, FpgaHdlValuesField
from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.fs import CreateDigest, Digest, DigestContents, FileContent, MergeDigests
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    FloatField,
    MultipleSourcesField,
    StringField,
    StringSequenceField,
    Target,
)
from pants.engine.unions import UnionRule
from pants.util.frozendict import FrozenDict
from pants.util.logging import LogLevel
from pants.util.strutil import help_text


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
    required = True
    value: str
    help = help_text(
        """
        The `.core` file (CAPI2) to build, relative to the BUILD file, e.g. `serv/servant.core`.
        Its dependencies are found by VLNV in `cores_roots`.
        """
    )


class FusesocCoreTargetField(StringField):
    alias = "core_target"
    required = True
    value: str
    help = "The core's target to build (`fusesoc run --target=...`), e.g. `icebreaker`."


class FusesocCoresRootsField(StringSequenceField):
    alias = "cores_roots"
    default = (".",)
    help = help_text(
        """
        Directories, relative to the BUILD file, that FuseSoC searches for cores (`--cores-root`):
        the core's own library and those of its dependencies. Default: the BUILD directory.
        """
    )


class FusesocCoreParametersField(FpgaHdlValuesField):
    alias = "parameters"
    help = help_text(
        """
        Values of the core's parameters, as `fusesoc run` takes them after the VLNV
        (`--memsize=8192`); `True` passes a bool parameter, `False` leaves it out. FuseSoC runs
        from the BUILD file's directory, so `file` parameters are relative to it. Example:
        `parameters={"memfile": "serv/sw/blinky.hex", "memsize": 8192}`.
        """
    )


class FusesocCoreFlagsField(StringSequenceField):
    alias = "flags"
    help = "FuseSoC flags (`fusesoc run --flag`), e.g. `[\"mdu\"]`."


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
        A bitstream built from an existing FuseSoC core (CAPI2), e.g. a vendored third-party SoC,
        by FuseSoC's own `fusesoc run --build` in a sandbox: its filesets, dependencies,
        parameters and generators are resolved by FuseSoC, the tools are the hermetic YoWASP
        ones (or native), and the build is cached by its inputs. `package` writes the
        bitstream and nextpnr's report and prints resource use and fmax.
        """
    )


@dataclass(frozen=True)
class FusesocCorePackageFieldSet(PackageFieldSet):
    required_fields = (FusesocCoreFileField, FusesocCoreTargetField, FpgaFamilyField)

    sources: FusesocCoreSourcesField
    core: FusesocCoreFileField
    core_target: FusesocCoreTargetField
    cores_roots: FusesocCoresRootsField
    parameters: FusesocCoreParametersField
    flags: FusesocCoreFlagsField
    family: FpgaFamilyField
    min_fmax_mhz: FusesocCoreMinFmaxField
    toolchain: FusesocCoreToolchainField
    output_path: FpgaBitstreamOutputPathField


def core_where(address: Address) -> str:
    return f"{address.spec_path or '.'}/BUILD: {address}"


def core_build_config(
    *,
    base: str,
    files: Sequence[str],
    core: str,
    core_target: str,
    cores_roots: Sequence[str],
    parameters: Mapping[str, Union[bool, int, str]],
    flags: Sequence[str],
    family: str,
    toolchain: str,
    output: str,
    where: str,
) -> dict:
    """The driver's `fusesoc_build.json` (a process input: all of it is in the cache key), after
    the checks that need no tools. Paths are build-root relative; `base` is the BUILD directory."""
    if family not in ("ice40", "ecp5"):
        raise EstreamError.single(
            where, f"`fusesoc_core` builds iCE40 and ECP5 cores, not `{family}`", key="family"
        )
    core_file = posixpath.normpath(posixpath.join(base, core))
    if not core.endswith(".core") or core_file not in files:
        raise EstreamError.single(
            where, f"`{core}` is not a `.core` file among the target's sources", key="core",
            help="point `core` at a CAPI2 `.core` file below the BUILD file that `sources` includes",
        )
    roots = []
    for declared in cores_roots:
        root = posixpath.normpath(posixpath.join(base, declared))
        if posixpath.relpath(root, base or ".").startswith(".."):
            raise EstreamError.single(
                where, f"cores root `{declared}` is outside the BUILD directory", key="cores_roots"
            )
        if not any(f.startswith(root + "/") or root == "." for f in files):
            raise EstreamError.single(
                where, f"cores root `{declared}` holds none of the target's sources", key="cores_roots"
            )
        roots.append(root)
    return {
        "core_file": core_file,
        "cwd": base,
        "cores_roots": roots,
        "target": core_target,
        "parameters": dict(parameters),
        "flags": list(flags),
        "family": family,
        "toolchain": toolchain,
        "output": output,
    }


@rule(desc="Package a FuseSoC core's bitstream", level=LogLevel.DEBUG)
async def package_fusesoc_core(
    fs: FusesocCorePackageFieldSet, toolchain: FpgaToolchain
) -> BuiltPackage:
    where = core_where(fs.address)
    family = fs.family.value
    sources = await Get(SourceFiles, SourceFilesRequest([fs.sources]))
    chosen = fs.toolchain.value or toolchain.default_toolchain
    output = f"{OUT_DIR}/{fs.address.target_name}{BITSTREAM_SUFFIX[family]}"
    config = core_build_config(
        base=fs.address.spec_path,
        files=sources.snapshot.files,
        core=fs.core.value,
        core_target=fs.core_target.value,
        cores_roots=fs.cores_roots.value or (".",),
        parameters=fs.parameters.value or FrozenDict(),
        flags=fs.flags.value or (),
        family=family,
        toolchain=chosen,
        output=output,
        where=where,
    )
    config_digest = await Get(
        Digest,
        CreateDigest(
            [FileContent("fusesoc_build.json", json.dumps(config, indent=2, sort_keys=True).encode())]
        ),
    )
    input_digest = await Get(Digest, MergeDigests([sources.snapshot.digest, config_digest]))
    process = await Get(
        Process,
        FpgaToolProcess(
            argv=("fusesoc-build", "fusesoc_build.json"),
            description=(
                f"Build FuseSoC core {fs.core.value} --target={fs.core_target.value} "
                f"({fs.address}, {chosen})"
            ),
            input_digest=input_digest,
            output_files=(output, REPORT_FILE),
            toolchain=chosen,
            family=family,
            where=where,
        ),
    )
    result = await Get(FallibleProcessResult, Process, process)
    if result.exit_code != 0:
        raise build_failure(result, where=where)
    contents = await Get(DigestContents, Digest, result.output_digest)
    by_path = {fc.path: fc.content for fc in contents}
    report = parse_nextpnr_report(by_path[REPORT_FILE], path=f"{where} (nextpnr report.json)")
    worst = report.min_fmax()
    target_mhz = fs.min_fmax_mhz.value or (worst.constraint_mhz if worst else 0.0)
    if fs.min_fmax_mhz.value:
        check_timing(report, target_mhz=fs.min_fmax_mhz.value, where=where, key="min_fmax_mhz")

    output_path = fs.output_path.value_or_default(file_ending=BITSTREAM_SUFFIX[family].lstrip("."))
    report_path = f"{output_path}.report.json"
    digest = await Get(
        Digest,
        CreateDigest(
            [FileContent(output_path, by_path[output]), FileContent(report_path, by_path[REPORT_FILE])]
        ),
    )
    summary = summary_line(report, family=family, part=f"{fs.core_target.value} ({family})", target_mhz=target_mhz)
    return BuiltPackage(
        digest,
        artifacts=(
            BuiltPackageArtifact(relpath=output_path, extra_log_lines=(f"    {summary}",)),
            BuiltPackageArtifact(relpath=report_path),
        ),
    )


def target_types():
    return [FusesocCoreTarget]


def rules():
    return [*collect_rules(), UnionRule(PackageFieldSet, FusesocCorePackageFieldSet)]
