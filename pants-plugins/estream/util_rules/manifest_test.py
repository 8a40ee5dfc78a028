"""RuleRunner tests of the manifest rule, with only its own rules: a `marketplace_package`'s
manifest is parsed from the target's file, and a bad one fails with the parser's diagnostics."""

from __future__ import annotations

import pytest
from pants.engine.addresses import Address
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.target_types import MarketplaceManifestField, target_types
from estream.testutil.package_text import manifest_toml
from estream.util_rules import manifest
from estream.util_rules.manifest import ParsedManifest


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[*manifest.rules(), QueryRule(ParsedManifest, [MarketplaceManifestField])],
        target_types=target_types(),
    )


def parse(runner: RuleRunner, address: Address) -> ParsedManifest:
    return runner.request(ParsedManifest, [runner.get_target(address)[MarketplaceManifestField]])


def test_the_manifest_named_by_the_target_is_parsed_and_roots_the_package(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "pkgs/demo/BUILD": 'marketplace_package(manifest="meta/estream-component.toml")',
            "pkgs/demo/meta/estream-component.toml": manifest_toml(
                "esf-demo", "1.2.0", provides=["DemoEvent"]
            ),
        }
    )
    parsed = parse(rule_runner, Address("pkgs/demo"))
    assert (parsed.manifest.name, str(parsed.manifest.version)) == ("esf-demo", "1.2.0")
    assert parsed.path == "pkgs/demo/meta/estream-component.toml"
    assert parsed.root == "pkgs/demo/meta"


def test_a_bad_manifest_fails_with_every_diagnostic(rule_runner: RuleRunner) -> None:
    text = manifest_toml("Bad_Name", provides=["DemoEvent"]).replace('version = "1.0.0"', 'version = "1.0"')
    rule_runner.write_files({"bad/BUILD": "marketplace_package()", "bad/estream-component.toml": text})
    with pytest.raises(ExecutionError) as exc:
        parse(rule_runner, Address("bad"))
    message = str(exc.value)
    # Both problems, each with its file, line and key (not only the first one).
    assert "bad/estream-component.toml:2" in message and "component.name" in message
    assert "bad/estream-component.toml:3" in message and "component.version" in message
