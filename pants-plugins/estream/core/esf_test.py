from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List

import pytest

from estream.core.errors import Diagnostic, EstreamError
from estream.core.esf import (
    EsfDocument,
    Privacy,
    Retention,
    parse_esf,
    reference_diagnostics,
    unresolved_references,
)
from estream.core.esf_types import ArrayType, MapType, NamedType, ObjectType, PrimitiveType, StringType

PATH = "schemas/esf-demo/schemas/demo.esf.yaml"
REPO = Path(__file__).resolve().parents[3]


def _yaml(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


def _parse(text: str) -> EsfDocument:
    return parse_esf(_yaml(text), PATH)


def _errors(text: str) -> List[Diagnostic]:
    with pytest.raises(EstreamError) as info:
        _parse(text)
    for d in info.value.diagnostics:
        assert d.path == PATH
    return list(info.value.diagnostics)


def _one(text: str, *, line: int, key: str) -> Diagnostic:
    """Exactly one diagnostic, on `line`, about `key`; its rendering names file, line and key."""
    errors = _errors(text)
    assert len(errors) == 1, "\n".join(d.render() for d in errors)
    d = errors[0]
    assert (d.line, d.key) == (line, key), d.render()
    assert f"{PATH}:{line}: `{key}`" in d.render()
    return d


# A valid document; tests change one thing at a time.
VALID = """
version: "1.0"
namespace: estream.demo
schemas:
  Reading:
    description: "A reading"
    lattice: estream.demo.reading
    path: /devices/{device_id}/readings
    fields:
      device_id:
        type: string(64)
      value:
        type: f64
    retention:
      duration_days: 7
"""


def _with_field(field_yaml: str) -> str:
    """VALID plus one extra field (given at field indentation, first line at line 13)."""
    body = textwrap.indent(textwrap.dedent(field_yaml).strip("\n"), "      ")
    return VALID.replace("    retention:", body + "\n    retention:")


# --- the shipped packs -----------------------------------------------------------------------


def _pack(pack: str, name: str) -> EsfDocument:
    path = f"schemas/{pack}/schemas/{name}"
    return parse_esf((REPO / path).read_bytes(), path)


def test_esf_iot_pack() -> None:
    doc = _pack("esf-iot", "iot-telemetry.esf.yaml")
    assert doc.version == "1.0" and doc.namespace == "estream.iot"
    assert list(doc.schemas) == ["IoTTelemetry", "IoTCommand", "IoTAlert"]
    assert doc.enums["AlertSeverity"].values == ("Info", "Warning", "Critical", "Emergency")
    telemetry = doc.schemas["IoTTelemetry"]
    assert telemetry.path_template == "/devices/{device_id}/telemetry"
    assert telemetry.path_placeholders == ("device_id",)
    assert telemetry.retention == Retention("days", 90)
    assert telemetry.fields["device_id"].type == StringType(64)
    assert telemetry.fields["metadata"].type == MapType(StringType(), StringType())
    assert telemetry.fields["metadata"].optional is True
    location = telemetry.fields["location"].type
    assert isinstance(location, ObjectType)
    assert list(location.fields) == ["latitude", "longitude", "altitude_m"]
    assert location.fields["altitude_m"].optional and not location.fields["latitude"].optional
    command = doc.schemas["IoTCommand"]
    assert command.fields["issued_by"].privacy == Privacy("encrypted")
    assert command.fields["signature"].type == PrimitiveType("pq_signature")
    assert doc.schemas["IoTAlert"].fields["severity"].type == NamedType("AlertSeverity")
    assert doc.referenced_names() == {"AlertSeverity"}
    assert unresolved_references(doc, set()) == []


def test_esf_trading_pack() -> None:
    doc = _pack("esf-trading", "trading-order.esf.yaml")
    assert list(doc.schemas) == ["EStreamOrder", "EStreamFill", "EStreamQuote", "EStreamMarketData"]
    assert list(doc.enums) == ["OrderSide", "OrderType", "TimeInForce", "MarketDataInterval"]
    assert doc.schemas["EStreamQuote"].retention == Retention("hours", 24)
    assert doc.schemas["EStreamQuote"].retention.seconds == 86400
    assert doc.schemas["EStreamOrder"].fields["price"].type == PrimitiveType("u64")
    assert doc.schemas["EStreamMarketData"].path_template == "/trading/market-data/{instrument}"
    assert doc.enums["TimeInForce"].values == ("GTC", "IOC", "FOK", "DAY")
    assert doc.referenced_names() == {"OrderSide", "OrderType", "TimeInForce", "MarketDataInterval"}
    assert unresolved_references(doc, set()) == []


def test_esf_carbon_pack() -> None:
    doc = _pack("esf-carbon", "carbon-credit.esf.yaml")
    assert list(doc.schemas) == ["CarbonCredit", "CarbonAttestation", "CarbonMint"]
    assert len(doc.enums["CreditStatus"].values) == 5
    owner = doc.schemas["CarbonCredit"].fields["owner"].privacy
    assert owner == Privacy("encrypted", (("owner", "public"), ("auditor", "public")))
    assert owner is not None and owner.level_for("auditor") == "public"
    assert owner.level_for("anyone") == "encrypted"
    assert doc.schemas["CarbonMint"].fields["credit_ids"].type == ArrayType(PrimitiveType("bytes32"))
    assert str(doc.schemas["CarbonMint"].fields["credit_ids"].type) == "array(bytes32)"
    assert doc.schemas["CarbonCredit"].retention == Retention("days", 3650)


def test_pack_manifests_provide_exactly_their_schemas() -> None:
    tomli = pytest.importorskip("tomli")
    for pack, name in [
        ("esf-iot", "iot-telemetry.esf.yaml"),
        ("esf-trading", "trading-order.esf.yaml"),
        ("esf-carbon", "carbon-credit.esf.yaml"),
    ]:
        manifest = tomli.loads((REPO / "schemas" / pack / "estream-component.toml").read_text())
        component = manifest["component"]
        assert component["name"] == pack and component["category"] == "esf-schema"
        assert component["schemas"]["provides"] == list(_pack(pack, name).schemas)
        assert component["schemas"]["requires"] == []
        assert component["include"] == {"schemas": ["schemas/*.esf.yaml"]}
        license_text = (REPO / "schemas" / pack / "LICENSE").read_text()
        assert "Version 2.0, January 2004" in license_text and "END OF TERMS AND CONDITIONS" in license_text


# --- types -----------------------------------------------------------------------------------


def test_type_rendering_round_trips() -> None:
    doc = _parse(
        _with_field(
            """
            nested:
              type: "map(string(8), array(map(u32, Reading)))"
            """
        )
    )
    ftype = doc.schemas["Reading"].fields["nested"].type
    assert ftype == MapType(StringType(8), ArrayType(MapType(PrimitiveType("u32"), NamedType("Reading"))))
    assert ftype.render() == "map(string(8), array(map(u32, Reading)))"
    assert ftype.referenced_names() == ("Reading",)


def test_every_builtin_type_parses() -> None:
    names = [
        "u8",
        "u16",
        "u32",
        "u64",
        "i8",
        "i16",
        "i32",
        "i64",
        "f64",
        "bool",
        "bytes",
        "bytes32",
        "timestamp",
        "pq_signature",
        "string",
    ]
    fields = "".join(f"f_{i}:\n  type: {n}\n" for i, n in enumerate(names))
    doc = _parse(_with_field(fields))
    rendered = [str(doc.schemas["Reading"].fields[f"f_{i}"].type) for i in range(len(names))]
    assert rendered == names


def test_unknown_type_suggests_builtin() -> None:
    d = _one(_with_field("unit:\n  type: strng\n"), line=14, key="schemas.Reading.fields.unit.type")
    assert d.message == "unknown type `strng`"
    assert d.help == "did you mean `string`?"
    assert d.render() == (
        f"error: {PATH}:14: `schemas.Reading.fields.unit.type`: unknown type `strng`\n"
        "  help: did you mean `string`?"
    )


def test_capitalised_builtin_is_not_a_reference() -> None:
    d = _one(_with_field("unit:\n  type: String(3)\n"), line=14, key="schemas.Reading.fields.unit.type")
    assert "`string`" in (d.help or "")


@pytest.mark.parametrize(
    "type_text, message",
    [
        ("string(0)", "between 1 and"),
        ("string(x)", "positive integer"),
        ("u8(4)", "takes no arguments"),
        ("array", "needs an element type"),
        ('"array(u8"', "expected `)`"),
        ('"map(string)"', "needs a key and a value type"),
        ('"map(string, u8, u8)"', "expected `)`"),
        ('"array(object)"', "cannot be used inside `array(...)`"),
        ('"u8 u8"', "unexpected `u8`"),
        ('"u8?"', "invalid character `?`"),
        ('""', "must not be empty"),
        ("42", "must be a string"),
    ],
)
def test_malformed_types(type_text: str, message: str) -> None:
    d = _one(_with_field(f"bad:\n  type: {type_text}\n"), line=14, key="schemas.Reading.fields.bad.type")
    assert message in d.message


@pytest.mark.parametrize("key_type", ["f64", "bytes", "Reading", "array(u8)"])
def test_map_key_must_be_scalar(key_type: str) -> None:
    d = _one(
        _with_field(f'tags:\n  type: "map({key_type}, string)"\n'),
        line=14,
        key="schemas.Reading.fields.tags.type",
    )
    assert "map keys must be a scalar type" in d.message
    assert "string" in (d.help or "")


def test_map_key_may_be_enum_or_integer() -> None:
    doc = _parse(
        _with_field('a:\n  type: "map(u64, f64)"\nb:\n  type: "map(Level, f64)"\n')
        + "enums:\n  Level:\n    values: [Low, High]\n"
    )
    assert doc.schemas["Reading"].fields["b"].type == MapType(NamedType("Level"), PrimitiveType("f64"))


def test_object_needs_fields() -> None:
    d = _one(_with_field("loc:\n  type: object\n"), line=14, key="schemas.Reading.fields.loc.fields")
    assert "needs nested `fields`" in d.message


def test_fields_only_with_object() -> None:
    d = _one(
        _with_field("loc:\n  type: f64\n  fields:\n    x: { type: f64 }\n"),
        line=15,
        key="schemas.Reading.fields.loc.fields",
    )
    assert "only allowed when `type: object`" in d.message


def test_nested_object_fields_are_validated() -> None:
    d = _one(
        _with_field("loc:\n  type: object\n  fields:\n    lat: { type: f46 }\n"),
        line=16,
        key="schemas.Reading.fields.loc.fields.lat.type",
    )
    assert d.help == "did you mean `f64`?"


def test_nested_object_references_are_reported_with_their_key() -> None:
    doc = _parse(_with_field("loc:\n  type: object\n  fields:\n    kind:\n      type: Kind\n"))
    assert unresolved_references(doc, set()) == [("Kind", "schemas.Reading.fields.loc.fields.kind.type", 17)]


# --- references ------------------------------------------------------------------------------


def test_references_resolve_locally_and_against_known_names() -> None:
    doc = _parse(
        _with_field('a:\n  type: Level\nb:\n  type: "array(OrderSide)"\nc:\n  type: Other\n')
        + "enums:\n  Level:\n    values: [Low]\n"
    )
    assert doc.referenced_names() == {"Level", "OrderSide", "Other"}
    assert unresolved_references(doc, set()) == [
        ("OrderSide", "schemas.Reading.fields.b.type", 16),
        ("Other", "schemas.Reading.fields.c.type", 18),
    ]
    assert unresolved_references(doc, {"OrderSide"}) == [("Other", "schemas.Reading.fields.c.type", 18)]


def test_reference_diagnostics_suggest_names() -> None:
    doc = _parse(_with_field("side:\n  type: OrderSid\n"))
    (d,) = reference_diagnostics(doc, {"OrderSide", "OrderType"})
    assert (d.path, d.line, d.key) == (PATH, 14, "schemas.Reading.fields.side.type")
    assert d.message == "unknown type `OrderSid`"
    assert d.help == "did you mean `OrderSide`?"


# --- top level -------------------------------------------------------------------------------


def test_unknown_top_level_key_suggests() -> None:
    d = _one(VALID + "enum:\n  X:\n    values: [A]\n", line=15, key="enum")
    assert "unknown key `enum`" in d.message and d.help == "did you mean `enums`?"


def test_version_must_be_quoted() -> None:
    d = _one(VALID.replace('"1.0"', "1.0"), line=1, key="version")
    assert "quoted string" in d.message and 'version: "1.0"' in (d.help or "")


def test_version_format_and_major() -> None:
    assert "MAJOR.MINOR" in _one(VALID.replace('"1.0"', '"v1"'), line=1, key="version").message
    assert "unsupported" in _one(VALID.replace('"1.0"', '"2.0"'), line=1, key="version").message


def test_version_and_namespace_required() -> None:
    text = VALID.replace('version: "1.0"\n', "").replace("namespace: estream.demo\n", "")
    errors = _errors(text)
    assert {(d.key, d.line) for d in errors} == {("version", 1), ("namespace", 1)}


def test_namespace_must_be_dotted_lowercase() -> None:
    d = _one(VALID.replace("estream.demo\n", "Estream.Demo\n"), line=2, key="namespace")
    assert "dotted lowercase" in d.message


def test_file_must_define_something() -> None:
    d = _errors('version: "1.0"\nnamespace: a.b\n')[0]
    assert d.line == 1 and "at least one schema or enum" in d.message


def test_empty_schemas_section() -> None:
    _one('version: "1.0"\nnamespace: a.b\nschemas: {}\n', line=3, key="schemas")


# --- schemas ---------------------------------------------------------------------------------


def test_schema_name_upper_camel() -> None:
    d = _one(VALID.replace("  Reading:", "  reading_v1:"), line=4, key="schemas.reading_v1")
    assert "UpperCamelCase" in d.message


def test_unknown_schema_key_suggests() -> None:
    d = _one(VALID.replace("    lattice:", "    latice:"), line=6, key="schemas.Reading.latice")
    assert d.help == "did you mean `lattice`?"


def test_schema_needs_fields() -> None:
    text = VALID.replace(
        "    fields:\n      device_id:\n        type: string(64)\n      value:\n        type: f64\n",
        "",
    ).replace("    path: /devices/{device_id}/readings\n", "")
    d = _one(text, line=4, key="schemas.Reading.fields")
    assert "missing required key `fields`" in d.message


def test_schema_fields_must_be_non_empty_mapping() -> None:
    text = 'version: "1.0"\nnamespace: a.b\nschemas:\n  A:\n    fields: {}\n'
    _one(text, line=5, key="schemas.A.fields")
    text = 'version: "1.0"\nnamespace: a.b\nschemas:\n  A:\n    fields: [x]\n'
    assert "must be a mapping" in _one(text, line=5, key="schemas.A.fields").message


def test_lattice_dotted_identifier() -> None:
    d = _one(
        VALID.replace("estream.demo.reading", "estream..reading"),
        line=6,
        key="schemas.Reading.lattice",
    )
    assert "dotted lowercase" in d.message


def test_minimal_schema_without_stream_keys() -> None:
    doc = _parse('version: "1.0"\nnamespace: a.b\nschemas:\n  Point:\n    fields:\n      x: { type: f64 }\n')
    point = doc.schemas["Point"]
    assert (point.lattice, point.path_template, point.retention, point.description) == (None,) * 4
    assert point.line == 4 and point.fields["x"].line == 6


# --- paths -----------------------------------------------------------------------------------


def test_path_must_start_with_slash() -> None:
    d = _one(VALID.replace("path: /devices", "path: devices"), line=7, key="schemas.Reading.path")
    assert "must start with `/`" in d.message


def test_path_empty_segment() -> None:
    d = _one(VALID.replace("/readings", "/readings/"), line=7, key="schemas.Reading.path")
    assert "empty segment" in d.message


def test_path_placeholder_must_name_a_field() -> None:
    d = _one(VALID.replace("{device_id}", "{device}"), line=7, key="schemas.Reading.path")
    assert "does not name a field of schema `Reading`" in d.message
    assert d.help == "did you mean `device_id`?"


def test_path_placeholder_must_not_be_optional() -> None:
    text = VALID.replace("type: string(64)\n", "type: string(64)\n        optional: true\n")
    d = _one(text, line=7, key="schemas.Reading.path")
    assert "optional" in d.message and "every record must fill every path segment" in d.message


def test_path_placeholder_must_be_whole_segment() -> None:
    d = _one(VALID.replace("/{device_id}/", "/dev-{device_id}/"), line=7, key="schemas.Reading.path")
    assert "not a valid placeholder" in d.message


def test_path_placeholder_type_must_fit_a_segment() -> None:
    d = _one(VALID.replace("{device_id}", "{value}"), line=7, key="schemas.Reading.path")
    assert "type `f64`" in d.message


def test_path_placeholder_twice() -> None:
    d = _one(VALID.replace("/readings", "/{device_id}"), line=7, key="schemas.Reading.path")
    assert "appears twice" in d.message


# --- retention -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "retention, expected",
    [
        ("duration_days: 7", Retention("days", 7)),
        ("duration_hours: 24", Retention("hours", 24)),
        ("duration_minutes: 5", Retention("minutes", 5)),
        ("forever: true", Retention(None, None)),
    ],
)
def test_retention_forms(retention: str, expected: Retention) -> None:
    doc = _parse(VALID.replace("duration_days: 7", retention))
    assert doc.schemas["Reading"].retention == expected


def test_retention_exactly_one() -> None:
    d = _one(
        VALID.replace("duration_days: 7", "duration_days: 7\n      duration_hours: 1"),
        line=14,
        key="schemas.Reading.retention",
    )
    assert "exactly one of" in d.message and "found 2" in d.message


@pytest.mark.parametrize("amount", ["0", "-3", "1.5", '"7"', "true"])
def test_retention_positive_integer(amount: str) -> None:
    d = _one(
        VALID.replace("duration_days: 7", f"duration_days: {amount}"),
        line=14,
        key="schemas.Reading.retention.duration_days",
    )
    assert "positive integer" in d.message


def test_retention_forever_false() -> None:
    d = _one(
        VALID.replace("duration_days: 7", "forever: false"),
        line=14,
        key="schemas.Reading.retention.forever",
    )
    assert "can only be `true`" in d.message


def test_retention_unknown_key_suggests() -> None:
    errors = _errors(VALID.replace("duration_days: 7", "duration_day: 7"))
    unknown = [d for d in errors if d.key == "schemas.Reading.retention.duration_day"]
    assert unknown and unknown[0].line == 14 and unknown[0].help == "did you mean `duration_days`?"


# --- fields ----------------------------------------------------------------------------------


def test_field_name_snake_case() -> None:
    d = _one(
        _with_field("deviceName:\n  type: string\n"),
        line=13,
        key="schemas.Reading.fields.deviceName",
    )
    assert "snake_case" in d.message


def test_field_unknown_key_suggests() -> None:
    d = _one(
        _with_field("unit:\n  type: string\n  optinal: true\n"),
        line=15,
        key="schemas.Reading.fields.unit.optinal",
    )
    assert d.help == "did you mean `optional`?"


def test_field_type_required() -> None:
    d = _one(_with_field("unit:\n  description: x\n"), line=13, key="schemas.Reading.fields.unit.type")
    assert "missing required key `type`" in d.message


def test_field_must_be_mapping() -> None:
    d = _one(_with_field("unit: string\n"), line=13, key="schemas.Reading.fields.unit")
    assert d.help == "write `unit: { type: string }`"


def test_optional_must_be_bool() -> None:
    d = _one(
        _with_field('unit:\n  type: string\n  optional: "yes"\n'),
        line=15,
        key="schemas.Reading.fields.unit.optional",
    )
    assert "true or false" in d.message


def test_description_must_be_string() -> None:
    _one(
        _with_field("unit:\n  type: string\n  description: 12\n"),
        line=15,
        key="schemas.Reading.fields.unit.description",
    )


# --- privacy ---------------------------------------------------------------------------------


def test_privacy_shorthand_and_levels() -> None:
    doc = _parse(_with_field("a:\n  type: u8\n  privacy: hashed\nb:\n  type: u8\n  privacy: redacted\n"))
    fields = doc.schemas["Reading"].fields
    assert fields["a"].privacy == Privacy("hashed") and fields["b"].privacy == Privacy("redacted")
    assert fields["value"].privacy is None


def test_privacy_unknown_level_suggests() -> None:
    d = _one(
        _with_field("a:\n  type: u8\n  privacy: encrypt\n"),
        line=15,
        key="schemas.Reading.fields.a.privacy",
    )
    assert d.message == "unknown privacy level `encrypt`" and d.help == "did you mean `encrypted`?"


def test_privacy_audience_unique() -> None:
    text = _with_field(
        """
        a:
          type: u8
          privacy:
            default_level: encrypted
            audiences:
              - audience: owner
                level: public
              - audience: owner
                level: hashed
        """
    )
    d = _one(text, line=20, key="schemas.Reading.fields.a.privacy.audiences[1].audience")
    assert "duplicate audience `owner` (first on line 18)" in d.message


def test_privacy_audience_level_checked() -> None:
    text = _with_field(
        """
        a:
          type: u8
          privacy:
            default_level: encrypted
            audiences:
              - { audience: auditor, level: publik }
        """
    )
    d = _one(text, line=18, key="schemas.Reading.fields.a.privacy.audiences[0].level")
    assert d.help == "did you mean `public`?"


def test_privacy_mapping_needs_default_level() -> None:
    text = _with_field("a:\n  type: u8\n  privacy:\n    audiences: []\n")
    d = _one(text, line=16, key="schemas.Reading.fields.a.privacy.default_level")
    assert "missing required key" in d.message


def test_privacy_wrong_shape() -> None:
    d = _one(
        _with_field("a:\n  type: u8\n  privacy: [public]\n"),
        line=15,
        key="schemas.Reading.fields.a.privacy",
    )
    assert "must be a level or a mapping" in d.message


# --- defaults --------------------------------------------------------------------------------


def test_defaults_checked_against_type() -> None:
    doc = _parse(
        _with_field("a:\n  type: u8\n  default: 7\nb:\n  type: Level\n  default: Low\n")
        + "enums:\n  Level:\n    values: [Low, High]\n"
    )
    assert doc.schemas["Reading"].fields["a"].default == 7
    assert doc.schemas["Reading"].fields["b"].default == "Low"


@pytest.mark.parametrize(
    "type_text, default, message",
    [
        ("u8", "300", "outside 0..255"),
        ("string(2)", "abc", "longer than 2"),
        ("bool", "1", "expected true or false"),
        ("bytes", "x", "not supported"),
        ("u8", "null", "must not be null"),
    ],
)
def test_bad_defaults(type_text: str, default: str, message: str) -> None:
    d = _one(
        _with_field(f"a:\n  type: {type_text}\n  default: {default}\n"),
        line=15,
        key="schemas.Reading.fields.a.default",
    )
    assert message in d.message


def test_enum_default_must_be_a_value() -> None:
    text = (
        _with_field("a:\n  type: Level\n  default: Medium\n") + "enums:\n  Level:\n    values: [Low, High]\n"
    )
    d = _one(text, line=15, key="schemas.Reading.fields.a.default")
    assert "not a value of enum `Level`" in d.message


# --- enums -----------------------------------------------------------------------------------


ENUM_DOC = 'version: "1.0"\nnamespace: a.b\nenums:\n  Level:\n    values:\n      - Low\n      - High\n'


def test_enum_only_document() -> None:
    doc = parse_esf(ENUM_DOC.encode(), PATH)
    assert doc.schemas == {} and doc.enums["Level"].values == ("Low", "High")
    assert doc.enums["Level"].line == 4


def test_enum_values_unique() -> None:
    d = _one(ENUM_DOC + "      - Low\n", line=8, key="enums.Level.values[2]")
    assert "duplicate enum value `Low` (first on line 6)" in d.message


def test_enum_values_upper_camel() -> None:
    d = _one(ENUM_DOC.replace("- High", "- high_value"), line=7, key="enums.Level.values[1]")
    assert "UpperCamelCase" in d.message


def test_enum_values_yaml_boolean_trap() -> None:
    d = _one(ENUM_DOC.replace("- High", "- Yes"), line=7, key="enums.Level.values[1]")
    assert "quote it" in (d.help or "")


def test_enum_values_non_empty_list() -> None:
    _one(
        'version: "1.0"\nnamespace: a.b\nenums:\n  Level:\n    values: []\n',
        line=5,
        key="enums.Level.values",
    )
    _one(
        'version: "1.0"\nnamespace: a.b\nenums:\n  Level:\n    values: Low\n',
        line=5,
        key="enums.Level.values",
    )


def test_enum_name_upper_camel() -> None:
    _one(ENUM_DOC.replace("  Level:", "  level:"), line=4, key="enums.level")


def test_enum_and_schema_share_a_name() -> None:
    text = VALID + "enums:\n  Reading:\n    values: [A]\n"
    d = _one(text, line=16, key="enums.Reading")
    assert "same name as the schema on line 4" in d.message


def test_unknown_enum_key_suggests() -> None:
    errors = _errors(ENUM_DOC.replace("    values:", "    value:"))
    # Both the misspelt key and the now-missing `values` are reported, like a compiler would.
    assert [(d.line, d.key) for d in errors] == [
        (4, "enums.Level.values"),
        (5, "enums.Level.value"),
    ]
    assert errors[1].help == "did you mean `values`?"


# --- reporting -------------------------------------------------------------------------------


def test_all_problems_reported_at_once_in_line_order() -> None:
    text = (
        VALID.replace("estream.demo\n", "Bad\n")
        .replace("type: f64", "type: f46")
        .replace("duration_days: 7", "duration_days: 0")
    )
    errors = _errors(text)
    assert [(d.line, d.key) for d in errors] == [
        (2, "namespace"),
        (12, "schemas.Reading.fields.value.type"),
        (14, "schemas.Reading.retention.duration_days"),
    ]


def test_yaml_problems_surface_as_estream_errors() -> None:
    with pytest.raises(EstreamError) as info:
        parse_esf(b'version: "1.0"\nversion: "1.1"\n', PATH)
    assert info.value.diagnostics[0].line == 2 and "duplicate key `version`" in str(info.value)
    with pytest.raises(EstreamError) as info:
        parse_esf(b"schemas: [\n", PATH)
    assert PATH in str(info.value)
