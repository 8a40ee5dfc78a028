"""Sample packages as the files of a Pants repository (BUILD files included), for RuleRunner tests.

`package_files()` is `pkg/mover` (a smart circuit with golden vectors, moving a `Point` of the
`shapes` schema pack it depends on, `deps/shapes`); `kv_files()` is `pkg/kv` (a circuit behind a
wire adapter, `estream.core.wire_adapter_test.KV_PACKAGE`). Both take `path=text` overrides, so a
test states only what it changes.
"""

from __future__ import annotations

import json
from textwrap import dedent
from typing import Dict

from estream.testutil.package_text import circuit_yaml, esf_schema_yaml, manifest_toml

SCHEMA_PACK = {
    "deps/shapes/BUILD": "marketplace_package()",
    "deps/shapes/estream-component.toml": manifest_toml(
        "shapes",
        "1.4.0",
        description="Shapes",
        provides=["Point"],
        include={"schemas": ["schemas/*.esf.yaml"]},
    ),
    "deps/shapes/schemas/BUILD": "esf_schemas()",
    "deps/shapes/schemas/shapes.esf.yaml": esf_schema_yaml(
        {"Point": {"x": "i32", "y": "i32"}}, namespace="estream.shapes"
    ),
}

MANIFEST = manifest_toml(
    "mover",
    "0.3.0",
    category="smart-circuit",
    description="Moves points",
    circuit={"entry": "circuits/move.circuit.yaml", "targets": ["cpu"], "witness_tier": 0},
    dependencies={"shapes": "^1.2"},
)

CIRCUIT = circuit_yaml(
    "move",
    "0.3.0",
    types={"Delta": (("dx", "i32"), ("dy", "i32"))},
    inputs=(("point", "Point"), ("delta", "Delta")),
    outputs=(("moved", "Point"), ("overflow", "string")),
    witness_tier=None,
    implementation={"cpu": "mover.impl:move"},
    compute=(("adder", "transform"),),
    flows=["point -> adder -> moved", "delta -> adder", "adder.error -> overflow"],
)

IMPL = dedent(
    """\
    def move(inputs):
        p, d = inputs["point"], inputs["delta"]
        x, y = p["x"] + d["dx"], p["y"] + d["dy"]
        if abs(x) >= 2**31 or abs(y) >= 2**31:
            return {"overflow": "out of range"}
        return {"moved": {"x": x, "y": y}}
    """
)


def vector(name: str, dx: int, moved: dict | None) -> str:
    doc: dict = {
        "test_vector": {"name": name, "circuit": "move"},
        "input": {"point": {"x": 1, "y": 2}, "delta": {"dx": dx, "dy": 1}},
        "metadata": {"tags": [name]},
    }
    if moved is not None:
        doc["expected_output"] = {"moved": moved}
    return json.dumps(doc)


GOLDEN = dedent(
    """\
    [test_suite]
    name = "mover-golden"

    [[tests]]
    file = "right.json"
    expected = "pass"

    [[tests]]
    file = "overflow.json"
    expected = "error"
    expected_error = "overflow"
    """
)


def package_files(**overrides: str) -> Dict[str, str]:
    files = {
        **SCHEMA_PACK,
        "pkg/mover/BUILD": "marketplace_package()",
        "pkg/mover/estream-component.toml": MANIFEST,
        "pkg/mover/circuits/BUILD": "smart_circuits()",
        "pkg/mover/circuits/move.circuit.yaml": CIRCUIT,
        "pkg/mover/src/mover/__init__.py": "",
        "pkg/mover/src/mover/impl.py": IMPL,
        "pkg/mover/tests/golden/manifest.toml": GOLDEN,
        "pkg/mover/tests/golden/right.json": vector("right", 2, {"x": 3, "y": 3}),
        "pkg/mover/tests/golden/overflow.json": vector("overflow", 2**31 - 1, None),
    }
    files.update(overrides)
    return files


def kv_files(**overrides: str) -> Dict[str, str]:
    from estream.core.wire_adapter_test import KV_PACKAGE

    files = {f"pkg/kv/{path}": text for path, text in KV_PACKAGE.items()}
    files.update(
        {
            "pkg/kv/BUILD": "marketplace_package()",
            "pkg/kv/circuits/BUILD": "smart_circuits()",
            "pkg/kv/schemas/BUILD": "esf_schemas()",
        }
    )
    files["pkg/kv/LICENSE"] = "Apache-2.0\n"  # `package` requires it (package format §2.1)
    files.update(overrides)
    return files
