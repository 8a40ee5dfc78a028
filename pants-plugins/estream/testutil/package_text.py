"""Text of the files a test package is made of: `estream-component.toml`, `*.esf.yaml`, `*.circuit.yaml`.

Tests that need a package write it from these builders instead of an inline copy of a manifest,
a schema or a circuit, so a test states only what it is about (a dependency, a provided schema,
a field type) and the rest is a known-valid default.

Decisions:
- Each builder returns text (`str`), laid out as a person would write the file: tests can
  `.replace()` one part to break it, and diagnostics' line numbers stay readable.
- Optional tables and keys are written only when given (no empty `[component.schemas]`), so the
  smallest call gives the smallest valid file.
- `extra` appends raw text for what a builder does not cover (a `[component.author]` table, an
  annotation): a builder never grows a parameter for every key of the format.
- The defaults parse with the real parsers (`estream.core.manifest.parse_manifest`,
  `estream.core.esf.parse_esf`, `estream.core.circuit.parse_circuit`); `package_text_test.py`
  checks it, so a format change that breaks the builders fails there first.
"""

from __future__ import annotations

import json
import re
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

TomlValue = Union[str, int, bool, Sequence[str]]

_PLAIN_YAML = re.compile(r"^[A-Za-z_][A-Za-z0-9_(), .]*$")


def _toml(value: TomlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(json.dumps(v) for v in value) + "]"


def _table(header: str, items: Mapping[str, TomlValue]) -> str:
    return "\n".join([f"[{header}]", *(f"{k} = {_toml(v)}" for k, v in items.items())]) + "\n"


def manifest_toml(
    name: str = "esf-demo",
    version: str = "1.0.0",
    *,
    category: str = "esf-schema",
    description: Optional[str] = None,
    license: str = "Apache-2.0",
    keywords: Sequence[str] = (),
    provides: Optional[Sequence[str]] = None,
    requires: Optional[Sequence[str]] = None,
    include: Optional[Mapping[str, Sequence[str]]] = None,
    circuit: Optional[Mapping[str, TomlValue]] = None,
    dependencies: Optional[Mapping[str, str]] = None,
    extra: str = "",
) -> str:
    """An `estream-component.toml`.

    `provides`/`requires` make `[component.schemas]` (each written when given, `[]` included);
    `include` maps a category (`schemas`, `src` ...) to its globs; `circuit` is the
    `[component.circuit]` table (`entry`, `targets`, `witness_tier` ...); `dependencies` maps a
    package name to its version requirement. The default is a valid `esf-schema` package only
    once it provides a schema (`provides=["DemoEvent"]`), as the format requires.
    """
    component = {
        "name": name,
        "version": version,
        "category": category,
        "description": description if description is not None else f"The {name} package",
        "license": license,
    }
    parts = [
        _table("component", component).rstrip("\n")
        + (f"\nkeywords = {_toml(keywords)}\n" if keywords else "\n")
    ]
    schemas: Dict[str, TomlValue] = {}
    if provides is not None:
        schemas["provides"] = provides
    if requires is not None:
        schemas["requires"] = requires
    if schemas:
        parts.append(_table("component.schemas", schemas))
    if include:
        parts.append(_table("component.include", dict(include)))
    if circuit:
        parts.append(_table("component.circuit", dict(circuit)))
    if dependencies:
        parts.append(_table("component.dependencies", dict(dependencies)))
    if extra:
        parts.append(extra if extra.endswith("\n") else extra + "\n")
    return "\n".join(parts)


def _yaml_scalar(value: str, flow: bool = False) -> str:
    """`value` plain where YAML reads it back as that string, else quoted (a `,` ends a plain
    scalar inside `{ ... }`)."""
    plain = _PLAIN_YAML.match(value) and not (flow and "," in value)
    return value if plain else json.dumps(value)


def esf_schema_yaml(
    schemas: Optional[Mapping[str, Mapping[str, str]]] = None,
    *,
    namespace: str = "estream.demo",
    enums: Optional[Mapping[str, Sequence[str]]] = None,
    attributes: Optional[Mapping[str, Mapping[str, str]]] = None,
    version: str = "1.0",
) -> str:
    """A `*.esf.yaml` file.

    `schemas` maps a schema name to its fields (field name -> type, e.g. `"u64"`, `"Level"`,
    `"array(Point)"`); default: one schema `DemoEvent` with an `event_id: bytes32`. `enums` maps an
    enum name to its values; `attributes` gives a schema's keys written before its fields
    (`description`, quoted; the others, e.g. `lattice` and `path`, written as given).
    """
    if schemas is None:
        schemas = {"DemoEvent": {"event_id": "bytes32"}}
    lines = [f'version: "{version}"', f"namespace: {namespace}"]
    if schemas:
        lines.append("schemas:")
    for schema, fields in schemas.items():
        lines.append(f"  {schema}:")
        for key, value in ((attributes or {}).get(schema) or {}).items():
            lines.append(f"    {key}: {json.dumps(value) if key == 'description' else value}")
        lines.append("    fields:")
        for field, type_ in fields.items():
            lines += [f"      {field}:", f"        type: {_yaml_scalar(type_)}"]
    if enums:
        lines.append("enums:")
        for enum, values in enums.items():
            lines += [f"  {enum}:", f"    values: [{', '.join(values)}]"]
    return "\n".join(lines) + "\n"


Port = Tuple[str, str]  # (name, type)


def circuit_yaml(
    name: str = "demo_meter",
    version: str = "1.0.0",
    *,
    types: Optional[Mapping[str, Sequence[Port]]] = None,
    inputs: Sequence[Port] = (("reading", "Reading"),),
    outputs: Sequence[Port] = (("total", "Reading"),),
    witness_tier: Optional[int] = 1,
    hardware_target: Sequence[str] = ("cpu",),
    implementation: Optional[Mapping[str, str]] = None,
    compute: Sequence[Port] = (("summer", "transform"),),
    flows: Optional[Sequence[str]] = None,
    extra: str = "",
) -> str:
    """A `*.circuit.yaml` file (a circuit's `version` is its package's).

    `types` maps a local type name to its fields (default: `Reading` with a `value: u32`);
    `inputs`/`outputs` are (name, type) ports; `compute` is (id, type) nodes; `flows` default to
    every input through the first node to every output. `implementation` defaults to
    `{"cpu": "<name>:run"}`. `extra` is appended (more top-level keys).
    """
    if types is None:
        types = {"Reading": (("value", "u32"),)}
    if implementation is None:
        implementation = {"cpu": f"{name}:run"}
    if flows is None:
        node = compute[0][0]
        flows = [f"{i} -> {node} -> {o}" for i, _ in inputs[:1] for o, _ in outputs] + [
            f"{i} -> {node}" for i, _ in inputs[1:]
        ]
    lines = ['escir_version: "0.8.0"', f"name: {name}", f'version: "{version}"']
    if types:
        lines.append("types:")
        for type_name, fields in types.items():
            lines += [f"  - name: {type_name}", "    fields:"]
            lines += [f"      - {{ name: {f}, type: {_yaml_scalar(t, flow=True)} }}" for f, t in fields]
    lines.append("inputs:")
    lines += [f"  - {{ name: {n}, type: {_yaml_scalar(t, flow=True)} }}" for n, t in inputs]
    lines.append("outputs:")
    lines += [f"  - {{ name: {n}, type: {_yaml_scalar(t, flow=True)} }}" for n, t in outputs]
    lines.append("annotations:")
    if witness_tier is not None:
        lines.append(f"  witness_tier: {witness_tier}")
    lines.append(f"  hardware_target: [{', '.join(hardware_target)}]")
    lines.append("implementation:")
    lines += [f"  {k}: {json.dumps(v)}" for k, v in implementation.items()]
    lines.append("compute:")
    lines += [f"  - {{ id: {i}, type: {t} }}" for i, t in compute]
    lines.append("flows:")
    lines += [f"  - {f}" for f in flows]
    text = "\n".join(lines) + "\n"
    return text + (extra if not extra or extra.endswith("\n") else extra + "\n")
