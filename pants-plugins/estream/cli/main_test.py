import json
import os
import stat

import pytest

from estream.cli.main import main
from estream.core.archive import build_archive
from estream.core.keys import load_or_create_dev_key, load_private_key, load_public_key
from estream.core.signature import sign_package

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
    keyring.write_text(f'[[keys]]\nkey_id = "acme-release"\nfingerprint = "{pub.fingerprint}"\ntrust = "trusted"\n')
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
    assert main(["marketplace", "verify", str(tmp_path / "pkg"), "--keyring", str(tmp_path / "none.toml")]) == 2
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
