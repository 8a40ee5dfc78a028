"""Execute a SmartCircuit test plan: golden vectors and journeys against CPU reference code.

This file is a self-contained program (standard library only, Python >= 3.9) so that it runs
unchanged in a Pants sandbox (packed into a PEX by the `test` goal) and from the
`estream marketplace test` CLI (as a child process). It never imports estream code; the plan it
reads was produced and validated by `estream.core.circuit_plan`.

    python circuit_runner.py PLAN.json [--json RESULTS.json]

The working directory must hold the package's `src/` tree at `plan["src_dir"]`. The program prints
one line per test in the style of the SmartCircuit package format §5.3, a readable diff for each
failure, and `N/M tests passed in T`; it exits 0 when every test passed, 1 otherwise, 2 when the
plan itself is unusable.

Plan (JSON)::

    {"suite": str, "src_dir": "src", "float_tolerance": 1e-9, "verbose": false,
     "types": {NAME: TYPE, ...},                      # named types, referenced by {"t": "ref"}
     "circuits": {NAME: {"cpu": "module.path:function",     # or "rtl": {...}, simulated
                         "inputs": {PORT: TYPE}, "outputs": {PORT: TYPE}}},
     "cases": [{"name": str, "kind": "vector" | "journey" | "roundtrip", "float_tolerance": float,
                "steps": [{"name": str, "circuit": NAME, "input": {PORT: value},
                           "bind": {"port.field.path": "step.port.field.path"},
                           "expected": "pass" | "error", "expected_error": PORT | null,
                           "expected_output": {PORT: value} | null,
                           "partial": bool,   # compare only the ports and object keys named
                           "expect_equal": {"port.field.path": "step.port.field.path"}}]}]}

Semantics of one step: the input (after applying `bind`) is checked against the input port types;
the function is called with a deep copy (for `"rtl"`, the object `estream_rtl_sim.RtlSimulation`
built once per circuit stands in for it: see estream/core/fpga/rtl_sim.py); it must return a dict of output port name -> value.
`expected = "pass"`: the result must be structurally equal to `expected_output` (every port, every key; numbers compare exactly unless
one side is a float, then `|a - b| <= float_tolerance * max(1, |a|, |b|)`).
`expected = "error"`: the result must be exactly the `expected_error` port (and, if
`expected_output` names that port, equal to it). Every produced port value is checked against its
declared type. An exception raised by the implementation is a failure (a crash), never an error
port.

For circuits run in RTL whose testbench counts cycles (rtl_sim.py's `T` lines), the output ends
with one line per circuit, `CYCLES_PREFIX` and a JSON object {operation: {cycles: instances}},
the histogram of the measured cycles per operation over every step simulated; the latency
report (estream/core/fpga/latency.py) reads it.

Values are checked against the JSON encoding of ESF types defined in `estream/core/esf_json.py`,
which travels with this file (as `estream_esf_json.py`) wherever it runs as a program.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
import time
import traceback
from typing import Any, Dict, List, Optional, Tuple

if __package__:  # imported as estream.core.circuit_runner (Pants rules, the CLI, tests)
    from estream.core import esf_json
else:  # run as a program (a sandbox, a child interpreter): shipped beside this file
    import estream_esf_json as esf_json  # type: ignore[no-redef]  # pants: no-infer-dep

MAX_DIFF_LINES = 25
_INDEX_RE = re.compile(
    r"-?(0|[1-9][0-9]*)\Z"
)  # an array index in a field path (negative counts from the end)

PlanError = esf_json.PlanError
check_value = esf_json.check_value


# --- structural comparison -------------------------------------------------------------------


def diff_values(
    expected: Any, actual: Any, tolerance: float, path: str = "$", subset: bool = False
) -> List[str]:
    """Differences between two JSON values, one readable line each (empty when equal).

    With `subset`, objects in `actual` may have keys that `expected` does not name."""
    out: List[str] = []
    _diff(expected, actual, tolerance, path, out, subset)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _diff(expected: Any, actual: Any, tol: float, path: str, out: List[str], subset: bool = False) -> None:
    if _is_number(expected) and _is_number(actual):
        if isinstance(expected, float) or isinstance(actual, float):
            scale = max(1.0, abs(expected), abs(actual))
            if not abs(expected - actual) <= tol * scale:
                out.append(f"{path}: expected {_j(expected)}, got {_j(actual)} (tolerance {tol:g})")
        elif expected != actual:
            out.append(f"{path}: expected {_j(expected)}, got {_j(actual)}")
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {_j(expected[key])})")
            else:
                _diff(expected[key], actual[key], tol, f"{path}.{key}", out, subset)
        for key in actual:
            if key not in expected and not subset:
                out.append(f"{path}.{key}: unexpected (got {_j(actual[key])})")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual)):
            _diff(e, a, tol, f"{path}[{i}]", out, subset)
        if len(expected) != len(actual):
            out.append(f"{path}: expected {len(expected)} items, got {len(actual)}")
        return
    if type(expected) is not type(actual) or expected != actual:
        out.append(f"{path}: expected {_j(expected)}, got {_j(actual)}")


def _j(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


# --- bindings ------------------------------------------------------------------------------


def _split_path(text: str) -> List[str]:
    return [p for p in text.split(".") if p != ""]


def get_path(value: Any, parts: List[str], what: str) -> Any:
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and _INDEX_RE.match(part) and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(f"{what}: no `{part}` here (found {esf_json.describe(value)})")
    return value


def set_path(target: Dict[str, Any], parts: List[str], value: Any, what: str) -> None:
    node: Any = target
    for part in parts[:-1]:
        if isinstance(node, list) and _INDEX_RE.match(part) and -len(node) <= int(part) < len(node):
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise KeyError(f"{what}: cannot descend into {esf_json.describe(node)} at `{part}`")
        node = node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list) and _INDEX_RE.match(last) and -len(node) <= int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise KeyError(f"{what}: cannot set `{last}` on {esf_json.describe(node)}")


def apply_bindings(inputs: Dict[str, Any], bind: Dict[str, str], outputs: Dict[str, Dict[str, Any]]) -> None:
    for dest, source in bind.items():
        src_parts = _split_path(source)
        if len(src_parts) < 2 or src_parts[0] not in outputs:
            raise KeyError(
                f"bind `{dest}` = `{source}`: no earlier step named `{src_parts[0] if src_parts else ''}`"
            )
        value = get_path(outputs[src_parts[0]], src_parts[1:], f"bind `{dest}` = `{source}`")
        set_path(inputs, _split_path(dest), copy.deepcopy(value), f"bind `{dest}`")


# --- execution -----------------------------------------------------------------------------


class StepOutcome:
    def __init__(self, ok: bool, note: str, details: List[str], outputs: Optional[Dict[str, Any]]):
        self.ok = ok
        self.note = note
        self.details = details
        self.outputs = outputs


def _load(entry: str, cache: Dict[str, Any]) -> Any:
    if entry not in cache:
        module_name, _, function = entry.partition(":")
        module = importlib.import_module(module_name)
        fn = module
        for part in function.split("."):
            fn = getattr(fn, part)
        if not callable(fn):
            raise TypeError(f"{entry} is not callable")
        cache[entry] = fn
    return cache[entry]


def _implementation(plan: Dict[str, Any], name: str, cache: Dict[str, Any]) -> Any:
    """The callable that runs circuit `name`: its CPU function, or its RTL in a simulator."""
    circuit = plan["circuits"][name]
    if "rtl" not in circuit:
        return _load(circuit["cpu"], cache)
    key = f"rtl:{name}"
    if key not in cache:
        # Shipped beside this file when the plan targets RTL (estream/core/fpga/rtl_sim.py).
        from estream_rtl_sim import RtlSimulation  # pants: no-infer-dep

        try:
            cache[key] = RtlSimulation(name, circuit["rtl"])
        except Exception as e:  # noqa: BLE001 - remembered: one failed compile fails every step
            cache[key] = e
    if isinstance(cache[key], Exception):
        raise cache[key]
    return cache[key]


def _input_problems(
    circuit: Dict[str, Any], circuit_name: str, inputs: Dict[str, Any], types: Dict[str, Any]
) -> List[str]:
    """What is wrong with a step's INPUTS for CIRCUIT: missing, mistyped or unknown ports."""
    problems: List[str] = []
    for port, spec in circuit["inputs"].items():
        if port not in inputs:
            problems.append(f"input `{port}` is missing")
        else:
            check_value(inputs[port], spec, types, f"input.{port}", problems)
    for port in inputs:
        if port not in circuit["inputs"]:
            problems.append(
                f"input `{port}` is not an input port of {circuit_name} (ports: {', '.join(circuit['inputs'])})"
            )
    return problems


def _expected_output_diff(
    step: Dict[str, Any], result: Dict[str, Any], tolerance: float, previous: Dict[str, Dict[str, Any]]
) -> List[str]:
    """How a passing-expected step's RESULT differs from its expected_output and expect_equal."""
    expected_output = step.get("expected_output")
    diff = []
    if expected_output is not None:
        if step.get("partial"):
            for port, value in expected_output.items():
                if port not in result:
                    diff.append(f"$.{port}: missing (expected {_j(value)})")
                else:
                    diff.extend(diff_values(value, result[port], tolerance, f"$.{port}", subset=True))
        else:
            diff = diff_values(expected_output, result, tolerance)
    for out_path, source in (step.get("expect_equal") or {}).items():
        try:
            mine = get_path(result, _split_path(out_path), f"expect_equal `{out_path}`")
            src_parts = _split_path(source)
            if not src_parts or src_parts[0] not in previous:
                raise KeyError(
                    f"expect_equal `{out_path}` = `{source}`: no earlier step named `{src_parts[0] if src_parts else ''}`"
                )
            theirs = get_path(previous[src_parts[0]], src_parts[1:], f"expect_equal `{source}`")
        except KeyError as e:
            diff.append(str(e.args[0]))
            continue
        diff.extend(
            f"{line} (expect_equal {out_path} = {source})"
            for line in diff_values(theirs, mine, tolerance, f"$.{out_path}")
        )
    return diff


def run_step(
    plan: Dict[str, Any],
    step: Dict[str, Any],
    tolerance: float,
    previous: Dict[str, Dict[str, Any]],
    functions: Dict[str, Any],
) -> StepOutcome:
    circuit = plan["circuits"][step["circuit"]]
    types = plan["types"]
    inputs = copy.deepcopy(step.get("input") or {})
    try:
        apply_bindings(inputs, step.get("bind") or {}, previous)
    except KeyError as e:
        return StepOutcome(False, "bad binding", [str(e.args[0])], None)
    problems = _input_problems(circuit, step["circuit"], inputs, types)
    if problems:
        return StepOutcome(False, "invalid input", problems, None)
    try:
        fn = _implementation(plan, step["circuit"], functions)
        result = fn(copy.deepcopy(inputs))
    except Exception as e:  # noqa: BLE001 - any exception in user code is a crash, reported in full
        if getattr(e, "estream_report", False):  # the simulator's own, complete message
            return StepOutcome(False, "simulation failed", str(e).splitlines(), None)
        tb = traceback.format_exc().rstrip().splitlines()
        return StepOutcome(False, "crashed", ["the implementation raised an exception:"] + tb[-12:], None)
    if not isinstance(result, dict):
        return StepOutcome(
            False, "bad result", [f"expected a dict of output ports, got {esf_json.describe(result)}"], None
        )
    try:
        result = json.loads(json.dumps(result, allow_nan=False))
    except (TypeError, ValueError) as e:
        return StepOutcome(False, "bad result", [f"the outputs are not JSON-compatible: {e}"], None)
    for port, value in result.items():
        if port not in circuit["outputs"]:
            problems.append(
                f"output `{port}` is not an output port of {step['circuit']} (ports: {', '.join(circuit['outputs'])})"
            )
        else:
            check_value(value, circuit["outputs"][port], types, f"output.{port}", problems)
    if problems:
        return StepOutcome(False, "output type mismatch", problems, result)
    expected_output = step.get("expected_output")
    if step["expected"] == "error":
        port = step["expected_error"]
        if set(result) != {port}:
            got = ", ".join(sorted(result)) or "nothing"
            return StepOutcome(
                False, f"expected error on {port}, got {got}", [f"produced ports: {got}"], result
            )
        if expected_output is not None and port in expected_output:
            diff = diff_values(
                expected_output[port], result[port], tolerance, f"$.{port}", subset=bool(step.get("partial"))
            )
            if diff:
                return StepOutcome(False, f"{port} differs", diff, result)
        return StepOutcome(True, f"error expected, got {port}", [], result)
    diff = _expected_output_diff(step, result, tolerance, previous)
    if diff:
        return StepOutcome(False, "output differs", diff, result)
    return StepOutcome(True, "", [], result)


#: Starts the line that carries a circuit's measured cycles per operation (see the docstring).
CYCLES_PREFIX = "  cycles per operation, counted in simulation: "


def cycle_histogram(cycles: Dict[str, List[int]]) -> Dict[str, Dict[str, int]]:
    """`{operation: {"cycles": instances}}` for `{operation: [cycles, ...]}`."""
    histogram: Dict[str, Dict[str, int]] = {}
    for operation, counts in sorted(cycles.items()):
        for n in counts:
            histogram.setdefault(operation, {}).setdefault(str(n), 0)
            histogram[operation][str(n)] += 1
    return histogram


def cycles_line(cycles: Dict[str, List[int]]) -> str:
    """`CYCLES_PREFIX` + the JSON of `cycle_histogram(cycles)`."""
    return CYCLES_PREFIX + json.dumps(cycle_histogram(cycles), sort_keys=True)


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f}ms" if ms >= 10 else f"{ms:.2f}ms"


def _line(mark: str, name: str, status: str, note: str) -> str:
    dots = "." * max(3, 32 - len(name))
    return f"  {mark} {name} {dots} {status} ({note})"


def run_plan(plan: Dict[str, Any], write=print) -> Tuple[int, List[Dict[str, Any]]]:
    """Run every case; returns (number passed, per-case results)."""
    for key in ("suite", "types", "circuits", "cases"):
        if key not in plan:
            raise PlanError(f"the plan has no `{key}`")
    cases = plan["cases"]
    write(f"\n  Running test suite: {plan['suite']} ({len(cases)} test{'s' if len(cases) != 1 else ''})\n")
    functions: Dict[str, Any] = {}
    results: List[Dict[str, Any]] = []
    passed = 0
    total_start = time.perf_counter()
    for case in cases:
        tolerance = float(case.get("float_tolerance", plan.get("float_tolerance", 1e-9)))
        previous: Dict[str, Dict[str, Any]] = {}
        start = time.perf_counter()
        failure: Optional[Tuple[str, StepOutcome]] = None
        notes: List[str] = []
        notes_out: List[str] = []  # --verbose: each passed step's outputs
        for step in case["steps"]:
            outcome = run_step(plan, step, tolerance, previous, functions)
            if not outcome.ok:
                failure = (step["name"], outcome)
                break
            previous[step["name"]] = outcome.outputs or {}
            if plan.get("verbose"):
                notes_out.append(
                    f"      {step['name']} -> {json.dumps(outcome.outputs, ensure_ascii=False, sort_keys=True)}"
                )
            if outcome.note:
                notes.append(outcome.note)
        elapsed = time.perf_counter() - start
        label = case["name"] if case["kind"] == "vector" else f"{case['kind']} {case['name']}"
        if failure is None:
            passed += 1
            if case["kind"] != "vector":
                note = f"{len(case['steps'])} steps, {_ms(elapsed)}"
            else:
                note = f"{notes[0]}, {_ms(elapsed)}" if notes else _ms(elapsed)
            write(_line("✓", label, "PASS", note))
            for text in notes_out:
                write(text)
            results.append({"name": case["name"], "kind": case["kind"], "passed": True, "seconds": elapsed})
        else:
            step_name, outcome = failure
            where = f"step {step_name}: " if case["kind"] != "vector" else ""
            write(_line("✗", label, "FAIL", f"{where}{outcome.note}, {_ms(elapsed)}"))
            details = outcome.details
            if len(details) > MAX_DIFF_LINES:
                details = details[:MAX_DIFF_LINES] + [
                    f"... and {len(outcome.details) - MAX_DIFF_LINES} more differences"
                ]
            for detail in details:
                write(f"      {detail}")
            results.append(
                {
                    "name": case["name"],
                    "kind": case["kind"],
                    "passed": False,
                    "seconds": elapsed,
                    "step": step_name,
                    "note": outcome.note,
                    "details": outcome.details,
                }
            )
    total = time.perf_counter() - total_start
    measured = [f for f in functions.values() if getattr(f, "cycles", None)]
    if measured:
        write("")
    for simulation in measured:
        write(cycles_line(simulation.cycles))
    write(f"\n  {passed}/{len(cases)} tests passed in {_ms(total)}")
    return passed, results


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    json_out = None
    if "--json" in args:
        i = args.index("--json")
        json_out = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        print("usage: circuit_runner.py PLAN.json [--json RESULTS.json]", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            plan = json.load(f)
        src = plan.get("src_dir")
        if src:
            sys.path.insert(0, src)
        passed, results = run_plan(plan)
    except (OSError, ValueError, PlanError) as e:
        print(f"error: unusable test plan {args[0]}: {e}", file=sys.stderr)
        return 2
    if json_out:
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump({"passed": passed, "total": len(results), "results": results}, f, indent=1)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
