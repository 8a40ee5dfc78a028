"""THE loader of every JSON file eStream reads from outside the process (SIGNATURE.ml-dsa, registry
index lines, components.lock, circuit plans): limits are checked before the parser runs, and every
failure is an `EstreamError` naming the file and, where known, the line and field.

Limits, and why:

* `MAX_JSON_BYTES` = 1 MiB by default. Our JSON files are a few KiB; a caller with a bigger
  legitimate file passes its own cap (SIGNATURE.ml-dsa: 4 MiB, `estream.core.signature`).
* `MAX_JSON_DEPTH` = 32 nested arrays/objects. Our deepest format nests 4 levels. The standard
  library's decoder recurses once per level and raises `RecursionError` near 1,000 levels (a
  traceback, and the interpreter's stack as a resource): the depth is counted by a linear
  pre-scan (a regular expression over strings and brackets) before `json.loads` ever runs.
* `MAX_INT_DIGITS` = 64 digits per integer. Every integer of ours fits in 64 bits (20 digits);
  Python refuses to convert more than 4,300 digits with a bare `ValueError`, and converting
  thousands of digits is quadratic. `parse_int` refuses longer literals before converting.
* `NaN`, `Infinity` and non-finite floats (`1e999`) are refused: they are not JSON.
* duplicate keys in one object are refused: two parsers could disagree on which value counts.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, List, Optional, Tuple, Union

from estream.core.errors import EstreamError

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_INT_DIGITS = 64

# A JSON string (with escapes) or one bracket: strings are skipped so brackets inside them do not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class _Refused(ValueError):
    def __init__(self, message: str, key: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def nesting_depth(text: str) -> Tuple[int, int]:
    """(deepest nesting, offset where it was first exceeded) of arrays/objects in JSON `text`;
    linear, no recursion. Unbalanced text is left to the parser to report."""
    depth = deepest = 0
    at = 0
    for match in _TOKENS.finditer(text):
        c = match.group()
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, match.start()
        elif c in "]}":
            depth -= 1
    return deepest, at


def _parse_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Refused(f"integer with {digits} digits; the limit is {MAX_INT_DIGITS}")
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"number {literal[:40]} is out of range")
    return value


def _parse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not allowed (not a JSON number)")


def _object(pairs: List[Tuple[str, Any]]) -> dict:
    result: dict = {}
    for k, v in pairs:
        if k in result:
            raise _Refused("duplicate JSON key (parsers could disagree on its value)", key=k)
        result[k] = v
    return result


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def load_json(
    content: Union[bytes, str],
    path: str,
    *,
    what: str = "the file",
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON that may be hostile; raise `EstreamError` naming `path` (see module docstring)."""
    size = len(content.encode("utf-8", "surrogatepass")) if isinstance(content, str) else len(content)
    if size > max_bytes:
        raise EstreamError.single(path, f"{what} is {size} bytes; the limit is {max_bytes} bytes")
    if isinstance(content, (bytes, bytearray)):
        try:
            text = bytes(content).decode("utf-8")
        except UnicodeDecodeError as e:
            raise EstreamError.single(
                path,
                f"{what} is not UTF-8 text (byte offset {e.start})",
                line=bytes(content).count(b"\n", 0, e.start) + 1,
            ) from None
    else:
        text = content
    deepest, at = nesting_depth(text)
    if deepest > max_depth:
        raise EstreamError.single(
            path, f"JSON arrays/objects are nested more than {max_depth} levels deep", line=_line(text, at)
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except _Refused as e:
        raise EstreamError.single(path, e.message, key=e.key) from None
    except json.JSONDecodeError as e:
        raise EstreamError.single(
            path, f"not valid JSON (truncated?): {e.msg} at column {e.colno}", line=e.lineno
        ) from None
    except (
        ValueError,
        RecursionError,
    ) as e:  # defence in depth: the limits above should make these unreachable
        raise EstreamError.single(path, f"not valid JSON: {e}") from None


__all__ = ["MAX_INT_DIGITS", "MAX_JSON_BYTES", "MAX_JSON_DEPTH", "load_json", "nesting_depth"]
