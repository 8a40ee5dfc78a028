"""Parse and validate ESCIR circuit files (`*.circuit.yaml`, SmartCircuit package format §4).

`parse_circuit(content, path)` returns a `Circuit` or raises `EstreamError` listing every problem,
each with its line and dotted key. Checks that need the rest of the package are separate:
`port_type_diagnostics` (port types resolve to builtins, local types or ESF schemas/enums) and
`manifest_diagnostics` (version, targets, witness tier, category and governance agree with
`estream-component.toml`).

File layout::

    escir_version: "0.8.0"          # required, MAJOR.MINOR.PATCH
    name: fix_parser                # required, snake_case
    version: "1.0.0"                # required, SemVer; must equal the manifest's version
    description: "..."              # optional
    types:                          # optional local record types
      - name: FixRawMessage         # UpperCamelCase, unique, not shadowing an ESF name
        fields:                     # non-empty; field types are ESF type expressions
          - { name: tag_value_pairs, type: bytes }
          - { name: note, type: string, optional: true }
    inputs:  [{ name: raw_fix, type: FixRawMessage, description: "..." }]   # >= 1
    outputs: [{ name: parsed_esf, type: EsfMessage }, ...]                   # >= 1
    annotations:                    # optional
      witness_tier: 2               # 0..4, at most the manifest's
      hardware_target: [cpu, fpga]  # subset of the manifest's `targets`
      streamsight_emit: true
      marketplace: { category: wire-adapter, publisher: estream }   # category = manifest's
      governance: { category: Generic, required_approvals: 0, auto_approve: true }  # = manifest's
    implementation:                 # optional; how to execute the circuit
      cpu: "fix_parser:parse"       # Python `module.path:function` under the package's src/
      rtl:                          # optional: the hardware, simulated against the same vectors
        top: queue_append_top       # the design's top module (what `fpga_bitstream` builds)
        sources: [rtl/a.v, rtl/b.v] # the design's files, package-relative (.v/.sv/.vh/.svh)
        testbench: [rtl/tb.v]       # simulation-only files
        testbench_top: vectors_tb   # the simulation's top module
        codec: queue_append_rtl     # module under src/ with encode(inputs), decode(inputs, responses)
    compute:                        # node ids unique, distinct from port names
      - { id: tag_splitter, type: transform, description: "..." }
    flows:                          # "a -> b -> c" chains over ports and nodes
      - raw_fix -> tag_splitter -> parsed_esf
      - tag_splitter.error -> parse_error     # `<node>.error` is a node's error port
    invariants: ["..."]             # optional strings

Flow rules: an input port only starts edges, an output port only ends them, `<node>.error` only
starts them; the graph is acyclic; every input reaches at least one output and every output is
reached from some input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from estream.core.errors import Diagnostic, DiagnosticCollector
from estream.core.esf import EsfDocument
from estream.core.esf_types import (
    INTEGER_RANGES,
    ArrayType,
    FieldType,
    MapType,
    NamedType,
    ObjectType,
    PrimitiveType,
    StringType,
    TypeParser,
    TypeSyntaxError,
)
from estream.core.graph import find_cycle, reachable
from estream.core.semver import SemverError, Version
from estream.core.suggestions import closest_match
from estream.core.yaml_loader import YamlList, YamlMap, describe_value, load_yaml

CIRCUIT_SUFFIX = ".circuit.yaml"
TOP_LEVEL_KEYS = (
    "escir_version",
    "name",
    "version",
    "description",
    "types",
    "inputs",
    "outputs",
    "annotations",
    "implementation",
    "compute",
    "flows",
    "invariants",
)
IMPLEMENTATION_KEYS = ("cpu", "rtl")
RTL_KEYS = ("top", "sources", "testbench", "testbench_top", "codec")
RTL_SUFFIXES = (".v", ".sv", ".vh", ".svh")
_ANNOTATION_KEYS = ("witness_tier", "hardware_target", "streamsight_emit", "marketplace", "governance")
_PORT_KEYS = ("name", "type", "description")
_TYPE_KEYS = ("name", "fields", "description")
_TYPE_FIELD_KEYS = ("name", "type", "optional", "description")
_NODE_KEYS = ("id", "type", "description")
_GOVERNANCE_KEYS = ("category", "required_approvals", "auto_approve")

_SNAKE_RE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*\Z")
_UPPER_CAMEL_RE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_ESCIR_VERSION_RE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)\Z")
_VERILOG_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
_MODULE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_ENTRY_RE = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z"
)
_FLOW_TOKEN_RE = re.compile(r"[a-z][a-z0-9_]*(\.error)?\Z")


@dataclass(frozen=True)
class Port:
    name: str
    type: FieldType
    line: int
    description: Optional[str] = None


@dataclass(frozen=True)
class LocalField:
    name: str
    type: FieldType
    optional: bool
    line: int


@dataclass(frozen=True)
class LocalType:
    name: str
    fields: Tuple[LocalField, ...]
    line: int


@dataclass(frozen=True)
class CircuitGovernance:
    category: str
    required_approvals: Optional[int]
    auto_approve: Optional[bool]
    line: int


@dataclass(frozen=True)
class RtlImplementation:
    """`implementation.rtl`: the circuit in hardware, and how its vectors drive a simulation.

    The testbench reads a stimulus file and writes a response file, line by line
    (`estream/core/fpga/rtl_sim.py` documents the protocol); `codec` is a module of the package's
    `src/` whose `encode(inputs)` turns a vector's input ports into stimulus operations and whose
    `decode(inputs, responses)` turns the testbench's responses into output ports.
    """

    top: str
    sources: Tuple[str, ...]
    testbench: Tuple[str, ...]
    testbench_top: str
    codec: str

    @property
    def files(self) -> Tuple[str, ...]:
        return self.sources + self.testbench


@dataclass(frozen=True)
class Circuit:
    """A validated ESCIR circuit file."""

    path: str
    escir_version: str
    name: str
    version: Version
    description: Optional[str]
    types: Tuple[LocalType, ...]
    inputs: Tuple[Port, ...]
    outputs: Tuple[Port, ...]
    nodes: Tuple[str, ...]
    edges: Tuple[Tuple[str, str], ...]
    witness_tier: Optional[int] = None
    hardware_target: Optional[Tuple[str, ...]] = None
    marketplace_category: Optional[str] = None
    governance: Optional[CircuitGovernance] = None
    cpu_entry: Optional[str] = None
    rtl: Optional[RtlImplementation] = None
    invariants: Tuple[str, ...] = ()
    lines: Tuple[Tuple[str, int], ...] = ()  # dotted key -> line, for later diagnostics

    def line_of(self, key: str) -> Optional[int]:
        return dict(self.lines).get(key)

    @property
    def local_type_names(self) -> FrozenSet[str]:
        return frozenset(t.name for t in self.types)

    def port(self, name: str) -> Optional[Port]:
        for port in self.inputs + self.outputs:
            if port.name == name:
                return port
        return None


def parse_circuit(content: bytes, path: str) -> Circuit:
    """Parse and validate one circuit file; raise `EstreamError` listing every problem."""
    data = load_yaml(content, path)
    validator = _Validator(path)
    circuit = validator.circuit(data)
    validator.diag.raise_if_any()
    assert circuit is not None
    return circuit


def flow_token_problem(
    token: str, first: bool, last: bool, inputs: Set[str], outputs: Set[str], node_set: Set[str]
) -> Optional[str]:
    """What is wrong with TOKEN at its place in a flow chain (FIRST/LAST of it), or None."""
    if not _FLOW_TOKEN_RE.match(token):
        return f"`{token}` is not a port, a node id or `<node>.error`"
    if token.endswith(".error"):
        node = token[: -len(".error")]
        if node not in node_set:
            return f"`{token}` names the error port of `{node}`, which is not a compute node"
        if not first:
            return f"`{token}` is an error port: it can only start an edge"
        return None
    if token in inputs:
        return None if first else f"input port `{token}` can only start a chain"
    if token in outputs:
        return None if last else f"output port `{token}` can only end a chain"
    if token not in node_set:
        guess = closest_match(token, sorted(inputs | outputs | node_set))
        return f"`{token}` is neither a port nor a compute node" + (
            f" (did you mean `{guess}`?)" if guess else ""
        )
    return None


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path
        self.diag = DiagnosticCollector(path)
        self.lines: Dict[str, int] = {}

    def error(
        self, message: str, line: Optional[int], key: Optional[str], help: Optional[str] = None
    ) -> None:
        self.diag.error(message, line=line, key=key, help=help)

    def keys(
        self, mapping: YamlMap, allowed: Sequence[str], prefix: str, reserved: Sequence[str] = ()
    ) -> None:
        for key in mapping:
            if key not in allowed and key not in reserved:
                guess = closest_match(key, allowed)
                self.error(
                    f"unknown key `{key}`",
                    mapping.key_line(key),
                    f"{prefix}{key}",
                    help=f"did you mean `{guess}`?" if guess else f"expected one of: {', '.join(allowed)}",
                )

    def string(
        self, mapping: YamlMap, key: str, prefix: str, what: str, required: bool = True
    ) -> Optional[str]:
        if key not in mapping:
            if required:
                self.error(f"missing required key `{key}` ({what})", mapping.line, f"{prefix}{key}")
            return None
        value = mapping[key]
        if not isinstance(value, str) or not value:
            self.error(
                f"expected {what}, found {describe_value(value)}", mapping.value_line(key), f"{prefix}{key}"
            )
            return None
        return value

    def mapping(self, value: Any, line: int, key: str, what: str) -> Optional[YamlMap]:
        if not isinstance(value, YamlMap):
            self.error(f"expected {what}, found {describe_value(value)}", line, key)
            return None
        return value

    def list_of_maps(self, data: YamlMap, key: str, what: str, required: bool) -> List[Tuple[YamlMap, str]]:
        if key not in data:
            if required:
                self.error(f"missing required key `{key}` (a list of {what})", data.line, key)
            return []
        value = data[key]
        if not isinstance(value, YamlList):
            self.error(f"expected a list of {what}, found {describe_value(value)}", data.value_line(key), key)
            return []
        if required and not value:
            self.error(f"expected at least one entry in `{key}`", data.value_line(key), key)
        out = []
        for i, item in enumerate(value):
            item_key = f"{key}[{i}]"
            if self.mapping(item, value.item_line(i), item_key, f"a mapping ({what})") is not None:
                out.append((item, item_key))
        return out

    def circuit(self, data: YamlMap) -> Optional[Circuit]:
        # Long because: one check per top-level key in document order, then the Circuit built from them all.
        self.keys(data, TOP_LEVEL_KEYS, "")
        escir = self.string(data, "escir_version", "", 'a quoted version like "0.8.0"')
        if escir is not None and not _ESCIR_VERSION_RE.match(escir):
            self.error(
                f'expected a version like "0.8.0", found {describe_value(escir)}',
                data.value_line("escir_version"),
                "escir_version",
            )
        name = self.string(data, "name", "", "a snake_case circuit name")
        if name is not None and not _SNAKE_RE.match(name):
            self.error(
                f"circuit name {describe_value(name)} is not snake_case",
                data.value_line("name"),
                "name",
                help="use lowercase letters, digits and single underscores, starting with a letter",
            )
        version: Optional[Version] = None
        version_text = self.string(data, "version", "", 'a quoted SemVer version like "1.0.0"')
        if version_text is not None:
            try:
                version = Version.parse(version_text)
            except SemverError as e:
                self.error(
                    f"invalid version {describe_value(version_text)}: {e}",
                    data.value_line("version"),
                    "version",
                )
        self.lines["version"] = data.value_line("version")
        description = data.get("description") if isinstance(data.get("description"), str) else None
        if "description" in data and description is None:
            self.error(
                f"expected a string, found {describe_value(data['description'])}",
                data.value_line("description"),
                "description",
            )

        types = self.local_types(data)
        local_names = frozenset(t.name for t in types)
        inputs = self.ports(data, "inputs", local_names)
        outputs = self.ports(data, "outputs", local_names)
        seen_ports: Dict[str, str] = {}
        for kind, ports in (("inputs", inputs), ("outputs", outputs)):
            for port in ports:
                if port.name in seen_ports:
                    self.error(
                        f"port `{port.name}` is declared twice (also in `{seen_ports[port.name]}`)",
                        port.line,
                        f"{kind}.{port.name}",
                    )
                seen_ports.setdefault(port.name, kind)
        nodes = self.compute(data, set(seen_ports))
        edges = self.flows(data, {p.name for p in inputs}, {p.name for p in outputs}, nodes)
        annotations = self.annotations(data)
        cpu, rtl = self.implementation(data)
        invariants: Tuple[str, ...] = ()
        if "invariants" in data:
            raw = data["invariants"]
            if not isinstance(raw, YamlList) or not all(isinstance(i, str) for i in raw):
                self.error(
                    f"expected a list of strings, found {describe_value(raw)}",
                    data.value_line("invariants"),
                    "invariants",
                )
            else:
                invariants = tuple(raw)
        if self.diag or escir is None or name is None or version is None:
            return None
        return Circuit(
            path=self.path,
            escir_version=escir,
            name=name,
            version=version,
            description=description,
            types=tuple(types),
            inputs=tuple(inputs),
            outputs=tuple(outputs),
            nodes=tuple(nodes),
            edges=tuple(edges),
            cpu_entry=cpu,
            rtl=rtl,
            invariants=invariants,
            lines=tuple(sorted(self.lines.items())),
            **annotations,
        )

    def parse_type(self, text: Any, line: int, key: str, local_names: FrozenSet[str]) -> Optional[FieldType]:
        if not isinstance(text, str) or not text.strip():
            self.error(
                f"expected a type such as `u64`, `string(32)` or a type name, found {describe_value(text)}",
                line,
                key,
            )
            return None
        try:
            # Names are resolved later against local types and ESF documents: parse with none known.
            return TypeParser(text, frozenset(), frozenset()).parse()
        except TypeSyntaxError as e:
            self.error(e.message, line, key, help=e.help)
            return None

    def local_types(self, data: YamlMap) -> List[LocalType]:
        out: List[LocalType] = []
        entries = self.list_of_maps(data, "types", "type definitions", required=False)
        names = set()
        for item, _ in entries:
            if isinstance(item.get("name"), str):
                names.add(item["name"])
        for item, item_key in entries:
            self.keys(item, _TYPE_KEYS, f"{item_key}.")
            name = self.string(item, "name", f"{item_key}.", "an UpperCamelCase type name")
            if name is None:
                continue
            key = f"types.{name}"
            if not _UPPER_CAMEL_RE.match(name):
                self.error(
                    f"type name {describe_value(name)} is not UpperCamelCase", item.value_line("name"), key
                )
            if any(t.name == name for t in out):
                self.error(f"type `{name}` is defined twice", item.key_line("name"), key)
                continue
            fields: List[LocalField] = []
            for field, field_key in self.list_of_maps(item, "fields", "fields", required=True):
                self.keys(field, _TYPE_FIELD_KEYS, f"{key}.{field_key}.")
                fname = self.string(field, "name", f"{key}.{field_key}.", "a snake_case field name")
                if fname is None:
                    continue
                fkey = f"{key}.fields.{fname}"
                if not _SNAKE_RE.match(fname):
                    self.error(
                        f"field name {describe_value(fname)} is not snake_case",
                        field.value_line("name"),
                        fkey,
                    )
                if any(f.name == fname for f in fields):
                    self.error(f"field `{fname}` is declared twice", field.key_line("name"), fkey)
                optional = field.get("optional", False)
                if not isinstance(optional, bool):
                    self.error(
                        f"expected true or false, found {describe_value(optional)}",
                        field.value_line("optional"),
                        f"{fkey}.optional",
                    )
                    optional = False
                if "type" not in field:
                    self.error("missing required key `type`", field.line, f"{fkey}.type")
                    continue
                ftype = self.parse_type(
                    field["type"], field.value_line("type"), f"{fkey}.type", frozenset(names)
                )
                if ftype is not None:
                    fields.append(LocalField(fname, ftype, optional, field.value_line("type")))
            out.append(LocalType(name, tuple(fields), item.key_line("name")))
        return out

    def ports(self, data: YamlMap, kind: str, local_names: FrozenSet[str]) -> List[Port]:
        out: List[Port] = []
        for item, item_key in self.list_of_maps(data, kind, f"{kind[:-1]} ports", required=True):
            self.keys(item, _PORT_KEYS, f"{item_key}.")
            name = self.string(item, "name", f"{item_key}.", "a snake_case port name")
            if name is None:
                continue
            key = f"{kind}.{name}"
            if not _SNAKE_RE.match(name):
                self.error(
                    f"port name {describe_value(name)} is not snake_case", item.value_line("name"), key
                )
                continue
            if "type" not in item:
                self.error("missing required key `type`", item.line, f"{key}.type")
                continue
            ptype = self.parse_type(item["type"], item.value_line("type"), f"{key}.type", local_names)
            description = item.get("description") if isinstance(item.get("description"), str) else None
            if ptype is not None:
                out.append(Port(name, ptype, item.value_line("type"), description))
                self.lines[key] = item.value_line("type")
        return out

    def compute(self, data: YamlMap, port_names: Set[str]) -> List[str]:
        nodes: List[str] = []
        for item, item_key in self.list_of_maps(data, "compute", "compute nodes", required=False):
            self.keys(item, _NODE_KEYS, f"{item_key}.")
            node_id = self.string(item, "id", f"{item_key}.", "a snake_case node id")
            self.string(item, "type", f"{item_key}.", "a node type such as `transform`")
            if node_id is None:
                continue
            key = f"compute.{node_id}"
            if not _SNAKE_RE.match(node_id):
                self.error(f"node id {describe_value(node_id)} is not snake_case", item.value_line("id"), key)
            elif node_id in nodes:
                self.error(
                    f"node id `{node_id}` is used twice",
                    item.value_line("id"),
                    key,
                    help="compute node ids must be unique",
                )
            elif node_id in port_names:
                self.error(
                    f"node id `{node_id}` is also a port name",
                    item.value_line("id"),
                    key,
                    help="rename the node or the port",
                )
            else:
                nodes.append(node_id)
        return nodes

    def flows(
        self, data: YamlMap, inputs: Set[str], outputs: Set[str], nodes: List[str]
    ) -> List[Tuple[str, str]]:
        node_set = set(nodes)
        edges: List[Tuple[str, str]] = []
        if "flows" not in data:
            self.error("missing required key `flows` (a list of `a -> b -> c` chains)", data.line, "flows")
            return edges
        raw = data["flows"]
        if not isinstance(raw, YamlList) or not raw:
            self.error(
                f"expected a non-empty list of flow chains like `input -> node -> output`, found {describe_value(raw)}",
                data.value_line("flows"),
                "flows",
            )
            return edges
        ok = True
        for i, chain in enumerate(raw):
            line = raw.item_line(i)
            key = f"flows[{i}]"
            if not isinstance(chain, str):
                self.error(
                    f"expected a flow chain like `input -> node -> output`, found {describe_value(chain)}",
                    line,
                    key,
                )
                ok = False
                continue
            tokens = [t.strip() for t in chain.split("->")]
            if len(tokens) < 2 or any(not t for t in tokens):
                self.error(
                    f"expected a flow chain like `input -> node -> output`, found {describe_value(chain)}",
                    line,
                    key,
                )
                ok = False
                continue
            for position, token in enumerate(tokens):
                first, last = position == 0, position == len(tokens) - 1
                problem = flow_token_problem(token, first, last, inputs, outputs, node_set)
                if problem:
                    self.error(
                        problem,
                        line,
                        key,
                        help=f"ports: {', '.join(sorted(inputs | outputs))}; nodes: {', '.join(nodes) or 'none'}",
                    )
                    ok = False
            edges.extend(zip(tokens, tokens[1:]))
        if not ok:
            return edges
        self.check_flow_graph(data, inputs, outputs, nodes, edges)
        return edges

    def check_flow_graph(
        self,
        data: YamlMap,
        inputs: Set[str],
        outputs: Set[str],
        nodes: List[str],
        edges: List[Tuple[str, str]],
    ) -> None:
        """The graph of well-formed flow EDGES: acyclic, every input reaches an output, every output is reached."""
        graph: Dict[str, List[str]] = {}
        for a, b in edges:
            graph.setdefault(a, []).append(b)
        for node in nodes:
            if f"{node}.error" in {a for a, _ in edges}:
                graph.setdefault(node, []).append(f"{node}.error")
        cycle = find_cycle(graph)
        if cycle:
            self.error(
                f"the flow graph has a cycle: {' -> '.join(cycle)}",
                data.value_line("flows"),
                "flows",
                help="circuits are acyclic dataflow graphs",
            )
            return
        for port in sorted(inputs):
            if not (reachable(graph, port) & outputs):
                self.error(
                    f"input `{port}` does not reach any output",
                    data.value_line("flows"),
                    "flows",
                    help="connect it through the compute nodes to an output port",
                )
        reached: Set[str] = set()
        for port in inputs:
            reached |= reachable(graph, port)
        for port in sorted(outputs - reached):
            self.error(f"output `{port}` is not reached from any input", data.value_line("flows"), "flows")

    def annotations(self, data: YamlMap) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if "annotations" not in data:
            return out
        ann = self.mapping(data["annotations"], data.value_line("annotations"), "annotations", "a mapping")
        if ann is None:
            return out
        self.keys(ann, _ANNOTATION_KEYS, "annotations.")
        if "witness_tier" in ann:
            tier = ann["witness_tier"]
            if isinstance(tier, bool) or not isinstance(tier, int) or not 0 <= tier <= 4:
                self.error(
                    f"expected an integer from 0 to 4, found {describe_value(tier)}",
                    ann.value_line("witness_tier"),
                    "annotations.witness_tier",
                )
            else:
                out["witness_tier"] = tier
                self.lines["annotations.witness_tier"] = ann.value_line("witness_tier")
        if "hardware_target" in ann:
            targets = ann["hardware_target"]
            if (
                not isinstance(targets, YamlList)
                or not targets
                or not all(isinstance(t, str) for t in targets)
            ):
                self.error(
                    f"expected a non-empty list of targets like [cpu, fpga], found {describe_value(targets)}",
                    ann.value_line("hardware_target"),
                    "annotations.hardware_target",
                )
            else:
                out["hardware_target"] = tuple(targets)
                self.lines["annotations.hardware_target"] = ann.value_line("hardware_target")
        if "streamsight_emit" in ann and not isinstance(ann["streamsight_emit"], bool):
            self.error(
                f"expected true or false, found {describe_value(ann['streamsight_emit'])}",
                ann.value_line("streamsight_emit"),
                "annotations.streamsight_emit",
            )
        if "marketplace" in ann:
            market = self.mapping(
                ann["marketplace"], ann.value_line("marketplace"), "annotations.marketplace", "a mapping"
            )
            if market is not None and "category" in market:
                category = self.string(market, "category", "annotations.marketplace.", "a package category")
                if category is not None:
                    out["marketplace_category"] = category
                    self.lines["annotations.marketplace.category"] = market.value_line("category")
        if "governance" in ann:
            gov = self.mapping(
                ann["governance"], ann.value_line("governance"), "annotations.governance", "a mapping"
            )
            if gov is not None:
                self.keys(gov, _GOVERNANCE_KEYS, "annotations.governance.")
                category = self.string(gov, "category", "annotations.governance.", "a governance category")
                approvals = gov.get("required_approvals")
                if approvals is not None and (
                    isinstance(approvals, bool) or not isinstance(approvals, int) or approvals < 0
                ):
                    self.error(
                        f"expected a non-negative integer, found {describe_value(approvals)}",
                        gov.value_line("required_approvals"),
                        "annotations.governance.required_approvals",
                    )
                    approvals = None
                auto = gov.get("auto_approve")
                if auto is not None and not isinstance(auto, bool):
                    self.error(
                        f"expected true or false, found {describe_value(auto)}",
                        gov.value_line("auto_approve"),
                        "annotations.governance.auto_approve",
                    )
                    auto = None
                if category is not None:
                    out["governance"] = CircuitGovernance(category, approvals, auto, gov.line)
        return out

    def implementation(self, data: YamlMap) -> Tuple[Optional[str], Optional[RtlImplementation]]:
        if "implementation" not in data:
            return None, None
        impl = self.mapping(
            data["implementation"],
            data.value_line("implementation"),
            "implementation",
            'a mapping like `{cpu: "module:function"}`',
        )
        if impl is None:
            return None, None
        self.keys(impl, IMPLEMENTATION_KEYS, "implementation.")
        cpu = None
        if "cpu" in impl:
            cpu = self.string(impl, "cpu", "implementation.", 'a Python entry point like "fix_parser:parse"')
            if cpu is not None and not _ENTRY_RE.match(cpu):
                self.error(
                    f'expected a Python entry point like "package.module:function", found {describe_value(cpu)}',
                    impl.value_line("cpu"),
                    "implementation.cpu",
                    help="the module is imported from the package's src/ directory",
                )
                cpu = None
            self.lines["implementation.cpu"] = impl.value_line("cpu")
        rtl = self.rtl(impl["rtl"], impl.value_line("rtl")) if "rtl" in impl else None
        return cpu, rtl

    def rtl(self, value: Any, line: int) -> Optional[RtlImplementation]:
        prefix = "implementation.rtl."
        rtl = self.mapping(
            value,
            line,
            "implementation.rtl",
            "a mapping with top, sources, testbench, testbench_top and codec",
        )
        if rtl is None:
            return None
        self.keys(rtl, RTL_KEYS, prefix)
        self.lines["implementation.rtl"] = line
        found: Dict[str, Any] = {}
        for key in ("top", "testbench_top"):
            name = self.string(rtl, key, prefix, "a Verilog module name")
            if name is not None and not _VERILOG_NAME_RE.match(name):
                self.error(
                    f"expected a Verilog module name, found {describe_value(name)}",
                    rtl.value_line(key),
                    prefix + key,
                )
                name = None
            found[key] = name
        codec = self.string(rtl, "codec", prefix, 'a Python module of src/ like "queue_append_rtl"')
        if codec is not None and not _MODULE_RE.match(codec):
            self.error(
                f'expected a Python module name like "queue_append_rtl", found {describe_value(codec)}',
                rtl.value_line("codec"),
                prefix + "codec",
                help="the module is imported from the package's src/ directory and must define encode() and decode()",
            )
            codec = None
        found["codec"] = codec
        seen: Dict[str, str] = {}
        for key in ("sources", "testbench"):
            found[key] = self.rtl_files(rtl, key, prefix, seen)
        if any(v is None for v in found.values()):
            return None
        return RtlImplementation(**found)

    def rtl_files(
        self, rtl: YamlMap, key: str, prefix: str, seen: Dict[str, str]
    ) -> Optional[Tuple[str, ...]]:
        what = f"a non-empty list of package-relative Verilog files ({', '.join(RTL_SUFFIXES)})"
        if key not in rtl:
            self.error(f"missing required key `{key}` ({what})", rtl.line, prefix + key)
            return None
        value = rtl[key]
        if not isinstance(value, YamlList) or not value:
            self.error(f"expected {what}, found {describe_value(value)}", rtl.value_line(key), prefix + key)
            return None
        files: List[str] = []
        ok = True
        for i, item in enumerate(value):
            item_key = f"{prefix}{key}[{i}]"
            if not isinstance(item, str) or not item.endswith(RTL_SUFFIXES):
                self.error(
                    f"expected a Verilog file name ({', '.join(RTL_SUFFIXES)}), found {describe_value(item)}",
                    value.item_line(i),
                    item_key,
                )
                ok = False
            elif (
                item.startswith("/")
                or "\\" in item
                or any(part in ("", ".", "..") for part in item.split("/"))
            ):
                self.error(
                    f"expected a path relative to the package directory, found {describe_value(item)}",
                    value.item_line(i),
                    item_key,
                    help="write paths like `rtl/queue_append.v`, without `..`, `.` or a leading `/`",
                )
                ok = False
            elif item in seen:
                self.error(f"`{item}` is listed twice (also in `{seen[item]}`)", value.item_line(i), item_key)
                ok = False
            else:
                seen[item] = prefix + key
                files.append(item)
        return tuple(files) if ok else None


# --- types across the package ---------------------------------------------------------------


@dataclass(frozen=True)
class TypeEnvironment:
    """Named types visible to a circuit: ESF schemas and enums by name (first definition wins)."""

    schemas: Mapping[str, Any]
    enums: Mapping[str, Any]

    @property
    def names(self) -> FrozenSet[str]:
        return frozenset(self.schemas) | frozenset(self.enums)


def esf_type_environment(documents: Iterable[EsfDocument]) -> TypeEnvironment:
    """THE lookup of ESF names for circuit ports: the package's own schema documents followed by
    those of its dependencies. Cross-package resolution (which documents a dependency provides)
    happens before this call; swap this function to change how names are found."""
    schemas: Dict[str, Any] = {}
    enums: Dict[str, Any] = {}
    for doc in documents:
        for name, schema in doc.schemas.items():
            schemas.setdefault(name, schema)
        for name, enum in doc.enums.items():
            enums.setdefault(name, enum)
    return TypeEnvironment(schemas, enums)


def _walk_names(ftype: FieldType) -> Tuple[str, ...]:
    return ftype.referenced_names()


def port_type_diagnostics(circuit: Circuit, env: TypeEnvironment) -> List[Diagnostic]:
    """Every named type used by the circuit's local types and ports must resolve."""
    local = circuit.local_type_names
    known = sorted(local | env.names)
    out: List[Diagnostic] = []
    for t in circuit.types:
        if t.name in env.names:
            out.append(
                Diagnostic(
                    circuit.path,
                    f"local type `{t.name}` shadows an ESF schema or enum of the same name",
                    line=t.line,
                    key=f"types.{t.name}",
                    help="rename the local type",
                )
            )

    def check(ftype: FieldType, line: int, key: str) -> None:
        for name in _walk_names(ftype):
            if name not in local and name not in env.names:
                guess = closest_match(name, known)
                out.append(
                    Diagnostic(
                        circuit.path,
                        f"unknown type `{name}`",
                        line=line,
                        key=key,
                        help=f"did you mean `{guess}`?"
                        if guess
                        else "define it under `types`, in the package's schemas, or in a dependency's schemas",
                    )
                )

    for t in circuit.types:
        for f in t.fields:
            check(f.type, f.line, f"types.{t.name}.fields.{f.name}.type")
    for kind, ports in (("inputs", circuit.inputs), ("outputs", circuit.outputs)):
        for p in ports:
            check(p.type, p.line, f"{kind}.{p.name}.type")
    return out


def compile_types(
    circuits: Iterable[Circuit], env: TypeEnvironment
) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """JSON type specs for `circuit_runner`: (named type table, {circuit: {inputs, outputs}}).

    Local types are namespaced by circuit (`circuit_name::Type`) so two circuits may define the
    same name differently; ESF names are global."""
    table: Dict[str, Any] = {}

    def field_spec(ftype: FieldType, scope: str, local: FrozenSet[str]) -> Dict[str, Any]:
        if isinstance(ftype, StringType):
            return {"t": "string", "max": ftype.max_length}
        if isinstance(ftype, PrimitiveType):
            if ftype.name in INTEGER_RANGES:
                lo, hi = INTEGER_RANGES[ftype.name]
                return {"t": "int", "name": ftype.name, "min": lo, "max": hi}
            return {"t": ftype.name}
        if isinstance(ftype, ArrayType):
            return {"t": "array", "of": field_spec(ftype.element, scope, local)}
        if isinstance(ftype, MapType):
            return {
                "t": "map",
                "key": field_spec(ftype.key, scope, local),
                "value": field_spec(ftype.value, scope, local),
            }
        if isinstance(ftype, ObjectType):
            return {
                "t": "record",
                "name": "object",
                "fields": {
                    n: {"type": field_spec(f.type, scope, local), "optional": f.optional}
                    for n, f in ftype.fields.items()
                },
            }
        if isinstance(ftype, NamedType):
            name = ftype.name
            if name in local:
                return {"t": "ref", "name": f"{scope}::{name}"}
            add_esf(name)
            return {"t": "ref", "name": name}
        raise ValueError(f"unsupported type {ftype!r}")

    def add_esf(name: str) -> None:
        if name in table:
            return
        if name in env.enums:
            table[name] = {"t": "enum", "name": name, "values": list(env.enums[name].values)}
            return
        schema = env.schemas[name]
        table[name] = {"t": "record", "name": name, "fields": {}}  # placeholder breaks recursion
        table[name]["fields"] = {
            n: {"type": field_spec(f.type, "", frozenset()), "optional": f.optional}
            for n, f in schema.fields.items()
        }

    ports: Dict[str, Dict[str, Any]] = {}
    for circuit in circuits:
        local = circuit.local_type_names
        for t in circuit.types:
            table[f"{circuit.name}::{t.name}"] = {
                "t": "record",
                "name": t.name,
                "fields": {
                    f.name: {"type": field_spec(f.type, circuit.name, local), "optional": f.optional}
                    for f in t.fields
                },
            }
        ports[circuit.name] = {
            "inputs": {p.name: field_spec(p.type, circuit.name, local) for p in circuit.inputs},
            "outputs": {p.name: field_spec(p.type, circuit.name, local) for p in circuit.outputs},
        }
    return table, ports


# --- consistency with the manifest ----------------------------------------------------------


def manifest_diagnostics(circuit: Circuit, manifest: Any) -> List[Diagnostic]:
    """Checks of one circuit against its package's `Manifest` (estream.core.manifest)."""
    # Long because: a flat list of independent checks, one per circuit field the manifest constrains.
    out: List[Diagnostic] = []
    path = circuit.path

    def err(message: str, key: str, help: Optional[str] = None) -> None:
        out.append(Diagnostic(path, message, line=circuit.line_of(key), key=key, help=help))

    if circuit.version != manifest.version:
        err(
            f"circuit version {circuit.version} does not match the package version {manifest.version} in {manifest.path}",
            "version",
            help="circuits are versioned with their package: make the two equal",
        )
    spec = manifest.circuit
    if spec is None:
        out.append(
            Diagnostic(
                path,
                f"the package manifest {manifest.path} has no `[component.circuit]` table",
                help="declare entry, circuits, targets and witness_tier there (SmartCircuit package format §3.1)",
            )
        )
        return out
    if circuit.hardware_target is not None:
        extra = [t for t in circuit.hardware_target if t not in spec.targets]
        if extra:
            err(
                f"hardware_target {', '.join(extra)} not in the manifest's targets ({', '.join(spec.targets)})",
                "annotations.hardware_target",
                help=f"add them to `component.circuit.targets` in {manifest.path} or remove them here",
            )
    if circuit.rtl is not None and "fpga" not in spec.targets:
        err(
            f"the circuit has an `implementation.rtl`, but the package's targets ({', '.join(spec.targets)}) do not include fpga",
            "implementation.rtl",
            help=f'add "fpga" to `component.circuit.targets` in {manifest.path} (with a `[component.circuit.fpga]` table)',
        )
    if circuit.witness_tier is not None and circuit.witness_tier > spec.witness_tier:
        err(
            f"witness_tier {circuit.witness_tier} is higher than the package's witness_tier {spec.witness_tier}",
            "annotations.witness_tier",
            help=f"the package declares the highest tier any of its circuits needs: raise `component.circuit.witness_tier` in {manifest.path}",
        )
    if circuit.marketplace_category is not None and circuit.marketplace_category != manifest.category:
        err(
            f"marketplace category `{circuit.marketplace_category}` differs from the package category `{manifest.category}`",
            "annotations.marketplace.category",
        )
    gov = circuit.governance
    if gov is not None:
        from estream.core.manifest import AUTO_APPROVE_CATEGORIES, GOVERNANCE_MIN_APPROVALS

        key = "annotations.governance"
        if gov.category not in GOVERNANCE_MIN_APPROVALS:
            out.append(
                Diagnostic(
                    path,
                    f"unknown governance category `{gov.category}`",
                    line=gov.line,
                    key=f"{key}.category",
                    help=f"expected one of {', '.join(GOVERNANCE_MIN_APPROVALS)}",
                )
            )
        else:
            minimum = GOVERNANCE_MIN_APPROVALS[gov.category]
            if gov.required_approvals is not None and gov.required_approvals < minimum:
                out.append(
                    Diagnostic(
                        path,
                        f"required_approvals {gov.required_approvals} is below the minimum {minimum} for `{gov.category}` (SmartCircuit package format §9.1)",
                        line=gov.line,
                        key=f"{key}.required_approvals",
                    )
                )
            if gov.auto_approve and gov.category not in AUTO_APPROVE_CATEGORIES:
                out.append(
                    Diagnostic(
                        path,
                        f"auto_approve is only allowed for the `Generic` category, not `{gov.category}` (§9.1)",
                        line=gov.line,
                        key=f"{key}.auto_approve",
                    )
                )
        mgov = spec.governance
        if mgov is None:
            out.append(
                Diagnostic(
                    path,
                    f"the circuit declares governance but {manifest.path} has no `[component.circuit.governance]`",
                    line=gov.line,
                    key=key,
                )
            )
        elif gov.category != mgov.category:
            out.append(
                Diagnostic(
                    path,
                    f"governance category `{gov.category}` differs from the manifest's `{mgov.category}`",
                    line=gov.line,
                    key=f"{key}.category",
                )
            )
    return out


def package_circuit_file_diagnostics(manifest: Any, circuit_paths: Iterable[str]) -> List[Diagnostic]:
    """The manifest's `entry`, `circuits` and wire-adapter `ingress`/`egress` must name circuit files
    that exist (relative paths)."""
    spec = manifest.circuit
    wire = getattr(manifest, "wire_adapter", None)
    named: List[Tuple[str, Sequence[str]]] = []
    if spec is not None:
        named += [("component.circuit.entry", (spec.entry,)), ("component.circuit.circuits", spec.circuits)]
    if wire is not None:
        named += [
            ("component.wire_adapter.ingress", (wire.ingress,)),
            ("component.wire_adapter.egress", (wire.egress,)),
        ]
    present = set(circuit_paths)
    out: List[Diagnostic] = []
    for key, names in named:
        for name in names:
            if name not in present:
                out.append(
                    Diagnostic(
                        manifest.path,
                        f"`{name}` does not exist"
                        + (f" (circuit files here: {', '.join(sorted(present))})" if present else ""),
                        key=key,
                        help="create the circuit file or fix the path (relative to the manifest's directory)",
                    )
                )
    return out
