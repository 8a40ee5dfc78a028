from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.json_loader import MAX_INT_DIGITS, MAX_JSON_BYTES, MAX_JSON_DEPTH, load_json, nesting_depth


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nested more than 32 levels"),
        ("[" * 100_000 + "]" * 100_000, "nested more than 32 levels"),
        ('{"a": ' + "9" * (MAX_INT_DIGITS + 1) + "}", "integer with 65 digits"),
        ("[" + "9" * 5000 + "]", "integer with 5000 digits"),
        ('{"a": NaN}', "NaN is not allowed"),
        ('{"a": 1e999}', "out of range"),
        ('{"a": 1, "a": 2}', "duplicate JSON key"),
        ('{"a": ', "not valid JSON"),
        (" " * (MAX_JSON_BYTES + 1), "the limit is 1048576 bytes"),
    ],
)
def test_hostile_json_is_a_diagnostic(text: str, needle: str) -> None:
    with pytest.raises(EstreamError) as e:
        load_json(text, "x.json")
    (d,) = e.value.diagnostics
    assert needle in d.message and d.path == "x.json"


def test_ordinary_json_and_brackets_inside_strings() -> None:
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(deep, "x.json") is not None
    assert (
        load_json('{"s": "[[[[\\"]]]]{{{{", "n": -' + "9" * MAX_INT_DIGITS + "}", "x.json")["s"]
        == '[[[["]]]]{{{{'
    )
    assert nesting_depth('{"a": [1, {"b": "[[["}]}') == (3, 10)


def test_bytes_must_be_utf8() -> None:
    with pytest.raises(EstreamError) as e:
        load_json(b'{"a": "\xff"}', "x.json", what="the file")
    assert "not UTF-8" in str(e.value) and e.value.diagnostics[0].line == 1
