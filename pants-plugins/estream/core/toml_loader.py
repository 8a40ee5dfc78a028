"""THE loader of every TOML file eStream reads (issue 11: there were six, and only the
manifest's was hardened): a size cap, UTF-8 with the offending line, tomli's position turned into
a line, and nesting too deep for the parser (RecursionError) reported instead of a traceback.

Limits, checked by a linear pre-scan of the text BEFORE tomli sees it (issue 13: tomli 2.0.1,
the version pinned in the pants-plugins resolve, is quadratic in the number of parts of a dotted
key: a 24 KB manifest with `a.a.a...= 1` cost 590 MB, and the manifest is parsed before the
signature is verified):

* `MAX_TOML_BYTES` = 1 MiB: a real manifest, keyring or config is a few KiB.
* `MAX_KEY_PARTS` = 64 parts in one dotted key or table header (`[a.b.c]`); our deepest key has 5.
* `MAX_KEY_CHARS` = 1,024 characters in one key or header outside quotes; ours are under 100.
* `MAX_NESTING` = 64 nested arrays/inline tables; ours nest 3 deep, and tomli recurses per level.
* `MAX_INT_DIGITS` = 64 digits in one integer literal: every integer of ours fits in 64 bits
  (20 digits); Python refuses more than 4,300 with a bare `ValueError`, after quadratic work.

The scanner skips strings (all four kinds) and comments, so these characters count only where
TOML gives them meaning; a text it misjudges is still parsed by tomli, which reports real errors.

`load_toml(content, path, what=...)` returns the document or raises `EstreamError`;
`load_toml_document` reports into a `DiagnosticCollector` and also returns the text (for the
manifest's line locator).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple, Union

import tomli

from estream.core.errors import DiagnosticCollector

#: A real manifest, keyring or config is a few KiB; the cap keeps a hostile file from costing
#: parse time and memory.
MAX_TOML_BYTES = 1024 * 1024
MAX_KEY_PARTS = 64
MAX_KEY_CHARS = 1024
MAX_NESTING = 64
MAX_INT_DIGITS = 64

# Strings (multi-line first) and comments are skipped; structural characters end a segment.
_SCAN_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""""|""""|""")'
    r"|'''(?:[^']|'(?!''))*(?:'''''|''''|''')"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}=,\n]"
    r"|[^\"'#\[\]{}=,\n]+",
    re.DOTALL,
)
_INT_RE = re.compile(r"\A[+-]?(?:0[xob][0-9A-Fa-f_]+|[0-9_]+)\Z")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_EOF_RE = re.compile(r"\s*\(at end of document\)\s*$")


def _size(n: int) -> str:
    return f"{n} bytes (1 MiB)" if n == MAX_TOML_BYTES else f"{n} bytes"


def load_toml(
    content: Union[bytes, str],
    path: str,
    *,
    what: str = "the file",
    size_help: str = "",
    max_bytes: int = MAX_TOML_BYTES,
) -> Dict[str, Any]:
    """Parse a TOML file that may be hostile; raise `EstreamError` naming `path` and the line."""
    diag = DiagnosticCollector(path)
    data, _ = load_toml_document(content, diag, what=what, size_help=size_help, max_bytes=max_bytes)  # type: ignore[arg-type]
    return data


def load_toml_document(
    content: bytes,
    diag: DiagnosticCollector,
    *,
    what: str,
    size_help: str,
    max_bytes: int = MAX_TOML_BYTES,
) -> Tuple[Dict[str, Any], str]:
    """Decode and parse a small TOML file that may be hostile: `(document, text)`.

    Every failure (over MAX_TOML_BYTES, not UTF-8, invalid TOML, nesting too deep for the parser)
    is reported to `diag`, which is then raised; `what` names the file in messages ("the
    manifest"). The text is returned for line locators (`estream.core.toml_locator.TomlLocator`).
    """
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    if len(content) > max_bytes:
        diag.error(f"{what} is {len(content)} bytes; the limit is {_size(max_bytes)}", help=size_help or None)
        diag.raise_if_any()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content[: e.start].count(b"\n") + 1
        diag.error(
            f"{what} is not valid UTF-8: byte 0x{content[e.start]:02x} cannot start or continue a character",
            line=line,
            help="TOML files must be encoded as UTF-8",
        )
        diag.raise_if_any()
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM is harmless here, but tomli rejects it
    problem = structure_problem(text)
    if problem is not None:
        message, offset = problem
        diag.error(f"{what} {message}", line=text.count("\n", 0, offset) + 1)
        diag.raise_if_any()
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as e:
        message, at_line = toml_error_message(e, text)
        diag.error(message, line=at_line)
        diag.raise_if_any()
    except RecursionError:
        diag.error("arrays or inline tables are nested too deeply to parse")
        diag.raise_if_any()
    except ValueError as e:  # tomli raises bare ValueErrors for a few values it cannot build
        diag.error(f"invalid TOML: {e}")
        diag.raise_if_any()
    return data, text


def structure_problem(text: str) -> Optional[Tuple[str, int]]:
    """(message, offset) of the first limit `text` exceeds (see module docstring), or None.

    Linear in the length of `text`: one regular-expression pass, no recursion.
    """
    depth = 0
    dots = chars = 0  # of the current segment: the text between two of `[]{}=,` or newlines
    start = 0
    for match in _SCAN_RE.finditer(text):
        token = match.group()
        first = token[0]
        if first in "\"'":
            chars += len(token)  # quoted key parts count towards the key's length, not its parts
            continue
        if first == "#":
            continue
        if first in "[]{}=,\n":
            if first in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    return (
                        f"has arrays or inline tables nested too deeply (more than {MAX_NESTING} levels)",
                        match.start(),
                    )
            elif first in "]}":
                depth = max(depth - 1, 0)
            dots = chars = 0
            continue
        if chars == 0:
            start = match.start()
        dots += token.count(".")
        chars += len(token.strip())
        if dots >= MAX_KEY_PARTS:
            return f"has a dotted key of more than {MAX_KEY_PARTS} parts", start
        if chars > MAX_KEY_CHARS:
            return f"has a key or value of more than {MAX_KEY_CHARS} characters outside quotes", start
        bare = token.strip()
        if _INT_RE.match(bare):
            count = len(bare.lstrip("+-").replace("_", ""))
            if count > MAX_INT_DIGITS:
                return f"has an integer of {count} digits; the limit is {MAX_INT_DIGITS}", match.start()
    return None


def toml_error_message(e: Exception, text: str) -> Tuple[str, Optional[int]]:
    """tomli reports positions only inside its message, as in "Invalid value (at line 3, column 9)"."""
    message = str(e)
    line: Optional[int] = None
    match = _TOML_POS_RE.search(message)
    if match:
        line = int(match.group(1))
        message = message[: match.start()] + f" at column {match.group(2)}"
    else:
        eof = _TOML_EOF_RE.search(message)
        if eof:
            line = text.count("\n") + 1
            message = message[: eof.start()] + " at the end of the file"
    message = message[:1].lower() + message[1:]
    return f"invalid TOML: {message}", line


__all__ = [
    "MAX_INT_DIGITS",
    "MAX_KEY_CHARS",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "MAX_TOML_BYTES",
    "load_toml",
    "load_toml_document",
    "structure_problem",
    "toml_error_message",
]
