"""Export ESF schemas as JSON Schema (draft 2020-12).

Pure core: no Pants imports. `export_schema(name, definitions)` returns one JSON Schema document
(a `dict`, ready for `json.dumps`) describing a record of schema `name` in its JSON encoding,
with every schema and enum it references — from its own package or from dependencies — under
`$defs`. `definitions` maps names to `Definition`s (see `definitions_from_documents`).

Values are described in their JSON encoding, which `estream.core.esf_json` defines (the vector
runner checks values by the same definition, and `esf_json_test.py` checks the two against each
other with the `jsonschema` library).

A record is an object with exactly the schema's fields (`additionalProperties: false`); fields not
marked `optional` are `required` (optional ones are omitted, never `null`). Descriptions become `description`, defaults `default`; ESF-only
facts are kept as annotations a validator ignores: `x-estream-lattice`, `x-estream-path`,
`x-estream-retention`, `x-estream-privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Union

from estream.core import esf_json
from estream.core.esf import Enum, EsfDocument, Field, Schema
from estream.core.esf_types import (
    INTEGER_RANGES,
    ArrayType,
    FieldType,
    MapType,
    NamedType,
    ObjectType,
    PrimitiveType,
    StringType,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Definition:
    """A schema or enum with the namespace of the file defining it."""

    namespace: str
    item: Union[Schema, Enum]


def definitions_from_documents(documents: Iterable[EsfDocument]) -> Dict[str, Definition]:
    """Name -> definition for every schema and enum of `documents` (first definition wins)."""
    out: Dict[str, Definition] = {}
    for doc in documents:
        for name, schema in doc.schemas.items():
            out.setdefault(name, Definition(doc.namespace, schema))
        for name, enum in doc.enums.items():
            out.setdefault(name, Definition(doc.namespace, enum))
    return out


class UnknownTypeError(KeyError):
    """A referenced name has no definition: resolution should have rejected the package."""


def _primitive(name: str) -> Dict[str, Any]:
    return esf_json.json_schema_keywords(name, INTEGER_RANGES.get(name))


def _key_schema(key: FieldType, definitions: Mapping[str, Definition]) -> Dict[str, Any]:
    """`propertyNames` for a map key type."""
    if isinstance(key, StringType):
        return {"maxLength": key.max_length} if key.max_length is not None else {}
    if isinstance(key, PrimitiveType):
        if key.name in INTEGER_RANGES:
            return {"pattern": esf_json.integer_key_pattern(*INTEGER_RANGES[key.name])}
        if key.name == "bytes32":
            return {"pattern": esf_json.HEX32_PATTERN}
    if isinstance(key, NamedType):
        return {"$ref": f"#/$defs/{key.name}"}
    return {}


def _type(ftype: FieldType, definitions: Mapping[str, Definition], used: List[str]) -> Dict[str, Any]:
    if isinstance(ftype, StringType):
        out: Dict[str, Any] = {"type": "string"}
        if ftype.max_length is not None:
            out["maxLength"] = ftype.max_length
        return out
    if isinstance(ftype, PrimitiveType):
        return _primitive(ftype.name)
    if isinstance(ftype, ArrayType):
        return {"type": "array", "items": _type(ftype.element, definitions, used)}
    if isinstance(ftype, MapType):
        out = {"type": "object", "additionalProperties": _type(ftype.value, definitions, used)}
        names = _key_schema(ftype.key, definitions)
        if isinstance(ftype.key, NamedType):
            used.append(ftype.key.name)
        if names:
            out["propertyNames"] = names
        return out
    if isinstance(ftype, ObjectType):
        return _record(ftype.fields, definitions, used)
    if isinstance(ftype, NamedType):
        if ftype.name not in definitions:
            raise UnknownTypeError(ftype.name)
        used.append(ftype.name)
        return {"$ref": f"#/$defs/{ftype.name}"}
    raise TypeError(f"unsupported field type {ftype!r}")


def _field(field: Field, definitions: Mapping[str, Definition], used: List[str]) -> Dict[str, Any]:
    out = _type(field.type, definitions, used)
    if "$ref" in out and (field.description or field.default is not None or field.privacy):
        out = {"$ref": out["$ref"]}  # 2020-12 allows siblings next to $ref
    if field.description:
        out["description"] = field.description
    if field.default is not None:
        out["default"] = field.default
    if field.privacy is not None:
        privacy: Dict[str, Any] = {"default_level": field.privacy.default_level}
        if field.privacy.audiences:
            privacy["audiences"] = {a: level for a, level in field.privacy.audiences}
        out["x-estream-privacy"] = privacy
    return out


def _record(
    fields: Mapping[str, Field], definitions: Mapping[str, Definition], used: List[str]
) -> Dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _field(f, definitions, used) for name, f in fields.items()},
        "required": [name for name, f in fields.items() if not f.optional],
        "additionalProperties": False,
    }


def _definition(
    name: str, definition: Definition, definitions: Mapping[str, Definition], used: List[str]
) -> Dict[str, Any]:
    item = definition.item
    if isinstance(item, Enum):
        out: Dict[str, Any] = {"title": name, "type": "string", "enum": list(item.values)}
        if item.description:
            out["description"] = item.description
        return out
    out = {"title": name}
    if item.description:
        out["description"] = item.description
    out.update(_record(item.fields, definitions, used))
    if item.lattice:
        out["x-estream-lattice"] = item.lattice
    if item.path_template:
        out["x-estream-path"] = item.path_template
    if item.retention is not None:
        out["x-estream-retention"] = item.retention.render()
    return out


def export_schema(name: str, definitions: Mapping[str, Definition]) -> Dict[str, Any]:
    """The JSON Schema of one ESF schema, self-contained (`$defs` holds what it references)."""
    root = definitions.get(name)
    if root is None or not isinstance(root.item, Schema):
        raise UnknownTypeError(name)
    used: List[str] = []
    body = _definition(name, root, definitions, used)
    defs: Dict[str, Any] = {}
    self_referenced = False
    while used:
        ref = used.pop(0)
        if ref == name:
            self_referenced = True
            continue
        if ref in defs:
            continue
        if ref not in definitions:
            raise UnknownTypeError(ref)
        defs[ref] = _definition(ref, definitions[ref], definitions, used)
    doc: Dict[str, Any] = {"$schema": DRAFT, "$id": f"urn:estream:esf:{root.namespace}.{name}"}
    doc.update(body)
    if defs:
        doc["$defs"] = {k: defs[k] for k in sorted(defs)}
    if self_referenced:
        # A recursive schema (e.g. a tree of nodes) refers to itself: point back at the root.
        doc.setdefault("$defs", {})[name] = {"$ref": "#"}
    return doc
