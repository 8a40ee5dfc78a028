from __future__ import annotations

import pytest

from estream.core.errors import MAX_DIAGNOSTICS, Diagnostic, DiagnosticCollector, EstreamError


def test_an_error_keeps_and_shows_at_most_the_cap() -> None:
    collector = DiagnosticCollector("f.toml")
    for i in range(100_000):
        collector.error(f"problem {i}", line=i + 1)
    with pytest.raises(EstreamError) as e:
        collector.raise_if_any()
    assert len(e.value.diagnostics) == MAX_DIAGNOSTICS and e.value.total == 100_000
    text = e.value.render()
    assert text.count("error: ") == MAX_DIAGNOSTICS
    assert f"... and {100_000 - MAX_DIAGNOSTICS} more" in text and "100000 errors found" in text


def test_a_short_error_is_unchanged() -> None:
    e = EstreamError([Diagnostic("a", "one"), Diagnostic("b", "two")])
    assert e.render() == "error: a: one\nerror: b: two\n\n2 errors found" and e.omitted == 0


def test_every_field_is_escaped_for_the_terminal() -> None:
    d = Diagnostic("pkg/\x1b[2Jx", "name \x1b]0;pwned\x07 \u202eevil", key="k\x9b", help="h\r" + "y" * 2000)
    text = d.render()
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text and "\r" not in text
    assert "pkg/\\x1b[2Jx" in text and "\\u202e" in text and "(1002 more characters)" in text
