"""RuleRunner tests of the ESF rules, with only their own rules: each file of a digest is
parsed on its own, and a bad or misnamed file fails with the diagnostic naming it."""

from __future__ import annotations

from typing import Dict

import pytest
from pants.engine.fs import CreateDigest, Digest, FileContent
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.testutil.package_text import esf_schema_yaml
from estream.util_rules import esf
from estream.util_rules.esf import EsfFilesRequest, ParsedEsfFiles


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[*esf.rules(), QueryRule(ParsedEsfFiles, [EsfFilesRequest]), QueryRule(Digest, [CreateDigest])]
    )


def parse(runner: RuleRunner, files: Dict[str, str]) -> ParsedEsfFiles:
    digest = runner.request(Digest, [CreateDigest([FileContent(p, c.encode()) for p, c in files.items()])])
    return runner.request(ParsedEsfFiles, [EsfFilesRequest(digest, tuple(files))])


def test_each_file_is_parsed_in_the_order_asked(rule_runner: RuleRunner) -> None:
    parsed = parse(
        rule_runner,
        {
            "s/b.esf.yaml": esf_schema_yaml({"Bee": {"id": "bytes32"}}),
            "s/a.esf.yaml": esf_schema_yaml({"Ant": {"bee": "Bee"}}, enums={"Size": ["Small", "Big"]}),
        },
    )
    assert [d.defined_names() for d in parsed.documents] == [{"Bee"}, {"Ant", "Size"}]


def test_a_bad_schema_fails_with_its_file_line_and_key(rule_runner: RuleRunner) -> None:
    with pytest.raises(ExecutionError) as exc:
        parse(
            rule_runner,
            {
                "s/good.esf.yaml": esf_schema_yaml(),
                "s/bad.esf.yaml": esf_schema_yaml({"Order": {"qty": "u65"}}),
            },
        )
    message = str(exc.value)
    assert "s/bad.esf.yaml:7" in message and "schemas.Order.fields.qty.type" in message and "u65" in message
    assert "good.esf.yaml:" not in message  # no diagnostic for the good file


def test_a_schema_file_must_be_named_esf_yaml(rule_runner: RuleRunner) -> None:
    with pytest.raises(ExecutionError, match=r"s/order\.yaml.*must be named `\*\.esf\.yaml`"):
        parse(rule_runner, {"s/order.yaml": esf_schema_yaml()})
