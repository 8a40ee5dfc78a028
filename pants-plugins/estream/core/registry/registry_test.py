"""End to end against real bare git repositories: init, publish, refuse, yank, search, racing publishers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from estream.cli.main import main
from estream.core.errors import EstreamError
from estream.core.keys import SigningKey, load_or_create_dev_key, write_private_key
from estream.core.registry.index import index_path
from estream.core.registry.registry import Registry
from estream.core.registry.testing import (
    bare_repo,
    cli_registry,
    cli_subprocess,
    copy_cli_registry,
    package_archive,
    root_key_args,
)

KEY = SigningKey.generate("acme-release")
OTHER = SigningKey.generate("stranger")
DEV = SigningKey.generate("dev-0123456789abcdef", development=True)


@pytest.fixture(scope="module")
def initialised_registry(tmp_path_factory) -> Path:
    """A registry initialised through the CLI (`KEY` in its keyring), built once for the module
    (registry-init signs with ML-DSA in pure Python): never changed, each test gets a copy (`env`)."""
    template = tmp_path_factory.mktemp("initialised-registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
    return template


@pytest.fixture
def env(initialised_registry, tmp_path, monkeypatch):
    return tmp_path, copy_cli_registry(initialised_registry, tmp_path, monkeypatch, KEY)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def remote_file(url: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", url, "show", f"main:{path}"], check=True, capture_output=True
    ).stdout


def test_publish_three_packages_and_search(env, capsys):
    tmp_path, url = env
    pkgs = [
        (
            "esf-core",
            "1.0.0",
            dict(provides=["CoreEvent"], keywords=["core"], description="Core event schemas"),
        ),
        (
            "esf-metrics",
            "1.0.0",
            dict(
                provides=["Metric"], requires=["CoreEvent"], deps={"esf-core": "^1.0"}, keywords=["metrics"]
            ),
        ),
        (
            "smart-meter",
            "0.3.0",
            dict(
                category="smart-circuit",
                circuit="circuits/meter.circuit.yaml",
                requires=["Metric"],
                deps={"esf-metrics": "^1.0"},
                description="Metering circuit for IoT metrics",
            ),
        ),
    ]
    for name, version, kw in pkgs:
        archive = write(tmp_path, f"{name}.tar.gz", package_archive(name, version, key=KEY, **kw))
        assert main(["marketplace", "publish", str(archive)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Published smart-meter v0.3.0" in out
    line = json.loads(remote_file(url, index_path("esf-metrics")).decode())
    assert line["deps"] == [{"name": "esf-core", "req": "^1.0"}]
    assert line["provides"] == ["Metric"] and line["requires"] == ["CoreEvent"]
    assert (
        line["key_id"] == "acme-release"
        and line["yanked"] is False
        and line["checksum"].startswith("sha3-256:")
    )
    assert remote_file(url, "archives/esf-core/esf-core-1.0.0.tar.gz")[:2] == b"\x1f\x8b"

    # a newer version is listed first-and-only; a yanked newest falls back to the previous one
    archive = write(
        tmp_path,
        "c2.tar.gz",
        package_archive("esf-core", "1.1.0", key=KEY, provides=["CoreEvent"], keywords=["core"]),
    )
    assert main(["marketplace", "publish", str(archive)]) == 0
    capsys.readouterr()
    assert main(["marketplace", "search", "core", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [(h["name"], h["version"]) for h in hits] == [("esf-core", "1.1.0")]
    assert main(["marketplace", "yank", "esf-core", "1.1.0"]) == 0
    assert main(["marketplace", "search", "core", "--json"]) == 0
    capsys.readouterr()
    assert main(["marketplace", "search", "core", "--json"]) == 0
    assert [(h["name"], h["version"]) for h in json.loads(capsys.readouterr().out)] == [("esf-core", "1.0.0")]
    assert main(["marketplace", "unyank", "esf-core", "1.1.0"]) == 0
    # description and keyword matches, category filter, human output
    assert main(["marketplace", "search", "metering"]) == 0
    out = capsys.readouterr().out
    assert "smart-meter v0.3.0" in out and "[smart-circuit]" in out and "1 component found" in out
    assert main(["marketplace", "search", "metrics", "--category", "esf-schema", "--json"]) == 0
    assert [h["name"] for h in json.loads(capsys.readouterr().out)] == ["esf-metrics"]
    assert main(["marketplace", "search", "nothing-like-this"]) == 0
    assert "No components found" in capsys.readouterr().out


def test_publish_refuses_overwrite_untrusted_and_dev_keys(env, capsys, monkeypatch):
    tmp_path, url = env
    a = write(tmp_path, "a.tar.gz", package_archive("esf-core", "1.0.0", key=KEY, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(a)]) == 0
    # same version again, even with different content, is refused
    b = write(
        tmp_path,
        "b.tar.gz",
        package_archive("esf-core", "1.0.0", key=KEY, provides=["CoreEvent"], description="changed"),
    )
    assert main(["marketplace", "publish", str(b)]) == 2
    err = capsys.readouterr().err
    assert "esf-core 1.0.0 is already published" in err and "immutable" in err
    # an unknown key
    c = write(tmp_path, "c.tar.gz", package_archive("esf-core", "1.0.1", key=OTHER, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(c)]) == 2
    assert "unknown_key" in capsys.readouterr().err
    # a development key: refused unless explicitly allowed
    d = write(tmp_path, "d.tar.gz", package_archive("esf-dev", "0.1.0", key=DEV, provides=["DevEvent"]))
    assert main(["marketplace", "publish", str(d)]) == 2
    assert "development key" in capsys.readouterr().err
    # ... and the publisher's flag alone is not enough: the registry's own config must allow them
    assert main(["marketplace", "publish", str(d), "--allow-development-key"]) == 2
    err = capsys.readouterr().err
    assert "config.toml: `registry.allow_development_keys`: this registry does not accept" in err
    sandbox = bare_repo(tmp_path / "sandbox.git")
    ring = tmp_path / "ring.toml"  # the registry keyring cli_registry wrote
    init = [
        "marketplace",
        "registry-init",
        "--registry",
        sandbox,
        "--keyring",
        str(ring),
        "--allow-development-keys",
        *root_key_args(tmp_path),
    ]
    assert main(init) == 0
    assert b"allow_development_keys = true" in remote_file(sandbox, "config.toml")
    assert main(["marketplace", "publish", str(d), "--registry", sandbox]) == 2
    # --allow-development-key trusts the publisher's OWN development key only: DEV is someone else's
    assert main(["marketplace", "publish", str(d), "--registry", sandbox, "--allow-development-key"]) == 2
    assert "unknown_key" in capsys.readouterr().err
    mine = load_or_create_dev_key()
    d = write(tmp_path, "d.tar.gz", package_archive("esf-dev", "0.1.0", key=mine, provides=["DevEvent"]))
    assert main(["marketplace", "publish", str(d), "--registry", sandbox, "--allow-development-key"]) == 0
    # install --allow-development-key: this user's own development-key package installs ...
    ws = tmp_path / "dev-ws"
    ws.mkdir()
    install = ["marketplace", "install", "--workspace", str(ws), "--registry", sandbox, "esf-dev"]
    assert main([*install, "--allow-development-key"]) == 0, capsys.readouterr()
    # ... another user's (a development key someone else declared) does not
    other_home = tmp_path / "other-user"
    other_home.mkdir()
    monkeypatch.setenv("HOME", str(other_home))
    (ws / "estream-workspace.toml").unlink()
    capsys.readouterr()
    assert main([*install, "--allow-development-key", "--cache-dir", str(tmp_path / "other-cache")]) == 2
    assert "it cannot be verified" in capsys.readouterr().out
    # nothing of the refused ones reached the remote; the index has one line for esf-core
    assert remote_file(url, index_path("esf-core")).count(b"\n") == 1
    # a tampered archive is refused before anything is written
    from estream.core.archive import build_archive, read_archive

    top, files = read_archive(a.read_bytes())
    files["schemas/esf-core.esf.yaml"] += b"# evil\n"
    e = write(tmp_path, "e.tar.gz", build_archive(files, top))
    assert main(["marketplace", "publish", str(e)]) == 2
    assert "modified" in capsys.readouterr().err
    # a bitstream no fpga/manifest.toml vouches for, even signed by a trusted key
    f = write(
        tmp_path,
        "f.tar.gz",
        package_archive(
            "esf-fpga", "1.0.0", key=KEY, provides=["FpgaEvent"], extra={"fpga/x.bin": b"\x00" * 64}
        ),
    )
    assert main(["marketplace", "publish", str(f)]) == 2
    err = capsys.readouterr().err
    assert "esf-fpga-1.0.0.tar.gz" in err or "f.tar.gz" in err
    assert "the FPGA bitstreams do not match fpga/manifest.toml" in err and "it cannot be published" in err
    assert "x.bin" in err


def test_publish_directory_signs_with_key_file(env, tmp_path, capsys):
    _, url = env
    pkg = tmp_path / "pkg"
    (pkg / "schemas").mkdir(parents=True)
    from estream.core.registry.testing import make_manifest, schema_yaml

    manifest = (
        make_manifest("esf-dir", "2.0.0", provides=["DirEvent"])
        + '\n[component.include]\nschemas = ["schemas/*.esf.yaml"]\n'
    )
    (pkg / "estream-component.toml").write_text(manifest)
    (pkg / "schemas" / "dir.esf.yaml").write_bytes(schema_yaml(["DirEvent"]))
    (pkg / "README.md").write_text("# dir\n")
    (pkg / "LICENSE").write_text("Apache-2.0\n")
    (pkg / "notes.txt").write_text("not part of the package\n")
    key_file = tmp_path / "k.toml"
    write_private_key(key_file, KEY)
    assert (
        main(["marketplace", "publish", str(pkg), "--key-file", str(key_file)]) == 0
    ), capsys.readouterr().err
    from estream.core.archive import read_archive

    _, files = read_archive(remote_file(url, "archives/esf-dir/esf-dir-2.0.0.tar.gz"))
    assert sorted(files) == [
        "LICENSE",
        "README.md",
        "SIGNATURE.ml-dsa",
        "estream-component.toml",
        "schemas/dir.esf.yaml",
    ]


def test_yank_errors_and_no_registry(env, capsys, monkeypatch):
    assert main(["marketplace", "yank", "esf-none", "1.0.0"]) == 2
    assert "no such version" in capsys.readouterr().err
    monkeypatch.delenv("ESTREAM_REGISTRY")
    assert main(["marketplace", "search", "x"]) == 2
    assert "no registry configured" in capsys.readouterr().err


def test_unreachable_registry_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ESTREAM_HOME", raising=False)
    assert main(["marketplace", "search", "x", "--registry", str(tmp_path / "missing.git")]) == 2
    err = capsys.readouterr().err
    assert "could not fetch the registry" in err and "Traceback" not in err


def test_hostile_index_lines_are_rejected(env, tmp_path, capsys):
    _, url = env
    a = write(tmp_path, "a.tar.gz", package_archive("esf-core", "1.0.0", key=KEY, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(a)]) == 0
    # a malicious commit adds a line claiming another package's name to esf-core's index file
    work = tmp_path / "evil"
    subprocess.run(["git", "clone", "-q", url, str(work)], check=True)
    path = work / index_path("esf-core")
    line = json.loads(path.read_text().splitlines()[0])
    line["name"] = "esf-other"
    line["version"] = "9.9.9"
    path.write_text(path.read_text() + json.dumps(line) + "\n")
    subprocess.run(
        ["git", "-C", str(work), "commit", "-qam", "evil", "--author", "x <x@x>"],
        check=True,
        env={"GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@x", "PATH": "/usr/bin:/bin"},
    )
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True)
    capsys.readouterr()
    assert main(["marketplace", "search", "core"]) == 2
    err = capsys.readouterr().err
    assert f"{index_path('esf-core')}:2" in err and "claims to be `esf-other`" in err


def test_racing_publishers_both_land(env, tmp_path):
    """Four processes with separate homes (separate machines) publish at once; every line lands."""
    _, url = env
    procs = []
    for i in range(4):
        archive = write(
            tmp_path, f"p{i}.tar.gz", package_archive("esf-race", f"1.{i}.0", key=KEY, provides=["RaceEvent"])
        )
        home = tmp_path / f"home{i}"
        home.mkdir()
        procs.append(
            cli_subprocess(
                ["marketplace", "publish", str(archive)],
                env={"HOME": str(home), "ESTREAM_REGISTRY": url},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    lines = remote_file(url, index_path("esf-race")).decode().splitlines()
    assert sorted(json.loads(line)["version"] for line in lines) == ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    for i in range(4):
        remote_file(url, f"archives/esf-race/esf-race-1.{i}.0.tar.gz")


def test_registry_entries_reject_misplaced_index_file(env, tmp_path):
    _, url = env
    registry = Registry(url, home=tmp_path / "h")
    registry.sync()
    bad = registry.checkout / "index" / "zz" / "zz" / "esf-core"
    bad.parent.mkdir(parents=True)
    bad.write_text("")
    with pytest.raises(EstreamError, match="not where its name belongs"):
        registry.names()


def test_rejected_push_is_reapplied_on_the_new_tip(env, tmp_path):
    """A publisher commits on the old tip and pauses; another publishes; the first push is rejected and retried."""
    _, url = env
    a = write(tmp_path, "a.tar.gz", package_archive("esf-race", "1.0.0", key=KEY, provides=["RaceEvent"]))
    b = write(tmp_path, "b.tar.gz", package_archive("esf-race", "1.1.0", key=KEY, provides=["RaceEvent"]))
    (tmp_path / "ha").mkdir()
    (tmp_path / "hb").mkdir()
    resume = tmp_path / "resume"
    slow = cli_subprocess(
        ["marketplace", "publish", str(a)],
        env={
            "HOME": str(tmp_path / "ha"),
            "ESTREAM_REGISTRY": url,
            "_ESTREAM_TEST_PAUSE": "before-push",
            "_ESTREAM_TEST_RESUME": str(resume),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert "paused at before-push" in slow.stderr.readline().decode()
    fast = cli_subprocess(
        ["marketplace", "publish", str(b)],
        env={"HOME": str(tmp_path / "hb"), "ESTREAM_REGISTRY": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = fast.communicate(timeout=120)
    assert fast.returncode == 0, err.decode()
    resume.write_text("")
    out, err = slow.communicate(timeout=120)
    assert slow.returncode == 0, err.decode()
    assert "published on attempt 2" in out.decode()
    lines = remote_file(url, index_path("esf-race")).decode().splitlines()
    assert [json.loads(line)["version"] for line in lines] == ["1.1.0", "1.0.0"]


def test_git_locks_and_half_made_checkouts_of_dead_holders_are_removed(env, tmp_path):
    # Only a holder of the checkout's lock runs git there: whatever *.lock a killed git left is dead.
    tmp, url = env
    registry = Registry(url)
    assert registry.sync()
    git = registry.checkout / ".git"
    leftovers = [
        git / "index.lock",
        git / "HEAD.lock",
        git / "packed-refs.lock",
        git / "shallow.lock",
        git / "refs/heads/main.lock",
        git / "refs/remotes/origin/main.lock",
        git / "objects/pack/tmp_pack_x",
    ]
    for p in leftovers:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    half = registry.checkout.parent / f".estream-tmp-{registry.checkout.name}.dead"
    (half / ".git").mkdir(parents=True)
    assert Registry(url).sync()  # a new process: takes the lock, heals, syncs
    assert [p for p in leftovers + [half] if p.exists()] == []
