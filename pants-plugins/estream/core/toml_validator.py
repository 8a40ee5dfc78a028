"""Validating a TOML file that may be hostile, reporting every problem at once.

`validate_toml_document` loads the file (`toml_loader.load_toml_document`) and runs a
validator over it; `TomlValidator` is the base of the validators of `estream-component.toml`
(`manifest.ManifestValidator`) and `fpga/manifest.toml` (`fpga.manifest`): it reports a problem
at its key's line (`toml_locator.TomlLocator`) and checks tables, required keys, strings,
integers, booleans, arrays of strings and SemVer versions.

Decisions:
- A check returns the value it checked, or the `INVALID` marker once it has reported why not;
  the caller builds its result only when nothing is INVALID. So one pass reports every problem,
  like a compiler, and no partly valid value is ever returned.
- Reporting stops after `MAX_DIAGNOSTICS` problems (one below `errors.MAX_DIAGNOSTICS`, which
  leaves room for the "stopped after" note): a hostile or wholly wrong file would otherwise
  produce megabytes of diagnostics. Past the cap, costly suggestions are skipped.
- Integers are 64-bit (`TOML_MAX_INT`), as TOML says, although tomli accepts any size; `bool`
  is never an integer here.
- Messages name the value found the way TOML spells it (`describe_toml_value`, `quoted`) and the
  key as a dotted path (`dotted_key`); "did you mean" comes from `suggestions.closest_match`.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, TypeVar

from estream.core.errors import MAX_DIAGNOSTICS as ERRORS_MAX_DIAGNOSTICS
from estream.core.errors import DiagnosticCollector
from estream.core.semver import SemverError, Version
from estream.core.suggestions import closest_match
from estream.core.toml_loader import load_toml_document
from estream.core.toml_locator import BARE_KEY_RE, TomlLocator

__all__ = [
    "INVALID",
    "Key",
    "MAX_DIAGNOSTICS",
    "TOML_MAX_INT",
    "TomlValidator",
    "describe_toml_value",
    "dotted_key",
    "one_of",
    "quoted",
    "validate_toml_document",
]

T = TypeVar("T")

#: Stop listing problems after this many (see the module docstring).
MAX_DIAGNOSTICS = ERRORS_MAX_DIAGNOSTICS - 1
Key = Tuple[Any, ...]  # str parts, and int indices into arrays of tables
TOML_MAX_INT = 2**63 - 1
INVALID = object()  # marks a field whose value was reported as invalid


def validate_toml_document(
    content: bytes,
    path: str,
    *,
    what: str,
    size_help: str,
    validate: Callable[[str, DiagnosticCollector, Dict[str, Any]], Optional[T]],
) -> T:
    """Load a hostile TOML file (`load_toml_document`) and run `validate(text, diag, document)`
    on it; raise `EstreamError` with every problem either reported, including nesting too deep
    to validate."""
    diag = DiagnosticCollector(path)
    data, text = load_toml_document(content, diag, what=what, size_help=size_help)
    try:
        result = validate(text, diag, data)
    except RecursionError:
        diag.error(f"{what} is nested too deeply to validate")
        result = None
    diag.raise_if_any()
    assert result is not None
    return result


# --- messages -----------------------------------------------------------------------------


def quoted(value: str, limit: int = 80) -> str:
    if len(value) > limit:
        value = value[: limit - 3] + "..."
    return json.dumps(value, ensure_ascii=False)


def describe_toml_value(value: Any) -> str:
    """How a TOML value is named in "found ..." messages: `string "2"`, `boolean true`."""
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f"string {quoted(value)}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "a table"
    return f"a date/time {value}"


def dotted_key(key: Sequence[Any]) -> str:
    """A key path as TOML would spell it: `component.dependencies."odd name"`; an integer is an
    index into an array of tables: `fpga.targets[0].checksum`."""
    out = ""
    for k in key:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            out += ("." if out else "") + (k if BARE_KEY_RE.fullmatch(k) and len(k) <= 80 else quoted(k))
    return out


def one_of(choices: Sequence[str]) -> str:
    return ", ".join(json.dumps(c) for c in choices)


class TomlValidator:
    """Walks a parsed TOML document, reporting every problem to the collector (at most
    MAX_DIAGNOSTICS); subclasses add the checks of their file and build its value only when
    nothing was reported. Each check returns the checked value, or INVALID once reported."""

    #: The table everything goes under, named when a key is unknown at the top level.
    root_table = ""

    def __init__(self, path: str, text: str, diag: DiagnosticCollector) -> None:
        self.path = path
        self.diag = diag
        self.locator = TomlLocator(text)
        self.reported = 0

    # -- reporting

    def error(
        self,
        key: Key,
        message: str,
        *,
        help: Optional[str] = None,
        value: Optional[str] = None,
        occurrence: int = 0,
    ) -> None:
        self.reported += 1
        if self.reported > MAX_DIAGNOSTICS:
            return
        line = self.locator.line(key, value, occurrence)
        self.diag.error(message, line=line, key=dotted_key(key), help=help)
        if self.reported == MAX_DIAGNOSTICS:
            self.diag.error(f"stopped after {MAX_DIAGNOSTICS} problems; fix these and run again")

    def expected(
        self, key: Key, what: str, found: Any, *, help: Optional[str] = None, item: Optional[int] = None
    ) -> None:
        where = f"item {item + 1}: " if item is not None else ""
        hint = found if isinstance(found, str) else None
        self.error(key, f"{where}expected {what}, found {describe_toml_value(found)}", help=help, value=hint)

    # -- structure helpers

    def table(self, value: Any, key: Key, allowed: Sequence[str]) -> Optional[Dict[str, Any]]:
        """`value` as a table whose unknown keys were reported, or None if it is not a table."""
        if not isinstance(value, dict):
            self.expected(key, "a table", value)
            return None
        for name in value:
            if name not in allowed:
                if self.reported >= MAX_DIAGNOSTICS:
                    self.reported += 1  # nothing more will be shown; skip the costly suggestion
                    continue
                suggestion = closest_match(name, allowed)
                help = (
                    f"did you mean `{suggestion}`?"
                    if suggestion
                    else f"expected one of: {', '.join(allowed)}"
                )
                where = (
                    f"in `[{dotted_key(key)}]`"
                    if key
                    else f"at the top level (everything goes under `[{self.root_table}]`)"
                )
                self.error(key + (name,), f"unknown key `{dotted_key([name])}` {where}", help=help)
        return value

    def required(self, table: Dict[str, Any], key: Key, name: str) -> bool:
        if name in table:
            return True
        self.error(key + (name,), f"missing required key `{name}` in `[{dotted_key(key)}]`")
        return False

    def string(self, value: Any, key: Key, what: str = "a string", *, item: Optional[int] = None) -> Any:
        if not isinstance(value, str):
            self.expected(key, what, value, item=item)
            return INVALID
        return value

    def integer(self, value: Any, key: Key, low: int, high: Optional[int], what: str) -> Any:
        # bool is an int in Python but never a valid count or tier in a manifest.
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            self.expected(key, what, value)
            return INVALID
        if value > TOML_MAX_INT:
            # tomli accepts any size, but TOML integers are 64-bit and so is every consumer.
            self.expected(key, what, value, help=f"TOML integers are at most {TOML_MAX_INT}")
            return INVALID
        return value

    def boolean(self, value: Any, key: Key) -> Any:
        if not isinstance(value, bool):
            self.expected(key, "a boolean (true or false)", value)
            return INVALID
        return value

    def string_list(self, value: Any, key: Key, item_what: str, check: Any, *, unique: bool = True) -> Any:
        """A list of strings, each passed to `check(item, index) -> bool`; duplicates reported."""
        if not isinstance(value, list):
            self.expected(key, f"an array whose items are each {item_what}", value)
            return INVALID
        ok = True
        seen: Dict[str, int] = {}  # item -> how many times it has appeared so far
        for index, item in enumerate(value):
            if self.string(item, key, item_what, item=index) is INVALID:
                ok = False
                continue
            if not check(item, index):
                ok = False
                continue
            if unique and item in seen:
                self.error(
                    key,
                    f"item {index + 1}: {quoted(item)} is listed twice",
                    value=item,
                    occurrence=seen[item],
                )
                ok = False
            seen[item] = seen.get(item, 0) + 1
        return tuple(value) if ok else INVALID

    def semver_version(self, value: Any, key: Key) -> Any:
        """A `Version` parsed from a SemVer string."""
        what = 'a SemVer version like "1.0.0"'
        if self.string(value, key, what) is INVALID:
            return INVALID
        try:
            return Version.parse(value)
        except SemverError as e:
            self.error(key, f"expected {what}, found {quoted(value)}", help=e.reason or None)
            return INVALID
