"""SPDX license expressions (`MIT OR Apache-2.0`): is this text one?

`spdx_expression_error(text)` says why `text` is not a syntactically valid SPDX license
expression, or returns None. Used for `[component].license` and the FPGA bitstream licence.

Decisions:
- Only the grammar is checked (identifiers joined by AND / OR / WITH, parentheses), not that
  the identifiers are on the SPDX list: new and custom (`LicenseRef-...`) licences must work.
- Operators must be uppercase, as the SPDX specification says; `MIT/Apache-2.0` and
  lowercase `or` get a message saying how to write them.
- Parentheses nest at most 16 deep: the parser is recursive and the text is hostile.
"""

from __future__ import annotations

import re
from typing import List, Optional

__all__ = ["spdx_expression_error"]

_SPDX_TOKEN_RE = re.compile(r"\s*(?:(\()|(\))|([A-Za-z0-9.+:-]+)|(\S))")
_SPDX_ID_RE = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?[A-Za-z0-9][A-Za-z0-9.-]*\+?\Z")
_SPDX_OPERATORS = ("AND", "OR", "WITH")
_SPDX_MAX_DEPTH = 16


def spdx_expression_error(text: str) -> Optional[str]:
    """Why `text` is not a syntactically valid SPDX license expression, or None if it is."""
    tokens: List[str] = []
    error = _tokenize(text, tokens)
    if error:
        return error
    return _Parser(tokens).whole_expression()


def _tokenize(text: str, tokens: List[str]) -> Optional[str]:
    """Append the tokens of `text` to `tokens`; return why it cannot be tokenized, if so."""
    pos = 0
    while pos < len(text):
        match = _SPDX_TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            break
        if match.group(4):
            char = match.group(4)
            if char == "/":
                return "`/` is not an SPDX operator; write `MIT OR Apache-2.0`, not `MIT/Apache-2.0`"
            return f"unexpected character `{char}`"
        tokens.append(match.group(1) or match.group(2) or match.group(3))
        pos = match.end()
    if not tokens:
        return "the expression is empty"
    for token in tokens:
        if token.lower() in ("and", "or", "with") and token not in _SPDX_OPERATORS:
            return f"SPDX operators are uppercase: write `{token.upper()}`, not `{token}`"
    return None


class _Parser:
    """Recursive descent over the tokens; each method returns an error message or None.

    or-expression := and-expression ("OR" and-expression)*
    and-expression := simple ("AND" simple)*
    simple := id ["WITH" id] | "(" or-expression ")"
    """

    def __init__(self, tokens: List[str]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Optional[str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def whole_expression(self) -> Optional[str]:
        error = self.expression(0)
        if error:
            return error
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            if token == ")":
                return "a `)` has no matching `(`"
            return f"expected `AND`, `OR` or the end of the expression, found `{token}`"
        return None

    def expression(self, depth: int) -> Optional[str]:
        while True:
            while True:
                error = self.simple(depth)
                if error:
                    return error
                if self.peek() != "AND":
                    break
                self.index += 1
            if self.peek() != "OR":
                return None
            self.index += 1

    def simple(self, depth: int) -> Optional[str]:
        token = self.peek()
        if token is None:
            return "the expression ends where a license identifier was expected"
        if token == "(":
            if depth >= _SPDX_MAX_DEPTH:
                return "parentheses are nested too deeply"
            self.index += 1
            error = self.expression(depth + 1)
            if error:
                return error
            if self.peek() != ")":
                return "a `(` is never closed"
            self.index += 1
            return None
        if token in _SPDX_OPERATORS or token == ")":
            return f"expected a license identifier, found `{token}`"
        if not _SPDX_ID_RE.match(token):
            return f"`{token}` is not a valid license identifier"
        self.index += 1
        if self.peek() == "WITH":
            self.index += 1
            exception = self.peek()
            if (
                exception is None
                or exception in _SPDX_OPERATORS
                or exception in "()"
                or not _SPDX_ID_RE.match(exception)
            ):
                return "`WITH` must be followed by a license exception identifier"
            self.index += 1
        return None
