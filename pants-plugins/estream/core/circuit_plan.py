"""Turn a package's golden vectors and journeys into a test plan for `circuit_runner`.

Used by the Pants `test` goal (one plan per `smart_circuit` target) and by
`estream marketplace test` (one plan per package). All validation happens here, in-process, so
that a malformed vector or journey is reported as an `EstreamError` naming the file and key; the
sandboxed runner only executes.

Golden vectors (SmartCircuit package format §5.1/§5.2): `tests/golden/manifest.toml`::

    [test_suite]
    name = "fix-parser-golden"      # required
    circuit = "fix-parser"          # optional default circuit (name or file stem); else the entry
    version = "1.0.0"               # optional; must equal the package version
    float_tolerance = 1e-9          # optional, default 1e-9 (see below)

    [[tests]]
    file = "new-order-basic.json"   # required, relative to tests/golden/
    tags = ["basic"]                # optional
    expected = "pass"               # "pass" or "error"
    expected_error = "parse_error"  # required with expected = "error": an output port
    float_tolerance = 1e-6          # optional per-test override

A vector file has `test_vector` (`name`, optional `circuit`, `version`, `description`), `input`
(port -> value), `expected_output` (port -> value; required for "pass", optional for "error")
and optional `metadata.tags`. Numbers compare exactly unless one side is a float; floats match
when `|a - b| <= float_tolerance * max(1, |a|, |b|)`.

Journeys (§5.4, `tests/journeys/*.toml`) run their steps in order, with a state-chaining
extension for stateful circuits::

    [journey]
    name = "queue_lifecycle"        # required
    tags = ["Integration"]          # optional

    [[steps]]
    name = "append_first"           # required, unique in the journey
    action = "ExecuteCircuit"       # optional; the only action
    circuit = "queue_append"        # optional; default: the package's entry circuit
    input_file = "../golden/x.json" # either a vector file (its input and expected_output) ...
    input = { stream = { entries = [], head_hash = "00..." } }   # ... or an inline table
    expected = "pass"               # "pass" (default) or "error"
    expected_error = "parse_error"  # with "error"; defaults to the golden manifest's for input_file
    expected_output = { ... }       # optional inline table (overrides the vector file's)
    expected_output_file = "out.json"  # or a JSON file holding the expected outputs

    [steps.bind]                    # fill inputs from earlier steps' outputs
    "stream" = "append_first.appended"                     # a whole port
    "request.expected_version" = "put_a.result.version"    # a field path (list indexes: `.0`)

    [steps.expect_equal]            # outputs that must equal earlier steps' outputs
    "report.head_hash" = "append_third.appended.head_hash"

Bindings are applied after the inline input, so they override it. In a journey an inline
`expected_output` (or `expected_output_file`) checks only the ports and object keys it names
(arrays still compare whole); a vector's
`expected_output` taken through `input_file` must match all ports. A step's outputs are only
bound from steps that passed (a failed step stops the journey).

Wire adapters (`[component.wire_adapter]`, see `estream.core.wire_adapter`): every passing
vector of the ingress circuit also yields a round trip, a case of kind `roundtrip` with the
vector's name and the extra tag `roundtrip`: ingress(wire) must give the vector's
`expected_output`, then egress(message) must give the vector's `input.wire` back, unless the
vector has a top-level `"canonical_wire": {...}` (the canonical `wire` value); then egress must
give that, and ingress(canonical_wire) must give the same `message` again. `canonical_wire` on
any other vector is an error. Round trips run after the vectors and journeys, with the ingress
circuit's target.

Which tests a `smart_circuit` target runs: the vectors whose circuit is that target's circuit,
and, for the package's entry circuit, every journey.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from estream.core.circuit import Circuit, TypeEnvironment, compile_types
from estream.core.errors import Diagnostic, DiagnosticCollector, EstreamError
from estream.core.json_loader import load_json
from estream.core.toml_loader import load_toml

GOLDEN_DIR = "tests/golden"
GOLDEN_MANIFEST = "tests/golden/manifest.toml"
JOURNEY_DIR = "tests/journeys"
DEFAULT_FLOAT_TOLERANCE = 1e-9
MAX_TEST_FILE_BYTES = 16 * 1024 * 1024

_SUITE_KEYS = ("name", "circuit", "version", "float_tolerance", "description")
_TEST_KEYS = ("file", "tags", "expected", "expected_error", "float_tolerance", "description")
_VECTOR_KEYS = ("test_vector", "input", "expected_output", "metadata", "canonical_wire")
_JOURNEY_KEYS = ("name", "category", "tags", "description", "float_tolerance")
_STEP_KEYS = (
    "name",
    "action",
    "circuit",
    "input_file",
    "input",
    "expected",
    "expected_error",
    "expected_output",
    "expected_output_file",
    "bind",
    "expect_equal",
    "description",
)
_BIND_TARGET_RE = re.compile(r"[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)*\Z")
_BIND_SOURCE_RE = re.compile(r"[A-Za-z0-9_-]+\.[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)*\Z")


@dataclass(frozen=True)
class PlanResult:
    plan: Dict[str, Any]
    case_count: int

    def to_json(self) -> bytes:
        """The plan file the runner reads (stable bytes: part of the run's cache key)."""
        return json.dumps(self.plan, sort_keys=True, indent=1).encode()


def _toml(content: bytes, path: str) -> Dict[str, Any]:
    if len(content) > MAX_TEST_FILE_BYTES:
        raise EstreamError.single(path, f"file is {len(content)} bytes; the limit is {MAX_TEST_FILE_BYTES}")
    return load_toml(content, path, what="the file", max_bytes=MAX_TEST_FILE_BYTES)


def _json(content: bytes, path: str) -> Any:
    return load_json(content, path, max_bytes=MAX_TEST_FILE_BYTES)


def _unknown_keys(
    diag: DiagnosticCollector, table: Mapping[str, Any], allowed: Sequence[str], prefix: str
) -> None:
    for key in table:
        if key not in allowed:
            diag.error(
                f"unknown key `{key}`", key=f"{prefix}{key}", help=f"expected one of: {', '.join(allowed)}"
            )


def _tolerance(diag: DiagnosticCollector, value: Any, key: str) -> Optional[float]:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        diag.error(f"expected a non-negative number like 1e-9, found {value!r}", key=key)
        return None
    return float(value)


def _tags(diag: DiagnosticCollector, value: Any, key: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        diag.error(f"expected a list of tag strings, found {value!r}", key=key)
        return ()
    return tuple(value)


class CircuitIndex:
    """Circuits of a package, found by name (`fix_parser`) or file stem (`fix-parser`)."""

    def __init__(self, circuits: Mapping[str, Circuit], entry_path: str) -> None:
        self.by_path = dict(circuits)
        self.lookup: Dict[str, Circuit] = {}
        for path, circuit in circuits.items():
            stem = posixpath.basename(path)[: -len(".circuit.yaml")]
            self.lookup.setdefault(circuit.name, circuit)
            self.lookup.setdefault(stem, circuit)
        self.entry = circuits[entry_path]

    def find(self, name: str) -> Optional[Circuit]:
        return self.lookup.get(name) or self.lookup.get(name.replace("-", "_"))

    def names(self) -> List[str]:
        return sorted(self.lookup)


def _circuit_ref(diag: DiagnosticCollector, index: CircuitIndex, value: Any, key: str) -> Optional[Circuit]:
    if not isinstance(value, str):
        diag.error(f"expected a circuit name, found {value!r}", key=key)
        return None
    found = index.find(value)
    if found is None:
        diag.error(
            f"no circuit named `{value}` in this package", key=key, help=f"known: {', '.join(index.names())}"
        )
    return found


def _check_ports(diag: DiagnosticCollector, circuit: Circuit, values: Any, kind: str, key: str) -> bool:
    if not isinstance(values, dict):
        diag.error(f"expected an object of {kind} port -> value, found {type(values).__name__}", key=key)
        return False
    ports = {p.name for p in (circuit.inputs if kind == "input" else circuit.outputs)}
    ok = True
    for port in values:
        if port not in ports:
            diag.error(
                f"`{port}` is not an {kind} port of circuit `{circuit.name}`",
                key=f"{key}.{port}",
                help=f"{kind} ports: {', '.join(sorted(ports))}",
            )
            ok = False
    return ok


def _error_port(diag: DiagnosticCollector, circuit: Circuit, value: Any, key: str) -> Optional[str]:
    outputs = [p.name for p in circuit.outputs]
    if not isinstance(value, str) or value not in outputs:
        diag.error(
            f"expected an output port of circuit `{circuit.name}` ({', '.join(outputs)}), found {value!r}",
            key=key,
        )
        return None
    return value


@dataclass
class _Vector:
    name: str
    circuit: Circuit
    input: Dict[str, Any]
    expected_output: Optional[Dict[str, Any]]
    tags: Tuple[str, ...]
    canonical_wire: Optional[Dict[str, Any]] = None


def _load_vector(
    files: Mapping[str, bytes], path: str, index: CircuitIndex, default: Circuit, version: str
) -> _Vector:
    diag = DiagnosticCollector(path)
    if path not in files:
        raise EstreamError.single(path, "test vector file does not exist")
    data = _json(files[path], path)
    if not isinstance(data, dict):
        raise EstreamError.single(
            path, "expected a JSON object with `test_vector`, `input` and `expected_output`"
        )
    _unknown_keys(diag, data, _VECTOR_KEYS, "")
    meta = data.get("test_vector", {})
    if not isinstance(meta, dict):
        diag.error("expected an object", key="test_vector")
        meta = {}
    name = meta.get("name", posixpath.basename(path)[: -len(".json")])
    if not isinstance(name, str) or not name:
        diag.error(f"expected a non-empty string, found {name!r}", key="test_vector.name")
    circuit = default
    if "circuit" in meta:
        circuit = _circuit_ref(diag, index, meta["circuit"], "test_vector.circuit") or default
    if "version" in meta and meta["version"] != version:
        diag.error(
            f"vector version {meta['version']!r} does not match the package version {version}",
            key="test_vector.version",
            help="regenerate or update the vector for this version",
        )
    inputs = data.get("input")
    if inputs is None:
        diag.error("missing required key `input`", key="input")
    else:
        _check_ports(diag, circuit, inputs, "input", "input")
    expected_output = data.get("expected_output")
    if expected_output is not None:
        _check_ports(diag, circuit, expected_output, "output", "expected_output")
    tags: Tuple[str, ...] = ()
    metadata = data.get("metadata", {})
    if isinstance(metadata, dict) and "tags" in metadata:
        tags = _tags(diag, metadata["tags"], "metadata.tags")
    canonical_wire = data.get("canonical_wire")
    if canonical_wire is not None and not isinstance(canonical_wire, dict):
        diag.error(
            f'expected the canonical `wire` value as an object like {{"hex": "..."}}, found {type(canonical_wire).__name__}',
            key="canonical_wire",
        )
    diag.raise_if_any()
    assert inputs is not None  # a missing `input` was reported above
    return _Vector(name, circuit, inputs, expected_output, tags, canonical_wire)


def build_plan(
    *,
    manifest: Any,
    circuits: Mapping[str, Circuit],
    env: TypeEnvironment,
    files: Mapping[str, bytes],
    tags: Sequence[str] = (),
    only_circuit: Optional[str] = None,
    src_dir: str = "src",
    implementation: str = "cpu",
    rtl_dir: str = "",
) -> PlanResult:
    """A JSON-serialisable plan for `circuit_runner`.

    `circuits` maps package-relative circuit paths to parsed circuits; `files` maps
    package-relative paths to contents (at least everything under tests/). `tags` selects
    tests having any of them (all when empty); `only_circuit` (a circuit name) restricts the plan
    to that circuit's vectors (plus journeys when it is the entry circuit).

    `implementation` is what the vectors run against: `"cpu"` (each circuit's
    `implementation.cpu`; a circuit with vectors must have one) or `"rtl"` (each circuit's
    `implementation.rtl`, simulated; only the tests whose every step has RTL are planned, and
    the RTL files are found under `rtl_dir`, package-relative paths appended).
    """
    if implementation not in ("cpu", "rtl"):
        raise ValueError(f"unknown implementation {implementation!r}")
    if manifest.circuit is None:
        raise EstreamError.single(
            manifest.path, "the package has no `[component.circuit]` table; there is nothing to test"
        )
    builder = _PlanBuilder(manifest, circuits, files, tags, only_circuit)
    if GOLDEN_MANIFEST in files:
        builder.golden_vectors()
    if only_circuit is None or only_circuit == builder.index.entry.name:
        builder.journeys()
    if builder.errors:
        raise EstreamError(builder.errors)
    cases = builder.cases
    cases.sort(key=lambda c: c["kind"] == "roundtrip")  # vectors and journeys first, as before
    _check_unique_vector_names(cases)
    if implementation == "rtl":
        cases = [c for c in cases if all(builder.index.find(step["circuit"]).rtl is not None for step in c["steps"])]  # type: ignore[union-attr]
    used = {step["circuit"] for case in cases for step in case["steps"]}
    if implementation == "cpu":
        _check_cpu_implementations(cases, builder.index)
    by_name = {c.name: c for c in circuits.values()}
    table, ports = compile_types([by_name[n] for n in sorted(used)], env)
    suite_name = builder.suite_name
    plan = {
        "suite": (suite_name if only_circuit is None else f"{suite_name} [{only_circuit}]")
        + (" on RTL" if implementation == "rtl" else ""),
        "package": manifest.name,
        "version": builder.version,
        "src_dir": src_dir,
        "float_tolerance": builder.suite_tol,
        "types": table,
        "circuits": {
            n: {**_implementation(by_name[n], implementation, rtl_dir), **ports[n]} for n in sorted(used)
        },
        "cases": cases,
    }
    return PlanResult(plan, len(cases))


def _check_unique_vector_names(cases: Sequence[Mapping[str, Any]]) -> None:
    names = [c["name"] for c in cases if c["kind"] == "vector"]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise EstreamError.single(
            GOLDEN_MANIFEST,
            f"test vector names are not unique: {', '.join(dupes)}",
            help="give each vector its own `test_vector.name`",
        )


def _check_cpu_implementations(cases: Sequence[Mapping[str, Any]], index: CircuitIndex) -> None:
    """Every circuit a planned step runs has an `implementation.cpu`."""
    for case in cases:
        for step in case["steps"]:
            circuit = index.find(step["circuit"])
            assert circuit is not None
            if circuit.cpu_entry is None:
                raise EstreamError.single(
                    circuit.path,
                    f"circuit `{circuit.name}` has test vectors but no CPU reference implementation",
                    key="implementation.cpu",
                    help='add `implementation: { cpu: "module:function" }` naming a function in the package\'s src/',
                )


class _PlanBuilder:
    """Collects the cases of a plan: golden vectors (with their wire-adapter round trips), then
    journeys. Problems go to `errors`: a vector file's own first, then the golden manifest's."""

    def __init__(
        self,
        manifest: Any,
        circuits: Mapping[str, Circuit],
        files: Mapping[str, bytes],
        tags: Sequence[str],
        only_circuit: Optional[str],
    ) -> None:
        self.index = CircuitIndex(circuits, manifest.circuit.entry)
        self.files = files
        self.only_circuit = only_circuit
        wire = manifest.wire_adapter
        self.ingress = circuits.get(wire.ingress) if wire is not None else None
        self.egress = circuits.get(wire.egress) if wire is not None else None
        self.version = str(manifest.version)
        self.selected = set(tags)
        self.cases: List[Dict[str, Any]] = []
        self.suite_name = f"{manifest.name}"
        self.suite_tol = DEFAULT_FLOAT_TOLERANCE
        self.golden_errors: Dict[str, str] = {}  # vector path -> its expected error port
        self.errors: List[Diagnostic] = []

    # -- golden vectors

    def golden_vectors(self) -> None:
        path = GOLDEN_MANIFEST
        diag = DiagnosticCollector(path)
        data = _toml(self.files[path], path)
        _unknown_keys(diag, data, ("test_suite", "tests"), "")
        default_circuit = self.suite_header(diag, data.get("test_suite"))
        tests = data.get("tests", [])
        if not isinstance(tests, list):
            diag.error("expected `[[tests]]` entries", key="tests")
            tests = []
        seen_files: Set[str] = set()
        for i, entry in enumerate(tests):
            self.golden_entry(diag, f"tests[{i}]", entry, default_circuit, seen_files)
        self.errors.extend(diag.diagnostics)

    def suite_header(self, diag: DiagnosticCollector, suite: Any) -> Circuit:
        """Read `[test_suite]`; return the default circuit of its vectors."""
        default_circuit = self.index.entry
        if not isinstance(suite, dict):
            diag.error("missing required table `[test_suite]`", key="test_suite")
            return default_circuit
        _unknown_keys(diag, suite, _SUITE_KEYS, "test_suite.")
        if not isinstance(suite.get("name"), str) or not suite.get("name"):
            diag.error("missing required key `name` (the suite's name)", key="test_suite.name")
        else:
            self.suite_name = suite["name"]
        if "circuit" in suite:
            default_circuit = (
                _circuit_ref(diag, self.index, suite["circuit"], "test_suite.circuit") or default_circuit
            )
        if "version" in suite and suite["version"] != self.version:
            diag.error(
                f"suite version {suite['version']!r} does not match the package version {self.version}",
                key="test_suite.version",
            )
        if "float_tolerance" in suite:
            self.suite_tol = (
                _tolerance(diag, suite["float_tolerance"], "test_suite.float_tolerance") or self.suite_tol
            )
        return default_circuit

    def golden_entry(
        self, diag: DiagnosticCollector, key: str, entry: Any, default_circuit: Circuit, seen_files: Set[str]
    ) -> None:
        """One `[[tests]]` entry: its vector case, and its round trip for a wire adapter."""
        if not isinstance(entry, dict):
            diag.error("expected a table", key=key)
            return
        _unknown_keys(diag, entry, _TEST_KEYS, f"{key}.")
        vpath = self.golden_file(diag, key, entry.get("file"), seen_files)
        if vpath is None:
            return
        expected = entry.get("expected", "pass")
        if expected not in ("pass", "error"):
            diag.error(f'expected "pass" or "error", found {expected!r}', key=f"{key}.expected")
            return
        try:
            vector = _load_vector(self.files, vpath, self.index, default_circuit, self.version)
        except EstreamError as e:
            self.errors.extend(e.diagnostics)
            return
        ok, expected_error = self.golden_expectation(diag, key, entry, expected, vector, vpath)
        if not ok:
            return
        tol = self.suite_tol
        if "float_tolerance" in entry:
            tol = _tolerance(diag, entry["float_tolerance"], f"{key}.float_tolerance") or tol
        all_tags = tuple(dict.fromkeys(_tags(diag, entry.get("tags", []), f"{key}.tags") + vector.tags))
        round_trip = self.ingress is not None and vector.circuit is self.ingress and expected == "pass"
        if vector.canonical_wire is not None and not round_trip:
            self.errors.append(
                Diagnostic(
                    vpath,
                    "`canonical_wire` only applies to a passing vector of the wire-adapter's ingress circuit",
                    key="canonical_wire",
                    help='remove it, or make this an ingress vector with expected = "pass"',
                )
            )
            return
        if self.only_circuit is not None and vector.circuit.name != self.only_circuit:
            return
        # (a missing egress file is reported with the package's circuits)
        selected = self.selected
        if (
            round_trip
            and self.egress is not None
            and (not selected or selected.intersection(all_tags + ("roundtrip",)))
        ):
            self.cases.append(round_trip_case(vector, self.egress, tol, list(all_tags)))
        if selected and not selected.intersection(all_tags):
            return
        self.cases.append(_vector_case(vector, expected, expected_error, tol, all_tags))

    def golden_file(
        self, diag: DiagnosticCollector, key: str, file: Any, seen_files: Set[str]
    ) -> Optional[str]:
        """The package path of an entry's `file`, listed once and present; None once reported."""
        if (
            not isinstance(file, str)
            or not file.endswith(".json")
            or file.startswith("/")
            or ".." in file.split("/")
        ):
            diag.error(
                f"expected a JSON file name relative to {GOLDEN_DIR}/, found {file!r}", key=f"{key}.file"
            )
            return None
        vpath = posixpath.normpath(posixpath.join(GOLDEN_DIR, file))
        if vpath in seen_files:
            diag.error(f"`{file}` is listed twice", key=f"{key}.file")
            return None
        seen_files.add(vpath)
        if vpath not in self.files:
            diag.error(f"`{file}` does not exist in {GOLDEN_DIR}/", key=f"{key}.file")
            return None
        return vpath

    def golden_expectation(
        self,
        diag: DiagnosticCollector,
        key: str,
        entry: Mapping[str, Any],
        expected: str,
        vector: _Vector,
        vpath: str,
    ) -> Tuple[bool, Optional[str]]:
        """(whether the entry's expectation is valid, its expected error port)."""
        if expected == "error":
            if "expected_error" not in entry:
                diag.error(
                    '`expected = "error"` needs `expected_error` naming the error output port',
                    key=f"{key}.expected_error",
                )
                return False, None
            expected_error = _error_port(
                diag, vector.circuit, entry["expected_error"], f"{key}.expected_error"
            )
            if expected_error is None:
                return False, None
            self.golden_errors[vpath] = expected_error
            return True, expected_error
        if "expected_error" in entry:
            diag.error('`expected_error` only applies to `expected = "error"`', key=f"{key}.expected_error")
            return False, None
        if vector.expected_output is None:
            self.errors.append(
                Diagnostic(
                    vpath,
                    'missing `expected_output` (required for a vector with expected = "pass")',
                    key="expected_output",
                )
            )
            return False, None
        return True, None

    # -- journeys

    def journeys(self) -> None:
        journey_paths = sorted(
            p for p in self.files if p.startswith(JOURNEY_DIR + "/") and p.endswith(".toml")
        )
        for jpath in journey_paths:
            try:
                case = _journey(
                    self.files, jpath, self.index, self.version, self.golden_errors, self.suite_tol
                )
            except EstreamError as e:
                self.errors.extend(e.diagnostics)
                continue
            if self.selected and not self.selected.intersection(case["tags"]):
                continue
            self.cases.append(case)


def _vector_case(
    vector: _Vector, expected: str, expected_error: Optional[str], tolerance: float, tags: Tuple[str, ...]
) -> Dict[str, Any]:
    return {
        "name": vector.name,
        "kind": "vector",
        "float_tolerance": tolerance,
        "tags": list(tags),
        "steps": [
            {
                "name": vector.name,
                "circuit": vector.circuit.name,
                "input": vector.input,
                "bind": {},
                "expected": expected,
                "expected_error": expected_error,
                "expected_output": vector.expected_output,
            }
        ],
    }


def round_trip_case(vector: _Vector, egress: Circuit, tolerance: float, tags: List[str]) -> Dict[str, Any]:
    """The automatic round trip of a passing ingress vector of a wire adapter (see the module doc).

    ingress(wire) must give the vector's expected output; egress of that `message` must give the
    vector's `wire` back, or its `canonical_wire`; and then ingress(canonical_wire) must give the
    same `message`."""
    wire_in = vector.input.get("wire")
    canonical = vector.canonical_wire if vector.canonical_wire is not None else wire_in
    steps: List[Dict[str, Any]] = [
        {
            "name": "ingress",
            "circuit": vector.circuit.name,
            "input": vector.input,
            "bind": {},
            "expected": "pass",
            "expected_error": None,
            "expected_output": vector.expected_output,
        },
        {
            "name": "egress",
            "circuit": egress.name,
            "input": {},
            "bind": {"message": "ingress.message"},
            "expected": "pass",
            "expected_error": None,
            "expected_output": {"wire": canonical},
        },
    ]
    if vector.canonical_wire is not None:
        steps.append(
            {
                "name": "reingress",
                "circuit": vector.circuit.name,
                "input": {"wire": canonical},
                "bind": {},
                "expected": "pass",
                "expected_error": None,
                "expected_output": None,
                "expect_equal": {"message": "ingress.message"},
            }
        )
    return {
        "name": vector.name,
        "kind": "roundtrip",
        "float_tolerance": tolerance,
        "tags": tags + ["roundtrip"],
        "steps": steps,
    }


def _implementation(circuit: Circuit, implementation: str, rtl_dir: str) -> Dict[str, Any]:
    if implementation == "cpu":
        return {"cpu": circuit.cpu_entry}
    rtl = circuit.rtl
    assert rtl is not None

    def file(path: str) -> Dict[str, Any]:
        kind = "systemVerilogSource" if path.endswith((".sv", ".svh")) else "verilogSource"
        return {
            "name": posixpath.join(rtl_dir, path),
            "file_type": kind,
            "include": path.endswith((".vh", ".svh")),
        }

    return {
        "rtl": {
            "top": rtl.top,
            "testbench_top": rtl.testbench_top,
            "files": [file(p) for p in rtl.files],
            "codec": rtl.codec,
        }
    }


def _journey(
    files: Mapping[str, bytes],
    path: str,
    index: CircuitIndex,
    version: str,
    golden_errors: Mapping[str, str],
    suite_tol: float,
) -> Dict[str, Any]:
    diag = DiagnosticCollector(path)
    data = _toml(files[path], path)
    _unknown_keys(diag, data, ("journey", "steps"), "")
    journey = data.get("journey")
    if not isinstance(journey, dict) or not isinstance(journey.get("name"), str) or not journey["name"]:
        diag.error("missing `[journey]` table with a `name`", key="journey.name")
        diag.raise_if_any()
    assert isinstance(journey, dict)
    _unknown_keys(diag, journey, _JOURNEY_KEYS, "journey.")
    tags = _tags(diag, journey.get("tags", []), "journey.tags")
    tol = suite_tol
    if "float_tolerance" in journey:
        tol = _tolerance(diag, journey["float_tolerance"], "journey.float_tolerance") or tol
    steps_raw = data.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        diag.error("a journey needs at least one `[[steps]]` entry", key="steps")
        diag.raise_if_any()
    assert isinstance(steps_raw, list)
    reader = _JourneySteps(diag, files, posixpath.dirname(path), index, version, golden_errors)
    for i, step in enumerate(steps_raw):
        reader.read(i, step)
    diag.raise_if_any()
    for step in reader.steps:
        step_circuit = index.find(step["circuit"])
        assert step_circuit is not None
        if not step["bind"] and set(step["input"]) != {p.name for p in step_circuit.inputs}:
            missing = sorted({p.name for p in step_circuit.inputs} - set(step["input"]))
            raise EstreamError.single(
                path,
                f"step `{step['name']}` gives no value for input port(s) {', '.join(missing)}",
                key=f"steps.{step['name']}.input",
            )
    return {
        "name": journey["name"],
        "kind": "journey",
        "float_tolerance": tol,
        "tags": list(tags),
        "steps": reader.steps,
    }


class _JourneySteps:
    """Reads a journey's `[[steps]]` in order. A step with a problem is reported to `diag` and
    left out, so later steps cannot bind to it; each helper returns None once it has reported."""

    def __init__(
        self,
        diag: DiagnosticCollector,
        files: Mapping[str, bytes],
        base: str,
        index: CircuitIndex,
        version: str,
        golden_errors: Mapping[str, str],
    ) -> None:
        self.diag = diag
        self.files = files
        self.base = base  # the journey file's directory: step paths are relative to it
        self.index = index
        self.version = version
        self.golden_errors = golden_errors
        self.steps: List[Dict[str, Any]] = []
        self.names: List[str] = []  # the steps read so far, which later steps may bind to

    def read(self, i: int, step: Any) -> None:
        head = self.head(i, step)
        if head is None:
            return
        name, key, circuit, expected = head
        given = self.inputs(key, step, circuit, expected)
        if given is None:
            return
        circuit, inputs, expected_output, expected_error = given
        output = self.expected_output(key, step, expected_output)
        if output is None:
            return
        expected_output = output[0]
        if expected_output is not None and not _check_ports(
            self.diag, circuit, expected_output, "output", f"{key}.expected_output"
        ):
            return
        if not _check_ports(self.diag, circuit, inputs, "input", f"{key}.input"):
            return
        if not self.check_expected_error(key, circuit, expected, expected_error):
            return
        bind = self.references(key, step, circuit, "bind", "input")
        if bind is None:
            return
        expect_equal = self.references(key, step, circuit, "expect_equal", "output")
        if expect_equal is None:
            return
        self.names.append(name)
        self.steps.append(
            {
                "name": name,
                "circuit": circuit.name,
                "input": inputs,
                "bind": bind,
                "expected": expected,
                "expected_error": expected_error,
                "expected_output": expected_output,
                # An inline/file expectation in a journey names only the ports it checks.
                "partial": "input_file" not in step
                or "expected_output" in step
                or "expected_output_file" in step,
                "expect_equal": expect_equal,
            }
        )

    def head(self, i: int, step: Any) -> Optional[Tuple[str, str, Circuit, str]]:
        """The step's name, its diagnostic key prefix, its circuit and its `expected`."""
        diag = self.diag
        key = f"steps[{i}]"
        if not isinstance(step, dict):
            diag.error("expected a table", key=key)
            return None
        _unknown_keys(diag, step, _STEP_KEYS, f"{key}.")
        name = step.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            diag.error(
                f"expected a step name of letters, digits, `_` and `-`, found {name!r}", key=f"{key}.name"
            )
            return None
        if name in self.names:
            diag.error(f"step name `{name}` is used twice", key=f"{key}.name")
            return None
        key = f"steps.{name}"
        action = step.get("action", "ExecuteCircuit")
        if action != "ExecuteCircuit":
            diag.error(
                f'unsupported action {action!r}; the only action is "ExecuteCircuit"', key=f"{key}.action"
            )
            return None
        circuit = self.index.entry
        if "circuit" in step:
            found = _circuit_ref(diag, self.index, step["circuit"], f"{key}.circuit")
            if found is None:
                return None
            circuit = found
        expected = step.get("expected", "pass")
        if expected not in ("pass", "error"):
            diag.error(f'expected "pass" or "error", found {expected!r}', key=f"{key}.expected")
            return None
        return name, key, circuit, expected

    def inputs(
        self, key: str, step: Mapping[str, Any], circuit: Circuit, expected: str
    ) -> Optional[Tuple[Circuit, Dict[str, Any], Optional[Dict[str, Any]], Any]]:
        """(circuit, inputs, expected output, expected error) from `input_file` or `input`: a
        vector file also gives its circuit (unless the step names one), its expected output and
        the golden manifest's expected error."""
        diag = self.diag
        inputs: Dict[str, Any] = {}
        expected_output: Optional[Dict[str, Any]] = None
        expected_error = step.get("expected_error")
        if "input_file" in step and "input" in step:
            diag.error("give either `input_file` or `input`, not both", key=f"{key}.input")
            return None
        if "input_file" in step:
            ref = step["input_file"]
            vpath = posixpath.normpath(posixpath.join(self.base, ref)) if isinstance(ref, str) else ""
            if not isinstance(ref, str) or vpath.startswith("..") or vpath not in self.files:
                diag.error(
                    f"`{ref}` does not exist (paths are relative to the journey file)",
                    key=f"{key}.input_file",
                )
                return None
            try:
                vector = _load_vector(self.files, vpath, self.index, circuit, self.version)
            except EstreamError as e:
                diag.extend(e.diagnostics)
                return None
            if "circuit" not in step:
                circuit = vector.circuit
            inputs = vector.input
            expected_output = vector.expected_output
            if expected == "error" and expected_error is None:
                expected_error = self.golden_errors.get(vpath)
        elif "input" in step:
            if not isinstance(step["input"], dict):
                diag.error("expected an inline table of input port -> value", key=f"{key}.input")
                return None
            inputs = step["input"]
        return circuit, inputs, expected_output, expected_error

    def expected_output(
        self, key: str, step: Mapping[str, Any], from_vector: Optional[Dict[str, Any]]
    ) -> Optional[Tuple[Optional[Dict[str, Any]]]]:
        """(the expected output,): inline, from `expected_output_file`, or the vector file's."""
        if "expected_output" in step and "expected_output_file" in step:
            self.diag.error(
                "give either `expected_output` or `expected_output_file`, not both",
                key=f"{key}.expected_output",
            )
            return None
        if "expected_output" in step:
            return (step["expected_output"],)
        if "expected_output_file" in step:
            ref = step["expected_output_file"]
            opath = posixpath.normpath(posixpath.join(self.base, ref)) if isinstance(ref, str) else ""
            if not opath or opath not in self.files:
                self.diag.error(
                    f"`{ref}` does not exist (paths are relative to the journey file)",
                    key=f"{key}.expected_output_file",
                )
                return None
            return (_json(self.files[opath], opath),)
        return (from_vector,)

    def check_expected_error(self, key: str, circuit: Circuit, expected: str, expected_error: Any) -> bool:
        if expected == "error":
            if expected_error is None:
                self.diag.error(
                    '`expected = "error"` needs `expected_error` naming the error output port',
                    key=f"{key}.expected_error",
                )
                return False
            return _error_port(self.diag, circuit, expected_error, f"{key}.expected_error") is not None
        if expected_error is not None:
            self.diag.error(
                '`expected_error` only applies to `expected = "error"`', key=f"{key}.expected_error"
            )
            return False
        return True

    def references(
        self, key: str, step: Mapping[str, Any], circuit: Circuit, table: str, kind: str
    ) -> Optional[Dict[str, Any]]:
        """`bind` (kind "input") or `expect_equal` (kind "output"): `<port>[.path]` of this
        step's circuit = `<earlier step>.<output port>[.path]`."""
        refs = step.get(table, {})
        if not isinstance(refs, dict):
            self.diag.error(f"expected a table of `{kind}.path` = `step.output.path`", key=f"{key}.{table}")
            return None
        ports = [p.name for p in (circuit.inputs if kind == "input" else circuit.outputs)]
        bad = False
        for dest, source in refs.items():
            if not _BIND_TARGET_RE.match(dest) or dest.split(".")[0] not in set(ports):
                self.diag.error(
                    f"`{dest}` must start with an {kind} port of `{circuit.name}` ({', '.join(ports)})",
                    key=f"{key}.{table}",
                )
                bad = True
            if (
                not isinstance(source, str)
                or not _BIND_SOURCE_RE.match(source)
                or source.split(".")[0] not in self.names
            ):
                self.diag.error(
                    f"`{source}` must be `<earlier step>.<output port>[.field...]`; earlier steps: {', '.join(self.names) or 'none'}",
                    key=f"{key}.{table}.{dest}",
                )
                bad = True
        return None if bad else dict(refs)
