"""The builders' text means what their arguments say, read back by the real parsers."""

from __future__ import annotations

import pytest

from estream.core.circuit import parse_circuit
from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest
from estream.testutil.package_text import circuit_yaml, esf_schema_yaml, manifest_toml


def test_manifest_toml_round_trips_through_parse_manifest() -> None:
    text = manifest_toml(
        "esf-iot",
        "1.2.0",
        keywords=["iot"],
        provides=["IoTEvent"],
        requires=["CoreEvent"],
        include={"schemas": ["schemas/*.esf.yaml"]},
        dependencies={"esf-core": "^1.0"},
    )
    manifest = parse_manifest(text.encode(), "pkg/estream-component.toml")
    assert (manifest.name, str(manifest.version), manifest.category) == ("esf-iot", "1.2.0", "esf-schema")
    assert manifest.schemas.provides == ("IoTEvent",) and manifest.schemas.requires == ("CoreEvent",)
    assert dict(manifest.include) == {"schemas": ("schemas/*.esf.yaml",)}
    assert list(manifest.dependencies) == ["esf-core"]


def test_manifest_toml_circuit_table_and_the_formats_own_rules() -> None:
    text = manifest_toml(
        "mover",
        category="smart-circuit",
        circuit={"entry": "circuits/move.circuit.yaml", "targets": ["cpu"], "witness_tier": 0},
    )
    assert parse_manifest(text.encode(), "estream-component.toml").circuit is not None
    # The builder writes what it is given; the parser still judges it (an esf-schema package
    # must provide a schema).
    with pytest.raises(EstreamError, match="provide"):
        parse_manifest(manifest_toml().encode(), "estream-component.toml")


def test_esf_schema_yaml_round_trips_through_parse_esf() -> None:
    text = esf_schema_yaml(
        {"Reading": {"id": "bytes32", "level": "Level", "tags": "array(string(35))", "sizes": "array(u64)"}},
        namespace="estream.meter",
        enums={"Level": ["Low", "High"]},
        attributes={"Reading": {"description": "A reading: one value", "lattice": "estream.meter.reading"}},
    )
    doc = parse_esf(text.encode(), "meter.esf.yaml")
    assert doc.defined_names() == {"Reading", "Level"}
    assert doc.referenced_names() >= {"Level"}
    assert parse_esf(esf_schema_yaml().encode(), "d.esf.yaml").defined_names() == {"DemoEvent"}


def test_circuit_yaml_round_trips_through_parse_circuit() -> None:
    assert parse_circuit(circuit_yaml().encode(), "c.circuit.yaml").name == "demo_meter"
    circuit = parse_circuit(
        circuit_yaml(
            "move",
            "0.3.0",
            types={"Delta": (("dx", "i32"), ("dy", "i32"))},
            inputs=(("point", "Point"), ("delta", "Delta")),
            outputs=(("moved", "Point"),),
            witness_tier=None,
            implementation={"cpu": "mover.impl:move"},
            compute=(("adder", "transform"),),
        ).encode(),
        "move.circuit.yaml",
    )
    assert (circuit.name, str(circuit.version), circuit.witness_tier) == ("move", "0.3.0", None)
    assert [p.name for p in circuit.inputs] == ["point", "delta"]
