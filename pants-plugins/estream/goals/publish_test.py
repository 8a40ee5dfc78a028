"""RuleRunner tests for `publish` on `marketplace_package`: what process runs, with which environment."""

from __future__ import annotations

import pytest
from pants.core.goals.package import BuiltPackage
from pants.core.goals.publish import PublishProcesses
from pants.core.util_rules import source_files
from pants.engine.addresses import Address
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.core.keys import SigningKey
from estream.dependency_inference import rules as dependency_inference
from estream.goals import publish
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.goals.publish import MarketplacePublishFieldSet, PublishMarketplacePackageRequest
from estream.target_types import target_types as estream_target_types
from estream.testutil.package_text import esf_schema_yaml, manifest_toml

KEY = SigningKey.generate("test-release-key")

MANIFEST = manifest_toml(
    "esf-demo",
    "1.2.0",
    description="Demo schemas",
    provides=["DemoEvent"],
    include={"schemas": ["schemas/*.esf.yaml"]},
)
SCHEMA = esf_schema_yaml({"DemoEvent": {"id": "bytes32"}}, attributes={"DemoEvent": {"description": "e"}})


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *publish.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
            QueryRule(PublishProcesses, [PublishMarketplacePackageRequest]),
        ],
        target_types=estream_target_types(),
    )
    return runner


def processes(rule_runner: RuleRunner, build: str, options, env) -> PublishProcesses:
    rule_runner.write_files(
        {
            "pkgs/demo/BUILD": build,
            "pkgs/demo/estream-component.toml": MANIFEST,
            "pkgs/demo/LICENSE": "Apache-2.0\n",
            "pkgs/demo/schemas/BUILD": "esf_schemas()",
            "pkgs/demo/schemas/demo.esf.yaml": SCHEMA,
        }
    )
    rule_runner.set_options(options, env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text(), **env})
    target = rule_runner.get_target(Address("pkgs/demo"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    field_set = MarketplacePublishFieldSet.create(target)
    return rule_runner.request(PublishProcesses, [PublishMarketplacePackageRequest(field_set, (built,))])


def test_publish_process_runs_the_cli_with_git_credentials_env(rule_runner: RuleRunner) -> None:
    result = processes(
        rule_runner,
        "marketplace_package()",
        [
            "--estream-registry-url=https://example.invalid/index.git",
            "--estream-registry-extra-env-vars=['GITHUB_TOKEN', 'FIXED=1']",
        ],
        {"SSH_AUTH_SOCK": "/tmp/agent.sock", "GITHUB_TOKEN": "t0ken", "UNRELATED": "x"},
    )
    [pub] = result
    assert pub.process is not None
    assert pub.names == ("esf-demo-1.2.0.tar.gz",)
    argv = pub.process.process.argv
    assert argv[1:8] == (
        "-m",
        "estream.cli.main",
        "marketplace",
        "publish",
        "esf-demo-1.2.0.tar.gz",
        "--registry",
        "https://example.invalid/index.git",
    )
    assert "--allow-development-key" not in argv
    env = dict(pub.process.process.env)
    assert (
        env["SSH_AUTH_SOCK"] == "/tmp/agent.sock" and env["GITHUB_TOKEN"] == "t0ken" and env["FIXED"] == "1"
    )
    assert "UNRELATED" not in env and "ESTREAM_SIGNING_KEY" not in env
    assert "PYTHONPATH" in env


def test_publish_skipped_without_registry_or_with_skip_publish(rule_runner: RuleRunner) -> None:
    [pub] = processes(rule_runner, "marketplace_package()", [], {})
    assert pub.process is None and "no registry" in (pub.description or "")
    [pub] = processes(
        rule_runner, "marketplace_package(skip_publish=True)", ["--estream-registry-url=/tmp/x.git"], {}
    )
    assert pub.process is None and "skip_publish" in (pub.description or "")


def test_a_dependant_hands_over_its_in_repo_dependencies_archives(rule_runner: RuleRunner) -> None:
    # `publish ::` runs packages in no particular order: the dependant's process gets the archive
    # of its in-repository dependency (`--with`) for when the registry does not have it yet.
    user_manifest = manifest_toml(
        "demo-user",
        "0.1.0",
        description="Uses the demo schemas",
        provides=["DemoUse"],
        requires=["DemoEvent"],
        include={"schemas": ["schemas/*.esf.yaml"]},
        dependencies={"esf-demo": "^1.2"},
    )
    use = esf_schema_yaml({"DemoUse": {"event": "DemoEvent"}}, namespace="estream.use")
    rule_runner.write_files(
        {
            "pkgs/user/BUILD": "marketplace_package()",
            "pkgs/user/estream-component.toml": user_manifest,
            "pkgs/user/LICENSE": "Apache-2.0\n",
            "pkgs/user/schemas/BUILD": "esf_schemas()",
            "pkgs/user/schemas/use.esf.yaml": use,
        }
    )
    processes(
        rule_runner, "marketplace_package()", ["--estream-registry-url=https://example.invalid/index.git"], {}
    )
    target = rule_runner.get_target(Address("pkgs/user"))
    built = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    [pub] = rule_runner.request(
        PublishProcesses,
        [PublishMarketplacePackageRequest(MarketplacePublishFieldSet.create(target), (built,))],
    )
    assert pub.process is not None
    argv = pub.process.process.argv
    assert argv[-2:] == ("--with", "esf-demo-1.2.0.tar.gz"), argv
    # the dependency's own publish hands nothing over
    demo = rule_runner.get_target(Address("pkgs/demo"))
    built_demo = rule_runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(demo)])
    [own] = rule_runner.request(
        PublishProcesses,
        [PublishMarketplacePackageRequest(MarketplacePublishFieldSet.create(demo), (built_demo,))],
    )
    assert own.process is not None and "--with" not in own.process.process.argv
