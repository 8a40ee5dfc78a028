"""Bitstreams in a marketplace package, and golden vectors on RTL, with the real `./pants`.

`circuits/queue/append` (estream-queue-append) ships the iCE40 and ECP5 bitstreams of its RTL
under fpga/ with a generated fpga/manifest.toml, and its circuit's golden vectors run against the
CPU reference and, through Edalize (Icarus Verilog, or the hermetic Verilator), against the RTL:

* the archive is byte-identical from two build roots, users, umasks and RTL simulators; its
  bitstreams are the bytes `package` of the `fpga_bitstream` targets writes; `verify --fpga` accepts it and names a
  tampered bitstream;
* the errors a package author meets (a `bitstreams=` entry that is no bitstream, an undeclared
  device family, no simulator) name the file, the key and the remedy;
* Verilator passes the same vectors; an injected RTL bug fails the RTL half of `test` with a
  diff in both simulators (the CPU half still passes) and keeps the bitstreams out of a
  package; a testbench `$fatal` fails by exit status.
"""

from __future__ import annotations

import io
import tarfile
from contextlib import redirect_stdout
from hashlib import sha3_256
from pathlib import Path

from estream.cli.main import main as estream
from estream.core.fpga.latency import parse_latency_json
from estream.core.fpga.manifest import parse_fpga_manifest
from estream.core.keys import SigningKey, write_private_key, write_public_key
from integration.native_tools import ICARUS
from integration.pants_repo import copy_repo, run_pants

PKG = "circuits/queue/append"
ARCHIVE = "estream-queue-append-1.0.0.tar.gz"
TOP = "estream-queue-append-1.0.0"
RTL_DIST = "dist/circuits.queue.append.rtl"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def members(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return {m.name[len(TOP) + 1 :]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def verify(*args: str) -> tuple:
    out = io.StringIO()
    with redirect_stdout(out):
        code = estream(["marketplace", "verify", *args])
    return code, out.getvalue()


def test_package_ships_verified_reproducible_bitstreams(tmp_path: Path, capfd) -> None:
    key = SigningKey.generate("fpga-release-01")
    key_file = tmp_path / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)
    pub = tmp_path / "keys" / "release.toml.pub"
    write_public_key(pub, key.public)
    first = copy_repo(tmp_path / "alice" / "repo")
    second = copy_repo(tmp_path / "bob" / "deeper" / "checkout")

    built = run_pants(
        first,
        ["package", f"{PKG}:", f"{PKG}/rtl:"],
        env={
            "ESTREAM_SIGNING_KEY_FILE": str(key_file),
            "SOURCE_DATE_EPOCH": EPOCH,
            "USER": "alice",
            "TZ": "UTC",
        },
        umask=0o022,
        pantsd=True,  # the daemon keeps this run's umask for the `export` below
    ).assert_success()
    assert "fpga/queue_append_up5k.bin: iCE40UP5K-sg48" in built.stderr
    assert "verified: RTL passes the golden vectors of `queue_append_pipeline`" in built.stderr
    assert "bitstreams licensed CERN-OHL-P-2.0 (circuit definition: Apache-2.0)" in built.stderr
    # Latency: cycles counted in the RTL run x each bitstream's routed fmax, against §9.3.
    assert "fpga/latency.json: cycles per operation counted in RTL simulation x routed fmax" in built.stderr
    assert "iCE40UP5K-sg48: meets " in built.stderr and "queue.append < 40 ns" in built.stderr
    # The second build verifies the RTL in the other simulator: that is no input of the archive.
    run_pants(
        second,
        ["package", f"{PKG}:", "--fpga-toolchain-simulator=verilator"],
        env={
            "ESTREAM_SIGNING_KEY": key.private_key_file_text(),
            "SOURCE_DATE_EPOCH": EPOCH,
            "USER": "bob",
            "TZ": "Pacific/Kiritimati",
        },
        umask=0o077,
    ).assert_success()
    archive = first / "dist" / ARCHIVE
    assert archive.read_bytes() == (second / "dist" / ARCHIVE).read_bytes()

    files = members(archive)
    manifest = parse_fpga_manifest(files["fpga/manifest.toml"], "fpga/manifest.toml")
    assert manifest.circuit_version == "1.0.0"
    by_name = {t.bitstream: t for t in manifest.targets}
    assert sorted(by_name) == ["queue_append_ecp5_25k.bit", "queue_append_up5k.bin"]
    assert by_name["queue_append_up5k.bin"].device_family == "ice40-up5k"
    assert by_name["queue_append_ecp5_25k.bit"].device_family == "ecp5-25k"
    for name, target in by_name.items():
        # The package ships exactly what `package` of the fpga_bitstream target writes.
        assert files[f"fpga/{name}"] == (first / RTL_DIST / name).read_bytes()
        assert target.checksum == "sha3-256:" + sha3_256(files[f"fpga/{name}"]).hexdigest()
        assert target.verified and target.verified_by == "fpga-release-01"
        assert target.verified_at == "2026-01-01T00:00:00Z"
        assert target.resource_usage["luts"] > 0 and target.resource_usage["brams"] >= 1
    assert by_name["queue_append_ecp5_25k.bit"].clock_mhz == 25.0
    assert "rtl/queue_append.v" in files and "src/queue_append_rtl.py" in files
    latency = {e.bitstream: e for e in parse_latency_json(files["fpga/latency.json"])}
    assert sorted(latency) == sorted(by_name)
    for entry in latency.values():
        # Every simulated append (both simulators count the same: the archives are identical).
        assert entry.circuit == "queue_append_pipeline" and set(entry.cycles) == {"queue.append"}
        assert set(entry.cycles["queue.append"]) == {2} and entry.fmax_mhz > 0

    code, out = verify(str(archive), "--key", str(pub), "--fpga")
    assert code == 0, out
    assert "queue_append_up5k.bin ....... ✓ SHA3-256 match" in out
    assert "Verified by: fpga-release-01 (2026-01-01)" in out
    assert "Bitstream license: CERN-OHL-P-2.0 (circuit definition: Apache-2.0)" in out
    assert (
        "Latency and throughput (fpga/latency.json: cycles counted in RTL simulation x routed fmax):" in out
    )
    assert "LFE5U-25F-CABGA381: meets " in out and "misses " in out

    # Outside Pants, the CLI runs the same vectors on the RTL with the exported tool venv (in
    # Icarus where it is installed, else in the hermetic Verilator from the lockfile).
    run_pants(first, ["export", "--resolve=fpga-tools"], pantsd=True).assert_success()
    [venv] = (first / "dist/export/python/virtualenvs/fpga-tools").iterdir()
    capfd.readouterr()
    rtl, title = ("icarus", "Icarus Verilog") if ICARUS.available() else ("verilator", "Verilator")
    code = estream(
        ["marketplace", "test", str(first / PKG), "--rtl", rtl, "--python", str(venv / "bin/python")]
    )
    report = capfd.readouterr().out  # the runner is a child process: its output is on fd 1
    assert code == 0, report
    assert f"on RTL ({title}) (10 tests)" in report and "10/10 tests passed" in report
    assert not (first / PKG / "rtl-sim").exists()  # the simulation works outside the package

    unpacked = tmp_path / "unpacked"
    for rel, content in files.items():
        (unpacked / rel).parent.mkdir(parents=True, exist_ok=True)
        (unpacked / rel).write_bytes(content)
    bitstream = unpacked / "fpga/queue_append_ecp5_25k.bit"
    data = bytearray(bitstream.read_bytes())
    data[len(data) // 2] ^= 0x01
    bitstream.write_bytes(bytes(data))
    code, out = verify(str(unpacked), "--key", str(pub), "--fpga")
    assert code == 10, out  # the signature catches it first (a modified file) ...
    assert "queue_append_ecp5_25k.bit ... ✗ SHA3-256 mismatch" in out  # ... and so does the manifest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def test_package_errors_and_rtl_failures_are_reported(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    build, manifest = repo / PKG / "BUILD", repo / PKG / "estream-component.toml"

    _edit(build, '"./rtl:queue_append_ecp5_25k"', '"./rtl:queue_append_ecp5_25k", ":src"')
    wrong = run_pants(repo, ["package", f"{PKG}:"], pantsd=True)
    assert wrong.returncode != 0
    assert (
        f"{PKG}/BUILD: {PKG}:append: `bitstreams`: {PKG}:src is not an `fpga_bitstream` target"
        in wrong.stderr
    )
    _edit(build, ', ":src"', "")

    _edit(manifest, 'device_families = ["ice40-up5k", "ecp5-25k"]', 'device_families = ["ice40-up5k"]')
    undeclared = run_pants(repo, ["package", f"{PKG}:"], pantsd=True)
    assert undeclared.returncode != 0
    assert (
        f"{PKG}/estream-component.toml: `component.circuit.fpga.device_families`: bitstream "
        f"{PKG}/rtl:queue_append_ecp5_25k is for device family `ecp5-25k`, which is not declared"
    ) in undeclared.stderr
    _edit(manifest, 'device_families = ["ice40-up5k"]', 'device_families = ["ice40-up5k", "ecp5-25k"]')

    circuits = f"{PKG}/circuits:"
    icarus = ["--fpga-toolchain-simulator=icarus"]
    no_sim = run_pants(
        repo,
        ["test", circuits, *icarus, "--fpga-toolchain-native-search-path=['/nonexistent']"],
        pantsd=True,
    )
    assert no_sim.returncode != 0
    assert (
        "simulating it with Icarus Verilog needs iverilog, vvp, make; not found: iverilog, vvp (searched /nonexistent)"
        in no_sim.stderr + no_sim.stdout
    )
    # The hermetic simulator (Verilator from the lockfile) runs the same vectors, and passes.
    verilator = ["--fpga-toolchain-simulator=verilator"]
    hermetic = run_pants(
        repo, ["test", circuits, *verilator, "--test-output=all"], pantsd=True
    ).assert_success()
    assert (
        "queue-append-golden [queue_append_pipeline] on RTL (Verilator) (10 tests)"
        in hermetic.stdout + hermetic.stderr
    )

    unknown = run_pants(repo, ["test", circuits, "--fpga-toolchain-simulator=modelsim"], pantsd=True)
    assert unknown.returncode != 0
    assert "unknown simulator `modelsim` in `[fpga-toolchain].simulator`" in unknown.stderr + unknown.stdout
    assert "expected one of: auto, icarus, verilator" in unknown.stderr + unknown.stdout

    # A real RTL bug: the CRC register of the core starts from 0 instead of all ones.
    _break_crc_reset(repo)
    _assert_rtl_bug_reported(repo, verilator, "Verilator")
    not_packaged = run_pants(repo, ["package", f"{PKG}:"], pantsd=True)
    assert not_packaged.returncode != 0
    assert (
        "the RTL of circuit `queue_append_pipeline` does not pass its golden vectors" in not_packaged.stderr
    )
    assert not (repo / "dist" / ARCHIVE).exists()


def _break_crc_reset(repo: Path) -> None:
    _edit(repo / PKG / "rtl/queue_append.v", "crc_state   <= 32'hFFFFFFFF;", "crc_state   <= 32'h00000000;")


def _assert_rtl_bug_reported(repo: Path, simulator: list, title: str) -> None:
    broken = run_pants(repo, ["test", f"{PKG}/circuits:", *simulator, "--test-output=all"], pantsd=True)
    assert broken.returncode != 0
    out = broken.stdout + broken.stderr
    rtl_report = out[out.index(f"on RTL ({title})") :]
    assert "10/10 tests passed" in out[: out.index(f"on RTL ({title})")]  # CPU: fine
    assert "✗ append-one" in rtl_report and "$.acks.acks[0].witness: expected" in rtl_report


def test_icarus_reports_testbench_and_rtl_failures(tmp_path: Path) -> None:
    ICARUS.require()
    repo = copy_repo(tmp_path / "repo")
    circuits = f"{PKG}/circuits:"
    icarus = ["--fpga-toolchain-simulator=icarus"]

    # A testbench that does not compile fails every RTL vector, with the compiler's message.
    testbench = repo / PKG / "rtl/queue_append_vectors_tb.v"
    _edit(testbench, "module queue_append_vectors_tb;", "module queue_append_vectors_tb; syntax error here")
    uncompiled = run_pants(repo, ["test", circuits, *icarus, "--test-output=all"], pantsd=True)
    assert uncompiled.returncode != 0
    out = uncompiled.stdout + uncompiled.stderr
    assert "could not compile the RTL and testbench with icarus" in out and "0/10 tests passed" in out
    _edit(testbench, "module queue_append_vectors_tb; syntax error here", "module queue_append_vectors_tb;")

    # A testbench `$fatal` (here: an operation it does not know) fails the run by exit status.
    codec = repo / PKG / "src/queue_append_rtl.py"
    _edit(codec, '    ops.append(("D", 0))\n', '    ops.append(("D", 0))\n    ops.append(("Z", 1))\n')
    fatal = run_pants(repo, ["test", circuits, *icarus, "--test-output=all"], pantsd=True)
    assert fatal.returncode != 0
    out = fatal.stdout + fatal.stderr
    assert "simulation failed" in out and "unknown stimulus operation `Z`" in out
    assert "10/10 tests passed" in out  # the CPU reference does not use the codec
    _edit(codec, '    ops.append(("Z", 1))\n', "")

    _break_crc_reset(repo)
    _assert_rtl_bug_reported(repo, icarus, "Icarus Verilog")
