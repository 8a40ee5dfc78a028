"""Parse and validate ESF schema files (`*.esf.yaml`), as used by `esf-schema` components.

`parse_esf(content, path)` returns an immutable `EsfDocument` or raises `EstreamError` listing
every problem in the file, each with its line and dotted key
(e.g. `schemas.IoTTelemetry.fields.unit.type`).

File layout (marketplace spec §6)::

    version: "1.0"                 # required, quoted "MAJOR.MINOR"; only major version 1 exists
    namespace: estream.iot         # required, dotted lowercase identifiers
    schemas:                       # UpperCamelCase name -> schema
      IoTTelemetry:
        description: "..."         # optional
        lattice: estream.iot.telemetry        # optional, dotted lowercase identifiers
        path: /devices/{device_id}/telemetry  # optional, see "Paths" below
        retention: { duration_days: 90 }      # optional, see "Retention" below
        fields:                    # required, non-empty; snake_case name -> field
          device_id:
            type: string(64)       # required, see "Types" below
            description: "..."     # optional
            optional: false        # optional boolean, default false
            privacy: encrypted     # optional, see "Privacy" below
            default: "x"           # optional, scalar types only, must fit the type
    enums:                         # UpperCamelCase name -> enum
      AlertSeverity:
        description: "..."         # optional
        values: [Info, Warning]    # required, non-empty, unique UpperCamelCase identifiers

A file must define at least one schema or enum; a schema and an enum may not share a name.

Types: `string`, `string(N)` (at most N characters, N a positive integer), `u8` `u16` `u32`
`u64` `i8` `i16` `i32` `i64` `f64` `bool` `bytes` `bytes32` `timestamp` `pq_signature`,
`array(T)`, `map(K, V)` where K is a string, integer, bytes32 or enum type (keys must compare
exactly; floats, bytes blobs and records do not), `object` (a field-level inline record whose
members are given under a sibling `fields:` key; it cannot appear inside `array()`/`map()`, use a
named schema there), and references to schemas or enums by name. The grammar and the structured
types are in `esf_types.py`, shared with SmartCircuit files. References to names defined in
the same file resolve here; anything else is left to package-level checks
(`unresolved_references`), because a package's files and its dependencies provide more names.

Paths: must start with `/`, have no empty segments, and use only URL-safe characters
(`A-Z a-z 0-9 . _ ~ -`). A `{placeholder}` must be a whole segment and name a field of the same
schema which is not optional (every record must produce a complete path) and whose type can be
written in a path segment (string, integers, bool, bytes32, timestamp or a named enum, not f64,
bytes, pq_signature, object, array or map).

Retention: exactly one of `duration_days`, `duration_hours`, `duration_minutes` (positive
integers) or `forever: true`. Minutes are the finest unit on purpose: anything shorter is a
cache, not a retention policy.

Privacy: either a level (`privacy: encrypted`) or a mapping
`{default_level: <level>, audiences: [{audience: <name>, level: <level>}, ...]}` with unique,
lowercase snake_case audience names. Levels describe what a reader sees of the field:

* `public`    - the plaintext value (the implicit level of a field without `privacy`);
* `encrypted` - ciphertext; only audiences granted a key can read it;
* `hashed`    - only a commitment (hash) of the value, so a reader can check a value it already
                knows or join on equality without learning it;
* `redacted`  - nothing: the field is removed from the record for that reader.

These four are the distinct outcomes an audience filter can produce for a field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from estream.core.errors import Diagnostic, DiagnosticCollector
from estream.core.esf_types import (
    INTEGER_RANGES,
    TYPE_NAME_RE,
    FieldType,
    NamedType,
    ObjectType,
    PrimitiveType,
    StringType,
    TypeParser,
    TypeSyntaxError,
)
from estream.core.suggestions import closest_match, did_you_mean
from estream.core.yaml_loader import YamlList, YamlMap, describe_value, load_yaml

# --- vocabulary -------------------------------------------------------------------------------

PRIVACY_LEVELS: Tuple[str, ...] = ("public", "encrypted", "hashed", "redacted")
RETENTION_UNITS: Dict[str, str] = {
    "duration_days": "days",
    "duration_hours": "hours",
    "duration_minutes": "minutes",
}
#: The file name suffix of an ESF schema file (`iot-telemetry.esf.yaml`).
ESF_SUFFIX = ".esf.yaml"
_UNIT_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60}

_TOP_LEVEL_KEYS = ("version", "namespace", "schemas", "enums")
_SCHEMA_KEYS = ("description", "lattice", "path", "fields", "retention")
_FIELD_KEYS = ("type", "description", "optional", "privacy", "fields", "default")
_ENUM_KEYS = ("description", "values")
_PRIVACY_KEYS = ("default_level", "audiences")
_AUDIENCE_KEYS = ("audience", "level")
_RETENTION_KEYS = tuple(RETENTION_UNITS) + ("forever",)
# Types whose values can be written in a path segment.
_PATH_PRIMITIVES = frozenset(INTEGER_RANGES) | {"bool", "bytes32", "timestamp"}

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
_DOTTED_LOWER_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_SNAKE_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_PLACEHOLDER_RE = re.compile(r"^\{([^{}]*)\}$")
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9._~-]+$")

# --- data model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Privacy:
    """Field visibility: `default_level` for everyone, overridden per audience."""

    default_level: str
    audiences: Tuple[Tuple[str, str], ...] = ()

    def level_for(self, audience: str) -> str:
        return dict(self.audiences).get(audience, self.default_level)


@dataclass(frozen=True)
class Retention:
    """How long records are kept: `amount` `unit` (days/hours/minutes), or forever."""

    unit: Optional[str]
    amount: Optional[int]

    @property
    def forever(self) -> bool:
        return self.amount is None

    @property
    def seconds(self) -> Optional[int]:
        """Retention in seconds, or None for forever."""
        if self.amount is None or self.unit is None:
            return None
        return self.amount * _UNIT_SECONDS[self.unit]

    def render(self) -> str:
        return "forever" if self.amount is None else f"{self.amount} {self.unit}"


@dataclass(frozen=True)
class Field:
    """One field. `privacy` is None when not declared (the field is then public).

    `line` is the line of the field's name; `type_line` the line of its `type` value.
    `default` is None when no default is declared (null defaults are rejected).
    """

    name: str
    type: FieldType
    optional: bool
    description: Optional[str]
    privacy: Optional[Privacy]
    line: int
    default: Any = dataclasses.field(default=None, hash=False)
    type_line: Optional[int] = None


@dataclass(frozen=True)
class Schema:
    """One schema (record type); `path_template` is the `path:` value, e.g. `/devices/{id}`."""

    name: str
    description: Optional[str]
    lattice: Optional[str]
    path_template: Optional[str]
    fields: Dict[str, Field] = dataclasses.field(hash=False)
    retention: Optional[Retention] = None
    line: int = 0

    @property
    def path_placeholders(self) -> Tuple[str, ...]:
        """Field names used as `{placeholder}` segments of the path, in order."""
        if not self.path_template:
            return ()
        return tuple(_PLACEHOLDER_NAMES_RE.findall(self.path_template))


_PLACEHOLDER_NAMES_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Enum:
    """A closed set of UpperCamelCase values."""

    name: str
    values: Tuple[str, ...]
    line: int
    description: Optional[str] = None


@dataclass(frozen=True)
class TypeReference:
    """A use of a named type: `key` is the dotted key of the `type` entry that names it."""

    name: str
    key: str
    line: int


@dataclass(frozen=True)
class EsfDocument:
    """A validated ESF file."""

    path: str
    version: str
    namespace: str
    schemas: Dict[str, Schema] = dataclasses.field(hash=False)
    enums: Dict[str, Enum] = dataclasses.field(hash=False)

    def defined_names(self) -> FrozenSet[str]:
        """Names of the schemas and enums this file defines."""
        return frozenset(self.schemas) | frozenset(self.enums)

    def type_references(self) -> List[TypeReference]:
        """Every use of a named type, in file order, with the key and line of its `type`."""
        refs: List[TypeReference] = []
        for schema in self.schemas.values():
            _collect_refs(schema.fields, f"schemas.{schema.name}.fields", refs)
        return sorted(refs, key=lambda r: r.line)

    def referenced_names(self) -> FrozenSet[str]:
        """All named types used by fields, whether defined here or elsewhere."""
        return frozenset(r.name for r in self.type_references())


def _collect_refs(fields: Dict[str, Field], prefix: str, out: List[TypeReference]) -> None:
    for field in fields.values():
        key = f"{prefix}.{field.name}"
        if isinstance(field.type, ObjectType):
            # Members carry their own `type` keys; `object` never nests inside array()/map().
            _collect_refs(field.type.fields, f"{key}.fields", out)
            continue
        for name in field.type.referenced_names():
            out.append(TypeReference(name, f"{key}.type", field.type_line or field.line))


def unresolved_references(doc: EsfDocument, known: Set[str]) -> List[Tuple[str, str, int]]:
    """Named types used in `doc` that are neither defined in `doc` nor in `known`.

    Returns `(name, dotted key, line)` triples in file order; `known` should hold every schema
    and enum of the package plus what it requires from other packages.
    """
    local = doc.defined_names()
    return [
        (r.name, r.key, r.line) for r in doc.type_references() if r.name not in local and r.name not in known
    ]


def reference_diagnostics(doc: EsfDocument, known: Set[str]) -> List[Diagnostic]:
    """`unresolved_references` as ready-to-raise diagnostics with "did you mean" help."""
    candidates = sorted(set(known) | doc.defined_names())
    out = []
    for name, key, line in unresolved_references(doc, known):
        guess = closest_match(name, candidates)
        help = (
            f"did you mean `{guess}`?"
            if guess
            else "define it in this package, or require the package that provides it"
        )
        out.append(Diagnostic(doc.path, f"unknown type `{name}`", line=line, key=key, help=help))
    return out


# --- parsing ----------------------------------------------------------------------------------


def parse_esf(content: bytes, path: str) -> EsfDocument:
    """Parse and validate one ESF file; raise `EstreamError` listing every problem found."""
    data = load_yaml(content, path)
    validator = _Validator(path)
    doc = validator.document(data)
    validator.diagnostics.raise_if_any()
    assert doc is not None
    return doc


_kind = describe_value


_INVALID_TYPE = NamedType("<invalid>")  # stands in for an unparsable type; never returned


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics = DiagnosticCollector(path)
        self.local_names: FrozenSet[str] = frozenset()
        self.local_schemas: FrozenSet[str] = frozenset()
        self.enums: Dict[str, Enum] = {}

    def error(self, message: str, line: int, key: Optional[str], help: Optional[str] = None):
        self.diagnostics.error(message, line=line, key=key, help=help)

    # -- helpers --

    def check_keys(self, mapping: YamlMap, allowed: Tuple[str, ...], prefix: str, what: str):
        for key in mapping:
            if key not in allowed:
                self.error(
                    f"unknown key `{key}` in {what}",
                    mapping.key_line(key),
                    f"{prefix}.{key}" if prefix else key,
                    help=did_you_mean(key, allowed)
                    or "expected one of: " + ", ".join(f"`{k}`" for k in allowed),
                )

    def mapping(self, value: Any, line: int, key: str, what: str) -> Optional[YamlMap]:
        if isinstance(value, YamlMap):
            return value
        self.error(f"{what} must be a mapping, found {_kind(value)}", line, key)
        return None

    def text(self, mapping: YamlMap, name: str, prefix: str, *, required: bool = False) -> Optional[str]:
        key = f"{prefix}.{name}" if prefix else name
        if name not in mapping:
            if required:
                self.error(f"missing required key `{name}`", mapping.line, key)
            return None
        value = mapping[name]
        if not isinstance(value, str) or not value.strip():
            self.error(
                f"`{name}` must be a non-empty string, found {_kind(value)}",
                mapping.value_line(name),
                key,
            )
            return None
        return value

    # -- document --

    def document(self, data: YamlMap) -> Optional[EsfDocument]:
        self.check_keys(data, _TOP_LEVEL_KEYS, "", "an ESF file")
        version = self.version(data)
        namespace = self.text(data, "namespace", "", required=True)
        if namespace is not None and not _DOTTED_LOWER_RE.match(namespace):
            self.error(
                f"namespace `{namespace}` must be dotted lowercase identifiers",
                data.value_line("namespace"),
                "namespace",
                help="for example `estream.iot`",
            )
        raw_schemas = self.section(data, "schemas")
        raw_enums = self.section(data, "enums")
        if "schemas" not in data and "enums" not in data:
            self.error(
                "an ESF file must define at least one schema or enum",
                data.line,
                None,
                help="add a `schemas:` or `enums:` section",
            )
        schema_names = frozenset(raw_schemas or ())
        enum_names = frozenset(raw_enums or ())
        self.local_schemas = schema_names
        self.local_names = schema_names | enum_names

        if raw_enums is not None:
            for name, body in raw_enums.items():
                enum = self.enum(name, body, raw_enums)
                if enum is not None:
                    self.enums[name] = enum
                if name in schema_names:
                    assert raw_schemas is not None
                    self.error(
                        f"enum `{name}` has the same name as the schema on line"
                        f" {raw_schemas.key_line(name)}",
                        raw_enums.key_line(name),
                        f"enums.{name}",
                        help="rename one of them; a type name must be unique",
                    )
        schemas: Dict[str, Schema] = {}
        if raw_schemas is not None:
            for name, body in raw_schemas.items():
                schema = self.schema(name, body, raw_schemas)
                if schema is not None:
                    schemas[name] = schema

        if self.diagnostics or version is None or namespace is None:
            return None
        return EsfDocument(self.path, version, namespace, schemas, dict(self.enums))

    def version(self, data: YamlMap) -> Optional[str]:
        if "version" not in data:
            self.error("missing required key `version`", data.line, "version", help='add `version: "1.0"`')
            return None
        value = data["version"]
        line = data.value_line("version")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.error(
                f"`version` must be a quoted string, found {_kind(value)}",
                line,
                "version",
                help=f'write `version: "{value}"` (unquoted, YAML reads it as a number)',
            )
            return None
        if not isinstance(value, str):
            self.error(f'`version` must be a string like "1.0", found {_kind(value)}', line, "version")
            return None
        match = _VERSION_RE.match(value)
        if not match:
            self.error(
                f'`version` must look like "MAJOR.MINOR", found "{value}"',
                line,
                "version",
                help='write `version: "1.0"`',
            )
            return None
        if match.group(1) != "1":
            self.error(
                f'unsupported ESF version "{value}"',
                line,
                "version",
                help='this plugin understands ESF "1.x"',
            )
            return None
        return value

    def section(self, data: YamlMap, name: str) -> Optional[YamlMap]:
        if name not in data:
            return None
        section = self.mapping(data[name], data.value_line(name), name, f"`{name}`")
        if section is not None and not section:
            self.error(
                f"`{name}` must not be empty",
                data.key_line(name),
                name,
                help=f"remove `{name}:` or define at least one entry",
            )
            return None
        return section

    # -- enums --

    def enum(self, name: str, body: Any, parent: YamlMap) -> Optional[Enum]:
        key = f"enums.{name}"
        line = parent.key_line(name)
        self.type_name(name, line, key, "enum")
        mapping = self.mapping(body, parent.value_line(name), key, f"enum `{name}`")
        if mapping is None:
            return None
        self.check_keys(mapping, _ENUM_KEYS, key, f"enum `{name}`")
        description = self.text(mapping, "description", key)
        if "values" not in mapping:
            self.error(
                "missing required key `values`",
                line,
                f"{key}.values",
                help="add `values: [First, Second]`",
            )
            return None
        values = mapping["values"]
        vline = mapping.value_line("values")
        if not isinstance(values, YamlList) or not values:
            self.error(
                (
                    f"`values` must be a non-empty list, found {_kind(values)}"
                    if not isinstance(values, YamlList)
                    else "`values` must not be empty"
                ),
                vline,
                f"{key}.values",
            )
            return None
        seen: Dict[str, int] = {}
        ok = True
        for index, value in enumerate(values):
            vkey = f"{key}.values[{index}]"
            item_line = values.item_line(index)
            if not isinstance(value, str) or not TYPE_NAME_RE.match(value):
                shown = f"`{value}`" if isinstance(value, str) else _kind(value)
                self.error(
                    f"enum value {shown} must be an UpperCamelCase identifier",
                    item_line,
                    vkey,
                    help="for example `Critical` or `StopLimit`"
                    + (
                        "; quote it if YAML reads it as a boolean or number"
                        if not isinstance(value, str)
                        else ""
                    ),
                )
                ok = False
            elif value in seen:
                self.error(
                    f"duplicate enum value `{value}` (first on line {seen[value]})",
                    item_line,
                    vkey,
                )
                ok = False
            else:
                seen[value] = item_line
        if not ok:
            return None
        return Enum(name, tuple(values), line, description)

    def type_name(self, name: str, line: int, key: str, what: str) -> None:
        if not TYPE_NAME_RE.match(name):
            self.error(
                f"{what} name `{name}` must be an UpperCamelCase identifier",
                line,
                key,
                help="for example `IoTTelemetry`",
            )

    # -- schemas --

    def schema(self, name: str, body: Any, parent: YamlMap) -> Optional[Schema]:
        key = f"schemas.{name}"
        line = parent.key_line(name)
        self.type_name(name, line, key, "schema")
        mapping = self.mapping(body, parent.value_line(name), key, f"schema `{name}`")
        if mapping is None:
            return None
        self.check_keys(mapping, _SCHEMA_KEYS, key, f"schema `{name}`")
        description = self.text(mapping, "description", key)
        lattice = self.text(mapping, "lattice", key)
        if lattice is not None and not _DOTTED_LOWER_RE.match(lattice):
            self.error(
                f"lattice `{lattice}` must be dotted lowercase identifiers",
                mapping.value_line("lattice"),
                f"{key}.lattice",
                help="for example `estream.iot.telemetry`",
            )
        fields: Optional[Dict[str, Field]] = None
        if "fields" not in mapping:
            self.error(
                "missing required key `fields`",
                line,
                f"{key}.fields",
                help="a schema needs at least one field",
            )
        else:
            fields = self.fields(mapping, f"{key}.fields")
        path = self.text(mapping, "path", key)
        if path is not None and fields is not None:
            self.path_template(path, fields, name, mapping.value_line("path"), f"{key}.path")
        retention = None
        if "retention" in mapping:
            retention = self.retention(
                mapping["retention"], mapping.value_line("retention"), f"{key}.retention"
            )
        if fields is None:
            return None
        return Schema(name, description, lattice, path, fields, retention, line)

    def fields(self, owner: YamlMap, key: str) -> Optional[Dict[str, Field]]:
        """Validate `owner["fields"]`; unparsable fields are kept (with a stand-in type) so that
        later checks such as path placeholders do not report knock-on errors."""
        raw = self.mapping(owner["fields"], owner.value_line("fields"), key, "`fields`")
        if raw is None:
            return None
        if not raw:
            self.error("`fields` must not be empty", owner.key_line("fields"), key)
            return None
        result: Dict[str, Field] = {}
        for name, body in raw.items():
            result[name] = self.field(name, body, raw, f"{key}.{name}")
        return result

    def field(self, name: str, body: Any, parent: YamlMap, key: str) -> Field:
        line = parent.key_line(name)
        if not _SNAKE_RE.match(name):
            self.error(
                f"field name `{name}` must be snake_case",
                line,
                key,
                help="lowercase words joined by underscores, for example `device_id`",
            )
        invalid = Field(name, _INVALID_TYPE, False, None, None, line)
        if not isinstance(body, YamlMap):
            help = None
            if isinstance(body, str):
                shown = body if re.match(r"^\w+$", body) else f'"{body}"'
                help = f"write `{name}: {{ type: {shown} }}`"
            self.error(
                f"field `{name}` must be a mapping with a `type`, found {_kind(body)}",
                parent.value_line(name),
                key,
                help=help,
            )
            return invalid
        self.check_keys(body, _FIELD_KEYS, key, f"field `{name}`")
        ftype: FieldType = _INVALID_TYPE
        type_line = body.value_line("type")
        if "type" not in body:
            self.error(
                "missing required key `type`",
                line,
                f"{key}.type",
                help="for example `type: string(64)`",
            )
        else:
            ftype = self.field_type(body["type"], type_line, f"{key}.type")
        if isinstance(ftype, ObjectType):
            if "fields" not in body:
                self.error(
                    "a field of type `object` needs nested `fields`",
                    type_line,
                    f"{key}.fields",
                    help="list its members under `fields:`, like a schema's fields",
                )
                ftype = _INVALID_TYPE
            else:
                members = self.fields(body, f"{key}.fields")
                ftype = ObjectType(members) if members is not None else _INVALID_TYPE
        elif "fields" in body and ftype is not _INVALID_TYPE:
            self.error(
                f"`fields` is only allowed when `type: object`, but the type is `{ftype}`",
                body.key_line("fields"),
                f"{key}.fields",
                help="remove `fields`, or set `type: object`",
            )
        optional = False
        if "optional" in body:
            value = body["optional"]
            if isinstance(value, bool):
                optional = value
            else:
                self.error(
                    f"`optional` must be true or false, found {_kind(value)}",
                    body.value_line("optional"),
                    f"{key}.optional",
                )
        description = self.text(body, "description", key)
        privacy = None
        if "privacy" in body:
            privacy = self.privacy(body["privacy"], body.value_line("privacy"), f"{key}.privacy")
        default = None
        if "default" in body:
            default = self.default(body["default"], ftype, body.value_line("default"), f"{key}.default")
        return Field(name, ftype, optional, description, privacy, line, default, type_line)

    def field_type(self, value: Any, line: int, key: str) -> FieldType:
        if not isinstance(value, str):
            self.error(
                f"`type` must be a string, found {_kind(value)}",
                line,
                key,
                help='for example `type: u64` or `type: "array(bytes32)"`',
            )
            return _INVALID_TYPE
        try:
            return TypeParser(value, self.local_names, self.local_schemas).parse()
        except TypeSyntaxError as e:
            self.error(e.message, line, key, help=e.help)
            return _INVALID_TYPE

    def path_template(self, path: str, fields: Dict[str, Field], schema: str, line: int, key: str) -> None:
        if not path.startswith("/"):
            self.error(f"path `{path}` must start with `/`", line, key, help=f"write `/{path}`")
            return
        segments = path[1:].split("/")
        if any(not s for s in segments):
            self.error(
                f"path `{path}` has an empty segment",
                line,
                key,
                help="remove doubled or trailing `/`",
            )
            return
        seen: Set[str] = set()
        for segment in segments:
            if "{" not in segment and "}" not in segment:
                if not _SEGMENT_RE.match(segment):
                    self.error(
                        f"path segment `{segment}` may only use letters, digits and `._~-`",
                        line,
                        key,
                    )
                continue
            match = _PLACEHOLDER_RE.match(segment)
            if not match or not _SNAKE_RE.match(match.group(1)):
                self.error(
                    f"path segment `{segment}` is not a valid placeholder",
                    line,
                    key,
                    help="a placeholder is a whole segment naming a field, like `{device_id}`",
                )
                continue
            name = match.group(1)
            if name in seen:
                self.error(f"placeholder `{{{name}}}` appears twice in the path", line, key)
                continue
            seen.add(name)
            field = fields.get(name)
            if field is None:
                self.error(
                    f"placeholder `{{{name}}}` does not name a field of schema `{schema}`",
                    line,
                    key,
                    help=did_you_mean(name, fields) or "add the field, or fix the placeholder",
                )
                continue
            if field.optional:
                self.error(
                    f"placeholder `{{{name}}}` names the optional field `{name}`: every record"
                    " must fill every path segment, so the field cannot be optional",
                    line,
                    key,
                    help=f"remove `optional: true` from `{name}`, or take it out of the path",
                )
            if field.type is not _INVALID_TYPE and not self.path_capable(field.type):
                self.error(
                    f"placeholder `{{{name}}}` names a field of type `{field.type}`, which"
                    " cannot be written in a path segment",
                    line,
                    key,
                    help="use a string, integer, bool, bytes32, timestamp or enum field",
                )

    def path_capable(self, ftype: FieldType) -> bool:
        if isinstance(ftype, StringType):
            return True
        if isinstance(ftype, PrimitiveType):
            return ftype.name in _PATH_PRIMITIVES
        if isinstance(ftype, NamedType):
            return ftype.name not in self.local_schemas
        return False

    def retention(self, value: Any, line: int, key: str) -> Optional[Retention]:
        mapping = self.mapping(value, line, key, "`retention`")
        if mapping is None:
            return None
        self.check_keys(mapping, _RETENTION_KEYS, key, "`retention`")
        present = [k for k in _RETENTION_KEYS if k in mapping]
        choices = ", ".join(f"`{k}`" for k in _RETENTION_KEYS)
        if len(present) != 1:
            self.error(
                "`retention` needs exactly one of "
                + choices
                + (f", found {len(present)}" if present else ""),
                mapping.line,
                key,
                help="for example `retention: { duration_days: 90 }`",
            )
            return None
        name = present[0]
        amount = mapping[name]
        aline = mapping.value_line(name)
        if name == "forever":
            if amount is not True:
                self.error(
                    f"`forever` can only be `true`, found {_kind(amount)} `{amount}`",
                    aline,
                    f"{key}.forever",
                    help="give a duration such as `duration_days: 30` instead",
                )
                return None
            return Retention(None, None)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            self.error(
                f"`{name}` must be a positive integer, found {_kind(amount)}"
                + (f" `{amount}`" if isinstance(amount, (int, float)) else ""),
                aline,
                f"{key}.{name}",
            )
            return None
        return Retention(RETENTION_UNITS[name], amount)

    def privacy(self, value: Any, line: int, key: str) -> Optional[Privacy]:
        if isinstance(value, str):
            level = self.level(value, line, key)
            return Privacy(level) if level else None
        if not isinstance(value, YamlMap):
            self.error(
                f"`privacy` must be a level or a mapping, found {_kind(value)}",
                line,
                key,
                help="write `privacy: encrypted`, or give `default_level` and `audiences`",
            )
            return None
        self.check_keys(value, _PRIVACY_KEYS, key, "`privacy`")
        default_level = None
        if "default_level" not in value:
            self.error(
                "missing required key `default_level`",
                value.line,
                f"{key}.default_level",
                help="for example `default_level: encrypted`",
            )
        else:
            raw = value["default_level"]
            dline = value.value_line("default_level")
            if isinstance(raw, str):
                default_level = self.level(raw, dline, f"{key}.default_level")
            else:
                self.error(
                    f"`default_level` must be a privacy level, found {_kind(raw)}",
                    dline,
                    f"{key}.default_level",
                )
        audiences: List[Tuple[str, str]] = []
        ok = True
        if "audiences" in value:
            raw = value["audiences"]
            aline = value.value_line("audiences")
            if not isinstance(raw, YamlList):
                self.error(
                    f"`audiences` must be a list, found {_kind(raw)}",
                    aline,
                    f"{key}.audiences",
                    help="each entry is `{ audience: <name>, level: <level> }`",
                )
                return None
            seen: Dict[str, int] = {}
            for index, item in enumerate(raw):
                entry = self.audience(item, raw.item_line(index), f"{key}.audiences[{index}]", seen)
                if entry is None:
                    ok = False
                else:
                    audiences.append(entry)
        if default_level is None or not ok:
            return None
        return Privacy(default_level, tuple(audiences))

    def audience(self, item: Any, line: int, key: str, seen: Dict[str, int]) -> Optional[Tuple[str, str]]:
        mapping = self.mapping(item, line, key, "an audience entry")
        if mapping is None:
            return None
        self.check_keys(mapping, _AUDIENCE_KEYS, key, "an audience entry")
        name = self.text(mapping, "audience", key, required=True)
        level_text = self.text(mapping, "level", key, required=True)
        level = None
        if level_text is not None:
            level = self.level(level_text, mapping.value_line("level"), f"{key}.level")
        if name is not None:
            nline = mapping.value_line("audience")
            if not _SNAKE_RE.match(name):
                self.error(
                    f"audience `{name}` must be a snake_case identifier",
                    nline,
                    f"{key}.audience",
                    help="for example `auditor`",
                )
                return None
            if name in seen:
                self.error(
                    f"duplicate audience `{name}` (first on line {seen[name]})",
                    nline,
                    f"{key}.audience",
                    help="give each audience one level",
                )
                return None
            seen[name] = nline
        if name is None or level is None:
            return None
        return (name, level)

    def level(self, value: str, line: int, key: str) -> Optional[str]:
        if value in PRIVACY_LEVELS:
            return value
        self.error(
            f"unknown privacy level `{value}`",
            line,
            key,
            help=did_you_mean(value, PRIVACY_LEVELS)
            or "expected one of: " + ", ".join(f"`{x}`" for x in PRIVACY_LEVELS),
        )
        return None

    def default(self, value: Any, ftype: FieldType, line: int, key: str) -> Any:
        if ftype is _INVALID_TYPE:
            return None
        if value is None:
            self.error(
                "`default` must not be null",
                line,
                key,
                help="remove `default`, or mark the field `optional: true`",
            )
            return None
        problem = None
        if isinstance(ftype, StringType):
            if not isinstance(value, str):
                problem = f"expected a string, found {_kind(value)}"
            elif ftype.max_length is not None and len(value) > ftype.max_length:
                problem = f"it is {len(value)} characters, longer than {ftype.max_length}"
        elif isinstance(ftype, PrimitiveType) and ftype.name in INTEGER_RANGES:
            low, high = INTEGER_RANGES[ftype.name]
            if isinstance(value, bool) or not isinstance(value, int):
                problem = f"expected an integer, found {_kind(value)}"
            elif not low <= value <= high:
                problem = f"{value} is outside {low}..{high}"
        elif isinstance(ftype, PrimitiveType) and ftype.name == "f64":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problem = f"expected a number, found {_kind(value)}"
        elif isinstance(ftype, PrimitiveType) and ftype.name == "bool":
            if not isinstance(value, bool):
                problem = f"expected true or false, found {_kind(value)}"
        elif isinstance(ftype, NamedType) and ftype.name not in self.local_schemas:
            enum = self.enums.get(ftype.name)
            if not isinstance(value, str):
                problem = f"expected an enum value, found {_kind(value)}"
            elif enum is not None and value not in enum.values:
                self.error(
                    f"`{value}` is not a value of enum `{enum.name}`",
                    line,
                    key,
                    help=did_you_mean(value, enum.values)
                    or "expected one of: " + ", ".join(f"`{v}`" for v in enum.values),
                )
                return None
        else:
            self.error(
                f"`default` is not supported for fields of type `{ftype}`",
                line,
                key,
                help="defaults are allowed for strings, integers, f64, bool and enums",
            )
            return None
        if problem:
            self.error(f"invalid default for type `{ftype}`: {problem}", line, key)
            return None
        return value
