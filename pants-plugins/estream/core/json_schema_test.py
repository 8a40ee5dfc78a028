from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from estream.core.esf import parse_esf
from estream.core.esf_json import HEX32_PATTERN, HEX_PATTERN, TIMESTAMP_PATTERN
from estream.core.json_schema import (
    DRAFT,
    UnknownTypeError,
    definitions_from_documents,
    export_schema,
)

DOC = dedent(
    """\
    version: "1.0"
    namespace: estream.demo
    schemas:
      Reading:
        description: "A reading"
        lattice: estream.demo.reading
        path: /r/{id}
        retention: { duration_hours: 6 }
        fields:
          id:
            type: bytes32
          name:
            type: string(8)
            description: "Short name"
          value:
            type: f64
            optional: true
          count:
            type: u16
            default: 3
          level:
            type: Level
            privacy: { default_level: hashed, audiences: [{ audience: ops, level: public }] }
          by_level:
            type: map(Level, Point)
          at:
            type: timestamp
          raw:
            type: bytes
          tags:
            type: array(string)
          pos:
            type: object
            fields:
              x: { type: i8 }
              y: { type: i8, optional: true }
      Point:
        fields:
          x:
            type: i64
      Tree:
        fields:
          children:
            type: array(Tree)
    enums:
      Level:
        values: [Low, High]
    """
)


def defs():
    return definitions_from_documents([parse_esf(DOC.encode(), "d.esf.yaml")])


def test_full_export_matches_hand_written_schema() -> None:
    assert export_schema("Reading", defs()) == {
        "$schema": DRAFT,
        "$id": "urn:estream:esf:estream.demo.Reading",
        "title": "Reading",
        "description": "A reading",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": HEX32_PATTERN},
            "name": {"type": "string", "maxLength": 8, "description": "Short name"},
            "value": {"type": "number"},
            "count": {"type": "integer", "minimum": 0, "maximum": 65535, "default": 3},
            "level": {
                "$ref": "#/$defs/Level",
                "x-estream-privacy": {"default_level": "hashed", "audiences": {"ops": "public"}},
            },
            "by_level": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/Point"},
                "propertyNames": {"$ref": "#/$defs/Level"},
            },
            "at": {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN},
            "raw": {"type": "string", "contentEncoding": "base16", "pattern": HEX_PATTERN},
            "tags": {"type": "array", "items": {"type": "string"}},
            "pos": {
                "type": "object",
                "properties": {
                    "x": {"type": "integer", "minimum": -128, "maximum": 127},
                    "y": {"type": "integer", "minimum": -128, "maximum": 127},
                },
                "required": ["x"],
                "additionalProperties": False,
            },
        },
        "required": ["id", "name", "count", "level", "by_level", "at", "raw", "tags", "pos"],
        "additionalProperties": False,
        "x-estream-lattice": "estream.demo.reading",
        "x-estream-path": "/r/{id}",
        "x-estream-retention": "6 hours",
        "$defs": {
            "Level": {"title": "Level", "type": "string", "enum": ["Low", "High"]},
            "Point": {
                "title": "Point",
                "type": "object",
                "properties": {"x": {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}},
                "required": ["x"],
                "additionalProperties": False,
            },
        },
    }


def test_recursive_schema_refers_back_to_root() -> None:
    out = export_schema("Tree", defs())
    assert out["properties"]["children"] == {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
    assert out["$defs"] == {"Tree": {"$ref": "#"}}


def test_unknown_name_and_enum_root_are_errors() -> None:
    with pytest.raises(UnknownTypeError):
        export_schema("Nope", defs())
    with pytest.raises(UnknownTypeError):
        export_schema("Level", defs())
    bad = dict(defs())
    del bad["Point"]
    with pytest.raises(UnknownTypeError):
        export_schema("Reading", bad)


REPO = Path(__file__).resolve().parents[3]


def test_cross_package_export_of_real_component_includes_dependency_definitions() -> None:
    docs = [
        parse_esf(p.read_bytes(), str(p))
        for p in [
            REPO / "schemas/esf-trading/schemas/trading-order.esf.yaml",
            REPO / "components/estream-trade-audit/schemas/trade-audit.esf.yaml",
        ]
    ]
    out = export_schema("TradeAuditRecord", definitions_from_documents(docs))
    assert set(out["$defs"]) == {
        "EStreamOrder",
        "EStreamFill",
        "OrderSide",
        "OrderType",
        "TimeInForce",
        "AuditOutcome",
    }
    assert out["properties"]["fills"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/EStreamFill"},
        "description": "Every fill of the order, in execution order",
    }
    assert out["$defs"]["OrderSide"]["enum"] == ["Buy", "Sell"]
    json.dumps(out)  # serialisable as is
