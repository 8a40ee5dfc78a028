"""Registry trust against real bare git registries: `registry check`, the registry's publish policy,
and installs that skip a version they cannot verify."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from estream.cli.main import main
from estream.core.keys import SigningKey
from estream.core.registry.check import CI_WORKFLOW_PATH
from estream.core.registry.index import archive_path, index_path
from estream.core.registry.testing import (
    bare_repo,
    cli_registry,
    copy_cli_registry,
    keyring_text,
    package_archive,
    root_key_args,
)
from estream.core.registry.trust import write_snapshot
from estream.core.registry.workspace import load_workspace

KEY = SigningKey.generate("acme-release")
OTHER = SigningKey.generate("stranger")


@pytest.fixture(scope="module")
def published_registry(tmp_path_factory) -> Path:
    """A registry with esf-core 1.0.0, 1.0.1 and esf-metrics 1.0.0 published through the CLI, built
    once for the module (publishing costs seconds): never changed, each test gets a copy (`reg`)."""
    template = tmp_path_factory.mktemp("published-registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
        for version in ("1.0.0", "1.0.1"):
            assert publish(template, "esf-core", version, provides=["CoreEvent"]) == 0
        status = publish(
            template,
            "esf-metrics",
            "1.0.0",
            provides=["Metric"],
            requires=["CoreEvent"],
            deps={"esf-core": "^1.0"},
        )
        assert status == 0
    return template


@pytest.fixture
def reg(published_registry, tmp_path, monkeypatch):
    return tmp_path, copy_cli_registry(published_registry, tmp_path, monkeypatch, KEY)


def publish(tmp_path: Path, name: str, version: str, *, key: SigningKey = KEY, args=(), **kw) -> int:
    path = tmp_path / f"{name}-{version}.tar.gz"
    path.write_bytes(package_archive(name, version, key=key, **kw))
    return main(["marketplace", "publish", str(path), *args])


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def tamper(tmp_path: Path, url: str, change) -> Path:
    """Push a change to the registry behind the tools' back (a merged pull request, a compromised account)."""
    work = tmp_path / "tamper"
    if not work.exists():
        subprocess.run(["git", "clone", "-q", url, str(work)], check=True)
        git(work, "config", "user.email", "mallory@example.com")
        git(work, "config", "user.name", "mallory")
    git(work, "pull", "-q")
    change(work)
    # a compromised publisher key also signs the snapshot of the changed index: what stops the
    # change is the check of each line against its signed archive
    write_snapshot(work, KEY, source="tamper")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "tamper")
    git(work, "push", "-q", "origin", "HEAD:main")
    return work


def check(*args: str) -> int:
    return main(["marketplace", "registry", "check", *args])


def test_a_clean_registry_passes_and_ships_its_ci_workflow(reg, capsys):
    tmp_path, url = reg
    capsys.readouterr()
    assert check() == 0
    assert "Checked 3 index entries and 3 archives" in capsys.readouterr().out
    workflow = subprocess.run(
        ["git", "--git-dir", url, "show", f"main:{CI_WORKFLOW_PATH}"], check=True, capture_output=True
    ).stdout.decode()
    import yaml

    doc = yaml.safe_load(workflow)
    assert "pull_request" in doc[True]  # YAML 1.1 reads the key `on` as true
    steps = doc["jobs"]["check"]["steps"]
    assert steps[0]["with"]["path"] == "registry"
    assert steps[-1]["run"].endswith("python -m estream.cli.main marketplace registry check --path registry")
    # the step's command, on a checkout as the workflow's actions/checkout makes it
    checkout = tmp_path / "ci" / "registry"
    subprocess.run(["git", "clone", "-q", url, str(checkout)], check=True)
    capsys.readouterr()
    assert check("--path", str(checkout)) == 0
    assert "Checked 3 index entries and 3 archives" in capsys.readouterr().out


def test_check_reports_an_unsigned_keyring_or_index_change(reg, capsys):
    tmp_path, url = reg
    checkout = tmp_path / "pr"
    subprocess.run(["git", "clone", "-q", url, str(checkout)], check=True)
    with open(checkout / "keyring.toml", "a") as f:
        f.write(keyring_text(OTHER))
    capsys.readouterr()
    assert check("--path", str(checkout)) == 1
    assert "keyring.toml (or root.toml) was changed without a root signature" in capsys.readouterr().err
    subprocess.run(["git", "-C", str(checkout), "checkout", "-q", "keyring.toml"], check=True)
    index = checkout / "index" / "es" / "f-" / "esf-core"
    index.write_text(index.read_text().splitlines()[0] + "\n")  # a version's line removed, unsigned
    assert check("--path", str(checkout)) == 1
    assert "does not match its signed snapshot" in capsys.readouterr().err


def test_check_finds_a_tampered_archive_bad_index_lines_and_stray_archives(reg, capsys):
    tmp_path, url = reg

    def change(work: Path) -> None:
        # 1. esf-core 1.0.1's archive replaced by another validly signed archive
        (work / archive_path("esf-core", "1.0.1")).write_bytes(
            package_archive("esf-core", "1.0.1", key=KEY, provides=["Evil"])
        )
        # 2. esf-metrics' line lies about what it provides and needs; 3. an unparsable line
        ipath = work / index_path("esf-metrics")
        entry = json.loads(ipath.read_text().splitlines()[0])
        entry["provides"] = ["Metric", "Bonus"]
        entry["deps"] = []
        ipath.write_text(json.dumps(entry) + "\n{not json\n")
        # 4. an archive no index line names
        stray = work / "archives/esf-core/esf-core-9.9.9.tar.gz"
        stray.write_bytes(b"junk")

    work = tamper(tmp_path, url, change)
    capsys.readouterr()
    assert check() == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "esf-core-1.0.1.tar.gz: archive checksum" in err and "tampered" in err
    metrics = index_path("esf-metrics")
    assert f"{metrics}:2" in err  # the unparsable line, by line number
    assert "lists different dependencies than the signed manifest" in err
    assert "archives/esf-core/esf-core-9.9.9.tar.gz: no index line names this archive" in err
    assert "Traceback" not in err and "problem(s)" in captured.out
    # The same on a checkout as CI sees it, without fetching
    assert check("--path", str(work)) == 1
    assert "esf-core-1.0.1.tar.gz: archive checksum" in capsys.readouterr().err

    # an index line that agrees on dependencies but lies about provides
    def provides_only(w: Path) -> None:
        ipath = w / index_path("esf-metrics")
        entry = json.loads(ipath.read_text().splitlines()[0])
        entry["provides"] = ["Metric", "Bonus"]
        entry["deps"] = [{"name": "esf-core", "req": "^1.0"}]
        ipath.write_text(json.dumps(entry) + "\n")

    tamper(tmp_path, url, provides_only)
    capsys.readouterr()
    assert check() == 1
    assert (
        f"{metrics}:1: `provides`: esf-metrics 1.0.0: the index says provides = ['Bonus', 'Metric']"
        in capsys.readouterr().err
    )


def test_publish_refuses_keys_the_registry_does_not_trust_unless_its_config_allows(reg, capsys):
    tmp_path, url = reg
    local = tmp_path / "my-ring.toml"
    local.write_text(keyring_text(OTHER))
    # The publisher's own keyring trusting the key does not make the registry trust it.
    assert (
        publish(tmp_path, "esf-other", "1.0.0", key=OTHER, provides=["Other"], args=["--keyring", str(local)])
        == 2
    )
    err = capsys.readouterr().err
    assert "unknown_key" in err and "allow_untrusted_keys" in err
    sandbox = bare_repo(tmp_path / "sandbox.git")
    init = [
        "marketplace",
        "registry-init",
        "--registry",
        sandbox,
        "--keyring",
        str(tmp_path / "ring.toml"),
        "--allow-untrusted-keys",
        *root_key_args(tmp_path),
    ]
    assert main(init) == 0
    assert (
        publish(tmp_path, "esf-other", "1.0.0", key=OTHER, provides=["Other"], args=["--registry", sandbox])
        == 0
    )

    # a bad config value is an error naming the key
    def bad_config(work: Path) -> None:
        (work / "config.toml").write_text('[registry]\nformat_version = 1\nallow_untrusted_keys = "yes"\n')

    tamper(tmp_path, url, bad_config)
    capsys.readouterr()
    assert check() == 1
    assert "config.toml: `registry.allow_untrusted_keys`: expected true or false" in capsys.readouterr().err


def test_install_skips_a_version_it_cannot_verify_like_a_yanked_one(reg, capsys):
    tmp_path, url = reg
    ws = tmp_path / "ws"
    ws.mkdir()

    def change(work: Path) -> None:
        path = work / archive_path("esf-core", "1.0.1")
        path.write_bytes(path.read_bytes()[:-10] + b"0123456789")

    tamper(tmp_path, url, change)
    capsys.readouterr()
    assert (
        main(["marketplace", "install", "--workspace", str(ws), "esf-metrics"]) == 0
    ), capsys.readouterr().err
    out = capsys.readouterr().out
    assert (
        "warning: skipping esf-core 1.0.1: it cannot be verified (archive checksum" in out
        and "treated as yanked" in out
    )
    assert load_workspace(ws).lock["esf-core"].version == "1.0.0"
    # a version signed by a key this install does not trust is skipped before anything is downloaded
    ws2 = tmp_path / "ws2"
    ws2.mkdir()

    def untrusted(work: Path) -> None:
        from estream.core.registry.cache import checksum_of

        data = package_archive("esf-core", "1.1.0", key=OTHER, provides=["CoreEvent"])
        (work / archive_path("esf-core", "1.1.0")).write_bytes(data)
        ipath = work / index_path("esf-core")
        entry = json.loads(ipath.read_text().splitlines()[0])
        entry.update(
            version="1.1.0",
            checksum=checksum_of(data),
            size=len(data),
            key_id="stranger",
            key_fingerprint=OTHER.fingerprint,
        )
        ipath.write_text(ipath.read_text() + json.dumps(entry) + "\n")

    tamper(tmp_path, url, untrusted)
    assert main(["marketplace", "install", "--workspace", str(ws2), "esf-core"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert (
        f"warning: skipping esf-core 1.1.0: it cannot be verified (its signing key stranger ({OTHER.fingerprint}) is not trusted"
        in out
    )
    assert "skipping esf-core 1.0.1" in out
    assert load_workspace(ws2).lock["esf-core"].version == "1.0.0"
    # the lock is the contract: a locked version that no longer verifies is an error, not a silent switch
    ws3 = tmp_path / "ws3"
    ws3.mkdir()
    assert main(["marketplace", "install", "--workspace", str(ws3), "esf-core@=1.0.0"]) == 0

    def break_100(work: Path) -> None:
        path = work / archive_path("esf-core", "1.0.0")
        path.write_bytes(path.read_bytes()[:-10] + b"0123456789")

    tamper(tmp_path, url, break_100)
    capsys.readouterr()
    assert (
        main(
            ["marketplace", "install", "--workspace", str(ws3), "--cache-dir", str(tmp_path / "empty-cache")]
        )
        == 2
    )
    assert "does not match the lock" in capsys.readouterr().err


def test_install_survives_a_bad_index_line_of_a_dependency(reg, capsys):
    tmp_path, url = reg

    def garbage(work: Path) -> None:
        ipath = work / index_path("esf-core")
        ipath.write_text(ipath.read_text() + "{not json\n")

    tamper(tmp_path, url, garbage)
    ws = tmp_path / "ws"
    ws.mkdir()
    capsys.readouterr()
    assert (
        main(["marketplace", "install", "--workspace", str(ws), "esf-metrics"]) == 0
    ), capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"warning: ignoring {url}:{index_path('esf-core')}:3:" in out
    assert load_workspace(ws).lock["esf-core"].version == "1.0.1"
    # registry check reports it, by line
    assert check() == 1
    assert f"{index_path('esf-core')}:3" in capsys.readouterr().err
