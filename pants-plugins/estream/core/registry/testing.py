"""Helpers for registry tests and benchmarks: real keys, real signed archives, real bare git repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from estream.core.archive import build_archive
from estream.core.keys import SigningKey, write_private_key
from estream.core.registry.trust import ENV_TRUST_ROOT
from estream.core.signature import sign_package

#: The root key of test and bench registries: deterministic, so its fingerprint is stable.
ROOT_KEY = SigningKey("registry-root", bytes(range(100, 132)))


def make_manifest(
    name: str,
    version: str,
    *,
    category: str = "esf-schema",
    deps: Optional[Mapping[str, str]] = None,
    provides: Sequence[str] = (),
    requires: Sequence[str] = (),
    keywords: Sequence[str] = (),
    description: Optional[str] = None,
    circuit: Optional[str] = None,
    fpga_families: Sequence[str] = (),
) -> str:
    lines = [
        "[component]",
        f'name = "{name}"',
        f'version = "{version}"',
        f'category = "{category}"',
        f'description = "{description or name + " component"}"',
        'license = "Apache-2.0"',
        "keywords = [" + ", ".join(f'"{k}"' for k in keywords) + "]",
        "",
        "[component.schemas]",
        "provides = [" + ", ".join(f'"{p}"' for p in provides) + "]",
        "requires = [" + ", ".join(f'"{r}"' for r in requires) + "]",
    ]
    if circuit:
        targets = '["cpu", "fpga"]' if fpga_families else '["cpu"]'
        lines += [
            "",
            "[component.circuit]",
            f'entry = "{circuit}"',
            f"targets = {targets}",
            "witness_tier = 1",
        ]
        if fpga_families:
            lines += [
                "",
                "[component.circuit.fpga]",
                "device_families = [" + ", ".join(f'"{f}"' for f in fpga_families) + "]",
            ]
    if deps:
        lines += ["", "[component.dependencies]"] + [f'{d} = "{r}"' for d, r in deps.items()]
    return "\n".join(lines) + "\n"


def schema_yaml(names: Sequence[str], refs: Sequence[str] = ()) -> bytes:
    out = ['version: "1.0"', "namespace: estream.test", "schemas:"]
    for n in names:
        out += [f"  {n}:", f'    description: "{n}"', "    fields:", "      id:", "        type: bytes32"]
        for i, r in enumerate(refs):
            out += [f"      ref{i}:", f"        type: {r}"]
    return ("\n".join(out) + "\n").encode()


def circuit_yaml(name: str, version: str) -> bytes:
    """A valid circuit file (local types only) for a package `version` (a circuit's version is its
    package's)."""
    ident = name.replace("-", "_")
    return f"""escir_version: "0.8.0"
name: {ident}
version: "{version}"
types:
  - name: Reading
    fields:
      - {{ name: value, type: u32 }}
inputs:
  - name: reading
    type: Reading
outputs:
  - name: total
    type: Reading
annotations:
  witness_tier: 1
  hardware_target: [cpu]
implementation:
  cpu: "{ident}:run"
compute:
  - id: summer
    type: transform
flows:
  - reading -> summer -> total
""".encode()


def package_files(
    name: str, version: str, *, key: SigningKey, extra: Optional[Dict[str, bytes]] = None, **manifest
) -> Dict[str, bytes]:
    # LICENSE: required for publishing (SmartCircuit package format §2.1).
    files: Dict[str, bytes] = {
        "estream-component.toml": make_manifest(name, version, **manifest).encode(),
        "LICENSE": b"Apache-2.0\n",
    }
    provides = manifest.get("provides") or ()
    if provides:
        files[f"schemas/{name}.esf.yaml"] = schema_yaml(provides)
    circuit = manifest.get("circuit")
    if circuit:
        files[circuit] = circuit_yaml(name, version)  # a package's circuits must be valid to publish
    files.update(extra or {})
    files["SIGNATURE.ml-dsa"] = sign_package(files, name=name, version=version, key=key, signed_at=0)
    return files


def fpga_manifest(version: str, bitstreams: Mapping[str, bytes], device_family: str) -> bytes:
    """A valid fpga/manifest.toml for `bitstreams` (file name under fpga/ -> bytes)."""
    from estream.core.fpga.manifest import FpgaManifest, FpgaTarget, render_fpga_manifest, sha3_checksum

    targets = tuple(
        FpgaTarget(
            device_family,
            name,
            sha3_checksum(data),
            12,
            {"luts": 1},
            True,
            "acme-release",
            "1970-01-01T00:00:00Z",
        )
        for name, data in sorted(bitstreams.items())
    )
    return render_fpga_manifest(FpgaManifest(version, targets))


def package_archive(name: str, version: str, *, key: SigningKey, **kwargs) -> bytes:
    return build_archive(package_files(name, version, key=key, **kwargs), f"{name}-{version}")


def keyring_text(*keys: SigningKey) -> str:
    return "".join(
        f'[[keys]]\nkey_id = "{k.key_id}"\nfingerprint = "{k.fingerprint}"\ntrust = "trusted"\n\n'
        for k in keys
    )


def root_key_file(directory: Path, key: SigningKey = ROOT_KEY) -> Path:
    """`key` written as a private key file (mode 0600) under `directory` (once)."""
    path = Path(directory) / f"root-key-{key.fingerprint[9:25]}.toml"
    if not path.exists():
        write_private_key(path, key)
    return path


def root_key_args(directory: Path, key: SigningKey = ROOT_KEY) -> List[str]:
    """`registry-init`'s `--root-key FILE` for the test root key."""
    return ["--root-key", str(root_key_file(directory, key))]


def trust_env(publisher: Optional[SigningKey] = None, root: SigningKey = ROOT_KEY) -> Dict[str, str]:
    """The environment of a consumer that pinned the test root key ($ESTREAM_TRUST_ROOT) and, with
    `publisher`, of a publisher whose key signs the registry snapshots ($ESTREAM_SIGNING_KEY)."""
    env = {ENV_TRUST_ROOT: root.fingerprint}
    if publisher is not None:
        env["ESTREAM_SIGNING_KEY"] = publisher.private_key_file_text()
    return env


def bare_repo(path: Path) -> str:
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(path)], check=True)
    return str(path)


def cli_subprocess(args: Sequence[str], *, env: Mapping[str, str], **kwargs) -> subprocess.Popen:
    """Run `estream ...` in a new Python process (same interpreter and import path as this one)."""
    import estream

    plugin_root = str(Path(estream.__file__).resolve().parent.parent)
    full_env = dict(os.environ)
    full_env.update(env)
    full_env["PYTHONPATH"] = os.pathsep.join([plugin_root, *sys.path[1:]])
    return subprocess.Popen([sys.executable, "-m", "estream.cli.main", *args], env=full_env, **kwargs)


#: The estream variables a test must not inherit from the developer's shell.
ESTREAM_ENV_VARS = (
    "ESTREAM_HOME",
    "ESTREAM_KEYRING",
    "ESTREAM_CACHE_DIR",
    "ESTREAM_SIGNING_KEY",
    "ESTREAM_SIGNING_KEY_FILE",
)


def cli_registry(tmp_path: Path, monkeypatch: Any, publisher: SigningKey) -> str:
    """A fresh bare-git registry initialised through the CLI, for tests (`monkeypatch` is pytest's).

    HOME is `tmp_path/home` and no estream variable is inherited; `publisher` is the trusted key of
    the root-signed keyring, the consumer pins the test root key and `publisher` signs snapshots
    (`trust_env`). Returns the URL, also set as $ESTREAM_REGISTRY."""
    from estream.cli.main import main

    home = tmp_path / "home"
    home.mkdir()
    _isolated_home(home, monkeypatch)
    url = bare_repo(tmp_path / "index.git")
    ring = tmp_path / "ring.toml"
    ring.write_text(keyring_text(publisher))
    status = main(
        ["marketplace", "registry-init", "--registry", url, "--keyring", str(ring), *root_key_args(tmp_path)]
    )
    assert status == 0, "registry-init failed"
    _registry_env(url, monkeypatch, publisher)
    return url


def _isolated_home(home: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOME", str(home))
    for var in ESTREAM_ENV_VARS:
        monkeypatch.delenv(var, raising=False)


def _registry_env(url: str, monkeypatch: Any, publisher: SigningKey) -> None:
    monkeypatch.setenv("ESTREAM_REGISTRY", url)
    for name, value in trust_env(publisher).items():
        monkeypatch.setenv(name, value)


def copy_cli_registry(template: Path, tmp_path: Path, monkeypatch: Any, publisher: SigningKey) -> str:
    """A private copy in `tmp_path` of `template`, a directory that `cli_registry(template, ...)`
    set up (and where packages were then published), with the environment `cli_registry` gives.

    Publishing signs with ML-DSA in pure Python and commits to git (about a second a package), so
    a test module that needs the same published registry in every test builds it once and gives
    each test a copy: the tests still share nothing they can change. `template` must not be
    changed after it was built. Returns the URL of the copy (`tmp_path/index.git`), also set as
    $ESTREAM_REGISTRY.

    Only the publisher's checkout under `home/` names the template's path: its directory name
    (derived from the URL), its git remote and FETCH_HEAD. They are rewritten for the copy's URL,
    and the checkout's index cache (keyed on file inodes, which a copy changes) is dropped; it is
    derived data, rebuilt on first read. Any other file still naming the template's path fails
    here, so a new absolute path in the registry state cannot make copies share the template."""
    import shutil

    from estream.core.registry.index_cache import index_cache_path
    from estream.core.registry.registry import Registry

    template, tmp_path = Path(template), Path(tmp_path)
    shutil.copytree(template, tmp_path, symlinks=True, dirs_exist_ok=True)
    old_url, url = str(template / "index.git"), str(tmp_path / "index.git")
    estream_home = tmp_path / "home" / ".estream"
    old_checkout = Registry(old_url, home=estream_home).checkout
    checkout = Registry(url, home=estream_home).checkout
    index_cache_path(old_checkout).unlink(missing_ok=True)
    if old_checkout.exists():
        old_checkout.rename(checkout)
        (checkout / ".git" / "FETCH_HEAD").unlink(missing_ok=True)
        subprocess.run(["git", "-C", str(checkout), "remote", "set-url", "origin", url], check=True)
    old_lock = Path(str(old_checkout) + ".lock")
    if old_lock.exists():
        old_lock.rename(Path(str(checkout) + ".lock"))
    needle = str(template).encode()
    for dirpath, _, filenames in os.walk(tmp_path):
        for filename in filenames:
            path = Path(dirpath) / filename
            if not path.is_symlink() and needle in path.read_bytes():
                raise AssertionError(f"{path} names the template registry {template}: copies would share it")
    _isolated_home(tmp_path / "home", monkeypatch)
    _registry_env(url, monkeypatch, publisher)
    return url


__all__ = [
    "ESTREAM_ENV_VARS",
    "ROOT_KEY",
    "bare_repo",
    "cli_registry",
    "cli_subprocess",
    "copy_cli_registry",
    "fpga_manifest",
    "keyring_text",
    "make_manifest",
    "package_archive",
    "package_files",
    "root_key_args",
    "root_key_file",
    "schema_yaml",
    "trust_env",
]
