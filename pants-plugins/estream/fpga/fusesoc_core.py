"""The `fusesoc_core` target: a bitstream built from an existing FuseSoC core, by FuseSoC itself.

Decisions:
* FuseSoC resolves the core (CAPI2 parsing, filesets, dependencies by VLNV from the cores
  roots, parameters, flags, generators): the sandboxed driver runs FuseSoC's own `fusesoc run
  --build --target=T` on the locked `fpga-tools` venv. Nothing of CAPI2 is re-implemented here, so
  the bitstream is the one a user's `fusesoc run` gives (tested byte for byte).
* The core is a `.core` file of the repository (`core=`, its dependencies found in `cores_roots`,
  directories below the BUILD file; every file `sources` globs is an input), or a VLNV (`vlnv=`)
  looked up by FuseSoC's `CoreManager` in the libraries of `[fusesoc].libraries` (directories
  by digest, git repositories fetched at a locked commit: `estream.fpga.core_libraries`). Either
  way the build, its generators included, is one sandboxed process cached by its inputs.
* Generators run inside FuseSoC's process, not as Pants processes of their own: FuseSoC calls
  them in the middle of `fusesoc run` (`Edalizer.run_generators`, after resolving dependencies
  with the flags and before the EDAM exists), passes each the `.yml` it writes from the
  generating core's parameters, and adds the core the generator writes back into the same
  dependency solve. Running them outside would mean re-implementing that part of CAPI2
  (parameter expansion, generated-core naming, the re-solve); FuseSoC has no hook to hand a
  generator's output in. They are still sandboxed and cached: as part of the build process,
  whose cache key holds everything a generator reads (its script is a library file).
* In that sandbox, `python3` is the venv's interpreter (generators import
  fusesoc) and, with the YoWASP toolchain, `icepll` is YoWASP's build; FuseSoC's cache root is in
  the sandbox. Tools run through the same `EDALIZE_LAUNCHER` as `fpga_bitstream`, which also asks
  nextpnr for its JSON report (utilisation, fmax), so timing is checked and summarised the same way.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

from estream.core.errors import EstreamError
from estream.fpga import bitstream, core_libraries
from estream.fpga.core_libraries import (
    CoreLibrary,
    CoreLibraryFiles,
    DeclaredCoreLibraries,
    not_found_in_stderr,
    select_libraries,
    vlnv_not_found_error,
)
from estream.core.fpga.devices import BITSTREAM_SUFFIX, TOOLCHAINS
from estream.core.fpga.report import check_timing, parse_nextpnr_report, summary_line
from estream.fpga.bitstream import OUT_DIR, REPORT_FILE, FpgaToolProcess, build_failure
from estream.fpga.subsystems.toolchain import FpgaToolchain
from estream.fpga.target_types import FpgaBitstreamOutputPathField, FpgaFamilyField, FpgaHdlValuesField
from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.fs import CreateDigest, Digest, DigestContents, FileContent, MergeDigests
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, MultiGet, collect_rules, rule
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
        parameters and generators are resolved by FuseSoC, the tools are the hermetic YoWASP
        ones (or native), and the build is cached by its inputs. `package` writes the
        bitstream and nextpnr's report and prints resource use and fmax.
        """
    )


@dataclass(frozen=True)
class FusesocCorePackageFieldSet(PackageFieldSet):
    required_fields = (FusesocCoreTargetField, FpgaFamilyField)

    sources: FusesocCoreSourcesField
    core: FusesocCoreFileField
    vlnv: FusesocCoreVlnvField
    libraries: FusesocCoreLibrariesField
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
    core: Optional[str],
    core_target: str,
    cores_roots: Optional[Sequence[str]],
    parameters: Mapping[str, Union[bool, int, str]],
    flags: Sequence[str],
    family: str,
    toolchain: str,
    output: str,
    where: str,
    vlnv: Optional[str] = None,
    libraries: Sequence[CoreLibrary] = (),
) -> dict:
    """The driver's `fusesoc_build.json` (a process input: all of it is in the cache key), after
    the checks that need no tools. Paths are build-root relative; `base` is the BUILD directory.
    With `vlnv`, the core is looked up in `libraries` (already selected), not in `cores_roots`."""
    if family not in ("ice40", "ecp5"):
        raise EstreamError.single(
            where, f"`fusesoc_core` builds iCE40 and ECP5 cores, not `{family}`", key="family"
        )
    if bool(core) == bool(vlnv):
        raise EstreamError.single(
            where, "set exactly one of `core` (a `.core` file) and `vlnv` (a core from a library)",
            key="vlnv" if vlnv else "core",
        )
    common = {
        "cwd": base,
        "target": core_target,
        "parameters": dict(parameters),
        "flags": list(flags),
        "family": family,
        "toolchain": toolchain,
        "output": output,
    }
    if vlnv:
        if cores_roots is not None:
            raise EstreamError.single(
                where, "`cores_roots` is for `core`; with `vlnv` the cores come from `[fusesoc].libraries`",
                key="cores_roots", help="name the libraries to search in `libraries`, or leave it out",
            )
        if not re.match(r"^[^:\s]*:[^:\s]*:[^:\s]+(:[^:\s]*)?$", vlnv):
            raise EstreamError.single(
                where, f"`{vlnv}` is not a VLNV", key="vlnv",
                help="write `vendor:library:name:version`, e.g. `award-winning:serv:servant:1.4.0`",
            )
        locations = [lib.sandbox_location() for lib in libraries]
        return {
            **common,
            "vlnv": vlnv,
            "libraries": [{"name": lib.name, "location": loc} for lib, loc in zip(libraries, locations)],
            "cores_roots": locations,
        }
    cores_roots = cores_roots or (".",)
    core = core or ""
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
    return {**common, "core_file": core_file, "cores_roots": roots}


@rule(desc="Package a FuseSoC core's bitstream", level=LogLevel.DEBUG)
async def package_fusesoc_core(
    fs: FusesocCorePackageFieldSet, toolchain: FpgaToolchain, declared: DeclaredCoreLibraries
) -> BuiltPackage:
    where = core_where(fs.address)
    family = fs.family.value
    sources = await Get(SourceFiles, SourceFilesRequest([fs.sources]))
    libraries: Tuple[CoreLibrary, ...] = ()
    library_digests: Tuple[Digest, ...] = ()
    if fs.vlnv.value:
        libraries = select_libraries(declared.libraries, fs.libraries.value, where=where)
        fetched = await MultiGet(Get(CoreLibraryFiles, CoreLibrary, lib) for lib in libraries)
        library_digests = tuple(f.digest for f in fetched)
    chosen = fs.toolchain.value or toolchain.default_toolchain
    output = f"{OUT_DIR}/{fs.address.target_name}{BITSTREAM_SUFFIX[family]}"
    config = core_build_config(
        base=fs.address.spec_path,
        files=sources.snapshot.files,
        core=fs.core.value,
        core_target=fs.core_target.value,
        cores_roots=fs.cores_roots.value,
        parameters=fs.parameters.value or FrozenDict(),
        flags=fs.flags.value or (),
        family=family,
        toolchain=chosen,
        output=output,
        where=where,
        vlnv=fs.vlnv.value,
        libraries=libraries,
    )
    config_digest = await Get(
        Digest,
        CreateDigest(
            [FileContent("fusesoc_build.json", json.dumps(config, indent=2, sort_keys=True).encode())]
        ),
    )
    input_digest = await Get(
        Digest, MergeDigests([sources.snapshot.digest, config_digest, *library_digests])
    )
    what = fs.vlnv.value or fs.core.value
    process = await Get(
        Process,
        FpgaToolProcess(
            argv=("fusesoc-build", "fusesoc_build.json"),
            description=(
                f"Build FuseSoC core {what} --target={fs.core_target.value} "
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
        not_found = not_found_in_stderr(result.stderr.decode("utf-8", "replace"))
        if not_found:
            raise vlnv_not_found_error(not_found[0], not_found[1], where=where)
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
    return [
        *collect_rules(),
        *bitstream.rules(),
        *core_libraries.rules(),
        UnionRule(PackageFieldSet, FusesocCorePackageFieldSet),
    ]
