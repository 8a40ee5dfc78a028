"""Registry index entries: one JSON object per line, one file per component.

Each line describes one published version and carries everything resolution and search need, so
installing never has to open an archive it will not use:

    {"name": "esf-iot", "version": "1.2.0", "checksum": "sha3-256:<hex>", "size": 2345,
     "deps": [{"name": "esf-core", "req": "^1.0"}], "provides": ["IoTTelemetry"],
     "requires": [], "category": "esf-schema", "keywords": ["iot"], "description": "...",
     "key_id": "acme-release", "key_fingerprint": "sha3-256:<hex>", "yanked": false,
     "published_at": "2026-02-10T12:00:00Z", "v": 1}

Index files are input from the network: every line is checked strictly (types, lengths, known
fields, semver, checksum syntax) and a line naming another component than its file is rejected,
so a compromised or careless publisher cannot shadow another package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, Dict, List, Optional, Tuple

from estream.core.errors import Diagnostic, EstreamError
from estream.core.format_version import is_exact_int
from estream.core.json_loader import load_json
from estream.core.names import PACKAGE_NAME_RE, SCHEMA_NAME_RE
from estream.core.semver import SemverError, Version, VersionReq

INDEX_FORMAT = 1
MAX_LINE_BYTES = 64 * 1024
MAX_INDEX_BYTES = 16 * 1024 * 1024
MAX_DEPS = 256
MAX_SCHEMAS = 1024
MAX_KEYWORDS = 10
MAX_DESCRIPTION = 500

_CHECKSUM_RE = re.compile(r"sha3-256:[0-9a-f]{64}\Z")
_KEYWORD_RE = re.compile(r"[a-z0-9][a-z0-9_+-]{0,31}\Z")
_CATEGORY_RE = re.compile(r"[a-z][a-z0-9-]{0,63}\Z")
_KEY_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}\Z")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")

_REQUIRED = (
    "name",
    "version",
    "checksum",
    "size",
    "deps",
    "provides",
    "requires",
    "category",
    "keywords",
    "description",
    "key_id",
    "key_fingerprint",
    "yanked",
    "published_at",
    "v",
)


def name_problem(name: object) -> Optional[str]:
    if not isinstance(name, str) or not name:
        return "expected a non-empty string"
    if len(name) > 64:
        return "a component name has at most 64 characters"
    if not PACKAGE_NAME_RE.match(name):
        return "expected lowercase ASCII words separated by single hyphens, like `esf-iot`"
    return None


def index_path(name: str) -> str:
    """Cargo's sharding: `1/a`, `2/ab`, `3/a/abc`, `es/f-/esf-iot` (under `index/`)."""
    problem = name_problem(name)
    if problem:
        raise EstreamError.single("<registry>", f"invalid component name {name!r}: {problem}")
    if len(name) == 1:
        return f"index/1/{name}"
    if len(name) == 2:
        return f"index/2/{name}"
    if len(name) == 3:
        return f"index/3/{name[0]}/{name}"
    return f"index/{name[:2]}/{name[2:4]}/{name}"


def archive_path(name: str, version: str) -> str:
    index_path(name)  # validates the name
    Version.parse(version)
    return f"archives/{name}/{name}-{version}.tar.gz"


@dataclass(frozen=True)
class IndexDep:
    name: str
    req: str

    @cached_property
    def version_req(self) -> VersionReq:
        # Parsed once per entry (resolution asks for it at every visit); the entry is immutable.
        return _parse_req(self.req)


@dataclass(frozen=True)
class IndexEntry:
    name: str
    version: str
    checksum: str
    size: int
    deps: Tuple[IndexDep, ...]
    provides: Tuple[str, ...]
    requires: Tuple[str, ...]
    category: str
    keywords: Tuple[str, ...]
    description: str
    key_id: str
    key_fingerprint: str
    yanked: bool
    published_at: str

    @cached_property
    def semver(self) -> Version:
        # Parsed once per entry: resolution and search compare versions many times each.
        return _parse_version(self.version)

    @property
    def archive_path(self) -> str:
        return archive_path(self.name, self.version)

    def with_yanked(self, yanked: bool) -> "IndexEntry":
        return replace(self, yanked=yanked)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "checksum": self.checksum,
            "size": self.size,
            "deps": [{"name": d.name, "req": d.req} for d in self.deps],
            "provides": list(self.provides),
            "requires": list(self.requires),
            "category": self.category,
            "keywords": list(self.keywords),
            "description": self.description,
            "key_id": self.key_id,
            "key_fingerprint": self.key_fingerprint,
            "yanked": self.yanked,
            "published_at": self.published_at,
            "v": INDEX_FORMAT,
        }

    def to_line(self) -> str:
        """The canonical JSON line (sorted keys, no spaces, no trailing newline)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=65536)
def _parse_version(text: str) -> Version:
    """`Version.parse`, memoized: a Version is immutable, and an index repeats the same version
    strings across components (1.0.0, 0.1.0, ...), each costing ~50 us to parse."""
    return Version.parse(text)


@lru_cache(maxsize=65536)
def _parse_req(text: str) -> VersionReq:
    """`VersionReq.parse`, memoized for the same reason: a registry's dependencies repeat the
    same few requirement strings (`^1.0`), and a VersionReq is immutable."""
    return VersionReq.parse(text)


class _Checker:
    def __init__(self, source: str, line: int) -> None:
        self.source = source
        self.line = line
        self.errors: List[Diagnostic] = []

    def error(self, key: Optional[str], message: str, help: Optional[str] = None) -> None:
        self.errors.append(Diagnostic(self.source, message, line=self.line, key=key, help=help))

    def string(
        self,
        data: Dict[str, Any],
        key: str,
        pattern: Optional["re.Pattern[str]"],
        what: str,
        limit: int = 256,
    ) -> str:
        value = data.get(key)
        if (
            not isinstance(value, str)
            or len(value) > limit
            or (pattern is not None and not pattern.match(value))
        ):
            self.error(key, f"expected {what}, found {_show(value)}")
            return ""
        return value

    def strings(
        self, data: Dict[str, Any], key: str, pattern: "re.Pattern[str]", what: str, limit: int
    ) -> Tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or len(value) > limit:
            self.error(key, f"expected an array of at most {limit} {what}, found {_show(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not pattern.match(item):
                self.error(f"{key}[{i}]", f"expected {what}, found {_show(item)}")
            else:
                out.append(item)
        if len(set(out)) != len(out):
            self.error(key, "contains duplicates")
        return tuple(out)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, (bytes, bytearray)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_index_line(raw: str, *, expected_name: Optional[str], source: str, line: int) -> IndexEntry:
    """Parse and validate one index line; raise EstreamError naming file, line, field and expectation."""
    chk = _Checker(source, line)
    data = _load_line(raw, source, line)
    _check_field_set(chk, data)
    if not is_exact_int(data["v"], INDEX_FORMAT):
        chk.error("v", f"expected index format version {INDEX_FORMAT}, found {_show(data['v'])}")
    name = chk.string(data, "name", PACKAGE_NAME_RE, "a component name", 64)
    if name and expected_name is not None and name != expected_name:
        chk.error(
            "name",
            f"entry claims to be `{name}` but is in the index file of `{expected_name}`",
            help="an index file may only list versions of its own component; the line is rejected",
        )
    version = _check_version(chk, data["version"])
    checksum = chk.string(data, "checksum", _CHECKSUM_RE, 'a checksum "sha3-256:<64 lowercase hex>"')
    size = data["size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= 2**40:
        chk.error("size", f"expected a positive archive size in bytes, found {_show(size)}")
        size = 0
    deps = _check_deps(chk, data["deps"], name)
    provides = chk.strings(data, "provides", SCHEMA_NAME_RE, "schema names like `IoTTelemetry`", MAX_SCHEMAS)
    requires = chk.strings(data, "requires", SCHEMA_NAME_RE, "schema names like `IoTTelemetry`", MAX_SCHEMAS)
    category = chk.string(data, "category", _CATEGORY_RE, "a category like `esf-schema`", 64)
    keywords = chk.strings(data, "keywords", _KEYWORD_RE, "keywords like `iot`", MAX_KEYWORDS)
    description = _check_description(chk, data["description"])
    key_id = chk.string(data, "key_id", _KEY_ID_RE, "a key id", 128)
    key_fp = chk.string(data, "key_fingerprint", _CHECKSUM_RE, 'a key fingerprint "sha3-256:<64 hex>"')
    yanked = data["yanked"]
    if not isinstance(yanked, bool):
        chk.error("yanked", f"expected true or false, found {_show(yanked)}")
        yanked = False
    published_at = chk.string(data, "published_at", _TIME_RE, 'a UTC time like "2026-02-10T12:00:00Z"', 20)
    if chk.errors:
        raise EstreamError(chk.errors)
    return IndexEntry(
        name=name,
        version=version,
        checksum=checksum,
        size=size,
        deps=deps,
        provides=provides,
        requires=requires,
        category=category,
        keywords=keywords,
        description=description,
        key_id=key_id,
        key_fingerprint=key_fp,
        yanked=yanked,
        published_at=published_at,
    )


def _load_line(raw: str, source: str, line: int) -> Dict[str, Any]:
    """The line as a JSON object, or an error naming the line (size, syntax, shape)."""
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise EstreamError.single(source, f"index line is longer than {MAX_LINE_BYTES} bytes", line=line)
    try:
        data = load_json(raw, source, what="the index line", max_bytes=MAX_LINE_BYTES)
    except EstreamError as e:
        raise EstreamError.single(
            source, f"index line is not valid JSON: {e.diagnostics[0].message}", line=line
        ) from None
    if not isinstance(data, dict):
        raise EstreamError.single(
            source, f"expected a JSON object per index line, found {_show(data)}", line=line
        )
    return data


def _check_field_set(chk: _Checker, data: Dict[str, Any]) -> None:
    """Exactly the known fields: a missing or unknown one stops the line before any value is read."""
    for key in _REQUIRED:
        if key not in data:
            chk.error(key, "required field is missing")
    for key in sorted(set(data) - set(_REQUIRED)):
        chk.error(
            key, "unknown field in index entry", help="the index was written by a newer or foreign tool"
        )
    if chk.errors:
        raise EstreamError(chk.errors)


def _check_version(chk: _Checker, version: Any) -> str:
    if not isinstance(version, str) or len(version) > 128:
        chk.error("version", f'expected a version like "1.2.3", found {_show(version)}')
        return ""
    try:
        Version.parse(version)
    except SemverError as e:
        chk.error("version", str(e))
    return version


def _check_deps(chk: _Checker, raw_deps: Any, name: str) -> Tuple[IndexDep, ...]:
    """The valid dependencies; each invalid one is reported by index and left out."""
    deps: List[IndexDep] = []
    if not isinstance(raw_deps, list) or len(raw_deps) > MAX_DEPS:
        chk.error("deps", f"expected an array of at most {MAX_DEPS} dependencies, found {_show(raw_deps)}")
        return ()
    seen = set()
    for i, dep in enumerate(raw_deps):
        key = f"deps[{i}]"
        if not isinstance(dep, dict) or set(dep) != {"name", "req"}:
            chk.error(key, f'expected {{"name": ..., "req": ...}}, found {_show(dep)}')
            continue
        problem = name_problem(dep["name"])
        if problem:
            chk.error(key + ".name", f"invalid dependency name {_show(dep['name'])}: {problem}")
            continue
        if dep["name"] == name:
            chk.error(key + ".name", "a component cannot depend on itself")
        if dep["name"] in seen:
            chk.error(key + ".name", f"duplicate dependency `{dep['name']}`")
        seen.add(dep["name"])
        req = dep["req"]
        try:
            if not isinstance(req, str) or len(req) > 256:
                raise SemverError(f"expected a version requirement string, found {_show(req)}")
            VersionReq.parse(req)
        except SemverError as e:
            chk.error(key + ".req", str(e))
            continue
        deps.append(IndexDep(dep["name"], req))
    return tuple(deps)


def _check_description(chk: _Checker, description: Any) -> str:
    if (
        not isinstance(description, str)
        or len(description) > MAX_DESCRIPTION
        or any(ord(c) < 32 and c not in "\t" for c in description)
    ):
        chk.error("description", f"expected a single-line string of at most {MAX_DESCRIPTION} characters")
        return ""
    return description


def parse_index_file(content: bytes, *, name: str, source: str) -> List[IndexEntry]:
    """All entries of one component's index file, in publication order.

    Rejected as a whole: non-UTF-8 content, oversized files, any invalid line, a line for another
    component, and two lines for the same version (SemVer precedence, so `1.0.0+a`/`1.0.0+b` clash).
    """
    entries, errors = parse_index_lines(content, name=name, source=source)
    if errors:
        raise EstreamError(errors)
    return [entry for _, entry in entries]


def parse_index_lines(
    content: bytes, *, name: str, source: str
) -> Tuple[List[Tuple[int, IndexEntry]], List[Diagnostic]]:
    """The valid lines of an index file with their line numbers, and a diagnostic per problem.

    For readers that must survive one bad line (`registry check` reports them all; install skips
    them with a warning): an invalid line is left out, and so is every line of a version listed
    twice (which of the two is genuine cannot be told). An oversized or non-UTF-8 file has no
    valid lines.
    """
    if len(content) > MAX_INDEX_BYTES:
        return [], [Diagnostic(source, f"index file is larger than {MAX_INDEX_BYTES} bytes")]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as e:
        line = content[: e.start].count(b"\n") + 1
        return [], [Diagnostic(source, "index file is not valid UTF-8", line=line)]
    entries: List[Tuple[int, IndexEntry]] = []
    errors: List[Diagnostic] = []
    seen: Dict[Version, int] = {}
    twice = set()
    for lineno, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            entry = parse_index_line(raw, expected_name=name, source=source, line=lineno)
        except EstreamError as e:
            errors.extend(e.diagnostics)
            if len(errors) >= 50:
                break
            continue
        version = entry.semver
        if version in seen:
            errors.append(
                Diagnostic(
                    source,
                    f"version {entry.version} is listed twice (first at line {seen[version]})",
                    line=lineno,
                    key="version",
                )
            )
            twice.add(version)
            continue
        seen[version] = lineno
        entries.append((lineno, entry))
    return [(n, e) for n, e in entries if e.semver not in twice], errors


def render_index_file(entries: List[IndexEntry]) -> bytes:
    return "".join(e.to_line() + "\n" for e in entries).encode("utf-8")


__all__ = [
    "INDEX_FORMAT",
    "IndexDep",
    "IndexEntry",
    "archive_path",
    "index_path",
    "name_problem",
    "parse_index_file",
    "parse_index_line",
    "parse_index_lines",
    "render_index_file",
]
