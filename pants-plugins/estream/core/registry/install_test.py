"""Install, lock, offline reinstall, tampering, upgrades and interrupted installs, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from estream.cli.main import main
from estream.core.archive import build_archive, read_archive
from estream.core.keys import SigningKey
from estream.core.registry.install import install_target
from estream.core.registry.testing import (
    ROOT_KEY,
    circuit_yaml,
    cli_registry,
    cli_subprocess,
    copy_cli_registry,
    fpga_manifest,
    keyring_text,
    package_archive,
    root_key_args,
)
from estream.core.registry.trust import write_snapshot
from estream.core.registry.workspace import load_workspace

KEY = SigningKey.generate("acme-release")

METER_EXTRA = {
    "tests/golden/basic.json": b"{}\n",
    "docs/guide.md": b"# guide\n",
    "fpga/meter-ice40.bit": b"\x00bitstream",
}


def publish(tmp_path: Path, name: str, version: str, **kw) -> None:
    path = tmp_path / f"{name}-{version}.tar.gz"
    path.write_bytes(package_archive(name, version, key=KEY, **kw))
    assert main(["marketplace", "publish", str(path)]) == 0


def core(tmp_path, version, **kw):
    publish(tmp_path, "esf-core", version, provides=["CoreEvent"], **kw)


def metrics(tmp_path, version, core_req="^1.0"):
    publish(
        tmp_path,
        "esf-metrics",
        version,
        provides=["Metric"],
        requires=["CoreEvent"],
        deps={"esf-core": core_req},
    )


def meter(tmp_path, version, metrics_req="^1.0", extra=None):
    files = dict(extra or METER_EXTRA)
    bitstreams = {p[len("fpga/") :]: data for p, data in files.items() if p.startswith("fpga/")}
    files["fpga/manifest.toml"] = fpga_manifest(version, bitstreams, "ice40-up5k")
    publish(
        tmp_path,
        "smart-meter",
        version,
        category="smart-circuit",
        circuit="circuits/meter.circuit.yaml",
        requires=["Metric"],
        deps={"esf-metrics": metrics_req},
        extra=files,
        fpga_families=["ice40-up5k"],
    )


@pytest.fixture(scope="module")
def published_registry(tmp_path_factory) -> Path:
    """A registry with esf-core, esf-metrics and smart-meter 1.0.0 published through the CLI, built
    once for the module (publishing costs seconds): never changed, each test gets a copy (`reg`)."""
    template = tmp_path_factory.mktemp("published-registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
        core(template, "1.0.0")
        metrics(template, "1.0.0")
        meter(template, "1.0.0")
    return template


@pytest.fixture
def reg(published_registry, tmp_path, monkeypatch):
    url = copy_cli_registry(published_registry, tmp_path, monkeypatch, KEY)
    ws = tmp_path / "ws"
    ws.mkdir()
    return tmp_path, url, ws


def snapshot(root: Path) -> Dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = b""
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out


def install(ws: Path, *args: str) -> int:
    return main(["marketplace", "install", "--workspace", str(ws), *args])


def test_install_with_dependencies_lock_and_offline_reinstall(reg, capsys, monkeypatch):
    tmp_path, url, ws = reg
    assert install(ws, "smart-meter") == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    for step in (
        "1. Resolve dependencies",
        "2. Download package archives",
        "3. Verify ML-DSA-87 signatures",
        "4. Resolve ESF schemas",
        "5. Install files to workspace",
        "6. Run test vectors",
        "7. Update workspace tracking",
    ):
        assert step in out
    assert "esf-core v1.0.0 (required by esf-metrics)" in out
    assert "requires: Metric ✓ (esf-metrics)" in out
    # Each package is installed as a package directory of its own (vendor/<name>/).
    meter_dir = ws / "vendor/smart-meter"
    assert (meter_dir / "circuits/meter.circuit.yaml").read_bytes() == circuit_yaml("smart-meter", "1.0.0")
    assert (ws / "vendor/esf-core/schemas/esf-core.esf.yaml").is_file() and (
        ws / "vendor/esf-metrics/schemas/esf-metrics.esf.yaml"
    ).is_file()
    assert (meter_dir / "tests/golden/basic.json").is_file()
    assert (meter_dir / "docs/guide.md").is_file()
    assert (meter_dir / "fpga/meter-ice40.bit").is_file() and (meter_dir / "fpga/manifest.toml").is_file()
    assert (meter_dir / "estream-component.toml").is_file() and (meter_dir / "SIGNATURE.ml-dsa").is_file()
    assert not (ws / "estream-component.toml").exists()
    # ... which is still a verifiable package
    assert main(["marketplace", "verify", str(meter_dir), "--keyring", str(tmp_path / "ring.toml")]) == 0
    w = load_workspace(ws)
    assert w.dependencies == {"smart-meter": "=1.0.0"}
    assert {n: e.version for n, e in w.lock.items()} == {
        "esf-core": "1.0.0",
        "esf-metrics": "1.0.0",
        "smart-meter": "1.0.0",
    }
    assert all(e.checksum.startswith("sha3-256:") for e in w.lock.values())
    assert sorted(os.listdir(Path(os.environ["HOME"]) / ".estream" / "cache" / "sha3-256"))

    # A fresh checkout of the workspace (only estream-workspace.toml), the registry gone: exact and offline.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "estream-workspace.toml").write_bytes((ws / "estream-workspace.toml").read_bytes())
    subprocess.run(["rm", "-rf", url], check=True)  # the remote is gone: nothing can be fetched
    assert install(fresh, "--offline") == 0, capsys.readouterr().err
    assert "using the lock" in capsys.readouterr().out
    assert snapshot(fresh) == snapshot(ws)


def test_lock_checksum_mismatch_is_a_hard_error(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    text = (ws / "estream-workspace.toml").read_text()
    lock = load_workspace(ws).lock["esf-core"].checksum
    (ws / "estream-workspace.toml").write_text(text.replace(lock, "sha3-256:" + "0" * 64))
    before = snapshot(ws)
    capsys.readouterr()
    cache = Path(os.environ["HOME"]) / "empty-cache"
    assert install(ws, "--cache-dir", str(cache)) == 2
    err = capsys.readouterr().err
    assert "differs from the lock" in err
    assert snapshot(ws) == before


def test_lock_records_the_signing_key_and_refuses_another(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    locked = load_workspace(ws).lock["esf-core"]
    assert locked.key_fingerprint == KEY.fingerprint
    assert f'key_fingerprint = "{KEY.fingerprint}"' in (ws / "estream-workspace.toml").read_text()
    other = "sha3-256:" + "e" * 64
    text = (ws / "estream-workspace.toml").read_text()
    (ws / "estream-workspace.toml").write_text(text.replace(KEY.fingerprint, other))
    before = snapshot(ws)
    capsys.readouterr()
    # from the lock (cached archive): the archive's signer is not the locked key
    assert install(ws) == 2
    err = capsys.readouterr().err
    assert f"is signed by key acme-release ({KEY.fingerprint}), but the lock records {other}" in err
    assert snapshot(ws) == before
    # re-resolving (a new request): the index's signer differs from the lock's
    assert install(ws, "esf-core@^1.0") == 2
    err = capsys.readouterr().err
    assert f"but the lock records {other}" in err and "lock.esf-core.key_fingerprint" in err
    assert snapshot(ws) == before


def push_tamper(tmp_path: Path, url: str, rel: str, mutate) -> None:
    work = tmp_path / "tamper"
    subprocess.run(["git", "clone", "-q", "-b", "main", url, str(work)], check=True)
    p = work / rel
    p.write_bytes(mutate(p.read_bytes()))
    write_snapshot(work, KEY, source="tamper")  # a compromised publisher key signs the snapshot too
    env = {
        "PATH": os.environ["PATH"],
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@x",
    }
    subprocess.run(["git", "-C", str(work), "commit", "-qam", "tamper"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True, env=env)


def test_tampered_archive_in_registry_is_refused(reg, capsys):
    tmp_path, url, ws = reg

    def swap_file(data: bytes) -> bytes:
        top, files = read_archive(data)
        files["circuits/meter.circuit.yaml"] = b"circuit: evil\n"
        return build_archive(files, top)

    push_tamper(tmp_path, url, "archives/smart-meter/smart-meter-1.0.0.tar.gz", swap_file)
    capsys.readouterr()
    assert install(ws, "smart-meter") == 2
    err = capsys.readouterr().err
    assert "does not match the index" in err and "tampered" in err
    assert snapshot(ws) == {}

    # the attacker also rewrites the index checksum: the ML-DSA-87 file hashes still catch it
    import json

    from estream.core.registry.cache import checksum_of
    from estream.core.registry.index import index_path

    archive = (tmp_path / "tamper" / "archives/smart-meter/smart-meter-1.0.0.tar.gz").read_bytes()

    def fix_index(data: bytes) -> bytes:
        line = json.loads(data)
        line["checksum"] = checksum_of(archive)
        line["size"] = len(archive)
        return (json.dumps(line) + "\n").encode()

    subprocess.run(["rm", "-rf", str(tmp_path / "tamper")], check=True)
    push_tamper(tmp_path, url, index_path("smart-meter"), fix_index)
    assert install(ws, "smart-meter") == 2
    err = capsys.readouterr().err
    assert "verification failed" in err and "circuits/meter.circuit.yaml" in err
    assert snapshot(ws) == {}


def test_conflicts_are_explained_as_requirement_chains(reg, capsys):
    tmp_path, url, ws = reg
    core(tmp_path, "2.0.0")
    publish(tmp_path, "esf-audit", "1.0.0", provides=["Audit"], deps={"esf-core": "^2.0"})
    capsys.readouterr()
    assert install(ws, "smart-meter", "esf-audit") == 2
    err = capsys.readouterr().err
    assert "esf-core" in err
    assert "smart-meter 1.0.0 → esf-metrics 1.0.0 requires esf-core ^1.0" in err
    assert "workspace → esf-audit 1.0.0 requires esf-core ^2.0" in err


def test_backtracking_finds_an_older_compatible_version(reg, capsys):
    tmp_path, url, ws = reg
    core(tmp_path, "2.0.0")
    metrics(tmp_path, "1.1.0", core_req="^2.0")  # newest metrics needs core 2
    publish(tmp_path, "esf-legacy", "1.0.0", provides=["Legacy"], deps={"esf-core": "^1.0"})
    capsys.readouterr()
    assert install(ws, "smart-meter", "esf-legacy") == 0, capsys.readouterr().err
    lock = {n: e.version for n, e in load_workspace(ws).lock.items()}
    assert lock["esf-metrics"] == "1.0.0" and lock["esf-core"] == "1.0.0"


def test_overwrite_policy(reg, capsys):
    tmp_path, url, ws = reg
    (ws / "vendor/smart-meter/circuits").mkdir(parents=True)
    (ws / "vendor/smart-meter/circuits/meter.circuit.yaml").write_text("mine\n")
    before = snapshot(ws)
    assert install(ws, "smart-meter") == 2
    assert "vendor/smart-meter/circuits/meter.circuit.yaml already exists" in capsys.readouterr().err
    assert snapshot(ws) == before
    assert install(ws, "smart-meter", "--force") == 0
    assert (ws / "vendor/smart-meter/circuits/meter.circuit.yaml").read_bytes() == circuit_yaml(
        "smart-meter", "1.0.0"
    )
    # the package's own files (tests here) are always overwritten, also after local edits
    (ws / "vendor/smart-meter/tests/golden/basic.json").write_text("edited")
    assert install(ws, "smart-meter") == 0
    assert (ws / "vendor/smart-meter/tests/golden/basic.json").read_bytes() == b"{}\n"


def test_symlinked_install_dir_is_refused(reg, capsys, tmp_path):
    _, url, ws = reg
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws / "vendor").symlink_to(outside)
    assert install(ws, "smart-meter") == 2
    assert "symbolic link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_upgrade_patch_minor_major(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    core(tmp_path, "1.0.1")
    core(tmp_path, "1.1.0")
    core(tmp_path, "2.0.0")
    capsys.readouterr()
    assert main(["marketplace", "outdated", "--workspace", str(ws), "--json"]) == 0
    import json

    [row] = json.loads(capsys.readouterr().out)
    assert (row["current"], row["compatible"], row["latest"], row["kind"]) == (
        "1.0.0",
        "1.1.0",
        "2.0.0",
        "major",
    )

    def locked():
        return load_workspace(ws).lock["esf-core"].version

    assert main(["marketplace", "upgrade", "esf-core", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert locked() == "1.0.1" and "pass --yes" in out and "pass --force" in out
    assert load_workspace(ws).dependencies["esf-core"] == "=1.0.1"
    assert main(["marketplace", "upgrade", "--all", "--yes", "--workspace", str(ws)]) == 0
    assert locked() == "1.1.0"
    assert main(["marketplace", "upgrade", "--all", "--yes", "--workspace", str(ws)]) == 0
    assert locked() == "1.1.0" and "Nothing to upgrade" in capsys.readouterr().out
    assert main(["marketplace", "upgrade", "esf-core", "--force", "--workspace", str(ws)]) == 0
    assert locked() == "2.0.0"
    assert main(["marketplace", "upgrade", "esf-nope", "--workspace", str(ws)]) == 2


def test_pre_releases_only_when_asked_for(reg, capsys):
    # Package format §8.4 with Cargo's rule: a stable workspace is never moved to a pre-release.
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    core(tmp_path, "1.0.1")
    core(tmp_path, "2.0.0-rc.1")
    core(tmp_path, "1.1.0-beta.1")
    capsys.readouterr()
    import json

    def row(*flags):
        assert main(["marketplace", "outdated", "--workspace", str(ws), "--json", *flags]) == 0
        [r] = json.loads(capsys.readouterr().out)
        return r["compatible"], r["latest"], r["kind"]

    assert row() == ("1.0.1", "1.0.1", "patch")
    # `compatible` stays Cargo's `^current`, which never matches another version's pre-release.
    assert row("--pre") == ("1.0.1", "2.0.0-rc.1", "major")

    def locked():
        return load_workspace(ws).lock["esf-core"].version

    assert main(["marketplace", "upgrade", "esf-core", "--force", "--workspace", str(ws)]) == 0
    assert locked() == "1.0.1"
    assert main(["marketplace", "upgrade", "esf-core", "--force", "--pre", "--workspace", str(ws)]) == 0
    assert locked() == "2.0.0-rc.1"
    # On a pre-release, the next pre-release of the same version is offered without --pre.
    core(tmp_path, "2.0.0-rc.2")
    core(tmp_path, "2.1.0-rc.1")
    capsys.readouterr()
    assert row() == ("2.0.0-rc.2", "2.0.0-rc.2", "patch")
    assert main(["marketplace", "upgrade", "esf-core", "--workspace", str(ws)]) == 0
    assert locked() == "2.0.0-rc.2"


def test_install_takes_pre_releases_only_when_asked_for(reg, capsys):
    # Package format §8.4 with Cargo's rule, for `install` as for `upgrade`.
    tmp_path, url, ws = reg
    core(tmp_path, "1.1.0-rc.1")
    core(tmp_path, "2.0.0-beta.1+exp.sha.5114f85")
    assert install(ws, "esf-core") == 0
    assert load_workspace(ws).lock["esf-core"].version == "1.0.0"
    assert main(["marketplace", "install", "esf-core@^1.1.0-rc.1", "--workspace", str(ws), "--no-tests"]) == 0
    assert load_workspace(ws).lock["esf-core"].version == "1.1.0-rc.1"
    # Build metadata is ignored when matching and kept in the lock.
    assert (
        main(["marketplace", "install", "esf-core@=2.0.0-beta.1", "--workspace", str(ws), "--no-tests"]) == 0
    )
    assert load_workspace(ws).lock["esf-core"].version == "2.0.0-beta.1+exp.sha.5114f85"
    assert load_workspace(ws).dependencies["esf-core"] == "=2.0.0-beta.1+exp.sha.5114f85"


def test_upgrade_removes_files_the_old_version_installed(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "smart-meter") == 0
    extra = dict(METER_EXTRA)
    del extra["docs/guide.md"]
    meter(tmp_path, "1.0.1", extra=extra)
    assert main(["marketplace", "upgrade", "smart-meter", "--workspace", str(ws)]) == 0
    assert not (ws / "vendor/smart-meter/docs/guide.md").exists()
    assert load_workspace(ws).lock["smart-meter"].version == "1.0.1"


@pytest.mark.parametrize(
    "point,sig", [("downloaded", signal.SIGTERM), ("staged", signal.SIGINT), ("commit:3", signal.SIGTERM)]
)
def test_interrupted_install_leaves_workspace_unchanged(reg, point, sig):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    before = snapshot(ws)
    proc = cli_subprocess(
        ["marketplace", "install", "smart-meter", "--workspace", str(ws)],
        env={"HOME": os.environ["HOME"], "ESTREAM_REGISTRY": url, "_ESTREAM_TEST_PAUSE": point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    line = proc.stderr.readline().decode()
    assert f"paused at {point}" in line, line + proc.stderr.read().decode()
    if point.startswith("commit"):
        assert snapshot(ws) != before  # really half-way: some files are already in place
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert snapshot(ws) == before


def test_killed_install_is_rolled_back_by_recover(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    before = snapshot(ws)
    proc = cli_subprocess(
        ["marketplace", "install", "smart-meter", "--workspace", str(ws)],
        env={"HOME": os.environ["HOME"], "ESTREAM_REGISTRY": url, "_ESTREAM_TEST_PAUSE": "commit:4"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert "paused at commit:4" in proc.stderr.readline().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert snapshot(ws) != before
    assert main(["marketplace", "recover", "--workspace", str(ws)]) == 0
    assert "rolled back" in capsys.readouterr().out
    assert snapshot(ws) == before
    # and a new install after a kill recovers by itself first
    assert install(ws, "smart-meter") == 0


def test_install_targets():
    assert install_target("p", "circuits/a.circuit.yaml") == (
        "vendor/p/circuits/a.circuit.yaml",
        "fail-if-exists",
    )
    assert install_target("p", "schemas/a.esf.yaml") == ("vendor/p/schemas/a.esf.yaml", "fail-if-exists")
    assert install_target("p", "src/a.py") == ("vendor/p/src/a.py", "fail-if-exists")
    assert install_target("p", "rtl/a.v") == ("vendor/p/rtl/a.v", "fail-if-exists")
    assert install_target("p", "fpga/x.bit") == ("vendor/p/fpga/x.bit", "overwrite")
    assert install_target("p", "fpga/manifest.toml") == ("vendor/p/fpga/manifest.toml", "overwrite")
    assert install_target("p", "tests/golden/a.json") == ("vendor/p/tests/golden/a.json", "overwrite")
    assert install_target("p", "estream-component.toml") == ("vendor/p/estream-component.toml", "overwrite")
    assert install_target("p", "../x") == (None, "")


def scaffolded(tmp_path: Path, break_vector: bool = False) -> Path:
    from estream.cli.circuits import scaffold_files
    from estream.core.archive import build_archive as build
    from estream.core.signature import sign_package

    files = {
        k: v.encode()
        for k, v in scaffold_files("demo-meter").items()
        if not k.endswith("BUILD") and not k.endswith(".gitkeep")
    }
    if break_vector:
        vector = files["tests/golden/example-test.json"].decode()
        files["tests/golden/example-test.json"] = vector.replace(
            '"text": "HELLO"', '"text": "WRONG"', 1
        ).encode()
    files["SIGNATURE.ml-dsa"] = sign_package(files, name="demo-meter", version="0.1.0", key=KEY, signed_at=0)
    path = tmp_path / "demo-meter.tar.gz"
    path.write_bytes(build(files, "demo-meter-0.1.0"))
    return path


def test_install_runs_the_packages_test_vectors(reg, capfd):
    tmp_path, url, ws = reg
    assert main(["marketplace", "publish", str(scaffolded(tmp_path))]) == 0
    capfd.readouterr()
    assert install(ws, "demo-meter") == 0, capfd.readouterr().err
    out = capfd.readouterr().out
    assert "1/1 tests passed" in out and "demo-meter: test vectors passed" in out
    assert (ws / "vendor/demo-meter/circuits/demo-meter.circuit.yaml").is_file()
    # the installed package runs in the consumer's workspace, with its src/ beside it
    capfd.readouterr()
    assert main(["marketplace", "test", str(ws / "vendor/demo-meter")]) == 0
    assert "1/1 tests passed" in capfd.readouterr().out


def test_failing_test_vectors_stop_the_install(reg, capfd):
    tmp_path, url, ws = reg
    assert main(["marketplace", "publish", str(scaffolded(tmp_path, break_vector=True))]) == 0
    capfd.readouterr()
    assert install(ws, "demo-meter") == 2
    captured = capfd.readouterr()
    assert "test vectors failed" in captured.err and "0/1 tests passed" in captured.out
    assert snapshot(ws) == {}


def test_install_resolves_an_enum_a_dependency_exports(reg, capsys):
    """One rule with `./pants package` (core/resolution): a package exports its enums too, so a
    dependant may require and reference them (as estream-wire-fix requires OrderSide)."""
    tmp_path, url, ws = reg
    trading = (
        b'version: "1.0"\nnamespace: estream.trading\nschemas:\n  Order:\n    fields:\n      side:\n        type: Side\n'
        b"enums:\n  Side:\n    values: [Buy, Sell]\n"
    )
    publish(
        tmp_path, "esf-orders", "1.0.0", provides=["Order"], extra={"schemas/esf-orders.esf.yaml": trading}
    )
    fix = b'version: "1.0"\nnamespace: estream.fix\nschemas:\n  FixOrder:\n    fields:\n      side:\n        type: Side\n'
    publish(
        tmp_path,
        "fix-orders",
        "1.0.0",
        provides=["FixOrder"],
        requires=["Order", "Side"],
        deps={"esf-orders": "^1.0"},
        extra={"schemas/fix-orders.esf.yaml": fix},
    )
    capsys.readouterr()
    assert install(ws, "fix-orders") == 0, capsys.readouterr().err
    assert "fix-orders requires: Order ✓ (esf-orders), Side ✓ (esf-orders)" in capsys.readouterr().out
    # a requirement nothing exports is refused, naming the schema: by publish now (the one package
    # validation), so the registry never holds it and install cannot meet it
    path = tmp_path / "fix-bad-1.0.0.tar.gz"
    path.write_bytes(
        package_archive(
            "fix-bad",
            "1.0.0",
            key=KEY,
            provides=["FixOrder"],
            requires=["Nowhere"],
            deps={"esf-orders": "^1.0"},
            extra={"schemas/fix-bad.esf.yaml": fix},
        )
    )
    assert main(["marketplace", "publish", str(path)]) == 2
    assert "requires `Nowhere`" in capsys.readouterr().err
    ws2 = tmp_path / "ws2"
    ws2.mkdir()
    assert install(ws2, "fix-bad") == 2
    assert "fix-bad" in capsys.readouterr().err and list(ws2.iterdir()) == []


def test_publish_with_a_dependency_built_in_the_same_run(reg, capsys):
    # `./pants publish ::` publishes in no particular order: a dependant may go first, handing over
    # its dependency's archive (--with) instead of finding it in the registry.
    tmp_path, url, ws = reg
    late = tmp_path / "esf-late-1.0.0.tar.gz"
    late.write_bytes(package_archive("esf-late", "1.0.0", key=KEY, provides=["LateEvent"]))
    user = tmp_path / "late-user-1.0.0.tar.gz"
    user.write_bytes(
        package_archive(
            "late-user",
            "1.0.0",
            key=KEY,
            provides=["LateUse"],
            requires=["LateEvent"],
            deps={"esf-late": "^1.0"},
        )
    )
    capsys.readouterr()
    assert main(["marketplace", "publish", str(user)]) == 2
    assert "no package of that name exists" in capsys.readouterr().err
    assert main(["marketplace", "publish", str(user), "--with", str(tmp_path / "missing.tar.gz")]) == 2
    assert "no such archive (given with --with)" in capsys.readouterr().err
    assert main(["marketplace", "publish", str(user), "--with", str(late)]) == 0
    assert main(["marketplace", "publish", str(late)]) == 0
    assert install(ws, "late-user") == 0, capsys.readouterr().err


# -- the registry trust chain, end to end through the CLI (issue 13) ------------------------------


def test_an_unpinned_registry_is_refused_until_the_user_pins_its_root(reg, capsys, monkeypatch):
    tmp_path, url, ws = reg
    monkeypatch.delenv("ESTREAM_TRUST_ROOT")
    capsys.readouterr()
    assert install(ws, "esf-core") == 2
    err = capsys.readouterr().err
    assert (
        "this registry is not pinned" in err
        and f"estream marketplace trust --registry {url} {ROOT_KEY.fingerprint}" in err
    )
    assert not (ws / "estream-workspace.toml").exists()
    # a wrong pin is refused, naming the registry's real root
    stranger = SigningKey("stranger-root", bytes(range(7, 39)))
    assert install(ws, "esf-core", "--trust-root", stranger.fingerprint) == 2
    err = capsys.readouterr().err
    assert "none of the registry's root keys is pinned" in err and ROOT_KEY.fingerprint in err
    # `trust` without a fingerprint shows it and pins nothing; with it, the workspace is pinned
    assert main(["marketplace", "trust", "--workspace", str(ws)]) == 0
    assert ROOT_KEY.fingerprint in capsys.readouterr().out and not (ws / "estream-workspace.toml").exists()
    assert main(["marketplace", "trust", "--workspace", str(ws), stranger.fingerprint]) == 2
    assert main(["marketplace", "trust", "--workspace", str(ws), ROOT_KEY.fingerprint]) == 0
    assert load_workspace(ws).trust_roots == (ROOT_KEY.fingerprint,)
    assert install(ws, "esf-core") == 0, capsys.readouterr().err
    assert (
        load_workspace(ws).trust_roots == (ROOT_KEY.fingerprint,) and load_workspace(ws).trust_snapshot >= 4
    )


def test_install_trust_root_writes_the_pin(reg, capsys, monkeypatch):
    tmp_path, url, ws = reg
    monkeypatch.delenv("ESTREAM_TRUST_ROOT")
    assert install(ws, "esf-core", "--trust-root", ROOT_KEY.fingerprint) == 0, capsys.readouterr().err
    assert load_workspace(ws).trust_roots == (ROOT_KEY.fingerprint,)
    assert install(ws) == 0  # the workspace's pin from now on


def test_a_rolled_back_registry_is_refused(reg, capsys):
    tmp_path, url, ws = reg
    assert install(ws, "esf-core") == 0
    old = (
        subprocess.run(["git", "--git-dir", url, "rev-parse", "main"], capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    core(tmp_path, "1.1.0")
    assert install(ws, "esf-core@^1.1") == 0, capsys.readouterr().err
    assert load_workspace(ws).lock["esf-core"].version == "1.1.0"
    # the registry (or a mirror) serves its old state again: 1.1.0 and its snapshot are gone
    subprocess.run(["git", "--git-dir", url, "update-ref", "refs/heads/main", old], check=True)
    before = snapshot(ws)
    capsys.readouterr()
    assert install(ws, "esf-core") == 2
    err = capsys.readouterr().err
    assert "is older than version" in err and "the registry was rolled back" in err
    assert snapshot(ws) == before
    # a fresh workspace on this machine is protected too ($ESTREAM_HOME/trust records the snapshot)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert install(fresh, "esf-core") == 2
    assert "rolled back" in capsys.readouterr().err


def test_a_keyring_change_needs_the_root_and_a_rotated_key_then_works(reg, capsys, monkeypatch):
    tmp_path, url, ws = reg
    new = SigningKey("acme-release-2027", bytes(range(9, 41)))
    # a keyring change pushed behind the tools' back (even with a re-signed snapshot) is refused
    push_tamper(tmp_path, url, "keyring.toml", lambda data: data + keyring_text(new).encode())
    assert install(ws, "esf-core") == 2
    assert "was changed without a root signature" in capsys.readouterr().err
    # the owner rotates the key with the root: the new keyring is trusted
    ring = tmp_path / "rotated.toml"
    ring.write_text(keyring_text(KEY, new))
    assert (
        main(["marketplace", "registry", "keyring", "--keyring", str(ring), *root_key_args(tmp_path)]) == 0
    ), capsys.readouterr()
    monkeypatch.setenv("ESTREAM_SIGNING_KEY", new.private_key_file_text())
    path = tmp_path / "esf-core-1.2.0.tar.gz"
    path.write_bytes(package_archive("esf-core", "1.2.0", key=new, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(path)]) == 0, capsys.readouterr()
    assert install(ws, "esf-core@^1.2") == 0, capsys.readouterr()
    assert load_workspace(ws).lock["esf-core"].key_fingerprint == new.fingerprint


def test_a_second_install_reuses_passed_checks_and_a_damaged_memo_is_ignored(reg, capsys, monkeypatch):
    """The verification memo (verification_memo.py): the same archives, keyring and snapshot are
    not verified twice; a damaged record is ignored and the check runs in full again."""
    from estream.core.home import estream_home
    from estream.core.keys import PublicKey
    from estream.core.registry.verification_memo import MEMO_DIRNAME

    tmp_path, _, ws = reg
    assert install(ws, "smart-meter") == 0
    first = capsys.readouterr().out
    calls = []
    real = PublicKey.verify

    def counting(self, message, signature, *, ctx):
        calls.append(ctx)
        return real(self, message, signature, ctx=ctx)

    monkeypatch.setattr(PublicKey, "verify", counting)
    results = []
    for n in (2, 3):
        other = tmp_path / f"ws{n}"
        other.mkdir()
        if n == 3:
            memo = estream_home() / MEMO_DIRNAME
            damaged = [p for p in memo.rglob("*") if p.is_file() and p.name != "secret"]
            assert damaged
            for p in damaged:
                p.write_bytes(p.read_bytes()[:-1] + b"?")
        assert install(other, "smart-meter") == 0
        results.append((len(calls), capsys.readouterr().out))
        assert snapshot(other) == {k: v for k, v in snapshot(ws).items()}
    (after_memo, second), (after_damage, third) = results
    assert after_memo == 0  # 3 archives, keyring, snapshot: all remembered
    assert after_damage == 5  # every damaged record ignored: verified in full
    for out in (second, third):
        assert (
            out.split("4. Resolve ESF schemas")[1].split("5.")[0]
            == first.split("4. Resolve ESF schemas")[1].split("5.")[0]
        )
