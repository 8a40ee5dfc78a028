"""THE loader of every TOML file eStream reads (issue 11: there were six, and only the
manifest's was hardened): a size cap, UTF-8 with the offending line, tomli's position turned into
a line, and nesting too deep for the parser (RecursionError) reported instead of a traceback.

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
    manifest"). The text is returned for line locators (`estream.core.manifest._Locator`).
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


__all__ = ["MAX_TOML_BYTES", "load_toml", "load_toml_document", "toml_error_message"]
