"""RuleRunner tests: packages with circuits ship circuits, src/ and tests/ per `[component.include]`."""

from __future__ import annotations

import pytest
from pants.core.goals.package import BuiltPackage
from pants.core.target_types import FilesGeneratorTarget, FileTarget
from pants.core.util_rules import source_files
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.core.archive import read_archive
from estream.core.keys import SigningKey
from estream.core.verify import verify_package
from estream.dependency_inference import rules as dependency_inference
from estream.goals import package
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.target_types import target_types as estream_target_types
from estream.testutil.sample_packages import package_files

KEY = SigningKey.generate("circuit-package-test")

INCLUDE = """
[component.include]
circuits = ["circuits/*.circuit.yaml"]
src = ["src/**/*.py"]
tests = ["tests/golden/*"]
"""


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=[*estream_target_types(), FileTarget, FilesGeneratorTarget],
    )
    runner.set_options([], env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()})
    return runner


def build(rule_runner: RuleRunner) -> dict:
    target = rule_runner.get_target(Address("pkg/mover"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    (content,) = rule_runner.request(DigestContents, [built.digest])
    _, files = read_archive(content.content)
    return files


def write(rule_runner: RuleRunner, **extra: str) -> None:
    files = package_files()
    files["pkg/mover/estream-component.toml"] = files["pkg/mover/estream-component.toml"] + INCLUDE
    files[
        "pkg/mover/BUILD"
    ] = 'marketplace_package()\nfiles(name="package_files", sources=["src/**/*", "tests/**/*"])\n'
    files["pkg/mover/src/NOTES.txt"] = "not matched by [component.include]\n"
    files["pkg/mover/LICENSE"] = "Apache-2.0\n"
    files.update(extra)
    rule_runner.write_files(files)


def test_circuits_src_and_tests_are_packaged_and_signed(rule_runner: RuleRunner) -> None:
    write(rule_runner)
    files = build(rule_runner)
    assert sorted(files) == [
        "LICENSE",
        "SIGNATURE.ml-dsa",
        "circuits/move.circuit.yaml",
        "estream-component.toml",
        "src/mover/__init__.py",
        "src/mover/impl.py",
        "tests/golden/manifest.toml",
        "tests/golden/overflow.json",
        "tests/golden/right.json",
    ]
    report = verify_package(files, extra_trusted_keys=[KEY.public])
    assert int(report.exit_code) == 0, report.render()


def test_include_glob_without_owned_files_fails(rule_runner: RuleRunner) -> None:
    write(rule_runner, **{"pkg/mover/BUILD": "marketplace_package()\n"})
    with pytest.raises(ExecutionError) as info:
        build(rule_runner)
    assert "glob `src/**/*.py` matches no file of this package" in str(info.value)


def test_invalid_circuit_is_not_packaged(rule_runner: RuleRunner) -> None:
    files = package_files()
    circuit = files["pkg/mover/circuits/move.circuit.yaml"].replace('version: "0.3.0"', 'version: "0.9.0"')
    write(rule_runner, **{"pkg/mover/circuits/move.circuit.yaml": circuit})
    with pytest.raises(ExecutionError) as info:
        build(rule_runner)
    assert "circuit version 0.9.0 does not match the package version 0.3.0" in str(info.value)


def test_missing_entry_circuit_is_not_packaged(rule_runner: RuleRunner) -> None:
    manifest = (
        package_files()["pkg/mover/estream-component.toml"].replace(
            "circuits/move.circuit.yaml", "circuits/gone.circuit.yaml"
        )
        + INCLUDE
    )
    write(rule_runner)
    rule_runner.write_files({"pkg/mover/estream-component.toml": manifest})
    with pytest.raises(ExecutionError) as info:
        build(rule_runner)
    assert "`circuits/gone.circuit.yaml` does not exist" in str(info.value)


def build_kv(rule_runner: RuleRunner, **overrides: str) -> dict:
    from estream.testutil.sample_packages import kv_files

    rule_runner.write_files(
        kv_files(
            **{
                "pkg/kv/BUILD": 'marketplace_package()\nfiles(name="package_files", sources=["src/**/*", "tests/**/*"])\n',
                **overrides,
            }
        )
    )
    target = rule_runner.get_target(Address("pkg/kv"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    (content,) = rule_runner.request(DigestContents, [built.digest])
    return read_archive(content.content)[1]


def test_wire_adapter_is_packaged_only_when_its_schemas_resolve_and_it_meets_the_contract(
    rule_runner: RuleRunner,
) -> None:
    from estream.core.wire_adapter_test import KV_EGRESS, KV_MANIFEST, KV_SCHEMA

    files = build_kv(rule_runner)
    assert {
        "circuits/kv-ingress.circuit.yaml",
        "circuits/kv-egress.circuit.yaml",
        "src/kv.py",
        "tests/golden/zeros.json",
    } <= set(files)
    # The message type the circuits declare does not resolve: no archive.
    with pytest.raises(ExecutionError) as info:
        build_kv(
            rule_runner,
            **{
                "pkg/kv/schemas/kv.esf.yaml": KV_SCHEMA.replace("KvPair:", "KvPayload:"),
                "pkg/kv/estream-component.toml": KV_MANIFEST.replace('"KvPair", ', ""),
            },
        )
    assert "pkg/kv/circuits/kv-ingress.circuit.yaml:11: `outputs.message.type`: unknown type `KvPair`" in str(
        info.value
    )
    # The wire record does not match the encoding: no archive either.
    with pytest.raises(ExecutionError) as info:
        build_kv(
            rule_runner,
            **{
                "pkg/kv/circuits/kv-egress.circuit.yaml": KV_EGRESS.replace(
                    "name: text, type: string", "name: hex, type: string"
                )
            },
        )
    assert (
        'the `wire` record `WireText` must be exactly { text: string } for encoding = "text", found { hex: string }'
        in str(info.value)
    )
