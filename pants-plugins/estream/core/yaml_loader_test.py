from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.yaml_loader import MAX_DEPTH, YamlList, YamlMap, load_yaml

PATH = "schemas/demo/x.esf.yaml"


def _error(content: bytes, **kwargs) -> EstreamError:
    with pytest.raises(EstreamError) as info:
        load_yaml(content, PATH, **kwargs)
    # Every rejection must render as a user-facing message naming the file.
    assert PATH in str(info.value)
    return info.value


def test_plain_data_with_lines() -> None:
    data = load_yaml(b"name: demo\nnested:\n  items:\n    - 1\n    - two\n  flag: true\n", PATH)
    assert data == {"name": "demo", "nested": {"items": [1, "two"], "flag": True}}
    assert isinstance(data, YamlMap) and isinstance(data, dict)
    assert data.key_line("name") == 1
    assert data.key_line("nested") == 2
    assert data.value_line("nested") == 3  # block value starts on the next line
    nested = data["nested"]
    assert isinstance(nested, YamlMap)
    assert nested.key_line("flag") == 6
    items = nested["items"]
    assert isinstance(items, YamlList) and items.item_line(1) == 5


def test_absent_key_falls_back_to_mapping_line() -> None:
    data = load_yaml(b"a: 1\nb:\n  c: 2\n", PATH)
    assert data["b"].key_line("missing") == 3


def test_str_input_and_bom_accepted() -> None:
    assert load_yaml("a: b\n", PATH) == {"a": "b"}
    assert load_yaml(b"\xef\xbb\xbfa: b\n", PATH) == {"a": "b"}


def test_syntax_error_names_line() -> None:
    err = _error(b"a: 1\nb: [1, 2\nc: 3\n")
    d = err.diagnostics[0]
    assert d.line is not None and d.line >= 2
    assert "invalid YAML" in d.message


def test_tab_indentation_is_a_syntax_error() -> None:
    err = _error(b"a:\n\tb: 1\n")
    assert err.diagnostics[0].line == 2


def test_duplicate_keys_name_key_and_both_lines() -> None:
    err = _error(b"top:\n  a: 1\n  b: 2\n  a: 3\n")
    d = err.diagnostics[0]
    assert d.line == 4
    assert d.key == "top.a"
    assert "duplicate key `a`" in d.message and "line 2" in d.message and "line 4" in d.message


def test_all_duplicates_reported_together() -> None:
    err = _error(b"a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert [d.line for d in err.diagnostics] == [2, 5]


def test_alias_bomb_rejected() -> None:
    bomb = (
        b'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    )
    err = _error(bomb)
    assert err.diagnostics[0].line == 1
    assert "anchors are not allowed" in err.diagnostics[0].message


def test_alias_without_anchor_rejected() -> None:
    err = _error(b"a: 1\nb: *nowhere\n")
    # PyYAML reports the undefined alias itself, or our loader rejects the alias: either way
    # the user gets a located message, not a traceback.
    assert err.diagnostics[0].line == 2


def test_merge_key_rejected() -> None:
    err = _error(b"a:\n  <<: {x: 1}\n")
    assert err.diagnostics[0].line == 2
    assert "merge keys" in err.diagnostics[0].message


def test_non_string_keys_rejected() -> None:
    err = _error(b"x:\n  1: a\n  on: b\n  ~: c\n")
    assert [d.line for d in err.diagnostics] == [2, 3, 4]
    assert all(d.key == "x" for d in err.diagnostics)
    assert "found an integer `1`" in err.diagnostics[0].message
    assert "found a boolean `on`" in err.diagnostics[1].message


def test_complex_key_rejected() -> None:
    err = _error(b"? [a, b]\n: 1\n")
    assert "keys must be strings" in err.diagnostics[0].message
    assert err.diagnostics[0].line == 1


def test_top_level_must_be_mapping() -> None:
    assert "found a list" in _error(b"- a\n- b\n").diagnostics[0].message
    assert "found a scalar" in _error(b"just text\n").diagnostics[0].message


def test_empty_file_rejected() -> None:
    for content in (b"", b"# only a comment\n", b"---\n"):
        assert "empty" in _error(content).diagnostics[0].message


def test_multiple_documents_rejected() -> None:
    err = _error(b"a: 1\n---\nb: 2\n")
    assert err.diagnostics[0].line == 2
    assert "single YAML document" in err.diagnostics[0].message


def test_huge_input_rejected_before_parsing() -> None:
    err = _error(b"a: " + b"x" * 2000 + b"\n", max_bytes=1000)
    assert "too large" in err.diagnostics[0].message


def test_default_cap_is_four_mib() -> None:
    err = _error(b"#" * (4 * 1024 * 1024 + 1))
    assert "4194304" in err.diagnostics[0].message


def test_deep_nesting_rejected() -> None:
    depth = MAX_DEPTH + 10
    err = _error(b"a: " + b"[" * depth + b"]" * depth + b"\n")
    assert "deeper than" in err.diagnostics[0].message


def test_unsafe_tag_rejected() -> None:
    err = _error(b"a: !!python/object/apply:os.system ['true']\n")
    assert err.diagnostics[0].line == 1


def test_collection_tag_rejected() -> None:
    err = _error(b"x: !!set {a, b}\n")
    assert err.diagnostics[0].key == "x"


def test_invalid_utf8_rejected() -> None:
    err = _error(b"a: 1\nb: \xff\n")
    assert err.diagnostics[0].line == 2
    assert "UTF-8" in err.diagnostics[0].message


def test_control_character_rejected() -> None:
    err = _error(b"a: 1\nb: \x00\n")
    assert err.diagnostics[0].line == 2


# --- scalars the constructor cannot read (issue 13: no traceback for any input) -----------------


@pytest.mark.parametrize(
    "text, line, key, fragment, help_fragment",
    [
        (
            "a: 2026-02-30\n",
            1,
            "a",
            'cannot read "2026-02-30" as a date or timestamp (day is out of range for month)',
            'write it in quotes: "2026-02-30"',
        ),
        ("a:\n  b: !!int x\n", 2, "a.b", 'cannot read "x" as an integer', "remove its `!!` tag"),
        ("a: !!float x\n", 1, "a", 'cannot read "x" as a number', "remove its `!!` tag"),
        ("a: !!timestamp x\n", 1, "a", 'cannot read "x" as a date or timestamp', "remove its `!!` tag"),
        ("a: !!bool maybe\n", 1, "a", 'cannot read "maybe" as a boolean', "remove its `!!` tag"),
        ("a: [1, 0x_]\n", 1, "a[1]", 'cannot read "0x_" as an integer', "write it in quotes"),
        ('a: !!binary "AAAA"\n', 1, "a", "binary (`!!binary`) values are not allowed", "hex string"),
        ("a: 1" + "0" * 5000 + "\n", 1, "a", "integer with 5001 digits; the limit is 64", None),
        ("a: !!int " + "1" * 65 + "\n", 1, "a", "integer with 65 digits", None),
    ],
)
def test_unreadable_scalars_are_diagnostics(
    text: str, line: int, key: str, fragment: str, help_fragment
) -> None:
    with pytest.raises(EstreamError) as exc:
        load_yaml(text.encode(), "x.yaml")
    [d] = exc.value.diagnostics
    assert (d.path, d.line, d.key) == ("x.yaml", line, key)
    assert fragment in d.message
    if help_fragment:
        assert help_fragment in (d.help or "")


def test_large_but_reasonable_integers_and_real_dates_still_load() -> None:
    data = load_yaml(b"a: 18446744073709551615\nb: 2024-02-29\nc: -9_223_372_036_854_775_808\n", "x.yaml")
    assert data["a"] == 2**64 - 1 and str(data["b"]) == "2024-02-29" and data["c"] == -(2**63)
