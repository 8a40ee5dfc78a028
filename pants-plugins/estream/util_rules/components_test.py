"""`estream_component` consumers: the lock goal against a real bare registry, verified downloads
(`package`) and locked components in schema resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pants.core.goals.package import BuiltPackage
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.cli.main import main
from estream.core.keys import SigningKey
from estream.core.registry.testing import (
    ROOT_KEY,
    bare_repo,
    keyring_text,
    make_manifest,
    package_archive,
    root_key_args,
    schema_yaml,
)
from estream.dependency_inference import rules as dependency_inference
from estream.goals import estream_lock, package
from estream.goals.estream_lock import EstreamLock
from estream.goals.package import EstreamComponentFieldSet
from estream.target_types import target_types
from estream.util_rules import schema_resolution
from estream.util_rules.components import VerifiedComponent, VerifiedComponentRequest
from estream.util_rules.schema_resolution import ResolvedSchemaGraph, ResolveSchemasRequest

KEY = SigningKey.generate("release")


@pytest.fixture
def setup(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    url = bare_repo(tmp_path / "index.git")
    ring = tmp_path / "ring.toml"
    ring.write_text(keyring_text(KEY))
    assert (
        main(
            [
                "marketplace",
                "registry-init",
                "--registry",
                url,
                "--keyring",
                str(ring),
                *root_key_args(tmp_path),
            ]
        )
        == 0
    )
    monkeypatch.setenv("ESTREAM_SIGNING_KEY", KEY.private_key_file_text())
    for name, version, kw in (
        ("esf-core", "1.0.0", dict(provides=["CoreEvent"])),
        ("esf-core", "1.1.0", dict(provides=["CoreEvent"])),
        ("esf-iot", "1.0.0", dict(provides=["IoTEvent"], requires=["CoreEvent"], deps={"esf-core": "^1.0"})),
    ):
        path = tmp_path / f"{name}-{version}.tar.gz"
        path.write_bytes(package_archive(name, version, key=KEY, **kw))
        assert main(["marketplace", "publish", str(path), "--registry", url]) == 0
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *estream_lock.rules(),
            *package.rules(),
            *schema_resolution.rules(),
            QueryRule(BuiltPackage, [EstreamComponentFieldSet]),
            QueryRule(VerifiedComponent, [VerifiedComponentRequest]),
            QueryRule(ResolvedSchemaGraph, [ResolveSchemasRequest]),
        ],
        target_types=target_types(),
    )
    runner.write_files(
        {
            "3rdparty/estream/BUILD": 'estream_component(name="esf-iot", component="esf-iot", version="^1.0")',
            "keyring.toml": keyring_text(KEY),
        }
    )
    options = [
        f"--estream-registry-url={url}",
        "--estream-signing-keyring=keyring.toml",
        f"--estream-registry-trust-roots=['{ROOT_KEY.fingerprint}']",
    ]
    runner.set_options(options, env={"HOME": str(home)}, env_inherit={"PATH"})
    return runner, options, home


def lock_goal(runner, options, home):
    result = runner.run_goal_rule(
        EstreamLock, global_args=options, args=["::"], env={"HOME": str(home)}, env_inherit={"PATH"}
    )
    runner.set_options(options, env={"HOME": str(home)}, env_inherit={"PATH"})
    return result


def test_lock_goal_then_verified_package(setup):
    runner, options, home = setup
    result = lock_goal(runner, options, home)
    assert result.exit_code == 0, result.stderr
    lock = json.loads(Path(runner.build_root, "3rdparty/estream/components.lock").read_text())
    comps = lock["components"]
    assert {n: c["version"] for n, c in comps.items()} == {"esf-core": "1.1.0", "esf-iot": "1.0.0"}
    assert comps["esf-iot"]["requirement"] == "^1.0" and comps["esf-core"]["requirement"] is None
    assert comps["esf-iot"]["deps"] == {"esf-core": "^1.0"}

    target = runner.get_target(Address("3rdparty/estream", target_name="esf-iot"))
    built = runner.request(BuiltPackage, [EstreamComponentFieldSet.create(target)])
    [fc] = runner.request(DigestContents, [built.digest])
    assert fc.path == "esf-iot-1.0.0.tar.gz"
    verified = runner.request(VerifiedComponent, [VerifiedComponentRequest("esf-iot")])
    assert verified.provides == ("IoTEvent",) and verified.requires == ("CoreEvent",)

    # The lock records the signer; an archive signed by another key than the locked one is refused.
    assert comps["esf-iot"]["key_fingerprint"] == KEY.fingerprint
    lock["components"]["esf-iot"]["key_fingerprint"] = "sha3-256:" + "e" * 64
    runner.write_files({"3rdparty/estream/components.lock": json.dumps(lock)})
    with pytest.raises(ExecutionError, match="is signed by key release .*but the lock records sha3-256:e+"):
        runner.request(VerifiedComponent, [VerifiedComponentRequest("esf-iot")])
    lock["components"]["esf-iot"]["key_fingerprint"] = KEY.fingerprint

    # A tampered lock (another SHA3-256) is refused even though the download itself matches its pin.
    lock["components"]["esf-core"]["checksum"] = "sha3-256:" + "0" * 64
    runner.write_files({"3rdparty/estream/components.lock": json.dumps(lock)})  # invalidates what read it
    with pytest.raises(ExecutionError, match="does not match the lock"):
        runner.request(VerifiedComponent, [VerifiedComponentRequest("esf-core")])


def lock_error(runner, args, home) -> str:
    """The lock goal's error (raised through the engine, or reported with a non-zero exit)."""
    try:
        result = runner.run_goal_rule(
            EstreamLock, global_args=args, args=["::"], env={"HOME": str(home)}, env_inherit={"PATH"}
        )
    except ExecutionError as e:
        return str(e)
    assert result.exit_code != 0
    return result.stderr


def test_lock_goal_refuses_an_unpinned_registry_or_a_wrong_pin(setup):
    runner, options, home = setup
    unpinned = [o for o in options if "trust-roots" not in o]
    text = lock_error(runner, unpinned, home)
    assert (
        "this registry is not pinned" in text
        and "[estream-registry].trust_roots" in text
        and ROOT_KEY.fingerprint in text
    )
    text = lock_error(
        runner, [*unpinned, "--estream-registry-trust-roots=['sha3-256:" + "a" * 64 + "']"], home
    )
    assert "none of the registry's root keys is pinned" in text
    assert not Path(runner.build_root, "3rdparty/estream/components.lock").exists()


def test_substituted_archive_fails_the_download_pin(setup):
    runner, options, home = setup
    assert lock_goal(runner, options, home).exit_code == 0
    lock = json.loads(Path(runner.build_root, "3rdparty/estream/components.lock").read_text())
    archive = Path(lock["components"]["esf-iot"]["url"][len("file://") :])
    archive.write_bytes(
        package_archive("esf-iot", "1.0.0", key=KEY, provides=["IoTEvent"], description="swapped")
    )
    # Pants reports a substitute longer than the pinned size before hashing it, so which of its
    # two digest-pin errors appears depends on the substitute's compressed size.
    with pytest.raises(
        ExecutionError,
        match="Wrong digest for downloaded file|Downloaded file was larger than expected digest",
    ):
        runner.request(VerifiedComponent, [VerifiedComponentRequest("esf-iot")])


def test_stale_lock_is_reported(setup):
    runner, options, home = setup
    assert lock_goal(runner, options, home).exit_code == 0
    runner.write_files(
        {"3rdparty/estream/BUILD": 'estream_component(name="esf-iot", component="esf-iot", version="^2.0")'}
    )
    target = runner.get_target(Address("3rdparty/estream", target_name="esf-iot"))
    with pytest.raises(ExecutionError, match="the lock is stale"):
        runner.request(BuiltPackage, [EstreamComponentFieldSet.create(target)])


def test_locked_components_take_part_in_schema_resolution(setup):
    runner, options, home = setup
    manifest = make_manifest(
        "iot-dash", "0.1.0", provides=["DashEvent"], requires=["IoTEvent"], deps={"esf-iot": "^1.0"}
    )
    runner.write_files(
        {
            "pkgs/dash/BUILD": "marketplace_package()",
            "pkgs/dash/estream-component.toml": manifest
            + '\n[component.include]\nschemas = ["schemas/*.esf.yaml"]\n',
            "pkgs/dash/schemas/BUILD": "esf_schemas()",
            "pkgs/dash/schemas/dash.esf.yaml": schema_yaml(["DashEvent"], refs=["IoTEvent"]).decode(),
        }
    )
    request = ResolveSchemasRequest((Address("pkgs/dash"),))
    with pytest.raises(ExecutionError, match="esf-iot"):
        runner.request(ResolvedSchemaGraph, [request])  # no lock yet: the dependency is nowhere
    assert lock_goal(runner, options, home).exit_code == 0
    graph = runner.request(ResolvedSchemaGraph, [request])
    resolved = graph.packages["iot-dash"].to_json()
    assert "esf-iot" in str(resolved["requires"]) and "esf-iot-1.0.0/schemas/esf-iot.esf.yaml" in str(
        resolved
    )
