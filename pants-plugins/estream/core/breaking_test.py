from __future__ import annotations

from textwrap import dedent

import pytest

from estream.core.breaking import RULES, check_bump, diff_schemas, next_version, required_bump
from estream.core.esf import parse_esf
from estream.core.semver import Version

BASE = dedent(
    """\
    version: "1.0"
    namespace: estream.demo
    schemas:
      Order:
        description: "An order"
        lattice: estream.demo.order
        path: /orders/{order_id}
        retention: { duration_days: 30 }
        fields:
          order_id:
            type: bytes32
          symbol:
            type: string(32)
            description: "Instrument"
          side:
            type: Side
          note:
            type: string
            optional: true
          qty:
            type: u64
            default: 1
          owner:
            type: bytes32
            privacy:
              default_level: encrypted
              audiences:
                - { audience: auditor, level: hashed }
          venue:
            type: object
            fields:
              mic: { type: string(4) }
    enums:
      Side:
        values: [Buy, Sell]
    """
)

# rule -> (old text, new text) as replacements applied to BASE; one case per rule.
CASES = {
    "schema-removed": (
        BASE,
        BASE.replace("  Order:", "  Gone:").replace("schemas:\n  Gone:", "schemas:\n  Order2:"),
    ),
    "enum-removed": (BASE + "  Extra:\n    values: [A]\n", BASE),
    "field-removed": (BASE, BASE.replace("      note:\n        type: string\n        optional: true\n", "")),
    "field-added-required": (
        BASE,
        BASE.replace("      note:\n", "      added:\n        type: u8\n      note:\n"),
    ),
    "field-type-changed": (BASE, BASE.replace("type: u64", "type: u32")),
    "string-narrowed": (BASE, BASE.replace("type: string(32)", "type: string(16)")),
    "field-made-required": (BASE, BASE.replace("        optional: true\n", "")),
    "field-made-optional": (
        BASE,
        BASE.replace("type: string(32)\n", "type: string(32)\n        optional: true\n"),
    ),
    "enum-value-removed": (BASE, BASE.replace("[Buy, Sell]", "[Buy]")),
    "path-changed": (BASE, BASE.replace("path: /orders/{order_id}", "path: /o/{order_id}")),
    "lattice-changed": (BASE, BASE.replace("lattice: estream.demo.order", "lattice: estream.demo.orders")),
    "namespace-changed": (BASE, BASE.replace("namespace: estream.demo", "namespace: estream.demo2")),
    "privacy-weakened": (BASE, BASE.replace("level: hashed", "level: public")),
    "privacy-strengthened": (BASE, BASE.replace("default_level: encrypted", "default_level: redacted")),
    "retention-shortened": (BASE, BASE.replace("duration_days: 30", "duration_days: 7")),
    "schema-added": (
        BASE,
        BASE.replace("enums:", "  Cancel:\n    fields:\n      id:\n        type: bytes32\nenums:"),
    ),
    "enum-added": (BASE, BASE + "  Extra:\n    values: [A]\n"),
    "field-added-optional": (
        BASE,
        BASE.replace(
            "      note:\n", "      added:\n        type: u8\n        optional: true\n      note:\n"
        ),
    ),
    "string-widened": (BASE, BASE.replace("type: string(32)", "type: string")),
    "enum-value-added": (BASE, BASE.replace("[Buy, Sell]", "[Buy, Sell, Short]")),
    "retention-extended": (
        BASE,
        BASE.replace("retention: { duration_days: 30 }", "retention: { forever: true }"),
    ),
    "default-changed": (BASE, BASE.replace("default: 1", "default: 2")),
    "description-changed": (BASE, BASE.replace('description: "Instrument"', 'description: "Ticker symbol"')),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


def _diff(old: str, new: str):
    return diff_schemas([parse_esf(old.encode(), "s/a.esf.yaml")], [parse_esf(new.encode(), "s/a.esf.yaml")])


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_classification_and_required_bump(rule: str) -> None:
    old, new = CASES[rule]
    changes = _diff(old, new)
    assert rule in [c.rule for c in changes], changes
    expected = RULES[rule]
    if rule != "schema-removed":  # a rename is a removal plus an addition
        assert len(changes) == 1, changes
    assert required_bump(changes) == expected
    # The bump the rule needs passes; one level less fails.
    old_v = Version.parse("1.4.2")
    assert check_bump("demo", old_v, next_version(old_v, expected), changes).ok
    smaller = {"major": "minor", "minor": "patch", "patch": "none"}[expected]
    check = check_bump("demo", old_v, next_version(old_v, smaller), changes)
    assert not check.ok
    assert f"need a {expected} bump" in check.render()


def test_identical_documents_have_no_changes_and_any_bump_is_ok() -> None:
    assert _diff(BASE, BASE) == []
    check = check_bump("demo", Version.parse("1.0.0"), Version.parse("1.0.0"), [])
    assert check.ok and "no schema changes" in check.render()


def test_nested_object_member_changes_are_located() -> None:
    changes = _diff(BASE, BASE.replace("mic: { type: string(4) }", "mic: { type: string(2) }"))
    assert [(c.rule, c.location) for c in changes] == [("string-narrowed", "Order.venue.mic")]


def test_messages_show_old_and_new() -> None:
    (change,) = _diff(BASE, BASE.replace("type: u64", "type: u32"))
    assert change.message == "type of `Order.qty` changed from `u64` to `u32`"
    assert change.file == "s/a.esf.yaml"
    (change,) = _diff(BASE, BASE.replace("level: hashed", "level: public"))
    assert "for audience `auditor`: hashed -> public" in change.message


def test_cargo_zero_major_rules() -> None:
    changes = _diff(BASE, BASE.replace("[Buy, Sell]", "[Buy, Sell, Short]"))  # minor
    # 0.3.1 -> 0.3.2 is a minor-compatible step under Cargo rules: enough for a minor change.
    assert check_bump("p", Version.parse("0.3.1"), Version.parse("0.3.2"), changes).ok
    breaking = _diff(BASE, BASE.replace("[Buy, Sell]", "[Buy]"))
    check = check_bump("p", Version.parse("0.3.1"), Version.parse("0.3.2"), breaking)
    assert not check.ok and 'set `version = "0.4.0"`' in check.render()
    assert check_bump("p", Version.parse("0.3.1"), Version.parse("0.4.0"), breaking).ok
    assert next_version(Version.parse("0.0.3"), "major") == Version.parse("0.0.4")


def test_downgrade_is_an_error() -> None:
    check = check_bump("p", Version.parse("1.2.0"), Version.parse("1.1.0"), [])
    assert not check.ok and "lower than the previous release 1.2.0" in check.render()


def test_report_lists_changes_most_significant_first() -> None:
    new = BASE.replace("[Buy, Sell]", "[Buy, Sell, Short]").replace("type: u64", "type: u32")
    text = check_bump("demo", Version.parse("1.0.0"), Version.parse("1.1.0"), _diff(BASE, new)).render()
    lines = text.splitlines()
    assert lines[0] == "demo: 1.0.0 -> 1.1.0 (minor bump)"
    assert lines[1].lstrip().startswith("major  field-type-changed")
    assert lines[2].lstrip().startswith("minor  enum-value-added")
    assert "error: demo: 1 change(s) need a major bump" in text
    assert 'help: set `version = "2.0.0"`' in text
