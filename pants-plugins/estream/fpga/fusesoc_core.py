"""Packaging `fusesoc_core` targets (declared in `target_types.py`): a bitstream built from an
existing FuseSoC core, by FuseSoC itself.

Decisions:
* FuseSoC resolves the core (CAPI2 parsing, filesets, dependencies by VLNV from the cores
  roots, parameters, flags, generators): the sandboxed driver runs FuseSoC's own `fusesoc run
  --build --target=T` on the locked `fpga-tools` venv. Nothing of CAPI2 is re-implemented here, so
  the bitstream is the one a user's `fusesoc run` gives (tested byte for byte).
* The core is a `.core` file of the repository (`core=`, its dependencies found in `cores_roots`,
  directories below the BUILD file; every file `sources` globs is an input), or a VLNV (`vlnv=`)
  looked up by FuseSoC's `CoreManager` in the libraries of `[fusesoc].libraries` (directories
  by digest, git repositories fetched at a locked commit: `estream.fpga.core_libraries`).
* Generators run as sandboxed processes of their own, each cached by what it reads, in three
  stages (`edalize_driver`: `fusesoc-plan`, `run-generator`, `fusesoc-build`):
  1. the plan: FuseSoC's own `fusesoc run --setup` with the build's cores roots, target and flags
     (not its parameters), stopped after `Edalizer.run_generators`, with the launch of each
     generator replaced by a record of the invocation (generator, its definition, the `.yml`
     parameters, the generated VLNV and FuseSoC's `generator_cache/<vlnv>-<input hash>`
     directory). FuseSoC runs the generators of the resolved cores only (never those of a
     generated core), so the list is complete before any of them runs.
  2. one process per invocation: FuseSoC's own `Ttptttg(...).generate()` makes it (FuseSoC
     writes the `.yml`, hashes it, launches the script, parses the cores it wrote), with only
     the generator's core and the asking core's files as inputs. Its output directory is the
     process's output digest.
  3. the build: `fusesoc run --build` as before, with those digests as inputs; when FuseSoC
     launches a generator, the launch copies that process's output into the directory FuseSoC
     chose instead (an invocation no process made fails the build: the plan and the build
     disagree). The dependency re-solve with the generated cores, the EDAM and Edalize stay
     FuseSoC's.
  Command-line parameters and tool options (`parameters`, e.g. `nextpnr_options`) reach only
  the EDAM, after the generators: changing them, or `min_fmax_mhz`, re-runs the build alone.
  Changing `toolchain` re-runs the generators too (icepll comes from the chosen toolchain).
* The hook is the one method of FuseSoC 2.4 that launches a generator program,
  `Ttptttg._run(self, generator_cwd)` (and `Edalizer.run_generators` to stop the plan),
  patched for the length of one `fusesoc` call in the driver; the driver checks both exist
  with that signature and fails naming the pinned version otherwise. FuseSoC's own generator
  cache (`cache_type: input`, 2.4) cannot carry the outputs in: it applies only to generators
  whose definition opts in, and those in third-party cores (icepll) do not.
* A generator's process runs in another sandbox than the build, so a generator that writes its
  sandbox's absolute path into its output is refused with the file named; the `.yml` input
  FuseSoC leaves in the directory (it names the sandbox) is not part of the output.
* In that sandbox, `python3` is the venv's interpreter (generators import
  fusesoc) and, with the YoWASP toolchain, `icepll` is YoWASP's build; FuseSoC's cache root is in
  the sandbox. Tools run through the same `EDALIZE_LAUNCHER` as `fpga_bitstream`, which also asks
  nextpnr for its JSON report (utilisation, fmax), so timing is checked and summarised the same way.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.addresses import Address
from pants.engine.fs import (
    CreateDigest,
    Digest,
    DigestContents,
    DigestSubset,
    FileContent,
    MergeDigests,
    PathGlobs,
)
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.unions import UnionRule
from pants.util.frozendict import FrozenDict
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.core.fpga.devices import BITSTREAM_SUFFIX
from estream.core.fpga.report import check_timing, parse_nextpnr_report, summary_line
from estream.fpga import bitstream, core_libraries
from estream.fpga.bitstream import OUT_DIR, REPORT_FILE, FpgaToolProcess, build_failure
from estream.fpga.core_libraries import (
    CoreLibrary,
    CoreLibraryFiles,
    DeclaredCoreLibraries,
    not_found_in_stderr,
    select_libraries,
    vlnv_not_found_error,
)
from estream.fpga.subsystems.toolchain import FpgaToolchain
from estream.fpga.target_types import (
    FpgaBitstreamOutputPathField,
    FpgaFamilyField,
    FusesocCoreFileField,
    FusesocCoreFlagsField,
    FusesocCoreLibrariesField,
    FusesocCoreMinFmaxField,
    FusesocCoreParametersField,
    FusesocCoreSourcesField,
    FusesocCoresRootsField,
    FusesocCoreTargetField,
    FusesocCoreToolchainField,
    FusesocCoreVlnvField,
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
    # Long because: 13 keyword parameters, then a flat ordered list of field checks, each raising.
    if family not in ("ice40", "ecp5"):
        raise EstreamError.single(
            where, f"`fusesoc_core` builds iCE40 and ECP5 cores, not `{family}`", key="family"
        )
    if bool(core) == bool(vlnv):
        raise EstreamError.single(
            where,
            "set exactly one of `core` (a `.core` file) and `vlnv` (a core from a library)",
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
                where,
                "`cores_roots` is for `core`; with `vlnv` the cores come from `[fusesoc].libraries`",
                key="cores_roots",
                help="name the libraries to search in `libraries`, or leave it out",
            )
        if not re.match(r"^[^:\s]*:[^:\s]*:[^:\s]+(:[^:\s]*)?$", vlnv):
            raise EstreamError.single(
                where,
                f"`{vlnv}` is not a VLNV",
                key="vlnv",
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
            where,
            f"`{core}` is not a `.core` file among the target's sources",
            key="core",
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


# Keep in step with edalize_driver.GENERATED_ROOT / GENERATORS_FILE (the driver cannot import
# the plugin; fusesoc_core_test checks they agree).
GENERATED_ROOT = "__generators"
GENERATORS_FILE = "fusesoc_generators.json"

# What of `fusesoc_build.json` the plan stage reads: not the parameters (FuseSoC hands command-line
# parameters and tool options to the EDAM after the generators ran; no generator sees them) nor
# the output, so changing only those reuses the plan and every generator from the cache.
PLAN_KEYS = ("cwd", "target", "flags", "family", "toolchain", "core_file", "vlnv", "libraries", "cores_roots")


def driver_failure(result: FallibleProcessResult, *, where: str) -> EstreamError:
    """A failed FuseSoC stage: a VLNV no library holds (with did-you-mean), or the driver's error."""
    not_found = not_found_in_stderr(result.stderr.decode("utf-8", "replace"))
    if not_found:
        return vlnv_not_found_error(not_found[0], not_found[1], where=where)
    return build_failure(result, where=where)


def generator_failure(stderr_bytes: bytes, exit_code: int, entry: Mapping, *, where: str) -> EstreamError:
    """A generator's process failed: name the generator, the invocation and the core asking."""
    stderr = stderr_bytes.decode("utf-8", "replace").strip()
    failed = [line for line in stderr.splitlines() if line.startswith("fpga build failed:")]
    detail = stderr[stderr.index(failed[0]) :] if failed else stderr[-4000:]
    return EstreamError.single(
        where,
        f"FuseSoC generator `{entry['generator']}` ({entry['name']}, asked for by "
        f"{entry['core']['name']}) failed (exit {exit_code}):\n{detail}",
        help="the messages above come from the generator script, run by FuseSoC in its own sandbox",
    )


def plan_config(config: Mapping) -> dict:
    return {key: config[key] for key in PLAN_KEYS if key in config}


def generator_configs(plan: Mapping, *, toolchain: str, family: str) -> Tuple[dict, ...]:
    """One `run-generator` config per invocation the plan lists (the entry, plus the toolchain
    a generator's tools come from)."""
    return tuple({**entry, "toolchain": toolchain, "family": family} for entry in plan.get("generators", ()))


def generator_inputs(entry: Mapping) -> Tuple[str, ...]:
    """The globs of what a generator may read: the files of the core that defines it (its script
    and helpers) and of the core that asks for it (`files_root`)."""
    roots = sorted({entry["definition"]["root"], entry["core"]["files_root"]})
    return tuple("**" if root == "." else f"{root}/**" for root in roots)


async def run_generators(
    inputs: Digest, config: Mapping, *, toolchain: str, family: str, where: str, address: Address
) -> Tuple[Digest, ...]:
    """FuseSoC's generators for this build, each a sandboxed process cached by what it reads.

    First the plan (`fusesoc run --setup` up to the generators: which invocations FuseSoC
    makes), then one process per invocation; their output digests are inputs of the build."""
    # Long because: one chain of awaits (plan the generators, then run each); a split would scatter it.
    plan_digest = await Get(
        Digest,
        CreateDigest(
            [
                FileContent(
                    "fusesoc_plan.json", json.dumps(plan_config(config), indent=2, sort_keys=True).encode()
                )
            ]
        ),
    )
    plan_inputs = await Get(Digest, MergeDigests([inputs, plan_digest]))
    plan_process = await Get(
        Process,
        FpgaToolProcess(
            argv=("fusesoc-plan", "fusesoc_plan.json"),
            description=f"List the FuseSoC generators of {address} --target={config['target']}",
            input_digest=plan_inputs,
            output_files=(GENERATORS_FILE,),
            toolchain=toolchain,
            family=family,
            where=where,
        ),
    )
    planned = await Get(FallibleProcessResult, Process, plan_process)
    if planned.exit_code != 0:
        raise driver_failure(planned, where=where)
    [plan_file] = await Get(DigestContents, Digest, planned.output_digest)
    entries = generator_configs(json.loads(plan_file.content), toolchain=toolchain, family=family)
    if not entries:
        return ()
    subsets = await MultiGet(
        Get(Digest, DigestSubset(inputs, PathGlobs(generator_inputs(entry)))) for entry in entries
    )
    entry_digests = await MultiGet(
        Get(
            Digest,
            CreateDigest(
                [FileContent("generator.json", json.dumps(entry, indent=2, sort_keys=True).encode())]
            ),
        )
        for entry in entries
    )
    merged = await MultiGet(
        Get(Digest, MergeDigests([subset, entry_digest]))
        for subset, entry_digest in zip(subsets, entry_digests)
    )
    processes = await MultiGet(
        Get(
            Process,
            FpgaToolProcess(
                argv=("run-generator", "generator.json"),
                description=(
                    f"Run FuseSoC generator {entry['generator']} for {entry['core']['name']} "
                    f"({entry['name']}, {address})"
                ),
                input_digest=digest,
                output_files=(),
                toolchain=toolchain,
                family=family,
                where=where,
            ),
        )
        for entry, digest in zip(entries, merged)
    )
    results = await MultiGet(
        Get(
            FallibleProcessResult, Process, dataclasses.replace(process, output_directories=(GENERATED_ROOT,))
        )
        for process in processes
    )
    for entry, result in zip(entries, results):
        if result.exit_code != 0:
            raise generator_failure(result.stderr, result.exit_code, entry, where=where)
    return tuple(result.output_digest for result in results)


@rule(desc="Package a FuseSoC core's bitstream", level=LogLevel.DEBUG)
async def package_fusesoc_core(
    fs: FusesocCorePackageFieldSet, toolchain: FpgaToolchain, declared: DeclaredCoreLibraries
) -> BuiltPackage:
    # Long because: a Pants @rule of sequential awaits (libraries, generators, build, outputs) a split would scatter.
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
    what = fs.vlnv.value or fs.core.value
    inputs = await Get(Digest, MergeDigests([sources.snapshot.digest, *library_digests]))
    generated = await run_generators(
        inputs, config, toolchain=chosen, family=family, where=where, address=fs.address
    )
    config_digest = await Get(
        Digest,
        CreateDigest(
            [FileContent("fusesoc_build.json", json.dumps(config, indent=2, sort_keys=True).encode())]
        ),
    )
    input_digest = await Get(Digest, MergeDigests([inputs, config_digest, *generated]))
    process = await Get(
        Process,
        FpgaToolProcess(
            argv=("fusesoc-build", "fusesoc_build.json"),
            description=(
                f"Build FuseSoC core {what} --target={fs.core_target.value} " f"({fs.address}, {chosen})"
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
        raise driver_failure(result, where=where)
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
    summary = summary_line(
        report, family=family, part=f"{fs.core_target.value} ({family})", target_mhz=target_mhz
    )
    return BuiltPackage(
        digest,
        artifacts=(
            BuiltPackageArtifact(relpath=output_path, extra_log_lines=(f"    {summary}",)),
            BuiltPackageArtifact(relpath=report_path),
        ),
    )


def rules():
    return [
        *collect_rules(),
        *bitstream.rules(),
        *core_libraries.rules(),
        UnionRule(PackageFieldSet, FusesocCorePackageFieldSet),
    ]
