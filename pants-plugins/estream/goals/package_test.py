"""RuleRunner tests for `package` on `marketplace_package`: contents, validation, signing."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from typing import Dict

import pytest
from pants.core.goals.package import BuiltPackage
from pants.core.util_rules import source_files
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.engine.target import Addresses, DependenciesRequest
from pants.testutil.rule_runner import QueryRule, RuleRunner
from pants.util.logging import LogLevel

from estream.core.archive import read_archive
from estream.core.keys import SigningKey
from estream.core.verify import verify_package
from estream.dependency_inference import rules as dependency_inference
from estream.goals import package
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.target_types import MarketplacePackageDependenciesField
from estream.target_types import target_types as estream_target_types
from estream.testutil.package_text import esf_schema_yaml, manifest_toml
from estream.util_rules.package_signature import (
    SIGNATURE_CACHE_DIR,
    lookup_argv,
    lookup_process,
    speculation_delay_millis,
)

# The lookup runs as Pants runs it: with no environment at all.
NO_ENV: Dict[str, str] = {}

KEY = SigningKey.generate("test-release-key")

MANIFEST = manifest_toml(
    "esf-demo",
    "1.2.0",
    description="Demo schemas",
    keywords=["demo"],
    provides=["DemoEvent"],
    requires=[],
    include={"schemas": ["schemas/*.esf.yaml"]},
)

SCHEMA = esf_schema_yaml(
    {"DemoEvent": {"event_id": "bytes32", "level": "Level"}},
    enums={"Level": ["Low", "High"]},
    attributes={
        "DemoEvent": {"description": "An event", "lattice": "estream.demo.event", "path": "/demo/{event_id}"}
    },
)


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=estream_target_types(),
    )
    runner.set_options([], env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()})
    return runner


def write_package(rule_runner: RuleRunner, manifest: str = MANIFEST, schema: str = SCHEMA) -> None:
    rule_runner.write_files(
        {
            "pkgs/demo/BUILD": "marketplace_package()",
            "pkgs/demo/estream-component.toml": manifest,
            "pkgs/demo/README.md": "# demo\n",
            "pkgs/demo/LICENSE": "Apache-2.0\n",
            "pkgs/demo/schemas/BUILD": "esf_schemas()",
            "pkgs/demo/schemas/demo.esf.yaml": schema,
        }
    )


def build(rule_runner: RuleRunner) -> tuple[str, bytes]:
    target = rule_runner.get_target(Address("pkgs/demo"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    contents = rule_runner.request(DigestContents, [built.digest])
    assert len(contents) == 1
    return contents[0].path, contents[0].content


def build_error(rule_runner: RuleRunner) -> str:
    """The message of the error that `package` fails with."""
    with pytest.raises(ExecutionError) as exc:
        build(rule_runner)
    return str(exc.value)


def test_package_builds_signed_archive(rule_runner: RuleRunner) -> None:
    write_package(rule_runner)
    path, archive = build(rule_runner)
    assert path == "esf-demo-1.2.0.tar.gz"
    top, files = read_archive(archive)
    assert top == "esf-demo-1.2.0"
    assert sorted(files) == [
        "LICENSE",
        "README.md",
        "SIGNATURE.ml-dsa",
        "estream-component.toml",
        "schemas/demo.esf.yaml",
    ]
    report = verify_package(files, extra_trusted_keys=[KEY.public])
    assert int(report.exit_code) == 0, report.render()


def test_package_is_reproducible_within_a_run(rule_runner: RuleRunner) -> None:
    write_package(rule_runner)
    _, first = build(rule_runner)
    rule_runner.write_files({"pkgs/demo/README.md": "# demo, edited\n"})
    _, second = build(rule_runner)
    assert first != second
    rule_runner.write_files({"pkgs/demo/README.md": "# demo\n"})
    _, third = build(rule_runner)
    assert first == third


def test_package_private_key_not_in_archive(rule_runner: RuleRunner) -> None:
    write_package(rule_runner)
    _, archive = build(rule_runner)
    secret_text = KEY.private_key_file_text()
    seed_hex = [line for line in secret_text.splitlines() if line.startswith("seed")][0].split('"')[1]
    plain = gzip.decompress(archive)
    assert seed_hex.encode() not in plain
    assert bytes.fromhex(seed_hex) not in plain


def test_unknown_type_reference_fails(rule_runner: RuleRunner) -> None:
    write_package(rule_runner, schema=SCHEMA.replace("type: Level", "type: Levle"))
    message = build_error(rule_runner)
    assert "pkgs/demo/schemas/demo.esf.yaml" in message
    assert "unknown type `Levle`" in message
    assert "did you mean `Level`?" in message


def test_provided_schema_must_exist(rule_runner: RuleRunner) -> None:
    write_package(
        rule_runner, manifest=MANIFEST.replace('provides = ["DemoEvent"]', 'provides = ["DemoEvnt"]')
    )
    message = build_error(rule_runner)
    assert "pkgs/demo/estream-component.toml" in message
    assert "component.schemas.provides" in message
    assert "did you mean `DemoEvent`?" in message


def test_include_glob_matching_nothing_fails(rule_runner: RuleRunner) -> None:
    write_package(rule_runner, manifest=MANIFEST.replace("schemas/*.esf.yaml", "schema/*.esf.yaml"))
    assert "glob `schema/*.esf.yaml` matches no file of this package" in build_error(rule_runner)


def test_invalid_manifest_fails_with_file_and_key(rule_runner: RuleRunner) -> None:
    write_package(rule_runner, manifest=MANIFEST.replace('version = "1.2.0"', 'version = "1.2"'))
    message = build_error(rule_runner)
    assert "pkgs/demo/estream-component.toml" in message
    assert "component.version" in message


def test_dependencies_are_inferred_from_include_globs() -> None:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(Addresses, [DependenciesRequest]),
        ],
        target_types=estream_target_types(),
    )
    write_package(runner)
    target = runner.get_target(Address("pkgs/demo"))
    deps = runner.request(Addresses, [DependenciesRequest(target[MarketplacePackageDependenciesField])])
    assert list(deps) == [Address("pkgs/demo/schemas", relative_file_path="demo.esf.yaml")]


def test_signature_records_development_key_when_none_configured(tmp_path) -> None:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=estream_target_types(),
    )
    runner.set_options([], env={"HOME": str(tmp_path)})
    write_package(runner)
    _, archive = build(runner)
    _, files = read_archive(archive)
    signature = json.loads(files["SIGNATURE.ml-dsa"])
    assert signature["development_key"] is True
    assert (tmp_path / ".estream" / "keys" / "dev-signing-key.toml").exists()
    report = verify_package(files)
    assert int(report.exit_code) != 0
    assert "development" in report.render().lower()


def cache_runner(tmp_path, key: SigningKey) -> RuleRunner:
    """A RuleRunner with its own local store and named caches (both kept across runners)."""
    dirs = [f"--local-store-dir={tmp_path / 'store'}", f"--named-caches-dir={tmp_path / 'named'}"]
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=estream_target_types(),
        bootstrap_args=dirs,
    )
    # set_options replaces the options the rules see: repeat the directories there.
    runner.set_options(dirs, env={"ESTREAM_SIGNING_KEY": key.private_key_file_text()})
    write_package(runner)
    return runner


@pytest.fixture
def signed(monkeypatch) -> list:
    """The statements signed with any SigningKey during the test."""
    statements: list = []
    real_sign = SigningKey.sign

    def counting_sign(self, message, *, ctx):
        statements.append(message)
        return real_sign(self, message, ctx=ctx)

    monkeypatch.setattr(SigningKey, "sign", counting_sign)
    return statements


def test_signature_is_made_once_then_comes_from_pants_process_cache(tmp_path, signed) -> None:
    """Without pantsd nothing in-process survives a run: the second run (a new engine) must take
    the signature from Pants' persistent cache, not sign again, and build the same bytes."""
    key = SigningKey.generate("cache-test-key")
    first = build(cache_runner(tmp_path, key))
    assert len(signed) == 1
    # The named cache is this machine's memory; another machine sharing the remote cache has
    # only Pants' process cache, as here.
    shutil.rmtree(tmp_path / "named")
    second = build(cache_runner(tmp_path, key))
    assert len(signed) == 1, "the second run signed again instead of using the cached signature"
    assert second == first
    _, files = read_archive(second[1])
    report = verify_package(files, extra_trusted_keys=[key.public])
    assert int(report.exit_code) == 0, report.render()


def test_signature_of_a_changed_package_is_made_anew(tmp_path, signed) -> None:
    runner = cache_runner(tmp_path, KEY)
    build(runner)
    runner.write_files({"pkgs/demo/README.md": "# demo, edited\n"})
    _, archive = build(runner)
    assert len(signed) == 2
    _, files = read_archive(archive)
    assert files["README.md"] == b"# demo, edited\n"
    report = verify_package(files, extra_trusted_keys=[KEY.public])
    assert int(report.exit_code) == 0, report.render()


def test_signature_lookup_command_prints_a_cached_signature_and_fails_on_a_miss(tmp_path) -> None:
    """The lookup's argv as the sandbox runs it (no environment, paths relative to the sandbox)."""
    cache = tmp_path / SIGNATURE_CACHE_DIR
    cache.mkdir()
    (cache / "k1").write_bytes(b"\x00signature\xff")
    argv = lookup_argv(f"{SIGNATURE_CACHE_DIR}/k1")
    hit = subprocess.run(argv, cwd=tmp_path, env=NO_ENV, capture_output=True)
    assert (hit.returncode, hit.stdout) == (0, b"\x00signature\xff")
    miss = subprocess.run(
        lookup_argv(f"{SIGNATURE_CACHE_DIR}/k2"),
        cwd=tmp_path,
        env=NO_ENV,
        capture_output=True,
    )
    assert miss.returncode != 0 and miss.stdout == b""


def test_signature_lookup_holds_its_local_run_back_only_with_a_remote_cache() -> None:
    """With a remote cache the local `cat` must not answer before the remote cache read can (it
    would fail in a millisecond although the remote cache has the signature); the delay is not
    in the action, so the action is the same with and without a remote cache."""
    assert speculation_delay_millis(remote_cache_read=False, remote_cache_rpc_timeout_millis=1500) == 0
    delay = speculation_delay_millis(remote_cache_read=True, remote_cache_rpc_timeout_millis=1500)
    assert delay > 1500
    assert speculation_delay_millis(remote_cache_read=True, remote_cache_rpc_timeout_millis=9000) > 9000
    local = lookup_process("k1", speculation_delay=0, level=LogLevel.DEBUG, description="d")
    remote = lookup_process("k1", speculation_delay=delay, level=LogLevel.DEBUG, description="d")
    assert remote.remote_cache_speculation_delay_millis == delay
    assert local.remote_cache_speculation_delay_millis == 0
    assert remote.argv == local.argv == ("/bin/cat", f"{SIGNATURE_CACHE_DIR}/k1")
