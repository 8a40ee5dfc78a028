"""Tests for the sandboxed circuit runner: comparison, type checks, bindings, crashes, output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

from estream.core import circuit_runner as r
from estream.core import esf_json


def program(tmp_path: Path) -> str:
    """The runner as it ships: a program with the ESF JSON encoding beside it."""
    (tmp_path / "prog").mkdir(exist_ok=True)
    shutil.copy(esf_json.__file__, tmp_path / "prog" / esf_json.SHIPPED_NAME)
    return shutil.copy(r.__file__, tmp_path / "prog" / "estream_circuit_runner.py")


INT = {"t": "int", "name": "u8", "min": 0, "max": 255}
TYPES = {
    "Point": {
        "t": "record",
        "name": "Point",
        "fields": {
            "x": {"type": INT, "optional": False},
            "label": {"type": {"t": "string", "max": 3}, "optional": True},
        },
    },
    "Err": {
        "t": "record",
        "name": "Err",
        "fields": {"code": {"type": {"t": "enum", "name": "Code", "values": ["Bad"]}, "optional": False}},
    },
}
SRC = """
def double(inputs):
    p = inputs["p"]
    if p["x"] > 100:
        return {"err": {"code": "Bad"}}
    if p["x"] == 13:
        raise RuntimeError("unlucky")
    if p["x"] == 14:
        return {"out": {"x": 300}}
    return {"out": {"x": p["x"] * 2, "label": p.get("label", "")}}
"""


def plan(cases, tmp_path: Path) -> dict:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "demo_impl.py").write_text(SRC)
    return {
        "suite": "demo",
        "src_dir": str(tmp_path / "src"),
        "types": TYPES,
        "circuits": {
            "dbl": {
                "cpu": "demo_impl:double",
                "inputs": {"p": {"t": "ref", "name": "Point"}},
                "outputs": {"out": {"t": "ref", "name": "Point"}, "err": {"t": "ref", "name": "Err"}},
            }
        },
        "cases": cases,
    }


def step(x, expected="pass", out=None, error=None, **extra):
    return {
        "name": "s",
        "circuit": "dbl",
        "input": {"p": {"x": x}},
        "bind": {},
        "expected": expected,
        "expected_error": error,
        "expected_output": out,
        **extra,
    }


def vector(name, s):
    return {"name": name, "kind": "vector", "steps": [s]}


def run(tmp_path: Path, cases) -> tuple:
    p = plan(cases, tmp_path)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(p))
    proc = subprocess.run(
        [sys.executable, program(tmp_path), str(path), "--json", str(tmp_path / "res.json")],
        capture_output=True,
        text=True,
    )
    return (
        proc.returncode,
        proc.stdout,
        json.loads((tmp_path / "res.json").read_text()) if proc.returncode in (0, 1) else None,
    )


def test_diff_lines_name_paths() -> None:
    assert r.diff_values({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}, 0) == ["$.a[1].b: expected 2, got 3"]
    assert r.diff_values({"a": 1}, {"b": 1}, 0) == ["$.a: missing (expected 1)", "$.b: unexpected (got 1)"]
    assert r.diff_values({"a": 1}, {"a": 1, "b": 2}, 0, subset=True) == []
    assert r.diff_values(1, True, 0) == ["$: expected 1, got true"]
    assert r.diff_values([1, 2], [1], 0) == ["$: expected 2 items, got 1"]


def test_float_tolerance_is_relative_with_a_floor_of_one() -> None:
    assert r.diff_values(150.5, 150.5 + 1e-10, 1e-9) == []
    assert r.diff_values(1e12, 1e12 + 2000.0, 1e-9) != []  # 1e-9 of 1e12 is 1000
    assert r.diff_values(1e12, 1e12 + 500.0, 1e-9) == []
    assert r.diff_values(0.0, 2e-9, 1e-9) != []  # below 1 the tolerance is absolute
    assert r.diff_values(2, 2.0, 0) == []
    assert r.diff_values(2, 3, 1.0) == ["$: expected 2, got 3"]  # integers compare exactly


def test_type_checks() -> None:
    out: list = []
    r.check_value({"x": 256, "label": "long!", "extra": 1}, {"t": "ref", "name": "Point"}, TYPES, "p", out)
    assert out == [
        "p.x: 256 is out of range for u8 (0..255)",
        "p.label: string of 5 characters is longer than string(3)",
        "p.extra: unknown field (not in Point)",
    ]
    out = []
    r.check_value({}, TYPES["Point"], TYPES, "p", out)
    assert out == ["p.x: required field is missing"]
    cases: List[Tuple[Dict[str, Any], Any, Any]] = [
        ({"t": "bytes32"}, "ab" * 32, "AB" * 32),
        ({"t": "timestamp"}, "2026-02-10T12:00:00.123Z", "2026-02-10 12:00:00"),
        ({"t": "bool"}, True, 1),
        ({"t": "f64"}, 1, "1"),
        ({"t": "map", "key": INT, "value": {"t": "bool"}}, {"7": True}, {"x": True}),
    ]
    for spec, good, bad in cases:
        ok: list = []
        r.check_value(good, spec, TYPES, "v", ok)
        assert ok == [], spec
        ko: list = []
        r.check_value(bad, spec, TYPES, "v", ko)
        assert ko, spec


def test_bindings_copy_values_from_earlier_steps() -> None:
    inputs = {"p": {"x": 0}}
    r.apply_bindings(inputs, {"p.x": "first.out.x", "q": "first.out"}, {"first": {"out": {"x": 4}}})
    assert inputs == {"p": {"x": 4}, "q": {"x": 4}}
    try:
        r.apply_bindings({}, {"p": "nope.out"}, {})
    except KeyError as e:
        assert "no earlier step named `nope`" in e.args[0]
    else:
        raise AssertionError("expected a KeyError")


def test_passing_failing_and_crashing_vectors(tmp_path: Path) -> None:
    code, stdout, res = run(
        tmp_path,
        [
            vector("ok", step(2, out={"out": {"x": 4, "label": ""}})),
            vector("wrong", step(3, out={"out": {"x": 7, "label": ""}})),
            vector("error-ok", step(200, expected="error", error="err")),
            vector("error-missing", step(1, expected="error", error="err")),
            vector("crash", step(13, out={})),
            vector("bad-output-type", step(14, out={"out": {"x": 300}})),
            vector("bad-input", step(-1, out={})),
        ],
    )
    assert code == 1
    assert "Running test suite: demo (7 tests)" in stdout
    assert "✓ ok" in stdout and "✗ wrong" in stdout
    assert "$.out.x: expected 7, got 6" in stdout
    assert "PASS (error expected, got err" in stdout
    assert "expected error on err, got out" in stdout
    assert "RuntimeError: unlucky" in stdout
    assert "output.out.x: 300 is out of range for u8" in stdout
    assert "input.p.x: -1 is out of range" in stdout
    assert "2/7 tests passed in" in stdout
    assert [c["passed"] for c in res["results"]] == [True, False, True, False, False, False, False]


def test_journey_binds_and_expect_equal(tmp_path: Path) -> None:
    steps = [
        step(1, name="a"),
        dict(step(0, name="b", bind={"p.x": "a.out.x"}, out={"out": {"x": 4}}, partial=True), name="b"),
        dict(step(0, name="c", bind={"p": "a.out"}, expect_equal={"out.x": "b.out.x"}), name="c"),
    ]
    steps[0]["name"] = "a"
    code, stdout, _ = run(tmp_path, [{"name": "j", "kind": "journey", "steps": steps}])
    assert code == 0, stdout
    assert "journey j" in stdout and "3 steps" in stdout
    steps[2]["expect_equal"] = {"out.x": "a.out.x"}
    code, stdout, _ = run(tmp_path, [{"name": "j", "kind": "journey", "steps": steps}])
    assert code == 1 and "step c: output differs" in stdout and "expect_equal out.x = a.out.x" in stdout


def test_unusable_plan_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    proc = subprocess.run([sys.executable, program(tmp_path), str(path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "unusable test plan" in proc.stderr
