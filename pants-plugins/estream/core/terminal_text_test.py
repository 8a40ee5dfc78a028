from __future__ import annotations

import io
import json

import pytest

from estream.core.terminal_text import (
    MAX_FIELD_CHARS,
    TerminalStream,
    for_terminal,
    for_terminal_lines,
    is_safe,
)

HOSTILE = [
    "\x1b[2J",  # clear screen
    "\x1b]0;title\x07",  # OSC: set the window title
    "\x9b31m",  # C1 CSI
    "a\rVALID",  # carriage return overwrites the line
    "\x08\x08\x08ok",  # backspaces
    "\u202egpj.exe",  # right-to-left override
    "\u2066x\u2069",  # isolates
    "\x7f",
    "x\u2028y",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_controls_are_escaped_visibly(text: str) -> None:
    shown = for_terminal(text)
    assert is_safe(shown) and "\n" not in shown and "\\" in shown
    assert is_safe(for_terminal_lines(text))


def test_ordinary_text_is_unchanged() -> None:
    text = "esf-core 1.0.0-rc.1 schemas/Ünïcödé 名前.esf.yaml ✓ ✗ \\x1b"
    assert for_terminal(text) == text and for_terminal_lines(text + "\n\tnext") == text + "\n\tnext"


def test_fields_are_truncated_and_say_so() -> None:
    shown = for_terminal("x" * (MAX_FIELD_CHARS + 5))
    assert shown == "x" * MAX_FIELD_CHARS + "... (5 more characters)"
    assert for_terminal(None) == "None" and for_terminal(12) == "12"


def test_a_field_never_spans_lines() -> None:
    assert for_terminal("a\nb") == "a\\x0ab"


def test_stream_keeps_json_valid() -> None:
    buf = io.StringIO()
    doc = {"name": "pkg\x9b\u202e\x1b", "ok": True}
    TerminalStream(buf).write(json.dumps(doc, ensure_ascii=False))
    assert is_safe(buf.getvalue()) and json.loads(buf.getvalue()) == doc
