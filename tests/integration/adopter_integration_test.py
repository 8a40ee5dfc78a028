"""A new user adopts estream-pants: a brand-new repository that knows only the built wheels.

The repository is created in a temporary directory, outside this build root, holding its own
`pants.toml` (the plugin from the freshly built `estream-pants` and `estream-cli` wheels: no
`pythonpath`, no `pants-plugins/`, no resolves), hand-written BUILD files only where `tailor`
cannot guess (the FPGA package's bitstreams), and content copied from this repository: a schema
pack (esf-iot), a package requiring its types (estream-fleet-health) and a SmartCircuit package
with golden vectors and `fpga_bitstream`s (estream-queue-append).

One journey per expensive setup (each Pants run costs ~10 s of start-up plus the plugin resolve):

* `test_adopter_journey`: `tailor`, `package`, `test`, `verify`, `publish` into a local bare-git
  registry; archives byte-identical to the same content built in a copy of this repository;
  then the CI recipe (`build-support/ci/changed.sh`): editing one schema re-packages exactly the
  packages that depend on it.
* `test_cli_wheel_in_a_clean_venv`: the `estream-cli` wheel in a clean venv (no Pants installed)
  verifies, searches and installs from that registry.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from estream.cli.main import main as estream
from estream.core.keys import SigningKey, write_private_key, write_public_key
from estream.core.registry.testing import ROOT_KEY, bare_repo, root_key_args
from estream.version import VERSION
from integration.clean_pip import clean_pip_env
from integration.pants_repo import PantsResult, copy_repo, run_pants, source_root

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
# Content copied from this repository (without its BUILD files, except where noted).
CONTENT = ("schemas/esf-iot", "components/estream-fleet-health", "circuits/queue/append")
# BUILD files an adopter writes by hand: `tailor` cannot know bitstreams and their devices.
HAND_WRITTEN_BUILD = ("circuits/queue/append/BUILD", "circuits/queue/append/rtl/BUILD")
ARCHIVES = ("esf-iot-1.0.0.tar.gz", "estream-fleet-health-1.1.0.tar.gz", "estream-queue-append-1.0.0.tar.gz")
PEX_CLI = """\
[pex-cli]
version = "v2.1.137"
known_versions = ["v2.1.137|linux_x86_64|9f49d54a5d89d7cf970bce7255a66a2857cfe53f9e56a54998e06294ce43e5c4|3563517"]
"""


@dataclass(frozen=True)
class Adopter:
    root: Path
    registry: str
    key: SigningKey
    pub: Path
    wheels: Dict[str, Path]
    tailor: PantsResult
    build: PantsResult
    archives: Dict[str, bytes]
    release: PantsResult
    changed: PantsResult
    reference: Path


def built_wheels(dest: Path) -> Dict[str, Path]:
    """The wheels `runtime_package_dependencies` built into the sandbox, copied to `dest`."""
    dest.mkdir()
    found = {}
    for whl in sorted(source_root().glob("estream_*.whl")):
        name = whl.name.split("-")[0].replace("_", "-")
        found[name] = Path(shutil.copy(whl, dest / whl.name))
    assert sorted(found) == ["estream-cli", "estream-pants"], found
    return found


def pants_toml(wheels: Dict[str, Path], registry: str) -> str:
    plugins = ", ".join(f'"{name} @ {path.as_uri()}"' for name, path in sorted(wheels.items()))
    return f"""\
[GLOBAL]
pants_version = "2.17.1"
plugins = [{plugins}]
backend_packages = ["pants.backend.python", "estream", "estream.fpga"]
ca_certs_path = "/etc/ssl/certs/ca-certificates.crt"

[anonymous-telemetry]
enabled = false

[subprocess-environment]
env_vars = ["PIP_CONFIG_FILE=/dev/null"]

{PEX_CLI}
[python]
interpreter_constraints = ["CPython==3.9.*"]

[estream-signing]
keyring = "keys/keyring.toml"

[estream-registry]
url = "{registry}"
"""


def new_repository(root: Path, wheels: Dict[str, Path], registry: str, key: SigningKey) -> Path:
    src = source_root()
    root.mkdir(parents=True)
    shutil.copy(src / "pants", root / "pants")  # the launcher of this machine, not the plugin
    shutil.copy(src / "build-support/ci/changed.sh", root / "changed.sh")
    (root / "pants.toml").write_text(pants_toml(wheels, registry))
    (root / "keys").mkdir()
    (root / "keys/keyring.toml").write_text(
        f'[[keys]]\nkey_id = "{key.key_id}"\npublic_key = "{key.public.public_key.hex()}"\ntrust = "trusted"\n'
    )
    for entry in CONTENT:
        shutil.copytree(src / entry, root / entry, ignore=shutil.ignore_patterns("BUILD", "__pycache__"))
    for build in HAND_WRITTEN_BUILD:
        shutil.copy(src / build, root / build)
    git = ["git", "-C", str(root), "-c", "user.name=adopter", "-c", "user.email=adopter@example.com"]
    subprocess.run([*git, "init", "-q", "--initial-branch=main"], check=True)
    (root / ".gitignore").write_text("/dist/\n/.pants.d/\n/.pids/\n")
    return root


def written(result: PantsResult) -> List[str]:
    return sorted(set(re.findall(r"Wrote dist/(\S+)", result.stderr)))


def commit(root: Path, message: str) -> None:
    git = ["git", "-C", str(root), "-c", "user.name=adopter", "-c", "user.email=adopter@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True)


@pytest.fixture(scope="module")
def adopter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adopter]:
    tmp = tmp_path_factory.mktemp("adopter")
    wheels = built_wheels(tmp / "wheels")
    key = SigningKey.generate("adopter-release-01")
    key_file = tmp / "secrets" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)
    pub = tmp / "secrets" / "release.toml.pub"
    write_public_key(pub, key.public)

    registry = bare_repo(tmp / "registry.git")
    ring = tmp / "registry-keyring.toml"
    ring.write_text(
        f'[[keys]]\nkey_id = "{key.key_id}"\nfingerprint = "{key.fingerprint}"\ntrust = "trusted"\n'
    )
    saved_home = os.environ.get("ESTREAM_HOME")
    os.environ["ESTREAM_HOME"] = str(tmp / "estream-home")
    try:
        assert (
            estream(
                [
                    "marketplace",
                    "registry-init",
                    "--registry",
                    registry,
                    "--keyring",
                    str(ring),
                    *root_key_args(tmp),
                ]
            )
            == 0
        )
    finally:
        if saved_home is None:
            del os.environ["ESTREAM_HOME"]
        else:
            os.environ["ESTREAM_HOME"] = saved_home

    root = new_repository(tmp / "elsewhere" / "acme-monorepo", wheels, registry, key)
    env = {
        "ESTREAM_SIGNING_KEY_FILE": str(key_file),
        "SOURCE_DATE_EPOCH": EPOCH,
        "ESTREAM_HOME": str(tmp / "publisher-home"),
    }
    tailor = run_pants(root, ["tailor", "::"], env=env, pantsd=True).assert_success()
    commit(root, "content and BUILD files")
    build = run_pants(root, ["package", "test", "::"], env=env, pantsd=True).assert_success()
    archives = {name: (root / "dist" / name).read_bytes() for name in ARCHIVES}
    release = run_pants(root, ["verify", "publish", "::"], env=env, pantsd=True).assert_success()

    # The CI recipe on a pull request that edits one schema of esf-iot.
    schema = root / "schemas/esf-iot/schemas/iot-telemetry.esf.yaml"
    schema.write_text(schema.read_text() + "\n# a comment: the file changed, its types did not\n")
    commit(root, "edit one schema")
    changed = subprocess.run(
        ["bash", "changed.sh", "HEAD~1", "package"],
        cwd=root,
        # The daemon of the runs above (run_pants(..., pantsd=True)) serves this one too.
        env={**base_env_for_script(), **env, "PANTS": str(root / "pants"), "PANTS_PANTSD": "true"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    changed_result = PantsResult(changed.returncode, changed.stdout, changed.stderr).assert_success()

    # The same content built in (a copy of) this repository, with its in-repo plugin.
    reference = copy_repo(tmp / "this-repo")
    run_pants(
        reference,
        ["package", *(f"{entry}:" for entry in CONTENT)],
        env={"ESTREAM_SIGNING_KEY_FILE": str(key_file), "SOURCE_DATE_EPOCH": EPOCH},
    ).assert_success()
    yield Adopter(
        root, registry, key, pub, wheels, tailor, build, archives, release, changed_result, reference
    )


def base_env_for_script() -> Dict[str, str]:
    keep = ("HOME", "PATH", "PYENV_ROOT", "LANG", "ESTREAM_PANTS_CACHE", "XDG_CACHE_HOME")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PANTS_PANTSD="false", PANTS_DYNAMIC_UI="false")
    return env


def test_adopter_journey(adopter: Adopter) -> None:
    root = adopter.root
    # Nothing of this repository's plugin source is visible to the adopter.
    config = (root / "pants.toml").read_text()
    assert "pythonpath" not in config and "pants-plugins" not in config and "resolves" not in config
    assert not (root / "pants-plugins").exists()

    # tailor created the targets tailor can know; the package's own BUILD kept its bitstreams.
    for build, target in (
        ("schemas/esf-iot/BUILD", "marketplace_package"),
        ("schemas/esf-iot/schemas/BUILD", "esf_schemas"),
        ("components/estream-fleet-health/BUILD", "marketplace_package"),
        ("components/estream-fleet-health/schemas/BUILD", "esf_schemas"),
        ("circuits/queue/append/schemas/BUILD", "esf_schemas"),
        ("circuits/queue/append/circuits/BUILD", "smart_circuits"),
    ):
        assert target in (root / build).read_text(), build

    # package + test: archives, bitstreams, golden vectors on CPU and RTL.
    assert set(ARCHIVES) <= set(written(adopter.build)), adopter.build.stderr
    assert "verified: RTL passes the golden vectors of `queue_append_pipeline`" in adopter.build.stderr
    assert re.search(r"circuits/queue/append.*succeeded", adopter.build.stderr), adopter.build.stderr

    # Byte-identical to the same content built in this repository with the in-repo plugin.
    for archive in ARCHIVES:
        assert adopter.archives[archive] == (adopter.reference / "dist" / archive).read_bytes(), archive

    # verify + publish into the bare-git registry.
    for archive in ARCHIVES:
        assert f"{archive} published" in adopter.release.stderr, adopter.release.stderr
    index = subprocess.run(
        ["git", "--git-dir", adopter.registry, "ls-tree", "-r", "--name-only", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "esf-iot" in index and "estream-queue-append" in index

    # CI: the schema edit re-packages exactly esf-iot and the package requiring its types.
    assert written(adopter.changed) == [
        "esf-iot-1.0.0.tar.gz",
        "estream-fleet-health-1.1.0.tar.gz",
    ], adopter.changed.stderr


def test_cli_wheel_in_a_clean_venv(adopter: Adopter, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip_env = clean_pip_env()
    subprocess.run(
        [str(venv / "bin/pip"), "install", "--quiet", str(adopter.wheels["estream-cli"])],
        env=pip_env,
        check=True,
    )
    installed = subprocess.run(
        [str(venv / "bin/pip"), "list", "--format=freeze"],
        env=pip_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    # Only what the CLI needs: no Pants, and not the backend.
    assert "pantsbuild" not in installed and "estream-pants" not in installed, installed
    assert sorted(line.split("==")[0] for line in installed.split()) == sorted(
        ["dilithium-py", "estream-cli", "pip", "pyyaml", "semver", "setuptools", "tomli"]
    ), installed

    home = tmp_path / "home"
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "ESTREAM_HOME": str(home / ".estream")}

    def cli(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(venv / "bin/estream"), *args], cwd=cwd, env=env, capture_output=True, text=True
        )

    assert cli("--version").stdout == f"estream {VERSION}\n"
    helped = cli("marketplace", "--help")
    assert helped.returncode == 0
    for command in ("verify", "keygen", "test", "scaffold", "publish", "search", "install", "upgrade"):
        assert re.search(rf"^\s+{command}\s", helped.stdout, re.M), (command, helped.stdout)

    archive = tmp_path / "estream-queue-append-1.0.0.tar.gz"
    archive.write_bytes(adopter.archives[archive.name])
    verified = cli("marketplace", "verify", str(archive), "--key", str(adopter.pub), "--fpga")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    found = cli("marketplace", "search", "queue", "--registry", adopter.registry)
    assert found.returncode == 0 and "estream-queue-append" in found.stdout, found.stdout + found.stderr

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    install = (
        "marketplace",
        "install",
        "estream-fleet-health",
        "--registry",
        adopter.registry,
        "--workspace",
        str(workspace),
    )
    # first use is explicit: unpinned, the registry is refused with its root fingerprint and the pin command
    unpinned = cli(*install)
    assert unpinned.returncode == 2 and "this registry is not pinned" in unpinned.stderr, (
        unpinned.stdout + unpinned.stderr
    )
    assert ROOT_KEY.fingerprint in unpinned.stderr
    done = cli(*install, "--trust-root", ROOT_KEY.fingerprint)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "estream-fleet-health v1.1.0" in done.stdout, done.stdout
