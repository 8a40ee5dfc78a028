"""The install record (install_record.py): an install that changes nothing returns at once, and
anything that could change the outcome (a file, the workspace file, options, keys, the record
itself) sends the install through every step again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from estream.cli.main import main
from estream.core.keys import SigningKey
from estream.core.registry.cache import default_cache_dir
from estream.core.registry.install_record import record_path
from estream.core.registry.testing import cli_registry, copy_cli_registry, keyring_text, package_archive

KEY = SigningKey.generate("acme-release")
FULL = "3. Verify ML-DSA-87 signatures"
NOOP = "Nothing to do"


@pytest.fixture(scope="module")
def published_registry(tmp_path_factory) -> Path:
    """A registry with esf-core and esf-metrics 1.0.0 published through the CLI, built once for the
    module (publishing costs seconds): never changed, each test gets a copy (`ws`)."""
    template = tmp_path_factory.mktemp("published-registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
        for name, deps in (("esf-core", {}), ("esf-metrics", {"esf-core": "^1.0"})):
            path = template / f"{name}.tar.gz"
            path.write_bytes(
                package_archive(
                    name, "1.0.0", key=KEY, deps=deps, provides=[name.split("-")[1].title() + "Event"]
                )
            )
            assert main(["marketplace", "publish", str(path)]) == 0
    return template


@pytest.fixture
def ws(published_registry, tmp_path, monkeypatch, capsys):
    copy_cli_registry(published_registry, tmp_path, monkeypatch, KEY)
    root = tmp_path / "ws"
    root.mkdir()
    assert install(root, "esf-metrics") == 0
    capsys.readouterr()
    return root


def install(root: Path, *args: str) -> int:
    return main(["marketplace", "install", "--workspace", str(root), *args])


def run(root: Path, capsys, *args: str) -> str:
    assert install(root, *args) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_an_install_that_changes_nothing_does_no_work(ws, capsys, tmp_path, monkeypatch):
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    out = run(ws, capsys)
    assert NOOP in out and FULL not in out
    assert "Installed 2 packages: esf-core v1.0.0, esf-metrics v1.0.0" in out
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before
    # It does not even contact the registry (no git fetch): the lock is the contract.
    shutil.move(str(tmp_path / "index.git"), str(tmp_path / "gone.git"))
    assert NOOP in run(ws, capsys)


@pytest.mark.parametrize(
    "change",
    [
        lambda ws: (ws / "vendor/esf-core/schemas/esf-core.esf.yaml").write_bytes(b"tampered"),
        lambda ws: (ws / "vendor/esf-core/schemas/esf-core.esf.yaml").unlink(),
        lambda ws: (ws / "estream-workspace.toml").write_text(
            (ws / "estream-workspace.toml").read_text() + "\n"
        ),
    ],
    ids=["file-changed", "file-deleted", "workspace-file-changed"],
)
def test_any_change_runs_the_full_install_which_repairs_it(ws, capsys, change):
    pristine = (ws / "vendor/esf-core/schemas/esf-core.esf.yaml").read_bytes()
    change(ws)
    out = run(ws, capsys)
    assert FULL in out and NOOP not in out
    assert (ws / "vendor/esf-core/schemas/esf-core.esf.yaml").read_bytes() == pristine
    assert NOOP in run(ws, capsys)


def test_other_options_keys_or_requests_run_the_full_install(ws, capsys, tmp_path):
    assert FULL in run(ws, capsys, "--no-tests")
    assert NOOP in run(ws, capsys, "--no-tests")
    assert FULL in run(ws, capsys)  # tests wanted again
    other = tmp_path / "other.toml"
    other.write_text(keyring_text(SigningKey.generate("someone-else")))
    assert FULL in run(ws, capsys, "--keyring", str(other))
    assert FULL in run(ws, capsys, "esf-core")  # a request always resolves


@pytest.mark.parametrize("content", [b"", b"garbage", b"0" * 64 + b"\n", bytes(range(256))])
def test_a_bad_record_means_the_full_install(ws, capsys, content):
    path = record_path(default_cache_dir(), ws)
    assert path.is_file()
    path.write_bytes(content)
    assert FULL in run(ws, capsys)
    assert NOOP in run(ws, capsys)
