"""The runner's check and the JSON Schema export state one encoding: checked against each other
with the `jsonschema` library (and its RFC 3339 format checker) on generated values."""

from __future__ import annotations

from textwrap import dedent
from typing import Any, Dict, List

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estream.core import esf_json
from estream.core.circuit import compile_types, esf_type_environment, parse_circuit
from estream.core.esf import INTEGER_RANGES, parse_esf
from estream.core.json_schema import definitions_from_documents, export_schema

SCHEMA = dedent(
    """\
    version: "1.0"
    namespace: estream.demo
    schemas:
      Reading:
        fields:
          id: { type: bytes32 }
          name: { type: string(8) }
          value: { type: f64, optional: true }
          count: { type: u16 }
          small: { type: i8, optional: true }
          level: { type: Level }
          by_level: { type: "map(Level, u8)", optional: true }
          by_id: { type: "map(u8, bool)", optional: true }
          by_signed: { type: "map(i16, bool)", optional: true }
          at: { type: timestamp }
          raw: { type: bytes, optional: true }
          sig: { type: pq_signature, optional: true }
          tags: { type: array(string), optional: true }
          pos:
            type: object
            optional: true
            fields:
              x: { type: i8 }
              y: { type: i8, optional: true }
    enums:
      Level:
        values: [Low, High]
    """
)

CIRCUIT = dedent(
    """\
    escir_version: "0.8.0"
    name: probe
    version: "1.0.0"
    inputs:
      - { name: reading, type: Reading }
    outputs:
      - { name: out, type: Reading }
    annotations:
      witness_tier: 1
      hardware_target: [cpu]
    implementation:
      cpu: "probe:run"
    compute:
      - { id: pass, type: transform }
    flows:
      - reading -> pass -> out
    """
)

_doc = parse_esf(SCHEMA.encode(), "demo.esf.yaml")
_TYPES, _PORTS = compile_types(
    [parse_circuit(CIRCUIT.encode(), "probe.circuit.yaml")], esf_type_environment([_doc])
)
_SPEC = _PORTS["probe"]["inputs"]["reading"]
_VALIDATOR = jsonschema.Draft202012Validator(
    export_schema("Reading", definitions_from_documents([_doc])),
    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
)


def runner_accepts(value: Any) -> bool:
    out: List[str] = []
    esf_json.check_value(value, _SPEC, _TYPES, "$", out)
    return not out


def schema_accepts(value: Any) -> bool:
    return _VALIDATOR.is_valid(value)


# --- values near the edges of each encoding ---------------------------------------------------

_hex_digits = st.text(alphabet="0123456789abcdef", max_size=12)
_any_text = st.text(max_size=10)


def _integers(low: int, high: int) -> st.SearchStrategy[Any]:
    # Integral floats (3.0) are left out: JSON Schema cannot tell them from 3, the runner rejects them.
    return st.one_of(
        st.integers(low - 2, low + 2),
        st.integers(high - 2, high + 2),
        st.integers(low, high),
        st.booleans(),
        _any_text,
    )


_timestamps = st.one_of(
    st.sampled_from(
        [
            "2026-02-10T12:00:00Z",
            "2026-02-10T12:00:00.123456789Z",
            "2026-02-10T12:00:00.1234567890Z",
            "2026-02-10T12:00:00+01:00",
            "2026-02-10t12:00:00z",
            "2026-02-30T12:00:00Z",
            "2024-02-29T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-02-10T24:00:00Z",
            "2026-02-10T23:59:60Z",
            "2026-02-10 12:00:00Z",
            "２０２６-02-10T12:00:00Z",
            "2026-02-10T12:00:00Z\n",
        ]
    ),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") + "Z"),
    _any_text,
)


def _hex_blob() -> st.SearchStrategy[Any]:
    return st.one_of(
        _hex_digits, _hex_digits.map(str.upper), st.sampled_from(["AQID", "0g", "abc"]), st.integers()
    )


_enum = st.sampled_from(["Low", "High", "low", "Medium", ""])
_record_fields: Dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(st.just("ab" * 32), st.just("AB" * 32), st.just("ab" * 31), _hex_digits),
    "name": st.one_of(st.text(max_size=10), st.integers()),
    "value": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-5, 5),
        st.booleans(),
        st.none(),
        _any_text,
    ),
    "count": _integers(*INTEGER_RANGES["u16"]),
    "small": st.one_of(_integers(*INTEGER_RANGES["i8"]), st.none()),
    "level": _enum,
    "by_level": st.dictionaries(_enum, _integers(*INTEGER_RANGES["u8"]), max_size=3),
    "by_id": st.dictionaries(
        st.one_of(st.integers(-3, 300).map(str), st.sampled_from(["007", "+1", "-0", "1.0", " 1", "٣", ""])),
        st.booleans(),
        max_size=3,
    ),
    "by_signed": st.dictionaries(
        st.one_of(
            st.integers(-33000, 33000).map(str),
            st.sampled_from(["-32768", "-32769", "32767", "32768", "-0", "-00"]),
        ),
        st.booleans(),
        max_size=3,
    ),
    "at": _timestamps,
    "raw": _hex_blob(),
    "sig": _hex_blob(),
    "tags": st.one_of(
        st.lists(st.text(max_size=3), max_size=3), st.lists(st.integers(), min_size=1, max_size=2), _any_text
    ),
    "pos": st.one_of(
        st.fixed_dictionaries(
            {"x": _integers(-128, 127)}, optional={"y": st.one_of(_integers(-128, 127), st.none())}
        ),
        st.fixed_dictionaries({}, optional={"y": st.integers(-1, 1), "z": st.integers()}),
    ),
}
_REQUIRED = ("id", "name", "count", "level", "at")


@st.composite
def readings(draw: Any) -> Dict[str, Any]:
    value: Dict[str, Any] = {}
    for name, strategy in _record_fields.items():
        # Required fields are present most of the time, optional ones half of the time.
        if draw(st.integers(0, 9)) < (9 if name in _REQUIRED else 5):
            value[name] = draw(strategy)
    if draw(st.integers(0, 19)) == 0:
        value["extra"] = 1
    return value


@settings(max_examples=1500, deadline=None)
@given(readings())
def test_runner_and_json_schema_accept_the_same_values(value: Dict[str, Any]) -> None:
    assert runner_accepts(value) == schema_accepts(value), value


def test_the_generator_reaches_both_verdicts() -> None:
    good = {"id": "ab" * 32, "name": "n", "count": 1, "level": "Low", "at": "2026-02-10T12:00:00Z"}
    assert runner_accepts(good) and schema_accepts(good)
    for field, bad in (
        ("at", "2026-02-10T12:00:00+01:00"),
        ("at", "2026-02-30T12:00:00Z"),
        ("raw", "AQID"),
        ("sig", "ABCD"),
        ("by_id", {"256": True}),
        ("by_id", {"007": True}),
        ("by_signed", {"-0": True}),
        ("at", "2026-02-10T12:00:00Z\n"),
        ("id", "ab" * 32 + "\n"),
        ("by_id", {"1\n": True}),
        ("value", None),
    ):
        assert not runner_accepts({**good, field: bad}), (field, bad)
        assert not schema_accepts({**good, field: bad}), (field, bad)


def test_optional_fields_are_omitted_never_null() -> None:
    out: List[str] = []
    esf_json.check_value(
        {"x": 1, "y": None}, _TYPES["Reading"]["fields"]["pos"]["type"], _TYPES, "$.pos", out
    )
    assert out == ["$.pos.y: optional fields are omitted, never null"]


# --- integer key patterns -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(INTEGER_RANGES))
def test_integer_key_pattern_bounds_each_integer_type(name: str) -> None:
    low, high = INTEGER_RANGES[name]
    pattern = esf_json.python_regex(esf_json.integer_key_pattern(low, high))
    for n in (low, high, low + 1, high - 1, 0, 1, 9, 10, 99, 100, 255, -1, -128):
        assert bool(pattern.match(str(n))) == (low <= n <= high), (name, n)
    for n in (low - 1, high + 1, 10 * high):
        assert not pattern.match(str(n)), (name, n)
    for text in ("-0", "00", "01", "+1", "1.0", "", "-", " 1"):
        assert not pattern.match(text), (name, text)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**64), 2**64), st.integers(-(2**64), 2**64), st.integers(-(2**65), 2**65))
def test_integer_key_pattern_matches_exactly_the_range(a: int, b: int, n: int) -> None:
    low, high = min(a, b), max(a, b)
    pattern = esf_json.python_regex(esf_json.integer_key_pattern(low, high))
    probes = [n, low, high, low - 1, high + 1, (low + high) // 2]
    for probe in probes:
        assert bool(pattern.match(str(probe))) == (low <= probe <= high), (low, high, probe)


def test_timestamp_encoding() -> None:
    assert esf_json.is_timestamp("2024-02-29T23:59:59.999999999Z")
    for bad in (
        "2023-02-29T00:00:00Z",
        "2026-02-10T12:00:00+00:00",
        "2026-02-10T12:00:00Z\n",
        "2026-02-10T12:00Z",
        20260210,
    ):
        assert not esf_json.is_timestamp(bad), bad
