"""The WireAdapter package kind: checks of `[component.wire_adapter]` against the package's circuits.

A `wire-adapter` package declares one protocol (`estream.core.manifest.WireAdapterSpec`) and two
circuits that translate between that protocol's wire bytes and an ESF message:

* ingress: exactly one input port `wire`, exactly the outputs `message` and `error`;
* egress: exactly one input port `message` of the same type as ingress' `message`, exactly the
  outputs `wire` and `error`.

`wire` is a record declared in the circuit's own `types:` with one required string field: `hex`
(lowercase hex of the bytes) for `encoding = "binary"`, `text` (the message text) for
`encoding = "text"`. ESF `bytes` is deliberately not used: its JSON encoding is not the contract's.
`error` is a record (local or ESF) with at least `code` (an enum or a string) and
`message: string`.

Decisions:

* These checks run wherever circuits are validated against their package (`./pants test`,
  `./pants package` through the same rule, `estream marketplace test`), so a package that breaks
  the contract is never tested green nor signed. Both paths call `wire_adapter_diagnostics`.
* Round trips (egress(ingress(wire)) == wire or the vector's `canonical_wire`) are planned by
  `estream.core.circuit_plan`, which reads `Manifest.wire_adapter` itself: one truth for what a
  test run contains.
* Each problem is a `Diagnostic` naming the circuit file, the line and the dotted key
  (`inputs.wire.type`), or the manifest and `component.wire_adapter.<key>` when a path is wrong.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from estream.core.circuit import Circuit, TypeEnvironment
from estream.core.errors import Diagnostic
from estream.core.esf_types import NamedType, StringType
from estream.core.globs import glob_matches

#: `encoding` -> the single field of the `wire` record.
WIRE_FIELDS: Mapping[str, str] = {"binary": "hex", "text": "text"}
INGRESS_INPUTS: Tuple[str, ...] = ("wire",)
INGRESS_OUTPUTS: Tuple[str, ...] = ("error", "message")
EGRESS_INPUTS: Tuple[str, ...] = ("message",)
EGRESS_OUTPUTS: Tuple[str, ...] = ("error", "wire")
ERROR_REQUIRED_FIELDS: Tuple[str, ...] = ("code", "message")


def _type_text(ftype: Any) -> str:
    if isinstance(ftype, NamedType):
        return ftype.name
    if isinstance(ftype, StringType):
        return "string" if ftype.max_length is None else f"string({ftype.max_length})"
    return getattr(ftype, "name", type(ftype).__name__)


def _record_fields(
    circuit: Circuit, ftype: Any, env: TypeEnvironment
) -> Optional[Dict[str, Tuple[Any, bool]]]:
    """Field name -> (type, optional) of a named record type (local first, then ESF); else None."""
    if not isinstance(ftype, NamedType):
        return None
    for local in circuit.types:
        if local.name == ftype.name:
            return {f.name: (f.type, f.optional) for f in local.fields}
    schema = env.schemas.get(ftype.name)
    if schema is not None:
        return {name: (f.type, f.optional) for name, f in schema.fields.items()}
    return None


def _ports(circuit: Circuit, kind: str, expected: Sequence[str], role: str) -> List[Diagnostic]:
    ports = circuit.inputs if kind == "inputs" else circuit.outputs
    names = sorted(p.name for p in ports)
    if names == sorted(expected):
        return []
    line = circuit.line_of(kind) or (ports[0].line if ports else None)
    wanted = " and ".join(f"`{n}`" for n in expected)
    found = ", ".join(f"`{n}`" for n in names) or "none"
    return [
        Diagnostic(
            circuit.path,
            f"a wire-adapter {role} circuit has exactly the {kind[:-1]} port(s) {wanted}, found {found}",
            line=line,
            key=kind,
            help="see the WireAdapter contract in pants-plugins/estream/core/wire_adapter.py",
        )
    ]


def _wire_port(circuit: Circuit, kind: str, encoding: str) -> List[Diagnostic]:
    port = circuit.port("wire")
    if port is None:
        return []  # reported by _ports
    field_name = WIRE_FIELDS[encoding]
    key = f"{kind}.wire.type"
    shape = f"{{ {field_name}: string }}"
    fields = None
    if isinstance(port.type, NamedType):
        fields = next(
            ({f.name: f for f in t.fields} for t in circuit.types if t.name == port.type.name), None
        )
    if fields is None:
        return [
            Diagnostic(
                circuit.path,
                f"port `wire` must have a record type declared under `types:` of this circuit, shaped {shape}, found `{_type_text(port.type)}`",
                line=port.line,
                key=key,
                help=f'declare e.g. `- name: WireText` with `fields: [{{ name: {field_name}, type: string }}]` (encoding = "{encoding}")',
            )
        ]
    only = fields.get(field_name)
    if set(fields) != {field_name} or only is None or only.optional or not isinstance(only.type, StringType):
        found = ", ".join(f"{n}: {_type_text(f.type)}{'?' if f.optional else ''}" for n, f in fields.items())
        return [
            Diagnostic(
                circuit.path,
                f'the `wire` record `{port.type.name}` must be exactly {shape} for encoding = "{encoding}", found {{ {found} }}',  # type: ignore[attr-defined]
                line=port.line,
                key=key,
                help="binary protocols carry lowercase hex in `wire.hex`, text protocols the message text in `wire.text`",
            )
        ]
    return []


def _error_port(circuit: Circuit, env: TypeEnvironment) -> List[Diagnostic]:
    port = circuit.port("error")
    if port is None:
        return []
    key = "outputs.error.type"
    fields = _record_fields(circuit, port.type, env)
    if fields is None:
        return [
            Diagnostic(
                circuit.path,
                f"port `error` must be a record with `code` and `message`, found `{_type_text(port.type)}`",
                line=port.line,
                key=key,
                help="e.g. an ESF schema with `code: <ErrorCodeEnum>`, `message: string` and optional `offset`/`field`",
            )
        ]
    out: List[Diagnostic] = []
    missing = [n for n in ERROR_REQUIRED_FIELDS if n not in fields]
    if missing:
        out.append(
            Diagnostic(
                circuit.path,
                f"the error record `{_type_text(port.type)}` has no {' or '.join(f'`{m}`' for m in missing)} field",
                line=port.line,
                key=key,
                help="typed errors carry `code` (an enum or string: MalformedPacket, BadChecksum, ...) and `message: string`",
            )
        )
    if "code" in fields:
        ctype = fields["code"][0]
        if not (isinstance(ctype, StringType) or (isinstance(ctype, NamedType) and ctype.name in env.enums)):
            out.append(
                Diagnostic(
                    circuit.path,
                    f"the error record's `code` must be an enum or a string, found `{_type_text(ctype)}`",
                    line=port.line,
                    key=key,
                )
            )
    if "message" in fields and not isinstance(fields["message"][0], StringType):
        out.append(
            Diagnostic(
                circuit.path,
                f"the error record's `message` must be a string, found `{_type_text(fields['message'][0])}`",
                line=port.line,
                key=key,
            )
        )
    return out


def wire_adapter_diagnostics(
    manifest: Any, circuits: Mapping[str, Circuit], env: TypeEnvironment
) -> List[Diagnostic]:
    """Every way the package's ingress/egress circuits break the contract (empty when none).

    `circuits` maps package-relative paths to parsed circuits; a manifest without
    `[component.wire_adapter]` has nothing to check."""
    spec = getattr(manifest, "wire_adapter", None)
    if spec is None:
        return []
    out: List[Diagnostic] = []
    if manifest.circuit is None:
        out.append(
            Diagnostic(
                manifest.path,
                "a wire-adapter package needs a `[component.circuit]` table (its circuits are tested and priced like any other)",
                key="component.wire_adapter",
                help=f'add `[component.circuit]` with entry = "{spec.ingress}", targets = ["cpu"] and a witness_tier',
            )
        )
    patterns = manifest.include.get("circuits", ())
    found: Dict[str, Circuit] = {}
    for role in ("ingress", "egress"):
        path = getattr(spec, role)
        if not any(glob_matches(p, path) for p in patterns):
            out.append(
                Diagnostic(
                    manifest.path,
                    f"{role} circuit `{path}` is not selected by `[component.include].circuits`"
                    + (f" ({', '.join(patterns)})" if patterns else " (there is none)"),
                    key=f"component.wire_adapter.{role}",
                    help='add it, e.g. circuits = ["circuits/*.circuit.yaml"], so the package ships it',
                )
            )
        circuit = circuits.get(path)
        if circuit is None:
            continue  # a missing file is reported by circuit.package_circuit_file_diagnostics
        found[role] = circuit
    ingress, egress = found.get("ingress"), found.get("egress")
    if ingress is not None:
        out += _ports(ingress, "inputs", INGRESS_INPUTS, "ingress")
        out += _ports(ingress, "outputs", INGRESS_OUTPUTS, "ingress")
        out += _wire_port(ingress, "inputs", spec.encoding)
        out += _error_port(ingress, env)
    if egress is not None:
        out += _ports(egress, "inputs", EGRESS_INPUTS, "egress")
        out += _ports(egress, "outputs", EGRESS_OUTPUTS, "egress")
        out += _wire_port(egress, "outputs", spec.encoding)
        out += _error_port(egress, env)
    if ingress is not None and egress is not None:
        produced, consumed = ingress.port("message"), egress.port("message")
        if produced is not None and consumed is not None and produced.type != consumed.type:
            out.append(
                Diagnostic(
                    egress.path,
                    f"input `message` is `{_type_text(consumed.type)}` but the ingress circuit {ingress.path} outputs `{_type_text(produced.type)}`",
                    line=consumed.line,
                    key="inputs.message.type",
                    help="egress takes exactly what ingress produces, so that egress(ingress(wire)) round-trips",
                )
            )
        if produced is not None and not (
            isinstance(produced.type, NamedType) and produced.type.name in env.schemas
        ):
            out.append(
                Diagnostic(
                    ingress.path,
                    f"output `message` must be an ESF schema of the package or its dependencies, found `{_type_text(produced.type)}`",
                    line=produced.line,
                    key="outputs.message.type",
                    help="declare the message in the package's schemas/*.esf.yaml so other packages can use it",
                )
            )
    return out
