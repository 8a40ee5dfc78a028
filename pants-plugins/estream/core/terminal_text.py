"""THE sanitiser of untrusted text shown to a person (issue 13: package names, versions, file
names and messages from an untrusted package were printed raw, and escape sequences could
rewrite the verdict on a terminal).

`for_terminal(s)` makes one field safe to print: every character that a terminal interprets
instead of showing is escaped as a visible `\\xNN` / `\\uNNNN`, and the result is at most
`MAX_FIELD_CHARS` characters. `for_terminal_lines(text)` does the same for a whole rendered
report but keeps its line breaks and tabs, does not truncate, and always writes `\\uNNNN`: the
CLI wraps stdout and stderr with `TerminalStream`, so a string that reaches `print` through any
path is escaped too, and `--json` output written through it stays valid JSON (inside a JSON
string `\\u009b` means the same character; JSON never has controls outside strings).

Escaped: C0 controls (U+0000-U+001F, including ESC, CR, BEL and backspace), DEL (U+007F),
C1 controls (U+0080-U+009F; U+009B is a one-character CSI on many terminals), the Unicode
bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) and marks
(U+200E, U+200F, U+061C), which reorder what is shown ("Trojan Source"), and the line/paragraph
separators U+2028/U+2029. A literal backslash is left alone: the escapes are for reading, not for
decoding back.

`MAX_FIELD_CHARS` = 1,000: no real name, version, path or message is longer, and a field of a
megabyte would scroll every other line of a report away. Truncation says how much was cut.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

MAX_FIELD_CHARS = 1000

_NOT_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_RE = re.compile(f"[\x00-\x1f{_NOT_C0}]")
_UNSAFE_KEEP_LINES_RE = re.compile(f"[\x00-\x08\x0b-\x1f{_NOT_C0}]")  # keeps tab (09) and newline (0a)


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_json_compatible(match: "re.Match[str]") -> str:
    return f"\\u{ord(match.group()):04x}"


def for_terminal(value: Any, *, max_chars: int = MAX_FIELD_CHARS) -> str:
    """`value` (any object; `str()` is applied) with every control character escaped and at most
    `max_chars` characters of the original shown."""
    text = value if isinstance(value, str) else str(value)
    cut = ""
    if len(text) > max_chars:
        cut = f"... ({len(text) - max_chars} more characters)"
        text = text[:max_chars]
    return _UNSAFE_RE.sub(_escape, text) + cut


def for_terminal_lines(text: str) -> str:
    """A whole rendered text made safe to print: like `for_terminal`, but newlines and tabs are
    kept and nothing is truncated."""
    return _UNSAFE_KEEP_LINES_RE.sub(_escape_json_compatible, text)


def is_safe(text: str) -> bool:
    """True if `for_terminal_lines` would leave `text` unchanged."""
    return _UNSAFE_KEEP_LINES_RE.search(text) is None


class TerminalStream:
    """A text stream that escapes what it writes with `for_terminal_lines` (the CLI wraps stdout
    and stderr in one, the last line of defence behind the per-field escaping)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(for_terminal_lines(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


__all__ = [
    "MAX_FIELD_CHARS",
    "TerminalStream",
    "for_terminal",
    "for_terminal_lines",
    "is_safe",
]
