import json
import os
import stat

import pytest

from estream.cli.main import main
from estream.core.archive import build_archive
from estream.core.keys import load_or_create_dev_key, load_private_key, load_public_key
from estream.core.signature import sign_package
from estream.testutil.package_text import manifest_toml

MANIFEST = b'[component]\nname = "esf-iot"\nversion = "1.0.0"\n'


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ESTREAM_KEYRING", raising=False)
    return home


@pytest.fixture
def publisher(tmp_path, capsys):
    key_file = tmp_path / "keys" / "publisher.toml"
    key_file.parent.mkdir()
    assert main(["marketplace", "keygen", "--out", str(key_file), "--key-id", "acme-release"]) == 0
    out = capsys.readouterr().out
    key = load_private_key(key_file)
    assert key.fingerprint in out and "seed" not in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    pub = load_public_key(str(key_file) + ".pub")
    keyring = tmp_path / "keyring.toml"
    keyring.write_text(
        f'[[keys]]\nkey_id = "acme-release"\nfingerprint = "{pub.fingerprint}"\ntrust = "trusted"\n'
    )
    return key, keyring


def make_files(key):
    files = {
        "estream-component.toml": MANIFEST,
        "circuits/iot.circuit.yaml": b"circuit: iot\n",
        "schemas/iot.esf.yaml": b"schema: iot\n",
    }
    files["SIGNATURE.ml-dsa"] = sign_package(files, name="esf-iot", version="1.0.0", key=key, signed_at=0)
    return files


def write_dir(root, files):
    for path, content in files.items():
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    return root


def test_verify_valid_directory_and_archive(tmp_path, publisher, capsys):
    key, keyring = publisher
    files = make_files(key)
    pkg = write_dir(tmp_path / "pkg", files)
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(keyring)]) == 0
    assert "Package signature: ✓ Valid" in capsys.readouterr().out
    archive = tmp_path / "esf-iot-1.0.0.tar.gz"
    archive.write_bytes(build_archive(files, "esf-iot-1.0.0"))
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_verify_tampered_directory(tmp_path, publisher, capsys):
    key, keyring = publisher
    pkg = write_dir(tmp_path / "pkg", make_files(key))
    (pkg / "schemas" / "iot.esf.yaml").write_bytes(b"schema: evil\n")
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(keyring)]) == 10
    out = capsys.readouterr().out
    assert "schemas/iot.esf.yaml" in out and "modified" in out


def test_verify_tampered_archive(tmp_path, publisher, capsys):
    key, keyring = publisher
    files = make_files(key)
    files["circuits/extra.circuit.yaml"] = b"evil"
    archive = tmp_path / "esf-iot-1.0.0.tar.gz"
    archive.write_bytes(build_archive(files, "esf-iot-1.0.0"))
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring)]) == 12
    assert "circuits/extra.circuit.yaml" in capsys.readouterr().out


def test_hostile_archive_is_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"garbage")
    assert main(["marketplace", "verify", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(bad) in err and "Traceback" not in err


def test_unknown_key_without_keyring_and_trusted_with_key(tmp_path, publisher, capsys):
    key, _ = publisher
    pkg = write_dir(tmp_path / "pkg", make_files(key))
    assert main(["marketplace", "verify", str(pkg)]) == 15
    pub = str(tmp_path / "keys" / "publisher.toml.pub")
    assert main(["marketplace", "verify", str(pkg), "--key", pub]) == 0


def test_default_keyring_in_home(tmp_path, publisher, isolated_home):
    key, keyring = publisher
    pkg = write_dir(tmp_path / "pkg", make_files(key))
    (isolated_home / ".estream").mkdir()
    (isolated_home / ".estream" / "keyring.toml").write_text(keyring.read_text())
    assert main(["marketplace", "verify", str(pkg)]) == 0


def test_development_key_flow(tmp_path, isolated_home):
    dev = load_or_create_dev_key(isolated_home)
    pkg = write_dir(tmp_path / "pkg", make_files(dev))
    assert main(["marketplace", "verify", str(pkg)]) == 15
    assert main(["marketplace", "verify", str(pkg), "--allow-development-key"]) == 0


def test_malformed_keyring_names_file(tmp_path, publisher, capsys):
    key, _ = publisher
    pkg = write_dir(tmp_path / "pkg", make_files(key))
    ring = tmp_path / "broken.toml"
    ring.write_text('[[keys]]\nkey_id = "x"\ntrust = "sometimes"\n')
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(ring)]) == 2
    err = capsys.readouterr().err
    assert str(ring) in err and "keys[0].trust" in err and "Traceback" not in err
    ring.write_text("[[keys]\n")
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(ring)]) == 2
    assert "invalid TOML" in capsys.readouterr().err


def test_missing_paths_are_usage_errors(tmp_path, capsys):
    assert main(["marketplace", "verify", str(tmp_path / "nope")]) == 2
    assert "no such package" in capsys.readouterr().err
    os.mkdir(tmp_path / "pkg")
    assert (
        main(["marketplace", "verify", str(tmp_path / "pkg"), "--keyring", str(tmp_path / "none.toml")]) == 2
    )
    assert "none.toml" in capsys.readouterr().err


def test_symlink_in_directory_refused(tmp_path, publisher, capsys):
    key, keyring = publisher
    pkg = write_dir(tmp_path / "pkg", make_files(key))
    os.symlink("/etc/passwd", pkg / "passwd")
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(keyring)]) == 2
    assert "symbolic links" in capsys.readouterr().err


def test_keygen_refuses_overwrite_and_bad_id(tmp_path, capsys):
    out = tmp_path / "k.toml"
    out.write_text("existing")
    assert main(["marketplace", "keygen", "--out", str(out), "--key-id", "a"]) == 2
    assert out.read_text() == "existing"
    assert main(["marketplace", "keygen", "--out", str(tmp_path / "n.toml"), "--key-id", "has space"]) == 2
    assert "invalid key id" in capsys.readouterr().err


def test_usage(capsys):
    assert main([]) == 2
    assert main(["marketplace"]) == 2
    assert main(["marketplace", "verify"]) == 2
    assert main(["marketplace", "verify", "--help"]) == 0


# --- verify --fpga ---------------------------------------------------------------------------

FPGA_COMPONENT = manifest_toml(
    "esf-iot",
    category="fpga-circuit",
    description="IoT filter",
    circuit={"entry": "circuits/iot.circuit.yaml", "targets": ["fpga"], "witness_tier": 0},
    extra='[component.circuit.fpga]\ndevice_families = ["ice40-up5k"]\nlicense = "BSL-1.1"',
).encode()
BITSTREAM = bytes((i * 31) % 256 for i in range(320))


def make_fpga_files(key, bitstream=BITSTREAM, **extra):
    from estream.core.fpga.manifest import FpgaManifest, FpgaTarget, render_fpga_manifest, sha3_checksum

    target = FpgaTarget(
        "ice40-up5k",
        "iot_up5k.bin",
        sha3_checksum(bitstream),
        12,
        {"luts": 417},
        True,
        "acme-release",
        "2026-02-08T10:00:00Z",
    )
    files = {
        "estream-component.toml": FPGA_COMPONENT,
        "circuits/iot.circuit.yaml": b"circuit: iot\n",
        "fpga/iot_up5k.bin": BITSTREAM,
        "fpga/manifest.toml": render_fpga_manifest(FpgaManifest("1.0.0", (target,))),
        **extra,
    }
    files["SIGNATURE.ml-dsa"] = sign_package(files, name="esf-iot", version="1.0.0", key=key, signed_at=0)
    return files


def test_verify_fpga_report_and_json(tmp_path, publisher, capsys):
    key, keyring = publisher
    archive = tmp_path / "esf-iot-1.0.0.tar.gz"
    archive.write_bytes(build_archive(make_fpga_files(key), "esf-iot-1.0.0"))
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring), "--fpga"]) == 0
    out = capsys.readouterr().out
    assert "  Package signature: ✓ Valid\n" in out
    assert "\n  FPGA bitstreams:\n    iot_up5k.bin ... ✓ SHA3-256 match (417 LUTs, 12 MHz)\n" in out
    assert "  Bitstream license: BSL-1.1 (circuit definition: Apache-2.0)\n" in out
    assert out.endswith("  Verified by: acme-release (2026-02-08)\n")
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring), "--fpga", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is True and doc["fpga"]["bitstreams"][0]["status"] == "match"
    # Without --fpga: the signature report only, as before.
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring)]) == 0
    out = capsys.readouterr().out
    assert "FPGA" not in out and out.endswith("  Files: 4 verified (SHA3-256 + Merkle root)\n")
    assert main(["marketplace", "verify", str(archive), "--keyring", str(keyring), "--json"]) == 0
    assert "fpga" not in json.loads(capsys.readouterr().out)


def test_verify_fpga_tampered_bitstream_in_directory(tmp_path, publisher, capsys):
    key, keyring = publisher
    pkg = write_dir(tmp_path / "pkg", make_fpga_files(key))
    data = bytearray(BITSTREAM)
    data[7] ^= 0x80
    (pkg / "fpga" / "iot_up5k.bin").write_bytes(bytes(data))
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(keyring), "--fpga"]) == 10
    out = capsys.readouterr().out
    assert "fpga/iot_up5k.bin .... ✗ modified (SHA3-256 mismatch)" in out
    assert "iot_up5k.bin ... ✗ SHA3-256 mismatch\n        expected sha3-256:" in out
    assert out.endswith("  Result: ✗ exit 10 (modified)\n")
    assert main(["marketplace", "verify", str(pkg), "--keyring", str(keyring), "--fpga", "--json"]) == 10
    doc = json.loads(capsys.readouterr().out)
    assert doc["signature_exit_code"] == 10 and doc["fpga"]["exit_code"] == 25
    assert {f["kind"] for f in doc["findings"]} == {"modified", "fpga_checksum_mismatch"}


def test_verify_fpga_exit_codes(tmp_path, publisher, capsys):
    key, keyring = publisher

    def verify(files, name):
        pkg = write_dir(tmp_path / name, files)
        code = main(["marketplace", "verify", str(pkg), "--keyring", str(keyring), "--fpga"])
        return code, capsys.readouterr().out

    code, out = verify(make_fpga_files(key, **{"fpga/extra.bit": b"\x00" * 64}), "unlisted")
    assert code == 27 and "extra.bit ...... ✗ not listed in fpga/manifest.toml" in out
    files = make_fpga_files(key)
    files["fpga/manifest.toml"] = files["fpga/manifest.toml"].replace(b"clock_mhz = 12", b"clock_mhz = true")
    files["SIGNATURE.ml-dsa"] = sign_package(
        {p: c for p, c in files.items() if p != "SIGNATURE.ml-dsa"},
        name="esf-iot",
        version="1.0.0",
        key=key,
        signed_at=0,
    )
    code, out = verify(files, "malformed")
    assert code == 21 and "fpga/manifest.toml:10: `fpga.targets[0].clock_mhz`" in out
    # A package without FPGA passes --fpga and says so.
    plain = {
        "estream-component.toml": FPGA_COMPONENT.split(b"[component.circuit]")[0].replace(
            b"fpga-circuit", b"integration"
        ),
        "README.md": b"# IoT\n",
    }
    plain["SIGNATURE.ml-dsa"] = sign_package(plain, name="esf-iot", version="1.0.0", key=key, signed_at=0)
    code, out = verify(plain, "plain")
    assert code == 0 and out.endswith("  FPGA bitstreams: none (the package has no FPGA target)\n")
    # One whose estream-component.toml is invalid cannot show it has no FPGA target.
    code, out = verify(make_files(key), "minimal")
    assert code == 22 and "✗ Invalid package manifest: estream-component.toml" in out


def test_version_prints_the_distribution_version(capsys):
    from estream.version import VERSION

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"estream {VERSION}\n"


def test_usage_exit_code_is_verifys():
    from estream.cli.main import USAGE_EXIT_CODE
    from estream.core.verify import ExitCode

    assert USAGE_EXIT_CODE == int(ExitCode.USAGE)


def test_a_subcommands_options_are_there_when_parsed_or_shown(capsys):
    """Subcommands are configured lazily (start-up time); parsing and --help still see every option."""
    assert main(["marketplace", "search", "--help"]) == 0
    assert "--category" in capsys.readouterr().out
    assert main(["marketplace", "install", "--no-such-option"]) == 2
    assert "--no-such-option" in capsys.readouterr().err


def test_starting_the_cli_imports_no_signature_or_yaml_code():
    """`search` and a no-op `install` must start fast: building the parser imports nothing heavy,
    not even the registry's trust chain (`core/registry/trust.py`, `core.keys`, `core.merkle`)."""
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    code = (
        "import sys; from estream.cli.main import build_parser; build_parser(); "
        f"print(sorted(m for m in sys.modules if {_HEAVY_MODULE}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.strip() == "[]"


#: A Python expression true of a module name `m` that `search` (which verifies nothing) must not import.
_HEAVY_MODULE = (
    "m.split('.')[0] in ('yaml', 'dilithium_py', 'mldsa', 'concurrent') or m in ('estream.core.manifest', "
    "'estream.core.signature', 'estream.cli.circuits', 'estream.core.keys', 'estream.core.merkle', "
    "'estream.core.registry.trust', 'estream.core.registry.verification_memo')"
)


@pytest.mark.parametrize("offline", [False, True])
def test_search_imports_no_key_merkle_or_trust_code(tmp_path, monkeypatch, offline):
    """A whole `search` run (sync, index cache, results) verifies nothing, so it imports none of
    the trust chain; the same code imported by mistake would fail here (the module list is checked
    after the command printed its result)."""
    import subprocess
    import sys

    from estream.core.keys import SigningKey
    from estream.core.registry.testing import cli_registry, package_archive

    key = SigningKey.generate("acme-release")
    tmp_path = tmp_path / "search"  # this file's fixtures own tmp_path/home
    tmp_path.mkdir()
    cli_registry(tmp_path, monkeypatch, key)
    archive = tmp_path / "esf-core-1.0.0.tar.gz"
    archive.write_bytes(package_archive("esf-core", "1.0.0", key=key, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(archive)]) == 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    argv = ["marketplace", "search", "core", "--json"] + (["--offline"] if offline else [])
    code = (
        f"import sys; from estream.cli.main import main; status = main({argv!r}); "
        f"print(status, sorted(m for m in sys.modules if {_HEAVY_MODULE}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    result, _, modules = out.rpartition("\n0 ")
    assert [e["version"] for e in json.loads(result)] == ["1.0.0"]
    assert modules.strip() == "[]"


#: What a warm `search` (index cache built) needs from none of: python-semver (no version is
#: compared), the archive cache, and the modules only a crash report, a push retry or a
#: temporary name used (issue 18: each cost start-up time).
_DEFERRED_MODULES = ("semver", "estream.core.registry.cache", "tempfile", "traceback", "random", "secrets")


def test_a_warm_search_imports_no_semver_or_deferred_modules(tmp_path, monkeypatch):
    import subprocess
    import sys

    from estream.core.keys import SigningKey
    from estream.core.registry.testing import cli_registry, package_archive

    key = SigningKey.generate("acme-release")
    tmp_path = tmp_path / "search"  # this file's fixtures own tmp_path/home
    tmp_path.mkdir()
    cli_registry(tmp_path, monkeypatch, key)
    for version in ("1.0.0", "1.2.0", "1.10.0"):
        archive = tmp_path / f"esf-core-{version}.tar.gz"
        archive.write_bytes(package_archive("esf-core", version, key=key, provides=["CoreEvent"]))
        assert main(["marketplace", "publish", str(archive)]) == 0
    argv = ["marketplace", "search", "core", "--json", "--offline"]
    assert main(argv[:-1]) == 0  # fetches and builds the index cache (this parses versions)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    code = (
        f"import sys; from estream.cli.main import main; status = main({argv!r}); "
        f"print(status, sorted(m for m in sys.modules if m in {_DEFERRED_MODULES!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    result, _, modules = out.rpartition("\n0 ")
    assert [e["version"] for e in json.loads(result)] == ["1.10.0"]  # the newest, by precedence
    assert modules.strip() == "[]"
