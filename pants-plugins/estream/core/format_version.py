"""THE check of a file's format version: an exact integer, never `2.0`, `"2"` or `true`.

Python compares `2.0 == 2` and `True == 1`, so `value != expected` alone accepts a float, a
boolean (and TOML/JSON readers hand us both). A format version says which rules the rest of the
file follows; a reader that accepts a near-miss agrees to rules the writer never promised. Every
reader of a `format_version` (signature files, the registry config, index lines' `v`, the
components lock, the registry trust metadata) calls `format_version_problem`.
"""

from __future__ import annotations

from typing import Optional


def is_exact_int(value: object, expected: int) -> bool:
    """True only for an `int` (not a bool, float or string) equal to `expected`."""
    return type(value) is int and value == expected


def format_version_problem(value: object, expected: int) -> Optional[str]:
    """None when `value` is exactly the integer `expected`; else what is wrong, for a diagnostic."""
    if is_exact_int(value, expected):
        return None
    if value is None:
        return f"missing format_version, expected {expected}"
    shown = repr(value) if not isinstance(value, str) else f'"{value[:20]}"'
    kind = type(value).__name__ if not isinstance(value, bool) else "boolean"
    if type(value) is int:
        return f"unsupported format_version {value}, expected {expected}"
    return f"expected format_version = {expected} (an integer), found {shown} (a {kind})"


__all__ = ["format_version_problem", "is_exact_int"]
