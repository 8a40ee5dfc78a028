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

This module holds the manifest's vocabulary and rules only. The machinery it shares with the
FPGA manifest lives in modules named for it: loading hostile TOML (`toml_loader`), reporting
each problem at its line (`toml_locator`, `toml_validator`), SPDX expressions (`spdx`) and the
hashable mapping of the frozen values (`frozen`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from estream.core.frozen import FrozenDict
from estream.core.names import PACKAGE_NAME_RE, SCHEMA_NAME_RE  # noqa: F401 (re-exported)
from estream.core.semver import SemverError, Version, VersionReq
from estream.core.spdx import spdx_expression_error
from estream.core.suggestions import closest_match
from estream.core.toml_loader import MAX_TOML_BYTES
from estream.core.toml_validator import INVALID, Key, TomlValidator, one_of, quoted, validate_toml_document

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

_KEYWORD_RE = re.compile(r"[a-z0-9][a-z0-9_+-]*\Z")
DEVICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_DECIMAL_RE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]{1,18})?\Z")
_EMAIL_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+\Z")


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
        validate=lambda text, diag, data: ManifestValidator(path, text, diag).manifest(data),
    )


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


class ManifestValidator(TomlValidator):
    """Walks the parsed `estream-component.toml`, reporting every problem to the collector;
    builds the Manifest only when nothing was reported."""

    root_table = "component"

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
            fields[name] = (
                getattr(self, f"check_{name}")(component[name], key + (name,))
                if self.required(component, key, name)
                else INVALID
            )
        fields["keywords"] = (
            self.check_keywords(component["keywords"], key + ("keywords",)) if "keywords" in component else ()
        )
        for name in ("homepage", "repository", "documentation"):
            fields[name] = self.check_url(component[name], key + (name,)) if name in component else None
        fields["author"] = (
            self.check_author(component["author"], key + ("author",)) if "author" in component else None
        )
        fields["schemas"] = (
            self.check_schemas(component["schemas"], key + ("schemas",))
            if "schemas" in component
            else SchemaSpec()
        )
        fields["include"] = (
            self.check_include(component["include"], key + ("include",))
            if "include" in component
            else FrozenDict()
        )
        deps = component.get("dependencies", {})
        fields["dependencies"] = self.check_dependencies(deps, key + ("dependencies",), fields["name"])
        fields["circuit"] = (
            self.check_circuit(component["circuit"], key + ("circuit",)) if "circuit" in component else None
        )
        fields["wire_adapter"] = (
            self.check_wire_adapter(component["wire_adapter"], key + ("wire_adapter",))
            if "wire_adapter" in component
            else None
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
            help = (
                f'did you mean "{fixed}"?' if fixed and fixed != value and not name_problem(fixed) else None
            )
            self.error(key, f"expected {what}, found {quoted(value)}: {reason}", help=help)
            return INVALID
        return value

    def check_version(self, value: Any, key: Key) -> Any:
        return self.semver_version(value, key)

    def check_category(self, value: Any, key: Key) -> Any:
        what = f"a package category (one of {one_of(CATEGORIES)})"
        if self.string(value, key, what) is INVALID:
            return INVALID
        if value not in CATEGORIES:
            suggestion = closest_match(value, CATEGORIES)
            self.error(
                key,
                f"expected one of {one_of(CATEGORIES)}, found {quoted(value)}",
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
            self.error(
                key, f"expected {what}, found {len(value)} characters", help="move the details to README.md"
            )
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
                self.error(
                    key, f"item {index + 1}: expected {what}, found {quoted(item)} ({problem})", value=item
                )
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
                self.error(
                    key + ("name",), "expected the author's name (a non-empty string), found an empty string"
                )
                name = INVALID
        url = self.check_url(table["url"], key + ("url",)) if "url" in table else None
        email = None
        if "email" in table:
            email = self.string(table["email"], key + ("email",), 'an email address like "dev@example.com"')
            if email is not INVALID and not _EMAIL_RE.match(email):
                self.error(
                    key + ("email",),
                    f'expected an email address like "dev@example.com", found {quoted(email)}',
                )
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

    def relative_path(
        self, item: str, key: Key, index: Optional[int], *, glob: bool, suffix: str = ""
    ) -> bool:
        """Report (and return False) unless `item` is a safe path relative to the package root."""
        what = (
            'a relative glob like "schemas/*.esf.yaml"'
            if glob
            else f'a relative path like "circuits/main{suffix}"'
        )
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
                    help=f'did you mean "{fixed}"?'
                    if fixed and fixed != name and not name_problem(fixed)
                    else None,
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
            entry = self.string(
                table["entry"], key + ("entry",), 'a relative path like "circuits/main.circuit.yaml"'
            )
            if entry is not INVALID and not self.relative_path(
                entry, key + ("entry",), None, glob=False, suffix=".circuit.yaml"
            ):
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
                table["witness_tier"],
                key + ("witness_tier",),
                WITNESS_TIERS.start,
                WITNESS_TIERS.stop - 1,
                "an integer from 0 to 4",
            )
        resources = (
            self.check_resources(table["resources"], key + ("resources",)) if "resources" in table else None
        )
        governance = (
            self.check_governance(table["governance"], key + ("governance",))
            if "governance" in table
            else None
        )
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
        what = f"an execution target ({one_of(TARGETS)})"

        def check(item: str, index: int) -> bool:
            if item not in TARGETS:
                suggestion = closest_match(item, TARGETS)
                self.error(
                    key,
                    f"item {index + 1}: expected one of {one_of(TARGETS)}, found {quoted(item)}",
                    value=item,
                    help=f'did you mean "{suggestion}"?' if suggestion else None,
                )
                return False
            return True

        result = self.string_list(value, key, what, check)
        if result is not INVALID and not result:
            self.error(
                key, f"expected at least one execution target ({one_of(TARGETS)}), found an empty array"
            )
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
                self.expected(
                    sub, what, cost, help=f'quote it (estimated_cost_es = "{cost}") so the amount stays exact'
                )
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
            category = self.string(table["category"], sub, f"a governance category ({one_of(categories)})")
            if category is not INVALID and category not in GOVERNANCE_MIN_APPROVALS:
                suggestion = closest_match(category, categories)
                self.error(
                    sub,
                    f"expected one of {one_of(categories)}, found {quoted(category)}",
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
            if (
                isinstance(clock, bool)
                or not isinstance(clock, (int, float))
                or not math.isfinite(clock)
                or clock <= 0
            ):
                self.expected(key + ("clock_mhz",), "a positive number of MHz", clock)
                clock = INVALID
        stages: Any = None
        if "pipeline_stages" in table:
            stages = self.integer(
                table["pipeline_stages"], key + ("pipeline_stages",), 1, None, "a positive integer"
            )
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
            versions = self.string_list(
                table["protocol_versions"], sub, 'a protocol version like "3.1.1"', lambda item, index: True
            )
            if versions is not INVALID and not versions:
                self.error(sub, "expected at least one protocol version, found an empty array")
                versions = INVALID
            parts["protocol_versions"] = versions
        else:
            parts["protocol_versions"] = INVALID
        if self.required(table, key, "encoding"):
            encoding = self.string(table["encoding"], key + ("encoding",), f"one of {one_of(WIRE_ENCODINGS)}")
            if encoding is not INVALID and encoding not in WIRE_ENCODINGS:
                suggestion = closest_match(encoding, WIRE_ENCODINGS)
                self.error(
                    key + ("encoding",),
                    f"expected one of {one_of(WIRE_ENCODINGS)}, found {quoted(encoding)}",
                    value=encoding,
                    help=f'did you mean "{suggestion}"?'
                    if suggestion
                    else "binary protocols carry hex in `wire.hex`, text protocols the text in `wire.text`",
                )
                encoding = INVALID
            parts["encoding"] = encoding
        else:
            parts["encoding"] = INVALID
        for name in ("ingress", "egress"):
            if not self.required(table, key, name):
                parts[name] = INVALID
                continue
            path = self.string(
                table[name], key + (name,), f'a relative path like "circuits/{name}.circuit.yaml"'
            )
            if path is not INVALID and not self.relative_path(
                path, key + (name,), None, glob=False, suffix=".circuit.yaml"
            ):
                path = INVALID
            parts[name] = path
        if parts["ingress"] is not INVALID and parts["ingress"] == parts["egress"]:
            self.error(
                key + ("egress",),
                "`egress` names the same circuit as `ingress`",
                help="ingress and egress are two circuits",
            )
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
