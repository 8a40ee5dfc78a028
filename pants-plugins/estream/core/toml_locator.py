"""Where a key of a parsed TOML document was written: 1-based source lines for diagnostics.

TOML parsers (tomli) drop positions, so `TomlLocator` rescans the text for table headers,
`key = ` lines (including dotted keys) and keys inside inline tables; `toml_validator` reports
each problem at the line found here.

Decisions:
- Best effort, never failing: an unknown key falls back to its closest located parent table,
  or to no line at all. A wrong line is a worse message, a crash would be a worse tool.
- Keys are tuples of strings, with integers for the n-th (0-based) `[[array.of.tables]]`:
  `("fpga", "targets", 1, "checksum")` is `fpga.targets[1].checksum`, as SIGNATURE.ml-dsa
  numbers its `files[0]`.
- The string literals between a key and the next are indexed once per key, so locating many
  items of one long array stays linear (a hostile manifest can list thousands).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = ["BARE_KEY_RE", "TomlLocator"]

#: A bare (unquoted) TOML key.
BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_STRING_LITERAL_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


class TomlLocator:
    """Best-effort map from dotted keys to 1-based source lines.

    TOML parsers drop positions, so this rescans the text for table headers, `key = ` lines
    (including dotted keys) and keys inside inline tables. The n-th `[[array.of.tables]]` header
    (0-based) is located as `("array", "of", "tables", n)`, and the keys under it likewise. It
    never fails: unknown keys fall back to the closest enclosing table that was found, or to no
    line at all.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.first: Dict[Tuple[Any, ...], int] = {}
        self._arrays: Dict[Tuple[str, ...], int] = {}  # array-of-tables header -> current index
        self.entry_lines: List[int] = []  # ascending: lines where a key or header starts
        self._literals: Dict[int, Dict[str, List[int]]] = {}
        table: Tuple[Any, ...] = ()
        in_multiline: Optional[str] = None
        for lineno, raw in enumerate(self.lines, 1):
            if in_multiline:
                if raw.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            stripped = raw.strip()
            if stripped.startswith("["):
                header = self._header(stripped)
                if header is not None:
                    if stripped.startswith("[["):
                        self._arrays[header] = self._arrays.get(header, -1) + 1
                        self._add(header, lineno)
                    table = self._indexed(header)
                    self._add(table, lineno)
                    continue
            scanned = _scan_key(stripped, 0)
            if scanned and scanned[1] < len(stripped) and stripped[scanned[1]] == "=":
                key = table + scanned[0]
                self._add(key, lineno)
                rest = stripped[scanned[1] + 1 :]
                self._inline_keys(key, rest, lineno)
                for quotes in ('"""', "'''"):
                    if rest.count(quotes) % 2 == 1:
                        in_multiline = quotes

    def _indexed(self, header: Tuple[str, ...]) -> Tuple[Any, ...]:
        """`header` with the current index after each array of tables it passes through."""
        out: List[Any] = []
        for end, part in enumerate(header, 1):
            out.append(part)
            index = self._arrays.get(header[:end])
            if index is not None:
                out.append(index)
        return tuple(out)

    def _add(self, key: Tuple[Any, ...], lineno: int) -> None:
        self.first.setdefault(key, lineno)
        self.entry_lines.append(lineno)

    @staticmethod
    def _header(stripped: str) -> Optional[Tuple[str, ...]]:
        double = stripped.startswith("[[")
        scanned = _scan_key(stripped, 2 if double else 1)
        if not scanned:
            return None
        key, pos = scanned
        close = "]]" if double else "]"
        if not stripped.startswith(close, pos):
            return None
        tail = stripped[pos + len(close) :].strip()
        if tail and not tail.startswith("#"):
            return None
        return key

    def _inline_keys(self, key: Tuple[Any, ...], rest: str, lineno: int) -> None:
        stack: List[Tuple[Any, ...]] = []
        last = key
        i = 0
        while i < len(rest):
            char = rest[i]
            if char in "\"'":
                i = _skip_string(rest, i)
                continue
            if char == "#":
                break
            if char == "{":
                stack.append(last)
            elif char == "}" and stack:
                last = stack.pop()
            if char in "{," and stack:
                scanned = _scan_key(rest, i + 1)
                if scanned and scanned[1] < len(rest) and rest[scanned[1]] == "=":
                    last = stack[-1] + scanned[0]
                    self._add(last, lineno)
                    i = scanned[1] + 1
                    continue
            i += 1

    def line(self, key: Sequence[Any], value: Optional[str] = None, occurrence: int = 0) -> Optional[int]:
        """The line of `key` (or of its closest located parent); with `value`, the line of that
        string item (its `occurrence`-th copy) inside the key's possibly multi-line array."""
        key = tuple(key)
        for end in range(len(key), 0, -1):
            lineno = self.first.get(key[:end])
            if lineno is None:
                continue
            if value is not None and end == len(key):
                return self._find_value(lineno, value, occurrence)
            return lineno
        return None

    def _find_value(self, start: int, value: str, occurrence: int) -> int:
        literals = self._literals.get(start)
        if literals is None:
            # Index the string literals between this key and the next one, once per key, so
            # reporting many items of one long array stays linear.
            literals = {}
            after = bisect.bisect_right(self.entry_lines, start)
            stop = self.entry_lines[after] if after < len(self.entry_lines) else len(self.lines) + 1
            for lineno in range(start, stop):
                for match in _STRING_LITERAL_RE.finditer(self.lines[lineno - 1]):
                    literals.setdefault(match.group(), []).append(lineno)
            self._literals[start] = literals
        for needle in (json.dumps(value, ensure_ascii=False), f"'{value}'"):
            found = literals.get(needle)
            if found:
                return found[min(occurrence, len(found) - 1)]
        return start


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    i += 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def _scan_key(text: str, pos: int) -> Optional[Tuple[Tuple[str, ...], int]]:
    """Read a (dotted, possibly quoted) TOML key at `pos`; return it and the position after it."""
    parts: List[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        if text[pos] in "\"'":
            end = _skip_string(text, pos)
            raw = text[pos:end]
            if raw[0] == '"':
                try:
                    part = json.loads(raw)
                except ValueError:
                    part = raw[1:-1]
            else:
                part = raw[1:-1]
            parts.append(part)
            pos = end
        else:
            match = BARE_KEY_RE.match(text, pos)
            if not match:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return tuple(parts), pos
