"""`estream marketplace verify|install` on hostile input, through the CLI only (issue 13):
terminal injection, names that collide on macOS/Windows, no traceback for any input."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import unicodedata
from pathlib import Path

import pytest

import estream.cli.main as cli
import estream.core.verify
from estream.core.archive import build_archive
from estream.core.keys import SigningKey
from estream.core.registry.testing import bare_repo, keyring_text, package_archive, root_key_args, trust_env
from estream.core.signature import sign_package
from hostile.amplification import TOP, signed_files

KEY = SigningKey.generate("acme-release")
CORPUS = Path(__file__).parent / "corpus"
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e", "\x07", "\r", "\x08")


@pytest.fixture
def ring(tmp_path, monkeypatch):
    monkeypatch.setenv("ESTREAM_HOME", str(tmp_path / "home"))
    path = tmp_path / "keyring.toml"
    path.write_text(keyring_text(KEY))
    return path


def run(capsys, *args: str):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _escape_package(tmp_path: Path) -> Path:
    files = signed_files(KEY)
    doc = json.loads(files["SIGNATURE.ml-dsa"])
    doc["package"]["version"] = "1.0.0\x1b[2J\x1b[32m  Package signature: \u2713 Valid\x9b0m\u202e"
    files["SIGNATURE.ml-dsa"] = json.dumps(doc).encode()
    files["unlisted\u202egpj.exe\x9b.md"] = b"x"
    path = tmp_path / "escape.tar.gz"
    path.write_bytes(build_archive(files, TOP))
    return path


def test_verify_escapes_what_the_package_says(tmp_path, ring, capsys) -> None:
    path = _escape_package(tmp_path)
    code, out, err = run(capsys, "marketplace", "verify", str(path), "--keyring", str(ring))
    assert code == 14  # bad signature: the statement was altered
    assert not any(c in out + err for c in RAW_CONTROLS), out
    assert "\\x1b[2J" in out and "\\u202e" in out and "unlisted\\u202egpj.exe\\x9b.md" in out


def test_verify_json_is_valid_and_escaped(tmp_path, ring, capsys) -> None:
    path = _escape_package(tmp_path)
    code, out, _ = run(capsys, "marketplace", "verify", str(path), "--keyring", str(ring), "--json")
    assert code == 14 and not any(c in out for c in RAW_CONTROLS)
    doc = json.loads(out)
    assert doc["package"]["version"].startswith(
        "1.0.0\x1b[2J"
    )  # the data is intact, only its display escaped


def test_errors_quoting_a_hostile_file_are_escaped(tmp_path, ring, capsys) -> None:
    bad = tmp_path / "bad\x1b[31m.pub"
    bad.write_text('key_id = "\x1b]0;owned\x07"\n')
    code, out, err = run(capsys, "marketplace", "verify", str(_escape_package(tmp_path)), "--key", str(bad))
    assert code == 2 and not any(c in out + err for c in RAW_CONTROLS), err


@pytest.mark.parametrize(
    "extra, needle",
    [
        ({"README.md": b"a", "readme.md": b"b"}, "'README.md' and 'readme.md' differ only in case"),
        (
            {
                unicodedata.normalize("NFC", "caf\u00e9.md"): b"a",
                unicodedata.normalize("NFD", "caf\u00e9.md"): b"b",
            },
            "one name in two Unicode forms",
        ),
    ],
)
def test_verify_refuses_names_that_collide_elsewhere(tmp_path, ring, capsys, extra, needle) -> None:
    files = signed_files(KEY)
    files.update(extra)
    del files["SIGNATURE.ml-dsa"]
    files["SIGNATURE.ml-dsa"] = sign_package(files, name="esf-core", version="1.0.0", key=KEY, signed_at=0)
    archive = tmp_path / "collide.tar.gz"
    # build_archive itself refuses such names: write the tar by hand.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(f"{TOP}/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    archive.write_bytes(gzip.compress(buf.getvalue()))
    code, out, err = run(capsys, "marketplace", "verify", str(archive), "--keyring", str(ring))
    assert code == 2 and needle in err and "before anything is installed" in err, out + err
    # As a directory on this (case-sensitive) file system, too.
    pkg = tmp_path / "pkg"
    for name, content in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_bytes(content)
    code, out, err = run(capsys, "marketplace", "verify", str(pkg), "--keyring", str(ring))
    assert code == 2 and needle in err, err


def test_install_refuses_a_file_that_collides_with_an_existing_one(
    tmp_path, ring, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    for var, value in trust_env(KEY).items():  # the consumer pinned the root; KEY signs snapshots
        monkeypatch.setenv(var, value)
    url = bare_repo(tmp_path / "index.git")
    assert (
        run(
            capsys,
            "marketplace",
            "registry-init",
            "--registry",
            url,
            "--keyring",
            str(ring),
            *root_key_args(tmp_path),
        )[0]
        == 0
    )
    good = tmp_path / "good.tar.gz"
    good.write_bytes(package_archive("esf-core", "1.0.0", key=KEY, provides=["CoreEvent"]))
    assert run(capsys, "marketplace", "publish", str(good), "--registry", url)[0] == 0
    ws = tmp_path / "ws"
    (ws / "vendor/esf-core").mkdir(parents=True)
    (ws / "vendor/esf-core/license").write_text("mine, not the package's\n")
    code, out, err = run(
        capsys, "marketplace", "install", "esf-core", "--workspace", str(ws), "--registry", url, "--no-tests"
    )
    assert (
        code == 2 and "'vendor/esf-core/license' and 'vendor/esf-core/LICENSE' differ only in case" in err
    ), (out + err)
    assert sorted(p.name for p in (ws / "vendor/esf-core").iterdir()) == ["license"]
    assert (ws / "vendor/esf-core/license").read_text() == "mine, not the package's\n"


@pytest.mark.parametrize("case", sorted(p.name for p in (CORPUS / "archive").iterdir()))
def test_verify_never_prints_a_traceback(tmp_path, ring, capsys, case) -> None:
    code, out, err = run(
        capsys, "marketplace", "verify", str(CORPUS / "archive" / case), "--keyring", str(ring)
    )
    assert code != 0 and "Traceback" not in out + err and "internal error" not in err, out + err
    assert len((out + err).splitlines()) < 60


def test_an_internal_error_prints_one_line_and_writes_a_report(tmp_path, ring, capsys, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("unexpected \x1b[2J state")

    monkeypatch.setattr(estream.core.verify, "verify_package", broken)  # the CLI imports it when verify runs
    code, out, err = run(
        capsys, "marketplace", "verify", str(_escape_package(tmp_path)), "--keyring", str(ring)
    )
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "\x1b" not in err
    assert err.startswith(
        "error: internal error (RuntimeError: unexpected \\x1b[2J state); the full report is in "
    )
    report = Path(err.rstrip("\n").rsplit(" ", 1)[1])
    assert report.parent == Path(os.environ["ESTREAM_HOME"]) / "crash-reports"
    text = report.read_text()
    assert "Traceback" in text and "RuntimeError" in text and "'marketplace' 'verify'" in text
