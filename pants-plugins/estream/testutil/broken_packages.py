"""A corpus of broken packages, for the differential test of package validation (issue 11).

`BASE` is a small valid repository: `esf-base` (an esf-schema package) and `demo` (`demo-meter`,
a smart-circuit package that depends on it), with the BUILD files Pants needs. Each `CASES`
entry breaks it in one way (manifest, schema, resolution, circuit or layout errors) and is
checked by both front ends: `./pants package demo:` (the `package` rule) and
`estream marketplace publish demo` must reject it with the same diagnostics (file, line, key).
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent
from typing import Callable, Dict, List, Optional

Files = Dict[str, Optional[str]]  # path -> content; None deletes the file

BASE: Dict[str, str] = {
    "esf-base/BUILD": "marketplace_package()\n",
    "esf-base/LICENSE": "Apache-2.0\n",
    "esf-base/estream-component.toml": dedent(
        """\
        [component]
        name = "esf-base"
        version = "1.2.0"
        category = "esf-schema"
        description = "Base schemas"
        license = "Apache-2.0"
        keywords = ["base"]

        [component.schemas]
        provides = ["BaseEvent"]
        requires = []

        [component.include]
        schemas = ["schemas/*.esf.yaml"]
        """
    ),
    "esf-base/schemas/BUILD": "esf_schemas()\n",
    "esf-base/schemas/base.esf.yaml": dedent(
        """\
        version: "1.0"
        namespace: estream.base
        schemas:
          BaseEvent:
            description: "An event"
            lattice: estream.base.event
            path: /base/{event_id}
            fields:
              event_id:
                type: bytes32
              level:
                type: Level
        enums:
          Level:
            values: [Low, High]
        """
    ),
    "demo/BUILD": 'marketplace_package()\n\nfiles(name="files", sources=["src/**/*", "tests/**/*", "rtl/**/*"])\n',
    "demo/LICENSE": "Apache-2.0\n",
    "demo/README.md": "# demo-meter\n",
    "demo/estream-component.toml": dedent(
        """\
        [component]
        name = "demo-meter"
        version = "0.3.0"
        category = "smart-circuit"
        description = "Sums meter readings"
        license = "Apache-2.0"
        keywords = ["demo"]

        [component.schemas]
        provides = ["MeterReading"]
        requires = ["BaseEvent"]

        [component.dependencies]
        esf-base = "^1.2"

        [component.include]
        schemas = ["schemas/*.esf.yaml"]
        circuits = ["circuits/*.circuit.yaml"]
        src = ["src/*.py"]

        [component.circuit]
        entry = "circuits/meter.circuit.yaml"
        targets = ["cpu"]
        witness_tier = 1
        """
    ),
    "demo/schemas/BUILD": "esf_schemas()\n",
    "demo/schemas/meter.esf.yaml": dedent(
        """\
        version: "1.0"
        namespace: estream.meter
        schemas:
          MeterReading:
            description: "A reading"
            lattice: estream.meter.reading
            path: /meter/{reading_id}
            fields:
              reading_id:
                type: bytes32
              value:
                type: u32
              level:
                type: Level
              source:
                type: BaseEvent
        """
    ),
    "demo/circuits/BUILD": "smart_circuits()\n",
    "demo/circuits/meter.circuit.yaml": dedent(
        """\
        escir_version: "0.8.0"
        name: meter
        version: "0.3.0"
        description: "Sum readings"
        types:
          - name: Total
            fields:
              - { name: value, type: u32 }
        inputs:
          - name: reading
            type: MeterReading
        outputs:
          - name: total
            type: Total
        annotations:
          witness_tier: 1
          hardware_target: [cpu]
        implementation:
          cpu: "meter:run"
        compute:
          - id: summer
            type: transform
        flows:
          - reading -> summer -> total
        """
    ),
    "demo/src/meter.py": 'def run(inputs):\n    return {"total": {"value": inputs["reading"]["value"]}}\n',
}

MANIFEST = "demo/estream-component.toml"
SCHEMA = "demo/schemas/meter.esf.yaml"
CIRCUIT = "demo/circuits/meter.circuit.yaml"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # manifest | schema | resolution | circuit | layout
    change: Callable[[Dict[str, str]], Files]

    def files(self) -> Dict[str, str]:
        files: Dict[str, Optional[str]] = dict(BASE)
        files.update(self.change(dict(BASE)))
        return {p: c for p, c in files.items() if c is not None}


def _sub(path: str, old: str, new: str) -> Callable[[Dict[str, str]], Files]:
    def change(base: Dict[str, str]) -> Files:
        assert old in base[path], (path, old)
        return {path: base[path].replace(old, new, 1)}

    return change


def _add(**files: Optional[str]) -> Callable[[Dict[str, str]], Files]:
    return lambda _: {k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()}


def _both(*changes: Callable[[Dict[str, str]], Files]) -> Callable[[Dict[str, str]], Files]:
    def change(base: Dict[str, str]) -> Files:
        out: Files = {}
        for c in changes:
            current = {**base, **{k: v for k, v in out.items() if v is not None}}
            out.update(c(current))
        return out

    return change


def _set(path: str, content: Optional[str]) -> Callable[[Dict[str, str]], Files]:
    return lambda _: {path: content}


RTL_CIRCUIT_TAIL = """\
implementation:
  cpu: "meter:run"
  rtl:
    top: meter
    sources: [rtl/meter.v]
    testbench: [rtl/meter_tb.v]
    testbench_top: meter_tb
    codec: meter_codec
"""

CASES: List[Case] = [
    # -- manifest ---------------------------------------------------------------------------
    Case("manifest-invalid-toml", "manifest", _sub(MANIFEST, 'version = "0.3.0"', 'version = "0.3.0')),
    Case("manifest-bad-version", "manifest", _sub(MANIFEST, 'version = "0.3.0"', 'version = "0.3"')),
    Case(
        "manifest-unknown-category",
        "manifest",
        _sub(MANIFEST, 'category = "smart-circuit"', 'category = "gadget"'),
    ),
    Case(
        "manifest-bad-license",
        "manifest",
        _sub(MANIFEST, 'license = "Apache-2.0"', 'license = "Apache 2 or so"'),
    ),
    Case(
        "manifest-unknown-key",
        "manifest",
        _sub(MANIFEST, 'keywords = ["demo"]', 'keywords = ["demo"]\ncolour = "red"'),
    ),
    Case("manifest-bad-name", "manifest", _sub(MANIFEST, 'name = "demo-meter"', 'name = "Demo_Meter"')),
    Case("manifest-witness-tier-range", "manifest", _sub(MANIFEST, "witness_tier = 1", "witness_tier = 9")),
    Case(
        "manifest-unknown-include-category",
        "manifest",
        _sub(MANIFEST, 'src = ["src/*.py"]', 'src = ["src/*.py"]\nbinaries = ["bin/*"]'),
    ),
    Case(
        "manifest-bad-dependency-requirement",
        "manifest",
        _sub(MANIFEST, 'esf-base = "^1.2"', 'esf-base = "one point two"'),
    ),
    Case(
        "manifest-unknown-target", "manifest", _sub(MANIFEST, 'targets = ["cpu"]', 'targets = ["cpu", "gpu"]')
    ),
    # -- ESF schemas --------------------------------------------------------------------------
    Case("schema-unknown-field-type", "schema", _sub(SCHEMA, "type: u32", "type: u33")),
    Case("schema-invalid-yaml", "schema", _sub(SCHEMA, "    fields:\n", "    fields: [\n")),
    Case(
        "schema-unknown-top-level-key",
        "schema",
        _sub(SCHEMA, "namespace: estream.meter", "namespace: estream.meter\nowner: me"),
    ),
    Case(
        "schema-missing-fields",
        "schema",
        _sub(SCHEMA, '    description: "A reading"\n', '    description: "A reading"\n    fieldz: {}\n'),
    ),
    Case("schema-bad-version", "schema", _sub(SCHEMA, 'version: "1.0"', 'version: "one"')),
    Case("schema-bad-map-key", "schema", _sub(SCHEMA, "type: u32", "type: map(f64, u32)")),
    Case(
        "schema-duplicate-across-files",
        "schema",
        _add(
            demo__schemas__again_DOT_esf_DOT_yaml='version: "1.0"\nnamespace: estream.again\nschemas:\n  MeterReading:\n    description: "again"\n    fields:\n      id:\n        type: bytes32\n'
        ),
    ),
    # -- resolution across packages -------------------------------------------------------
    Case(
        "resolution-provides-nothing",
        "resolution",
        _sub(MANIFEST, 'provides = ["MeterReading"]', 'provides = ["MeterReading", "Ghost"]'),
    ),
    Case(
        "resolution-provides-an-enum",
        "resolution",
        _both(
            _sub(MANIFEST, 'provides = ["MeterReading"]', 'provides = ["MeterReading", "Unit"]'),
            _sub(SCHEMA, "schemas:\n", "enums:\n  Unit:\n    values: [Wh, kWh]\nschemas:\n"),
        ),
    ),
    Case(
        "resolution-requires-unknown",
        "resolution",
        _sub(MANIFEST, 'requires = ["BaseEvent"]', 'requires = ["BaseEvent", "Nope"]'),
    ),
    Case(
        "resolution-dependency-missing",
        "resolution",
        _sub(MANIFEST, 'esf-base = "^1.2"', 'esf-base = "^1.2"\nesf-gone = "^1"'),
    ),
    Case(
        "resolution-dependency-version", "resolution", _sub(MANIFEST, 'esf-base = "^1.2"', 'esf-base = "^2"')
    ),
    Case(
        "resolution-undeclared-requirement",
        "resolution",
        _sub(MANIFEST, 'requires = ["BaseEvent"]', "requires = []"),
    ),
    Case("resolution-unknown-type-reference", "resolution", _sub(SCHEMA, "type: Level", "type: Levle")),
    Case(
        "resolution-dependency-cycle",
        "resolution",
        _sub(
            "esf-base/estream-component.toml",
            "[component.include]",
            '[component.dependencies]\ndemo-meter = "^0.3"\n\n[component.include]',
        ),
    ),
    # -- circuits ---------------------------------------------------------------------------
    Case("circuit-invalid-yaml", "circuit", _sub(CIRCUIT, "inputs:\n", "inputs: [\n")),
    Case("circuit-version-mismatch", "circuit", _sub(CIRCUIT, 'version: "0.3.0"', 'version: "0.4.0"')),
    Case("circuit-unknown-port-type", "circuit", _sub(CIRCUIT, "type: MeterReading", "type: MeterReadin")),
    Case(
        "circuit-flow-unknown-node",
        "circuit",
        _sub(CIRCUIT, "reading -> summer -> total", "reading -> nowhere -> total"),
    ),
    Case(
        "circuit-hardware-target-not-declared",
        "circuit",
        _sub(CIRCUIT, "hardware_target: [cpu]", "hardware_target: [cpu, wasm]"),
    ),
    Case("circuit-witness-tier-too-high", "circuit", _sub(CIRCUIT, "  witness_tier: 1", "  witness_tier: 3")),
    Case("circuit-missing-flows", "circuit", _sub(CIRCUIT, "flows:\n  - reading -> summer -> total\n", "")),
    Case(
        "circuit-governance-category",
        "circuit",
        _sub(
            CIRCUIT,
            "  hardware_target: [cpu]\n",
            "  hardware_target: [cpu]\n  governance:\n    category: Whatever\n",
        ),
    ),
    Case(
        "circuit-duplicate-name",
        "circuit",
        lambda base: {"demo/circuits/copy.circuit.yaml": base[CIRCUIT]},
    ),
    Case(
        "circuit-rtl-files-missing",
        "circuit",
        _both(
            _sub(CIRCUIT, 'implementation:\n  cpu: "meter:run"\n', RTL_CIRCUIT_TAIL),
            _sub(MANIFEST, 'targets = ["cpu"]', 'targets = ["cpu", "fpga"]'),
            _sub(
                MANIFEST,
                "witness_tier = 1\n",
                'witness_tier = 1\n\n[component.circuit.fpga]\ndevice_families = ["ice40-up5k"]\n',
            ),
        ),
    ),
    # -- layout -------------------------------------------------------------------------------
    Case("layout-no-license", "layout", _set("demo/LICENSE", None)),
    Case(
        "layout-include-glob-matches-nothing",
        "layout",
        _sub(MANIFEST, 'src = ["src/*.py"]', 'src = ["src/*.py"]\ntests = ["tests/golden/*.json"]'),
    ),
    Case(
        "layout-entry-missing",
        "layout",
        _sub(MANIFEST, 'entry = "circuits/meter.circuit.yaml"', 'entry = "circuits/gone.circuit.yaml"'),
    ),
    Case(
        "layout-listed-circuit-missing",
        "layout",
        _sub(
            MANIFEST,
            "witness_tier = 1\n",
            'witness_tier = 1\ncircuits = ["circuits/meter.circuit.yaml", "circuits/other.circuit.yaml"]\n',
        ),
    ),
    Case(
        "layout-schema-outside-include",
        "layout",
        _sub(MANIFEST, 'schemas = ["schemas/*.esf.yaml"]', 'schemas = ["esf/*.esf.yaml"]'),
    ),
]

__all__ = ["BASE", "CASES", "Case"]
