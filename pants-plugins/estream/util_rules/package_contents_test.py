"""RuleRunner tests of collecting a `marketplace_package`'s files, with only its own rules: which
files are the package's, and the validation that runs over them."""

from __future__ import annotations

from typing import Dict

import pytest
from pants.core.target_types import FilesGeneratorTarget
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.target_types import target_types
from estream.testutil.package_text import esf_schema_yaml, manifest_toml
from estream.util_rules import package_contents
from estream.util_rules.package_contents import MarketplacePackageContents, MarketplacePackageContentsRequest


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[
            *package_contents.rules(),
            QueryRule(MarketplacePackageContents, [MarketplacePackageContentsRequest]),
        ],
        target_types=[*target_types(), FilesGeneratorTarget],
    )


def demo(**overrides: str) -> Dict[str, str]:
    # The target's dependencies are written out: inference, which finds them in a real build, is
    # not in these rules. One of them is another package's schema file, which is not demo's.
    files = {
        "pkgs/demo/BUILD": (
            'marketplace_package(dependencies=["./schemas", ":package_files", "pkgs/other/schemas/other.esf.yaml"])\n'
            'files(name="package_files", sources=["src/**/*", "tests/**/*"])'
        ),
        "pkgs/demo/estream-component.toml": manifest_toml(
            "esf-demo",
            "1.2.0",
            keywords=["demo"],
            provides=["DemoEvent"],
            include={"schemas": ["schemas/*.esf.yaml"], "src": ["src/**"]},
        ),
        "pkgs/demo/README.md": "# demo\n",
        "pkgs/demo/LICENSE": "Apache-2.0\n",
        "pkgs/demo/schemas/BUILD": "esf_schemas()",
        "pkgs/demo/schemas/demo.esf.yaml": esf_schema_yaml(),
        "pkgs/demo/src/ref.py": "",
        "pkgs/demo/tests/golden.json": "{}",  # owned, but `[component.include]` does not select tests/
        "pkgs/other/schemas/BUILD": "esf_schemas()",
        "pkgs/other/schemas/other.esf.yaml": esf_schema_yaml({"Other": {"id": "bytes32"}}),
    }
    files.update(overrides)
    return files


def collect(runner: RuleRunner, publishing: bool = False) -> MarketplacePackageContents:
    return runner.request(
        MarketplacePackageContents, [MarketplacePackageContentsRequest(Address("pkgs/demo"), publishing)]
    )


def test_the_package_is_its_manifest_docs_own_schemas_and_included_files(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(demo())
    contents = collect(rule_runner, publishing=True)
    assert (contents.manifest.name, contents.root) == ("esf-demo", "pkgs/demo")
    expected = ["LICENSE", "README.md", "estream-component.toml", "schemas/demo.esf.yaml", "src/ref.py"]
    assert list(contents.paths) == expected
    assert [fc.path for fc in rule_runner.request(DigestContents, [contents.digest])] == expected
    assert [d.defined_names() for d in contents.schemas] == [{"DemoEvent"}]


def test_package_validation_runs_over_the_collected_files(rule_runner: RuleRunner) -> None:
    # A LICENSE is required only of a package to be published.
    rule_runner.write_files({path: text for path, text in demo().items() if path != "pkgs/demo/LICENSE"})
    assert "LICENSE" not in collect(rule_runner).paths
    with pytest.raises(ExecutionError) as exc:
        collect(rule_runner, publishing=True)
    assert "pkgs/demo/LICENSE: not found; a published package needs a LICENSE file" in str(exc.value)


def test_a_provided_schema_no_collected_file_defines_is_refused(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        demo(**{"pkgs/demo/schemas/demo.esf.yaml": esf_schema_yaml({"Renamed": {"id": "bytes32"}})})
    )
    with pytest.raises(ExecutionError) as exc:
        collect(rule_runner)
    message = str(exc.value)
    assert "pkgs/demo/estream-component.toml" in message and "`DemoEvent`" in message
