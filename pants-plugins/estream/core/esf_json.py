"""How ESF values are written in JSON: the one definition.

Golden vectors, journeys, the values a CPU reference returns, and the JSON Schema export all use
this encoding; `check_value` enforces it for the vector runner and `json_schema_keywords` states it
for `json_schema.export_schema`, from the same patterns:

| ESF type               | JSON                                                                    |
|------------------------|-------------------------------------------------------------------------|
| `string`, `string(N)`  | string; N counts characters (Unicode code points, as JSON Schema does)  |
| `u8`…`u64`, `i8`…`i64` | integer within the type's range (never a boolean)                       |
| `f64`                  | finite number                                                           |
| `bool`                 | boolean                                                                 |
| `bytes`, `pq_signature`| string of lowercase hex digits, two per byte                            |
| `bytes32`              | string of exactly 64 lowercase hex digits                               |
| `timestamp`            | RFC 3339 date-time in UTC with `Z`, up to 9 fractional digits, a real calendar date: `2026-02-10T12:00:00.5Z` |
| enum name              | string, one of the enum's value names                                   |
| schema name, `object`  | object with exactly the record's fields; an optional field is omitted, never `null` |
| `array(T)`             | array of T                                                              |
| `map(K, V)`            | object whose values are V; keys: integers in canonical decimal within K's range (no `+`, no leading zeros, no `-0`), `bytes32` as hex, enums as their names, strings as themselves |

Decisions, where the runner and the export used to disagree (issue 11): byte strings are hex
everywhere (the export said base64, the runner accepted any text for `bytes`): one encoding for
`bytes`, `bytes32` and `pq_signature`, the one fingerprints and keys use. Timestamps are UTC with
`Z` only (the export allowed offsets): a value has one spelling, so vectors compare as text.
Optional fields are omitted (the runner accepted `null`, the export did not). Integer map keys are
bounded to their type in the export too, by a generated decimal-range pattern.

This module is standard library only and imports nothing from estream: the vector runner is a
self-contained program that runs in sandboxes and child interpreters with this file shipped beside
it as `estream_esf_json.py`.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any, Dict, List, Optional, Tuple

SHIPPED_NAME = "estream_esf_json.py"  # the file name beside the runner outside the estream package

# JSON Schema patterns, which validators run as searches in their own regex engine: each is
# anchored with `^` and with END, which means "end of input" both in ECMA-262 and in Python (whose
# `$` also matches before a final newline, so `"...Z\n"` would pass a `$`-anchored pattern in the
# Python `jsonschema`). `python_regex` turns one into a Python full-match regex. Only ASCII classes:
# Python's `\d` would accept other scripts' digits.
END = r"(?![\s\S])"
HEX_PATTERN = r"^(?:[0-9a-f]{2})*" + END
HEX32_PATTERN = r"^[0-9a-f]{64}" + END
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?Z" + END
)
_DECIMAL_PATTERN = r"^(?:0|-?[1-9][0-9]*)" + END


def python_regex(pattern: str) -> "re.Pattern[str]":
    """One of this module's JSON Schema patterns as a Python regex for `match` (a full match)."""
    if not (pattern.startswith("^") and pattern.endswith(END)):
        raise ValueError(f"not an anchored esf_json pattern: {pattern!r}")
    return re.compile(pattern[1 : -len(END)] + r"\Z")


_HEX_RE = python_regex(HEX_PATTERN)
_HEX32_RE = python_regex(HEX32_PATTERN)
_TIMESTAMP_RE = python_regex(TIMESTAMP_PATTERN)
_DECIMAL_RE = python_regex(_DECIMAL_PATTERN)

HEX_TYPES = ("bytes", "pq_signature")


class PlanError(Exception):
    """A type spec is unusable (a bug in whoever produced the plan, or a hand-edited file)."""


# --- JSON Schema keywords ----------------------------------------------------------------------


def json_schema_keywords(name: str, integer_range: Optional[Tuple[int, int]] = None) -> Dict[str, Any]:
    """The JSON Schema of the primitive ESF type `name` (integers need their `integer_range`)."""
    if integer_range is not None:
        return {"type": "integer", "minimum": integer_range[0], "maximum": integer_range[1]}
    if name == "f64":
        return {"type": "number"}
    if name == "bool":
        return {"type": "boolean"}
    if name in HEX_TYPES:
        return {"type": "string", "contentEncoding": "base16", "pattern": HEX_PATTERN}
    if name == "bytes32":
        return {"type": "string", "pattern": HEX32_PATTERN}
    if name == "timestamp":
        return {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN}
    raise ValueError(f"unknown primitive type {name!r}")


def integer_key_pattern(low: int, high: int) -> str:
    """A pattern matching exactly the canonical decimal spellings of the integers low..high."""
    if low > high:
        raise ValueError(f"empty range {low}..{high}")
    parts: List[str] = []
    if low < 0:
        parts.append("-(?:" + _nonnegative_range(max(1, -high) if high < 0 else 1, -low) + ")")
    if high >= 0:
        parts.append(_nonnegative_range(max(0, low), high))
    return "^(?:" + "|".join(parts) + ")" + END


def _nonnegative_range(low: int, high: int) -> str:
    """Alternation for the decimal numbers low..high (0 <= low <= high), no leading zeros."""
    out: List[str] = []
    for digits in range(len(str(low)), len(str(high)) + 1):
        first = 0 if digits == 1 else 10 ** (digits - 1)
        lo, hi = max(low, first), min(high, 10**digits - 1)
        if lo <= hi:
            out.append(_same_length_range(str(lo), str(hi)))
    return "|".join(out)


def _same_length_range(a: str, b: str) -> str:
    """Pattern for the equal-length digit strings a..b (a <= b)."""
    if not a:
        return ""
    if a == b:
        return a
    rest = len(a) - 1
    if a[0] == b[0]:
        return a[0] + "(?:" + _same_length_range(a[1:], b[1:]) + ")"
    if a[1:] == "0" * rest and b[1:] == "9" * rest:
        return _digit_class(a[0], b[0]) + _any_digits(rest)
    out: List[str] = []
    low_first = a[0]
    if a[1:] != "0" * rest:
        out.append(a[0] + "(?:" + _same_length_range(a[1:], "9" * rest) + ")")
        low_first = str(int(a[0]) + 1)
    high_last = b[0]
    tail: Optional[str] = None
    if b[1:] != "9" * rest:
        tail = b[0] + "(?:" + _same_length_range("0" * rest, b[1:]) + ")"
        high_last = str(int(b[0]) - 1)
    if low_first <= high_last:
        out.append(_digit_class(low_first, high_last) + _any_digits(rest))
    if tail is not None:
        out.append(tail)
    return "|".join(out)


def _digit_class(a: str, b: str) -> str:
    return a if a == b else f"[{a}-{b}]"


def _any_digits(n: int) -> str:
    return "" if n == 0 else "[0-9]" if n == 1 else f"[0-9]{{{n}}}"


# --- checking values against the runner's type specs -----------------------------------------
#
# A type spec is what `estream.core.circuit.compile_types` writes into a test plan:
# {"t": "int", "name", "min", "max"} | {"t": "f64"|"bool"|"bytes"|"bytes32"|"pq_signature"|"timestamp"}
# | {"t": "string", "max"} | {"t": "enum", "name", "values"} | {"t": "array", "of"}
# | {"t": "map", "key", "value"} | {"t": "record", "name", "fields": {NAME: {"type", "optional"}}}
# | {"t": "ref", "name"} (into the plan's named types) | {"t": "any"}.


def is_timestamp(value: Any) -> bool:
    """Whether `value` is a timestamp in the one spelling above, on a real calendar date."""
    if not isinstance(value, str) or not _TIMESTAMP_RE.match(value):
        return False
    try:
        datetime.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


def check_value(value: Any, spec: Dict[str, Any], types: Dict[str, Any], path: str, out: List[str]) -> None:
    """Append to `out` one message per place where `value` does not match `spec`."""
    kind = spec.get("t")
    if kind == "ref":
        target = types.get(spec["name"])
        if target is None:
            raise PlanError(f"type {spec['name']!r} is not defined in the plan")
        check_value(value, target, types, path, out)
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{path}: expected an integer ({spec.get('name', 'int')}), found {describe(value)}")
        elif not spec["min"] <= value <= spec["max"]:
            out.append(
                f"{path}: {value} is out of range for {spec.get('name', 'int')} ({spec['min']}..{spec['max']})"
            )
    elif kind == "f64":
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            out.append(f"{path}: expected a finite number (f64), found {describe(value)}")
    elif kind == "bool":
        if not isinstance(value, bool):
            out.append(f"{path}: expected a boolean, found {describe(value)}")
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{path}: expected a string, found {describe(value)}")
        elif spec.get("max") is not None and len(value) > spec["max"]:
            out.append(f"{path}: string of {len(value)} characters is longer than string({spec['max']})")
    elif kind in HEX_TYPES:
        if not isinstance(value, str) or not _HEX_RE.match(value):
            out.append(
                f"{path}: expected {kind} as lowercase hex digits, two per byte, found {describe(value)}"
            )
    elif kind == "bytes32":
        if not isinstance(value, str) or not _HEX32_RE.match(value):
            out.append(f"{path}: expected bytes32 as 64 lowercase hex digits, found {describe(value)}")
    elif kind == "timestamp":
        if not is_timestamp(value):
            out.append(
                f'{path}: expected an RFC 3339 UTC timestamp like "2026-02-10T12:00:00Z", found {describe(value)}'
            )
    elif kind == "enum":
        if not isinstance(value, str) or value not in spec["values"]:
            out.append(
                f"{path}: expected one of {', '.join(spec['values'])} ({spec.get('name', 'enum')}), found {describe(value)}"
            )
    elif kind == "array":
        if not isinstance(value, list):
            out.append(f"{path}: expected an array, found {describe(value)}")
            return
        for i, item in enumerate(value):
            check_value(item, spec["of"], types, f"{path}[{i}]", out)
    elif kind == "map":
        _check_map(value, spec, types, path, out)
    elif kind == "record":
        _check_record(value, spec, types, path, out)
    elif kind != "any":
        raise PlanError(f"unknown type kind {kind!r} at {path}")


def _check_map(value: Any, spec: Dict[str, Any], types: Dict[str, Any], path: str, out: List[str]) -> None:
    if not isinstance(value, dict):
        out.append(f"{path}: expected an object (map), found {describe(value)}")
        return
    key_spec = spec["key"]
    while key_spec.get("t") == "ref":
        key_spec = types[key_spec["name"]]
    for k, v in value.items():
        if key_spec.get("t") == "int":
            # Canonical decimal only; the length check keeps int() away from hostile digit strings.
            if not _DECIMAL_RE.match(k) or len(k) > 21 or not key_spec["min"] <= int(k) <= key_spec["max"]:
                out.append(
                    f"{path}: map key {k!r} is not a {key_spec.get('name', 'int')} in canonical decimal"
                )
        else:
            check_value(k, key_spec, types, f"{path} key", out)
        check_value(v, spec["value"], types, f"{path}.{k}", out)


def _check_record(value: Any, spec: Dict[str, Any], types: Dict[str, Any], path: str, out: List[str]) -> None:
    if not isinstance(value, dict):
        out.append(f"{path}: expected an object ({spec.get('name', 'record')}), found {describe(value)}")
        return
    fields = spec["fields"]
    for name, field in fields.items():
        if name not in value:
            if not field.get("optional"):
                out.append(f"{path}.{name}: required field is missing")
            continue
        if value[name] is None:
            what = (
                "optional fields are omitted, never null"
                if field.get("optional")
                else "required field is null"
            )
            out.append(f"{path}.{name}: {what}")
            continue
        check_value(value[name], field["type"], types, f"{path}.{name}", out)
    for name in value:
        if name not in fields:
            out.append(f"{path}.{name}: unknown field (not in {spec.get('name', 'the record type')})")


def describe(value: Any) -> str:
    """A short description of a JSON value for messages: its kind and (truncated) text."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, bool):
        return f"boolean {text}"
    if isinstance(value, (int, float)):
        return f"number {text}"
    if isinstance(value, str):
        return f"string {text}"
    if isinstance(value, list):
        return f"array {text}"
    if isinstance(value, dict):
        return f"object {text}"
    if value is None:
        return "null"
    return f"{type(value).__name__} {text}"
