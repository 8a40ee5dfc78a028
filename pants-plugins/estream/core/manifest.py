"""Parse and validate `estream-component.toml` (SmartCircuit package format §3, marketplace §6.4).

`parse_manifest(content, path)` returns a frozen, hashable `Manifest` or raises `EstreamError`
carrying every problem found, each pointing at a file, a best-effort line and a dotted key.

Choices the specs leave open, made here on purpose:

* `homepage`, `repository` and `documentation` are allowed in `[component]`, as in Cargo,
  and must be `https://` URLs (so is `[component.author].url`): the marketplace renders them
  as links, and a plain-http or `javascript:` link has no place on a signed package page.
* `[component.include]` categories are the directories of the standard package layout
  (SmartCircuit package format §2.1): schemas, circuits, src, tests, fpga, docs, and rtl for
  the hardware sources of circuits with an `implementation.rtl`.
* `[component.circuit]`: `entry`, `targets` and `witness_tier` are required; `circuits`
  defaults to `[entry]`. `[component.circuit.governance]`: `category` is required,
  `required_approvals` defaults to the category's minimum and `auto_approve` to false.
  All `[component.circuit.resources]` fields and all `[component.circuit.fpga]` fields except
  `device_families` are optional estimates.
* An `esf-schema` package must provide at least one schema: that is all it is for.
"""

from __future__ import annotations

import bisect
import difflib
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar
from urllib.parse import urlsplit

from estream.core.errors import MAX_DIAGNOSTICS as ERRORS_MAX_DIAGNOSTICS
from estream.core.errors import DiagnosticCollector
from estream.core.frozen import FrozenDict
from estream.core.names import PACKAGE_NAME_RE, SCHEMA_NAME_RE  # noqa: F401 (re-exported)
from estream.core.semver import SemverError, Version, VersionReq
from estream.core.spdx import spdx_expression_error
from estream.core.toml_loader import MAX_TOML_BYTES, load_toml_document

__all__ = [
    "Author",
    "CATEGORIES",
    "CircuitSpec",
    "Dependency",
    "FpgaSpec",
    "GOVERNANCE_MIN_APPROVALS",
    "Governance",
    "INCLUDE_CATEGORIES",
    "MANIFEST_FILENAME",
    "MAX_MANIFEST_BYTES",
    "Manifest",
    "Resources",
    "SchemaSpec",
    "TARGETS",
    "parse_manifest",
]

MANIFEST_FILENAME = "estream-component.toml"
#: A real manifest is a few KiB; the cap keeps a hostile file from costing parse time and memory.
MAX_MANIFEST_BYTES = MAX_TOML_BYTES

CATEGORIES: Tuple[str, ...] = (
    "esf-schema",
    "smart-circuit",
    "wire-adapter",
    "fpga-circuit",
    "console-widget",
    "integration",
)
TARGETS: Tuple[str, ...] = ("cpu", "fpga", "wasm", "native")
#: SmartCircuit package format §9.1: minimum approvals per governance category.
GOVERNANCE_MIN_APPROVALS: Mapping[str, int] = {
    "Generic": 0,
    "InfraOps": 1,
    "MpcThresholdDecrypt": 2,
    "AiModelDeployment": 2,
    "AiCriticalExecution": 3,
}
#: SmartCircuit package format §9.1: the only category whose deployments may be auto-approved.
AUTO_APPROVE_CATEGORIES: Tuple[str, ...] = ("Generic",)
#: The standard layout's directories (§2.1), plus `rtl` for the hardware sources of circuits
#: with an `implementation.rtl` (shipped so that consumers can simulate and rebuild them).
INCLUDE_CATEGORIES: Tuple[str, ...] = ("schemas", "circuits", "src", "tests", "fpga", "docs", "rtl")
FPGA_RESOURCE_KEYS: Tuple[str, ...] = ("luts", "ffs", "brams", "dsps", "ios")
WITNESS_TIERS = range(0, 5)

MAX_NAME_LENGTH = 64
MAX_DESCRIPTION_LENGTH = 500
MAX_KEYWORDS = 10
MAX_KEYWORD_LENGTH = 32
MAX_URL_LENGTH = 2048
MAX_LICENSE_LENGTH = 256
#: Like a compiler, stop listing problems after this many: a hostile or wholly wrong file would
#: otherwise produce megabytes of diagnostics. One below the cap of every error
#: (`errors.MAX_DIAGNOSTICS`), which leaves room for the "stopped after" note.
MAX_DIAGNOSTICS = ERRORS_MAX_DIAGNOSTICS - 1

_KEYWORD_RE = re.compile(r"[a-z0-9][a-z0-9_+-]*\Z")
DEVICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_DECIMAL_RE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]{1,18})?\Z")
_EMAIL_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+\Z")
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_STRING_LITERAL_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')

T = TypeVar("T")


@dataclass(frozen=True)
class Author:
    name: str
    url: Optional[str] = None
    email: Optional[str] = None


@dataclass(frozen=True)
class SchemaSpec:
    """ESF schema names the package defines (`provides`) and expects from dependencies."""

    provides: Tuple[str, ...] = ()
    requires: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Dependency:
    name: str
    req: VersionReq
    req_text: str  # as written, for messages; `str(req)` is the canonical form


@dataclass(frozen=True)
class Resources:
    """8D-metering budget estimates per execution; None when not declared."""

    compute_budget: Optional[int] = None
    memory_bytes: Optional[int] = None
    storage_bytes: Optional[int] = None
    estimated_cost_es: Optional[str] = None  # a decimal string, kept exact

    @property
    def estimated_cost(self) -> Optional[Decimal]:
        return None if self.estimated_cost_es is None else Decimal(self.estimated_cost_es)


@dataclass(frozen=True)
class Governance:
    category: str
    required_approvals: int
    auto_approve: bool = False


@dataclass(frozen=True)
class FpgaSpec:
    device_families: Tuple[str, ...]
    resource_estimate: FrozenDict[str, int] = field(default_factory=FrozenDict)
    clock_mhz: Optional[float] = None
    pipeline_stages: Optional[int] = None
    license: Optional[str] = None  # bitstream license; may differ from the package's (§7.2)


@dataclass(frozen=True)
class CircuitSpec:
    entry: str
    circuits: Tuple[str, ...]
    targets: Tuple[str, ...]
    witness_tier: int
    resources: Optional[Resources] = None
    governance: Optional[Governance] = None
    fpga: Optional[FpgaSpec] = None


@dataclass(frozen=True)
class WireAdapterSpec:
    """`[component.wire_adapter]`: a package translating one wire protocol to and from ESF.

    `ingress` (port `wire` -> `message` | `error`) and `egress` (port `message` -> `wire` | `error`)
    are package-relative circuit paths; `encoding` says how the `wire` port carries the bytes:
    `binary` as lowercase hex in `wire.hex`, `text` as the message text in `wire.text`.
    """

    protocol: str
    protocol_versions: Tuple[str, ...]
    encoding: str
    ingress: str
    egress: str


@dataclass(frozen=True)
class Manifest:
    """A validated `estream-component.toml`."""

    path: str
    name: str
    version: Version
    category: str
    description: str
    license: str
    keywords: Tuple[str, ...] = ()
    author: Optional[Author] = None
    schemas: SchemaSpec = SchemaSpec()
    include: FrozenDict[str, Tuple[str, ...]] = field(default_factory=FrozenDict)
    dependencies: FrozenDict[str, Dependency] = field(default_factory=FrozenDict)
    circuit: Optional[CircuitSpec] = None
    wire_adapter: Optional[WireAdapterSpec] = None
    homepage: Optional[str] = None
    repository: Optional[str] = None
    documentation: Optional[str] = None


def parse_manifest(content: bytes, path: str) -> Manifest:
    """Parse and validate an `estream-component.toml`.

    Raises `EstreamError` listing every problem (not just the first); never lets a malformed
    or hostile input escape as another exception.
    """
    return validate_toml_document(
        content,
        path,
        what="the manifest",
        size_help="a manifest only describes the package; keep data in the files it includes",
        validate=lambda text, diag, data: Validator(path, text, diag).manifest(data),
    )


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


def _describe(value: Any) -> str:
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


def _dotted(key: Sequence[Any]) -> str:
    """A key path as TOML would spell it: `component.dependencies."odd name"`; an integer is an
    index into an array of tables: `fpga.targets[0].checksum`."""
    out = ""
    for k in key:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            out += ("." if out else "") + (k if _BARE_KEY_RE.fullmatch(k) and len(k) <= 80 else quoted(k))
    return out


def _suggest(word: str, choices: Sequence[str]) -> Optional[str]:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        # Also catch case slips such as `Generic` vs `generic`.
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return close[0] if close else None


def _one_of(choices: Sequence[str]) -> str:
    return ", ".join(json.dumps(c) for c in choices)


# --- locating keys in the source ------------------------------------------------------------


class _Locator:
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

    def line(self, key: Sequence[str], value: Optional[str] = None, occurrence: int = 0) -> Optional[int]:
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
            match = _BARE_KEY_RE.match(text, pos)
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


# --- validation ---------------------------------------------------------------------------

_COMPONENT_KEYS = (
    "name",
    "version",
    "category",
    "description",
    "license",
    "keywords",
    "homepage",
    "repository",
    "documentation",
    "author",
    "schemas",
    "include",
    "dependencies",
    "circuit",
    "wire_adapter",
)
_AUTHOR_KEYS = ("name", "url", "email")
_SCHEMAS_KEYS = ("provides", "requires")
_DEPENDENCY_KEYS = ("version",)
_CIRCUIT_KEYS = ("entry", "circuits", "targets", "witness_tier", "resources", "governance", "fpga")
_RESOURCES_KEYS = ("compute_budget", "memory_bytes", "storage_bytes", "estimated_cost_es")
_GOVERNANCE_KEYS = ("category", "required_approvals", "auto_approve")
_WIRE_ADAPTER_KEYS = ("protocol", "protocol_versions", "encoding", "ingress", "egress")
WIRE_ENCODINGS: Tuple[str, ...] = ("binary", "text")
_PROTOCOL_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
_FPGA_KEYS = ("device_families", "resource_estimate", "clock_mhz", "pipeline_stages", "license")

Key = Tuple[Any, ...]  # str parts, and int indices into arrays of tables
_TOML_MAX_INT = 2**63 - 1
INVALID = object()  # marks a field whose value was reported as invalid


class Validator:
    """Walks the parsed TOML, reporting every problem to the collector; builds the Manifest
    only when nothing was reported."""

    def __init__(self, path: str, text: str, diag: DiagnosticCollector) -> None:
        self.path = path
        self.diag = diag
        self.locator = _Locator(text)
        self.reported = 0

    # -- reporting

    def error(
        self, key: Key, message: str, *, help: Optional[str] = None, value: Optional[str] = None, occurrence: int = 0
    ) -> None:
        self.reported += 1
        if self.reported > MAX_DIAGNOSTICS:
            return
        line = self.locator.line(key, value, occurrence)
        self.diag.error(message, line=line, key=_dotted(key), help=help)
        if self.reported == MAX_DIAGNOSTICS:
            self.diag.error(f"stopped after {MAX_DIAGNOSTICS} problems; fix these and run again")

    def expected(self, key: Key, what: str, found: Any, *, help: Optional[str] = None, item: Optional[int] = None) -> None:
        where = f"item {item + 1}: " if item is not None else ""
        hint = found if isinstance(found, str) else None
        self.error(key, f"{where}expected {what}, found {_describe(found)}", help=help, value=hint)

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
                suggestion = _suggest(name, allowed)
                help = f"did you mean `{suggestion}`?" if suggestion else f"expected one of: {', '.join(allowed)}"
                where = f"in `[{_dotted(key)}]`" if key else "at the top level (everything goes under `[component]`)"
                self.error(key + (name,), f"unknown key `{_dotted([name])}` {where}", help=help)
        return value

    def required(self, table: Dict[str, Any], key: Key, name: str) -> bool:
        if name in table:
            return True
        self.error(key + (name,), f"missing required key `{name}` in `[{_dotted(key)}]`")
        return False

    def string(self, value: Any, key: Key, what: str = "a string", *, item: Optional[int] = None) -> Any:
        if not isinstance(value, str):
            self.expected(key, what, value, item=item)
            return INVALID
        return value

    def integer(self, value: Any, key: Key, low: int, high: Optional[int], what: str) -> Any:
        # bool is an int in Python but never a valid count or tier in a manifest.
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            self.expected(key, what, value)
            return INVALID
        if value > _TOML_MAX_INT:
            # tomli accepts any size, but TOML integers are 64-bit and so is every consumer.
            self.expected(key, what, value, help=f"TOML integers are at most {_TOML_MAX_INT}")
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
                self.error(key, f"item {index + 1}: {quoted(item)} is listed twice", value=item, occurrence=seen[item])
                ok = False
            seen[item] = seen.get(item, 0) + 1
        return tuple(value) if ok else INVALID

    # -- the manifest

    def manifest(self, data: Dict[str, Any]) -> Optional[Manifest]:
        root = self.table(data, (), ("component",))
        if root is None:
            return None
        if "component" not in data:
            self.diag.error(
                "missing the `[component]` table",
                key="component",
                help="every estream-component.toml starts with `[component]` and its name, version, category, ...",
            )
            return None
        key: Key = ("component",)
        component = self.table(data["component"], key, _COMPONENT_KEYS)
        if component is None:
            return None
        fields: Dict[str, Any] = {}
        for name in ("name", "version", "category", "description", "license"):
            fields[name] = getattr(self, f"check_{name}")(component[name], key + (name,)) if self.required(component, key, name) else INVALID
        fields["keywords"] = self.check_keywords(component["keywords"], key + ("keywords",)) if "keywords" in component else ()
        for name in ("homepage", "repository", "documentation"):
            fields[name] = self.check_url(component[name], key + (name,)) if name in component else None
        fields["author"] = self.check_author(component["author"], key + ("author",)) if "author" in component else None
        fields["schemas"] = self.check_schemas(component["schemas"], key + ("schemas",)) if "schemas" in component else SchemaSpec()
        fields["include"] = self.check_include(component["include"], key + ("include",)) if "include" in component else FrozenDict()
        deps = component.get("dependencies", {})
        fields["dependencies"] = self.check_dependencies(deps, key + ("dependencies",), fields["name"])
        fields["circuit"] = self.check_circuit(component["circuit"], key + ("circuit",)) if "circuit" in component else None
        fields["wire_adapter"] = (
            self.check_wire_adapter(component["wire_adapter"], key + ("wire_adapter",)) if "wire_adapter" in component else None
        )
        self.check_category_rules(component, fields)
        if self.diag or any(v is INVALID for v in fields.values()):
            return None
        return Manifest(path=self.path, **fields)

    # -- [component] fields

    def check_name(self, value: Any, key: Key) -> Any:
        what = 'a package name like "esf-iot" (lowercase ASCII letters, digits and single hyphens, starting with a letter)'
        if self.string(value, key, what) is INVALID:
            return INVALID
        reason = name_problem(value)
        if reason:
            fixed = _fix_name(value)
            help = f'did you mean "{fixed}"?' if fixed and fixed != value and not name_problem(fixed) else None
            self.error(key, f"expected {what}, found {quoted(value)}: {reason}", help=help)
            return INVALID
        return value

    def check_version(self, value: Any, key: Key) -> Any:
        what = 'a SemVer version like "1.0.0"'
        if self.string(value, key, what) is INVALID:
            return INVALID
        try:
            return Version.parse(value)
        except SemverError as e:
            self.error(key, f"expected {what}, found {quoted(value)}", help=e.reason or None)
            return INVALID

    def check_category(self, value: Any, key: Key) -> Any:
        what = f"a package category (one of {_one_of(CATEGORIES)})"
        if self.string(value, key, what) is INVALID:
            return INVALID
        if value not in CATEGORIES:
            suggestion = _suggest(value, CATEGORIES)
            self.error(
                key,
                f"expected one of {_one_of(CATEGORIES)}, found {quoted(value)}",
                help=f'did you mean "{suggestion}"?' if suggestion else None,
            )
            return INVALID
        return value

    def check_description(self, value: Any, key: Key) -> Any:
        what = f"a non-empty description of at most {MAX_DESCRIPTION_LENGTH} characters"
        if self.string(value, key, what) is INVALID:
            return INVALID
        if not value.strip():
            self.error(key, f"expected {what}, found an empty string")
            return INVALID
        if len(value) > MAX_DESCRIPTION_LENGTH:
            self.error(key, f"expected {what}, found {len(value)} characters", help="move the details to README.md")
            return INVALID
        return value

    def check_license(self, value: Any, key: Key) -> Any:
        what = 'an SPDX license expression like "Apache-2.0" or "MIT OR Apache-2.0"'
        if self.string(value, key, what) is INVALID:
            return INVALID
        reason = "it is too long" if len(value) > MAX_LICENSE_LENGTH else spdx_expression_error(value)
        if reason:
            self.error(key, f"expected {what}, found {quoted(value)}", help=reason)
            return INVALID
        return value

    def check_keywords(self, value: Any, key: Key) -> Any:
        what = f"a keyword (lowercase, at most {MAX_KEYWORD_LENGTH} characters)"

        def check(item: str, index: int) -> bool:
            if not item or len(item) > MAX_KEYWORD_LENGTH or not _KEYWORD_RE.match(item):
                problem = (
                    f"longer than {MAX_KEYWORD_LENGTH} characters"
                    if len(item) > MAX_KEYWORD_LENGTH
                    else "keywords use lowercase ASCII letters, digits, `-`, `_` and `+`, starting with a letter or digit"
                )
                self.error(key, f"item {index + 1}: expected {what}, found {quoted(item)} ({problem})", value=item)
                return False
            return True

        result = self.string_list(value, key, what, check)
        if result is not INVALID and len(result) > MAX_KEYWORDS:
            self.error(key, f"expected at most {MAX_KEYWORDS} keywords, found {len(result)}")
            return INVALID
        return result

    def check_url(self, value: Any, key: Key) -> Any:
        what = 'an https:// URL like "https://example.com/project"'
        if self.string(value, key, what) is INVALID:
            return INVALID
        reason = _url_problem(value)
        if reason:
            self.error(key, f"expected {what}, found {quoted(value)}", help=reason)
            return INVALID
        return value

    def check_author(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _AUTHOR_KEYS)
        if table is None:
            return INVALID
        name: Any = INVALID
        if self.required(table, key, "name"):
            name = self.string(table["name"], key + ("name",), "the author's name (a non-empty string)")
            if name is not INVALID and not name.strip():
                self.error(key + ("name",), "expected the author's name (a non-empty string), found an empty string")
                name = INVALID
        url = self.check_url(table["url"], key + ("url",)) if "url" in table else None
        email = None
        if "email" in table:
            email = self.string(table["email"], key + ("email",), 'an email address like "dev@example.com"')
            if email is not INVALID and not _EMAIL_RE.match(email):
                self.error(key + ("email",), f'expected an email address like "dev@example.com", found {quoted(email)}')
                email = INVALID
        if INVALID in (name, url, email):
            return INVALID
        return Author(name=name, url=url, email=email)

    def check_schemas(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _SCHEMAS_KEYS)
        if table is None:
            return INVALID
        what = 'an UpperCamelCase schema name like "IoTTelemetry"'
        lists: Dict[str, Any] = {}
        for name in _SCHEMAS_KEYS:
            if name not in table:
                lists[name] = ()
                continue
            sub = key + (name,)

            def check(item: str, index: int, sub: Key = sub) -> bool:
                if not SCHEMA_NAME_RE.match(item) or len(item) > 128:
                    self.error(sub, f"item {index + 1}: expected {what}, found {quoted(item)}", value=item)
                    return False
                return True

            lists[name] = self.string_list(table[name], sub, what, check)
        provides, requires = lists["provides"], lists["requires"]
        if provides is INVALID or requires is INVALID:
            return INVALID
        both = [n for n in provides if n in requires]
        for n in both:
            self.error(
                key + ("requires",),
                f"schema `{n}` is both provided and required",
                value=n,
                help="a package cannot require a schema it defines itself; remove it from `requires`",
            )
        return INVALID if both else SchemaSpec(provides=provides, requires=requires)

    def check_include(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, INCLUDE_CATEGORIES)
        if table is None:
            return INVALID
        result: Dict[str, Any] = {}
        for category, globs in table.items():
            if category not in INCLUDE_CATEGORIES:
                continue  # reported by table()
            sub = key + (category,)
            result[category] = self.string_list(
                globs,
                sub,
                'a relative glob like "schemas/*.esf.yaml"',
                lambda item, index, sub=sub: self.relative_path(item, sub, index, glob=True),
            )
        if any(v is INVALID for v in result.values()):
            return INVALID
        return FrozenDict(result)

    def relative_path(self, item: str, key: Key, index: Optional[int], *, glob: bool, suffix: str = "") -> bool:
        """Report (and return False) unless `item` is a safe path relative to the package root."""
        what = 'a relative glob like "schemas/*.esf.yaml"' if glob else f'a relative path like "circuits/main{suffix}"'
        problem = None
        if not item:
            problem = "it is empty"
        elif any(ord(c) < 32 or ord(c) == 127 for c in item):
            problem = "it contains a control character"
        elif "\\" in item:
            problem = "use `/` to separate directories, not `\\`"
        elif item.startswith("/") or re.match(r"[A-Za-z]:", item):
            problem = "it must be relative to the package root, not absolute"
        elif ".." in item.split("/"):
            problem = "`..` would reach outside the package"
        elif not glob and any(c in item for c in "*?[]{}"):
            problem = "this is a file path, not a glob"
        elif suffix and not item.endswith(suffix):
            problem = f"circuit files end with `{suffix}`"
        if problem:
            where = f"item {index + 1}: " if index is not None else ""
            self.error(key, f"{where}expected {what}, found {quoted(item)} ({problem})", value=item)
            return False
        return True

    def check_dependencies(self, value: Any, key: Key, own_name: Any) -> Any:
        if not isinstance(value, dict):
            self.expected(key, "a table of package names to version requirements", value)
            return INVALID
        result: Dict[str, Dependency] = {}
        ok = True
        for name, spec in value.items():
            sub = key + (name,)
            if name_problem(name):
                fixed = _fix_name(name)
                self.error(
                    sub,
                    f"invalid dependency name {quoted(name)}: {name_problem(name)}",
                    help=f'did you mean "{fixed}"?' if fixed and fixed != name and not name_problem(fixed) else None,
                )
                ok = False
            elif name == own_name:
                self.error(sub, f"package `{name}` cannot depend on itself")
                ok = False
            req_key = sub
            if isinstance(spec, dict):
                inline = self.table(spec, sub, _DEPENDENCY_KEYS)
                if inline is None or not self.required(inline, sub, "version"):
                    ok = False
                    continue
                spec = inline["version"]
                req_key = sub + ("version",)
            what = 'a version requirement like "^1.2.3"'
            if not isinstance(spec, str):
                self.expected(req_key, f'{what} (or an inline table {{ version = "^1.2.3" }})', spec)
                ok = False
                continue
            try:
                req = VersionReq.parse(spec)
            except SemverError as e:
                self.error(req_key, f"expected {what}, found {quoted(spec)}", help=e.reason or None)
                ok = False
                continue
            result[name] = Dependency(name=name, req=req, req_text=spec)
        return FrozenDict(result) if ok else INVALID

    # -- [component.circuit]

    def check_circuit(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _CIRCUIT_KEYS)
        if table is None:
            return INVALID
        ok = True
        entry: Any = INVALID
        if self.required(table, key, "entry"):
            entry = self.string(table["entry"], key + ("entry",), 'a relative path like "circuits/main.circuit.yaml"')
            if entry is not INVALID and not self.relative_path(entry, key + ("entry",), None, glob=False, suffix=".circuit.yaml"):
                entry = INVALID
        circuits: Any = (entry,) if entry is not INVALID else INVALID
        if "circuits" in table:
            sub = key + ("circuits",)
            circuits = self.string_list(
                table["circuits"],
                sub,
                'a relative path like "circuits/main.circuit.yaml"',
                lambda item, index: self.relative_path(item, sub, index, glob=False, suffix=".circuit.yaml"),
            )
            if circuits is not INVALID:
                if not circuits:
                    self.error(sub, "expected at least one circuit file, found an empty array")
                    circuits = INVALID
                elif entry is not INVALID and entry not in circuits:
                    self.error(
                        key + ("entry",),
                        f"entry {quoted(entry)} is not listed in `circuits`",
                        help="add it to `component.circuit.circuits`",
                    )
                    ok = False
        targets: Any = INVALID
        if self.required(table, key, "targets"):
            targets = self.check_targets(table["targets"], key + ("targets",))
        witness_tier: Any = INVALID
        if self.required(table, key, "witness_tier"):
            witness_tier = self.integer(
                table["witness_tier"], key + ("witness_tier",), WITNESS_TIERS.start, WITNESS_TIERS.stop - 1, "an integer from 0 to 4"
            )
        resources = self.check_resources(table["resources"], key + ("resources",)) if "resources" in table else None
        governance = self.check_governance(table["governance"], key + ("governance",)) if "governance" in table else None
        fpga = self.check_fpga(table["fpga"], key + ("fpga",)) if "fpga" in table else None
        if targets is not INVALID:
            if "fpga" in targets and "fpga" not in table:
                self.error(
                    key + ("targets",),
                    'targets include "fpga" but there is no `[component.circuit.fpga]` table',
                    help="describe the FPGA build in `[component.circuit.fpga]` (device_families, ...) or drop the target",
                )
                ok = False
            elif "fpga" not in targets and "fpga" in table:
                self.error(
                    key + ("fpga",),
                    '`[component.circuit.fpga]` is present but "fpga" is not in `targets`',
                    help='add "fpga" to `component.circuit.targets` or remove the table',
                )
                ok = False
        parts = (entry, circuits, targets, witness_tier, resources, governance, fpga)
        if not ok or INVALID in parts:
            return INVALID
        return CircuitSpec(entry, circuits, targets, witness_tier, resources, governance, fpga)

    def check_targets(self, value: Any, key: Key) -> Any:
        what = f"an execution target ({_one_of(TARGETS)})"

        def check(item: str, index: int) -> bool:
            if item not in TARGETS:
                suggestion = _suggest(item, TARGETS)
                self.error(
                    key,
                    f"item {index + 1}: expected one of {_one_of(TARGETS)}, found {quoted(item)}",
                    value=item,
                    help=f'did you mean "{suggestion}"?' if suggestion else None,
                )
                return False
            return True

        result = self.string_list(value, key, what, check)
        if result is not INVALID and not result:
            self.error(key, f"expected at least one execution target ({_one_of(TARGETS)}), found an empty array")
            return INVALID
        return result

    def check_resources(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _RESOURCES_KEYS)
        if table is None:
            return INVALID
        values: Dict[str, Any] = {}
        for name in ("compute_budget", "memory_bytes", "storage_bytes"):
            if name in table:
                values[name] = self.integer(table[name], key + (name,), 0, None, "a non-negative integer")
        if "estimated_cost_es" in table:
            sub = key + ("estimated_cost_es",)
            cost = table["estimated_cost_es"]
            what = 'a decimal string like "0.005"'
            if isinstance(cost, (int, float)) and not isinstance(cost, bool):
                self.expected(sub, what, cost, help=f'quote it (estimated_cost_es = "{cost}") so the amount stays exact')
                values["estimated_cost_es"] = INVALID
            elif self.string(cost, sub, what) is INVALID:
                values["estimated_cost_es"] = INVALID
            elif not _DECIMAL_RE.match(str(cost)):
                self.error(
                    sub,
                    f"expected {what}, found {quoted(str(cost))}",
                    help="use digits with an optional `.` and up to 18 decimals, no sign, exponent or leading zeros",
                )
                values["estimated_cost_es"] = INVALID
            else:
                values["estimated_cost_es"] = cost
        if INVALID in values.values():
            return INVALID
        return Resources(**values)

    def check_governance(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _GOVERNANCE_KEYS)
        if table is None:
            return INVALID
        category: Any = INVALID
        categories = tuple(GOVERNANCE_MIN_APPROVALS)
        if self.required(table, key, "category"):
            sub = key + ("category",)
            category = self.string(table["category"], sub, f"a governance category ({_one_of(categories)})")
            if category is not INVALID and category not in GOVERNANCE_MIN_APPROVALS:
                suggestion = _suggest(category, categories)
                self.error(
                    sub,
                    f"expected one of {_one_of(categories)}, found {quoted(category)}",
                    help=f'did you mean "{suggestion}"?' if suggestion else None,
                )
                category = INVALID
        minimum = GOVERNANCE_MIN_APPROVALS.get(category, 0) if category is not INVALID else 0
        approvals: Any = minimum
        if "required_approvals" in table:
            sub = key + ("required_approvals",)
            raw = table["required_approvals"]
            approvals = self.integer(raw, sub, 0, None, "a non-negative integer")
            if approvals is not INVALID and approvals < minimum:
                self.error(
                    sub,
                    f"expected at least {minimum} for the `{category}` governance category "
                    f"(SmartCircuit package format §9.1), found {approvals}",
                    help=f"use required_approvals = {minimum} or more",
                )
                approvals = INVALID
        auto: Any = False
        if "auto_approve" in table:
            auto = self.boolean(table["auto_approve"], key + ("auto_approve",))
            if auto is True and category is not INVALID and category not in AUTO_APPROVE_CATEGORIES:
                plural = "s" if minimum != 1 else ""
                self.error(
                    key + ("auto_approve",),
                    f"`auto_approve = true` is only allowed for the `Generic` governance category, not `{category}`: "
                    f"SmartCircuit package format §9.1 requires `{category}` deployments to be reviewed and to "
                    f"collect {minimum} governance approval{plural} before they run",
                    help="set auto_approve = false",
                )
                auto = INVALID
        if INVALID in (category, approvals, auto):
            return INVALID
        return Governance(category=category, required_approvals=approvals, auto_approve=auto)

    def check_fpga(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _FPGA_KEYS)
        if table is None:
            return INVALID
        families: Any = INVALID
        if self.required(table, key, "device_families"):
            sub = key + ("device_families",)
            what = 'an FPGA part name like "xcvu9p"'

            def check(item: str, index: int) -> bool:
                if not DEVICE_RE.match(item):
                    self.error(sub, f"item {index + 1}: expected {what}, found {quoted(item)}", value=item)
                    return False
                return True

            families = self.string_list(table["device_families"], sub, what, check)
            if families is not INVALID and not families:
                self.error(sub, "expected at least one device family, found an empty array")
                families = INVALID
        estimate: Any = FrozenDict()
        if "resource_estimate" in table:
            sub = key + ("resource_estimate",)
            inner = self.table(table["resource_estimate"], sub, FPGA_RESOURCE_KEYS)
            if inner is None:
                estimate = INVALID
            else:
                counts = {
                    name: self.integer(count, sub + (name,), 0, None, "a non-negative integer")
                    for name, count in inner.items()
                    if name in FPGA_RESOURCE_KEYS
                }
                bad = INVALID in counts.values() or len(counts) != len(inner)
                estimate = INVALID if bad else FrozenDict(counts)
        clock: Any = None
        if "clock_mhz" in table:
            clock = table["clock_mhz"]
            if isinstance(clock, bool) or not isinstance(clock, (int, float)) or not math.isfinite(clock) or clock <= 0:
                self.expected(key + ("clock_mhz",), "a positive number of MHz", clock)
                clock = INVALID
        stages: Any = None
        if "pipeline_stages" in table:
            stages = self.integer(table["pipeline_stages"], key + ("pipeline_stages",), 1, None, "a positive integer")
        license: Any = None
        if "license" in table:
            license = self.check_license(table["license"], key + ("license",))
        if INVALID in (families, estimate, clock, stages, license):
            return INVALID
        return FpgaSpec(families, estimate, clock, stages, license)

    def check_wire_adapter(self, value: Any, key: Key) -> Any:
        table = self.table(value, key, _WIRE_ADAPTER_KEYS)
        if table is None:
            return INVALID
        parts: Dict[str, Any] = {}
        if self.required(table, key, "protocol"):
            protocol = self.string(table["protocol"], key + ("protocol",), 'a protocol id like "mqtt"')
            if protocol is not INVALID and not _PROTOCOL_RE.match(protocol):
                self.error(
                    key + ("protocol",),
                    f"expected a protocol id (lowercase ASCII letters, digits and single hyphens, starting with a letter), found {quoted(protocol)}",
                    value=protocol,
                )
                protocol = INVALID
            parts["protocol"] = protocol
        else:
            parts["protocol"] = INVALID
        if self.required(table, key, "protocol_versions"):
            sub = key + ("protocol_versions",)
            versions = self.string_list(table["protocol_versions"], sub, 'a protocol version like "3.1.1"', lambda item, index: True)
            if versions is not INVALID and not versions:
                self.error(sub, "expected at least one protocol version, found an empty array")
                versions = INVALID
            parts["protocol_versions"] = versions
        else:
            parts["protocol_versions"] = INVALID
        if self.required(table, key, "encoding"):
            encoding = self.string(table["encoding"], key + ("encoding",), f"one of {_one_of(WIRE_ENCODINGS)}")
            if encoding is not INVALID and encoding not in WIRE_ENCODINGS:
                suggestion = _suggest(encoding, WIRE_ENCODINGS)
                self.error(
                    key + ("encoding",),
                    f"expected one of {_one_of(WIRE_ENCODINGS)}, found {quoted(encoding)}",
                    value=encoding,
                    help=f'did you mean "{suggestion}"?' if suggestion else "binary protocols carry hex in `wire.hex`, text protocols the text in `wire.text`",
                )
                encoding = INVALID
            parts["encoding"] = encoding
        else:
            parts["encoding"] = INVALID
        for name in ("ingress", "egress"):
            if not self.required(table, key, name):
                parts[name] = INVALID
                continue
            path = self.string(table[name], key + (name,), f'a relative path like "circuits/{name}.circuit.yaml"')
            if path is not INVALID and not self.relative_path(path, key + (name,), None, glob=False, suffix=".circuit.yaml"):
                path = INVALID
            parts[name] = path
        if (
            parts["ingress"] is not INVALID
            and parts["ingress"] == parts["egress"]
        ):
            self.error(key + ("egress",), "`egress` names the same circuit as `ingress`", help="ingress and egress are two circuits")
            return INVALID
        if INVALID in parts.values():
            return INVALID
        return WireAdapterSpec(**parts)

    # -- rules across fields

    def check_category_rules(self, component: Dict[str, Any], fields: Dict[str, Any]) -> None:
        category = fields.get("category")
        if category == "esf-schema" and "circuit" in component:
            self.error(
                ("component", "circuit"),
                "`esf-schema` packages must not have a `[component.circuit]` table",
                help="schema packs only ship schemas; publish circuits as a `smart-circuit` package that depends on this one",
            )
        if category == "smart-circuit" and "circuit" not in component:
            self.error(
                ("component", "category"),
                "`smart-circuit` packages must have a `[component.circuit]` table",
                help="add `[component.circuit]` with entry, targets and witness_tier (SmartCircuit package format §3.1)",
            )
        if "wire_adapter" in component and category != "wire-adapter":
            self.error(
                ("component", "wire_adapter"),
                f"`[component.wire_adapter]` is only allowed in `wire-adapter` packages, this one is {quoted(str(category))}",
                help='set `category = "wire-adapter"` or remove the table',
            )
        schemas = fields.get("schemas")
        if category == "esf-schema" and isinstance(schemas, SchemaSpec) and not schemas.provides:
            self.error(
                ("component", "schemas", "provides"),
                "`esf-schema` packages must provide at least one schema",
                help='list the schemas in `[component.schemas]`, e.g. provides = ["IoTTelemetry"]',
            )


def name_problem(name: str) -> Optional[str]:
    if not name:
        return "it is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"it is longer than {MAX_NAME_LENGTH} characters"
    if PACKAGE_NAME_RE.match(name):
        return None
    if not ("a" <= name[0] <= "z"):
        return "it must start with a lowercase ASCII letter"
    if "--" in name or name.endswith("-"):
        return "hyphens must separate words (no `--` or trailing `-`)"
    bad = next((c for c in name if not (c.isascii() and (c.islower() or c.isdigit() or c == "-"))), "?")
    return f"`{bad}` is not allowed"


def _fix_name(name: str) -> str:
    """A valid spelling of `name` when the only slips are case and separators, else ""."""
    if not name.isascii():
        return ""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _url_problem(url: str) -> Optional[str]:
    if len(url) > MAX_URL_LENGTH:
        return f"URLs are limited to {MAX_URL_LENGTH} characters"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "a URL cannot contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError as e:
        return f"it is not a valid URL ({e})"
    del port
    if parts.scheme.lower() != "https":
        return "only https:// links are allowed: the marketplace shows them on the package page"
    if not parts.hostname:
        return "the URL has no host name"
    if parts.username or parts.password:
        return "a URL must not contain credentials"
    return None
