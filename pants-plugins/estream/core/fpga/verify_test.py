"""verify --fpga against real signed packages: signed with sign_package, archived with
build_archive and read back with read_archive, as a consumer gets them."""

import json

import pytest

from estream.core.archive import build_archive, read_archive
from estream.core.fpga.manifest import (
    FPGA_MANIFEST_PATH,
    FpgaManifest,
    FpgaTarget,
    render_fpga_manifest,
    sha3_checksum,
)
from estream.core.fpga.verify import verify_fpga, verify_package_with_fpga
from estream.core.keys import SigningKey
from estream.core.signature import sign_package
from estream.core.verify import ExitCode

PUBLISHER = SigningKey.generate("estream-dev-xyz")
ATTACKER = SigningKey.generate("attacker")
NAME, VERSION = "estream-lex-queue", "1.0.0"
SIG = "SIGNATURE.ml-dsa"
UP5K = bytes((i * 7) % 256 for i in range(300))  # fake bitstreams: a few hundred bytes
ECP5 = bytes((i * 13 + 5) % 256 for i in range(400))
UP5K_PATH, ECP5_PATH = "fpga/queue_append_up5k.bin", "fpga/queue_append_ecp5_25k.bit"

COMPONENT = """\
[component]
name = "estream-lex-queue"
version = "1.0.0"
category = "smart-circuit"
description = "Lex stream circuits"
license = "Apache-2.0"

[component.circuit]
entry = "circuits/append.circuit.yaml"
targets = ["cpu", "fpga"]
witness_tier = 1

[component.circuit.fpga]
device_families = ["ice40-up5k", "ecp5-25k"]
license = "BSL-1.1"
"""


def target(family, path, data, luts, mhz, **overrides):
    fields = dict(
        device_family=family,
        bitstream=path.split("/", 1)[1],
        checksum=sha3_checksum(data),
        clock_mhz=mhz,
        resource_usage={"luts": luts, "ffs": 100},
        verified=True,
        verified_by="estream-dev-xyz",
        verified_at="2026-02-08T10:00:00Z",
    )
    fields.update(overrides)
    return FpgaTarget(**fields)


def fpga_manifest(version=VERSION, up5k=None, ecp5=None):
    return FpgaManifest(
        version,
        (
            up5k or target("ice40-up5k", UP5K_PATH, UP5K, 417, 12),
            ecp5 or target("ecp5-25k", ECP5_PATH, ECP5, 1234, 25),
        ),
    )


def sign(files, key=PUBLISHER):
    files = {p: c for p, c in files.items() if p != SIG}
    files[SIG] = sign_package(files, name=NAME, version=VERSION, key=key, signed_at="2026-02-10T12:00:00Z")
    return files


def package(component=COMPONENT, manifest=None, extra=None, drop=(), raw_manifest=None):
    files = {
        "estream-component.toml": component.encode(),
        "circuits/append.circuit.yaml": b"name: append\n",
        UP5K_PATH: UP5K,
        ECP5_PATH: ECP5,
        FPGA_MANIFEST_PATH: raw_manifest
        if raw_manifest is not None
        else render_fpga_manifest(manifest or fpga_manifest()),
        "fpga/LICENSE": b"Business Source License 1.1\n",
    }
    files.update(extra or {})
    for path in drop:
        del files[path]
    return shipped(sign(files))


def shipped(files):
    """The package as a consumer reads it: through a deterministic archive."""
    top, read = read_archive(build_archive(files, f"{NAME}-{VERSION}"))
    assert top == f"{NAME}-{VERSION}"
    return read


def check(files):
    return verify_package_with_fpga(files, extra_trusted_keys=[PUBLISHER.public], top_dir=f"{NAME}-{VERSION}")


def kinds(report):
    return sorted({f.kind for f in report.findings})


GOOD = package()


def test_valid_package_prints_the_spec_report():
    report = check(GOOD)
    assert report.ok and report.exit_code == ExitCode.VALID, report.render()
    out = report.render()
    assert "  Package signature: ✓ Valid\n" in out
    assert (
        "\n  FPGA bitstreams:\n"
        "    queue_append_up5k.bin ....... ✓ SHA3-256 match (417 LUTs, 12 MHz)\n"
        "    queue_append_ecp5_25k.bit ... ✓ SHA3-256 match (1,234 LUTs, 25 MHz)\n"
        "\n"
    ) in out
    assert "  Bitstream license: BSL-1.1 (circuit definition: Apache-2.0)\n" in out
    assert out.endswith("  Verified by: estream-dev-xyz (2026-02-08)\n")
    assert "Other files under fpga/: LICENSE" in out and "Result" not in out
    doc = json.loads(report.to_json())
    assert doc["valid"] is True and doc["exit_code"] == 0 and doc["signature_exit_code"] == 0
    assert [b["status"] for b in doc["fpga"]["bitstreams"]] == ["match", "match"]
    assert doc["fpga"]["bitstreams"][0]["resource_usage"] == {"luts": 417, "ffs": 100}
    assert doc["fpga"]["license"] == {"bitstreams": "BSL-1.1", "circuit_definition": "Apache-2.0"}


def test_same_license_prints_no_license_line():
    report = check(package(component=COMPONENT.replace('license = "BSL-1.1"\n', "")))
    assert report.ok and "Bitstream license" not in report.render()


def test_flipped_bitstream_byte_is_reported_by_signature_and_fpga_checksum():
    files = dict(GOOD)
    flipped = bytearray(files[UP5K_PATH])
    flipped[150] ^= 0x01
    files[UP5K_PATH] = bytes(flipped)
    report = check(files)
    assert kinds(report) == [ExitCode.MODIFIED, ExitCode.FPGA_CHECKSUM_MISMATCH]
    assert report.exit_code == ExitCode.MODIFIED  # signature findings rank first
    assert {f.path for f in report.findings} == {UP5K_PATH}
    mismatch = [f for f in report.fpga.findings if f.kind == ExitCode.FPGA_CHECKSUM_MISMATCH][0]
    assert mismatch.expected == sha3_checksum(UP5K) and mismatch.actual == sha3_checksum(bytes(flipped))
    out = report.render()
    assert f"{UP5K_PATH} .... ✗ modified (SHA3-256 mismatch)" in out
    assert "queue_append_up5k.bin ....... ✗ SHA3-256 mismatch\n" in out
    assert f"        expected {sha3_checksum(UP5K)}\n        actual   {sha3_checksum(bytes(flipped))}" in out
    assert "queue_append_ecp5_25k.bit ... ✓ SHA3-256 match" in out
    assert "The package signature did not verify" in out
    assert out.endswith("  Result: ✗ exit 10 (modified)\n")
    doc = json.loads(report.to_json())
    assert doc["exit_code"] == 10 and doc["fpga"]["exit_code"] == 25
    assert {f["kind"] for f in doc["findings"]} == {"modified", "fpga_checksum_mismatch"}


def test_manifest_rewritten_and_resigned_by_attacker_fails_on_the_key():
    evil = bytes(reversed(UP5K))
    forged = fpga_manifest(up5k=target("ice40-up5k", UP5K_PATH, evil, 417, 12))
    files = dict(GOOD)
    files[UP5K_PATH] = evil
    files[FPGA_MANIFEST_PATH] = render_fpga_manifest(forged)
    report = check(shipped(sign(files, key=ATTACKER)))
    # The FPGA manifest agrees with the replaced bitstream; only the signer gives it away.
    assert report.fpga.ok
    assert kinds(report) == [ExitCode.UNKNOWN_KEY] and report.exit_code == 15
    out = report.render()
    assert "Package signature: ✗ Unknown signing key" in out and "'attacker'" in out
    assert "✓ SHA3-256 match" in out and "The package signature did not verify" in out
    assert out.endswith("  Result: ✗ exit 15 (unknown_key)\n")


def test_manifest_checksum_edited_without_resigning():
    forged = fpga_manifest(up5k=target("ice40-up5k", UP5K_PATH, b"other", 417, 12))
    files = dict(GOOD, **{FPGA_MANIFEST_PATH: render_fpga_manifest(forged)})
    report = check(files)
    assert kinds(report) == [ExitCode.MODIFIED, ExitCode.FPGA_CHECKSUM_MISMATCH]
    assert {f.path for f in report.signature.findings} == {FPGA_MANIFEST_PATH}


def test_missing_bitstream():
    report = check(package(drop=[ECP5_PATH]))  # listed in the manifest, never shipped
    assert kinds(report) == [ExitCode.FPGA_BITSTREAM_MISSING] and report.exit_code == 26
    assert report.signature.ok
    assert report.fpga.findings[0].path == ECP5_PATH
    assert "queue_append_ecp5_25k.bit ... ✗ missing (listed in fpga/manifest.toml)" in report.render()
    # Removed after signing: the signature says so too, and outranks.
    files = dict(GOOD)
    del files[ECP5_PATH]
    report = check(files)
    assert kinds(report) == [ExitCode.MISSING, ExitCode.FPGA_BITSTREAM_MISSING] and report.exit_code == 11


def test_unlisted_bitstreams_are_findings_other_files_are_not():
    extra = {
        "fpga/backdoor.bit": b"\x00\xff" * 40,
        "fpga/old/queue_append_up5k.BIN": UP5K,
        "fpga/queue_append_up5k.report.json": b"{}",
        "fpga/README.md": b"# bitstreams\n",
    }
    report = check(package(extra=extra))
    assert report.signature.ok
    assert kinds(report) == [ExitCode.FPGA_UNLISTED_BITSTREAM] and report.exit_code == 27
    assert sorted(f.path for f in report.findings) == ["fpga/backdoor.bit", "fpga/old/queue_append_up5k.BIN"]
    out = report.render()
    assert "    backdoor.bit ................ ✗ not listed in fpga/manifest.toml" in out
    assert "old/queue_append_up5k.BIN" in out
    assert "Other files under fpga/: LICENSE, README.md, queue_append_up5k.report.json" in out
    assert json.loads(report.to_json())["fpga"]["unlisted"] == [
        "fpga/backdoor.bit",
        "fpga/old/queue_append_up5k.BIN",
    ]


def test_circuit_version_mismatch():
    report = check(package(manifest=fpga_manifest(version="0.9.0")))
    assert kinds(report) == [ExitCode.FPGA_VERSION_MISMATCH] and report.exit_code == 23
    (finding,) = report.findings
    assert finding.expected == "1.0.0" and finding.actual == "0.9.0"
    assert (
        "✗ FPGA circuit version mismatch: fpga/manifest.toml is for circuit version 0.9.0, but the package is version 1.0.0"
        in report.render()
    )


def good_manifest_text():
    return GOOD[FPGA_MANIFEST_PATH].decode()


MALFORMED = [
    ('circuit_version = "1.0.0"', 'circuit_version = "1.0.0', "fpga/manifest.toml:4: invalid TOML"),
    (
        "clock_mhz = 12",
        'clock_mhz = "12"',
        "fpga/manifest.toml:10: `fpga.targets[0].clock_mhz`: expected a positive number",
    ),
    (
        "luts = 417",
        "luts = true",
        "`fpga.targets[0].resource_usage.luts`: expected a non-negative integer, found boolean true",
    ),
    (
        'bitstream = "queue_append_up5k.bin"',
        'bitstream = "../estream-component.toml"',
        "`fpga.targets[0].bitstream`",
    ),
    (
        'bitstream = "queue_append_ecp5_25k.bit"',
        'bitstream = "queue_append_up5k.bin"',
        "already listed by `fpga.targets[0]`",
    ),
    ('checksum = "sha3-256:', 'checksum = "sha256:', "only SHA3-256 checksums"),
    ("verified = true", "verified = true\nbackdoor = true", "unknown key `backdoor`"),
    ("[fpga]", "[fpga]\nextra = 1", "unknown key `extra` in `[fpga]`"),
]


@pytest.mark.parametrize("old, new, fragment", MALFORMED)
def test_malformed_manifest(old, new, fragment):
    text = good_manifest_text()
    assert old in text
    report = check(package(raw_manifest=text.replace(old, new, 1).encode()))
    assert report.signature.ok, report.render()  # signed as shipped: the publisher's mistake
    assert kinds(report) == [ExitCode.FPGA_MANIFEST_INVALID] and report.exit_code == 21
    out = report.render()
    assert fragment in out and "✗ Invalid FPGA manifest: fpga/manifest.toml" in out
    # Nothing is known to be listed: the bitstreams are not reported as unlisted on top.
    assert "not listed" not in out
    assert (
        "    not checked, fpga/manifest.toml is invalid: queue_append_ecp5_25k.bit, queue_append_up5k.bin\n"
        in out
    )
    assert "Other files under fpga/: LICENSE (" in out


def test_hostile_manifest_bytes():
    for raw in (b"\xff\xfe", b"#" * (2 * 1024 * 1024), b"[fpga]\nx = " + b"[" * 5000 + b"]" * 5000):
        report = check(package(raw_manifest=raw))
        assert report.exit_code == ExitCode.FPGA_MANIFEST_INVALID, report.render()


def test_device_family_not_declared():
    component = COMPONENT.replace('["ice40-up5k", "ecp5-25k"]', '["ice40-up5k"]')
    report = check(package(component=component))
    assert kinds(report) == [ExitCode.FPGA_DEVICE_UNDECLARED] and report.exit_code == 24
    (finding,) = report.findings
    assert finding.path == ECP5_PATH and '"ecp5-25k"' in finding.message and "(ice40-up5k)" in finding.message
    out = report.render()
    assert (
        "    queue_append_ecp5_25k.bit ... ✓ SHA3-256 match (1,234 LUTs, 25 MHz)\n"
        '        ✗ device family "ecp5-25k" (`fpga.targets[1].device_family`) is not declared in '
        "[component.circuit.fpga].device_families (ice40-up5k)\n"
    ) in out
    assert out.count("ecp5-25k") == 1  # on the bitstream's line, not repeated below


def test_fpga_manifest_in_a_package_without_fpga_target():
    component = COMPONENT.replace('targets = ["cpu", "fpga"]', 'targets = ["cpu"]').split(
        "[component.circuit.fpga]"
    )[0]
    report = check(package(component=component))
    assert kinds(report) == [ExitCode.FPGA_DEVICE_UNDECLARED]
    assert all("no [component.circuit.fpga] table" in f.message for f in report.findings)


def test_fpga_target_without_manifest():
    report = check(package(drop=[FPGA_MANIFEST_PATH, UP5K_PATH, ECP5_PATH]))
    assert kinds(report) == [ExitCode.FPGA_MANIFEST_MISSING] and report.exit_code == 20
    assert 'targets include "fpga" but the package has no fpga/manifest.toml' in report.render()


def test_bitstreams_without_manifest_are_unlisted():
    report = check(package(drop=[FPGA_MANIFEST_PATH]))
    assert kinds(report) == [ExitCode.FPGA_MANIFEST_MISSING, ExitCode.FPGA_UNLISTED_BITSTREAM]
    assert report.exit_code == ExitCode.FPGA_MANIFEST_MISSING


def test_package_without_fpga_passes_with_a_clear_line():
    component = COMPONENT.replace('targets = ["cpu", "fpga"]', 'targets = ["cpu"]').split(
        "[component.circuit.fpga]"
    )[0]
    report = check(
        package(component=component, drop=[FPGA_MANIFEST_PATH, UP5K_PATH, ECP5_PATH, "fpga/LICENSE"])
    )
    assert report.ok and report.exit_code == 0
    assert report.render().endswith("\n\n  FPGA bitstreams: none (the package has no FPGA target)\n")
    assert json.loads(report.to_json())["fpga"]["bitstreams"] == []


def test_invalid_package_manifest_is_its_own_finding():
    report = verify_fpga(dict(GOOD, **{"estream-component.toml": b"[component]\nname = 3\n"}))
    assert kinds(report) == [ExitCode.FPGA_PACKAGE_MANIFEST_INVALID] and report.exit_code == 22
    assert any("estream-component.toml:2: `component.name`" in f.message for f in report.findings)
    assert [c.device_declared for c in report.checks] == [None, None]  # unknown, not reported
    files = dict(GOOD)
    del files["estream-component.toml"]
    assert verify_fpga(files).exit_code == ExitCode.FPGA_PACKAGE_MANIFEST_INVALID


def test_unverified_target_is_a_warning_not_a_failure():
    manifest = fpga_manifest(
        ecp5=target("ecp5-25k", ECP5_PATH, ECP5, 1234, 25, verified=False, verified_by="ci-build")
    )
    report = check(package(manifest=manifest))
    assert report.ok and report.exit_code == 0
    out = report.render()
    assert (
        "    queue_append_ecp5_25k.bit ... ✓ SHA3-256 match (1,234 LUTs, 25 MHz)\n"
        "        ⚠ not verified (verified = false in fpga/manifest.toml)\n"
    ) in out
    assert "Verified by: estream-dev-xyz (2026-02-08)\n" in out and "ci-build" not in out
    assert [b["verified"] for b in json.loads(report.to_json())["fpga"]["bitstreams"]] == [True, False]
    nobody = fpga_manifest(
        up5k=target("ice40-up5k", UP5K_PATH, UP5K, 417, 12, verified=False),
        ecp5=target("ecp5-25k", ECP5_PATH, ECP5, 1234, 25, verified=False),
    )
    assert "Verified by: nobody" in check(package(manifest=nobody)).render()


def test_declared_family_without_bitstream_is_a_warning():
    component = COMPONENT.replace('["ice40-up5k", "ecp5-25k"]', '["ice40-up5k", "ecp5-25k", "xcvu9p"]')
    report = check(package(component=component))
    assert report.ok
    assert (
        '⚠ device family "xcvu9p" is declared in [component.circuit.fpga] but has no bitstream'
        in report.render()
    )


def test_every_fpga_finding_collected():
    component = COMPONENT.replace('["ice40-up5k", "ecp5-25k"]', '["ice40-up5k"]')
    manifest = fpga_manifest(version="1.1.0", up5k=target("ice40-up5k", UP5K_PATH, b"not it", 417, 12))
    report = check(
        package(component=component, manifest=manifest, drop=[ECP5_PATH], extra={"fpga/x.rbf": b"x"})
    )
    assert kinds(report) == [
        ExitCode.FPGA_VERSION_MISMATCH,
        ExitCode.FPGA_DEVICE_UNDECLARED,
        ExitCode.FPGA_CHECKSUM_MISMATCH,
        ExitCode.FPGA_BITSTREAM_MISSING,
        ExitCode.FPGA_UNLISTED_BITSTREAM,
    ]
    assert report.exit_code == ExitCode.FPGA_CHECKSUM_MISMATCH
    assert report.render().endswith("  Result: ✗ exit 25 (fpga_checksum_mismatch)\n")


def latency_json(up5k_mhz=48.0, ecp5_mhz=125.0, bitstream=None):
    from estream.core.fpga.latency import BitstreamLatency, render_latency_json

    cycles = {"queue.append": [2] * 30}
    return render_latency_json(
        [
            BitstreamLatency(
                bitstream or "queue_append_up5k.bin",
                "iCE40UP5K-sg48",
                up5k_mhz,
                "queue_append_pipeline",
                cycles,
            ),
            BitstreamLatency(
                "queue_append_ecp5_25k.bit", "LFE5U-25F-CABGA381", ecp5_mhz, "queue_append_pipeline", cycles
            ),
        ]
    )


def test_latency_is_shown_per_device_against_the_spec_targets():
    report = check(package(extra={"fpga/latency.json": latency_json()}))
    assert report.ok, report.render()
    out = report.render()
    assert (
        "  Latency and throughput (fpga/latency.json: cycles counted in RTL simulation x routed fmax):\n"
        in out
    )
    lines = out.splitlines()
    up5k = next(row for row in lines if "iCE40UP5K-sg48" in row and "queue.append" in row)
    ecp5 = next(row for row in lines if "LFE5U-25F-CABGA381" in row and "queue.append" in row)
    # 2 cycles at 48 MHz = 41.7 ns (misses < 40 ns); at 125 MHz = 16.0 ns (meets it).
    assert "41.7" in up5k and "does not meet < 40 ns" in up5k
    assert "16.0" in ecp5 and "meets < 40 ns" in ecp5 and "does not meet >= 200M ops/s" in ecp5
    assert (
        "    iCE40UP5K-sg48: meets no §9.3 target; misses queue.append < 40 ns, queue.append >= 200M ops/s"
        in lines
    )
    assert "    LFE5U-25F-CABGA381: meets queue.append < 40 ns; misses queue.append >= 200M ops/s" in lines
    assert "Other files under fpga/: LICENSE (" in out  # latency.json is shown, not listed as other
    doc = json.loads(report.to_json())["fpga"]["latency"]
    assert [(r["device"], r["latency_met"]) for r in doc] == [
        ("LFE5U-25F-CABGA381", True),
        ("iCE40UP5K-sg48", False),
    ]  # by bitstream name
    assert doc[0]["cycles_per_op"] == 2 and doc[0]["constant_time"] is True


def test_unreadable_or_foreign_latency_figures_are_a_warning_not_a_finding():
    report = check(package(extra={"fpga/latency.json": b"{not json"}))
    assert report.ok and "fpga/latency.json is unreadable, latency not shown" in report.render()
    report = check(package(extra={"fpga/latency.json": latency_json(bitstream="other.bin")}))
    assert (
        report.ok and "has figures for other.bin, which fpga/manifest.toml does not list" in report.render()
    )
    assert "Latency and throughput" not in report.render()


def test_without_latency_json_there_is_no_latency_section():
    assert "Latency" not in check(GOOD).render()
