"""Tests for turning golden vectors and journeys into a runner plan."""

from __future__ import annotations

import json
from textwrap import dedent
from typing import Dict

import pytest

from estream.core.circuit import esf_type_environment, parse_circuit
from estream.core.circuit_plan import build_plan
from estream.core.circuit_test import GOOD, MANIFEST, SCHEMA
from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest

VECTOR = {
    "test_vector": {"name": "basic", "circuit": "demo", "version": "1.0.0"},
    "input": {"raw": {"text": "x"}},
    "expected_output": {"parsed": {"id": "00" * 32, "level": "Low", "tags": []}},
    "metadata": {"tags": ["smoke"]},
}
ERROR_VECTOR = {"test_vector": {"name": "broken"}, "input": {"raw": {"text": ""}}}
GOLDEN = dedent(
    """\
    [test_suite]
    name = "demo-golden"
    float_tolerance = 1e-6

    [[tests]]
    file = "basic.json"
    tags = ["basic"]
    expected = "pass"

    [[tests]]
    file = "broken.json"
    expected = "error"
    expected_error = "failure"
    """
)
JOURNEY = dedent(
    """\
    [journey]
    name = "demo_journey"
    tags = ["journey"]

    [[steps]]
    name = "first"
    input_file = "../golden/basic.json"

    [[steps]]
    name = "second"
    input = { raw = { text = "y" } }
    expected_output = { parsed = { level = "Low" } }
    [steps.bind]
    "raw.hint" = "first.parsed.level"

    [[steps]]
    name = "third"
    input_file = "../golden/broken.json"
    expected = "error"
    """
)


def files(**overrides: object) -> Dict[str, bytes]:
    out = {
        "tests/golden/manifest.toml": GOLDEN.encode(),
        "tests/golden/basic.json": json.dumps(VECTOR).encode(),
        "tests/golden/broken.json": json.dumps(ERROR_VECTOR).encode(),
        "tests/journeys/j.toml": JOURNEY.encode(),
    }
    for key, value in overrides.items():
        path = key.replace("__", "/").replace("_dot_", ".")
        if value is None:
            out.pop(path, None)
        else:
            out[path] = (
                value
                if isinstance(value, bytes)
                else (json.dumps(value) if isinstance(value, dict) else str(value)).encode()
            )
    return out


def plan(file_map: Dict[str, bytes], **kwargs):
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    circuit = parse_circuit(GOOD.encode(), "pkg/circuits/demo.circuit.yaml")
    env = esf_type_environment([parse_esf(SCHEMA.encode(), "pkg/schemas/s.esf.yaml")])
    return build_plan(
        manifest=manifest, circuits={"circuits/demo.circuit.yaml": circuit}, env=env, files=file_map, **kwargs
    )


def problems(file_map: Dict[str, bytes]) -> list:
    with pytest.raises(EstreamError) as info:
        plan(file_map)
    return [(d.path, d.key, d.message) for d in info.value.diagnostics]


def test_builds_vectors_and_journeys() -> None:
    result = plan(files())
    cases = result.plan["cases"]
    assert [c["name"] for c in cases] == ["basic", "broken", "demo_journey"]
    assert cases[0]["tags"] == ["basic", "smoke"] and cases[0]["float_tolerance"] == 1e-6
    assert cases[1]["steps"][0]["expected_error"] == "failure"
    journey = cases[2]["steps"]
    assert journey[1]["bind"] == {"raw.hint": "first.parsed.level"} and journey[1]["partial"] is True
    assert journey[0]["partial"] is False
    assert journey[2]["expected_error"] == "failure"  # from the golden manifest entry of that file
    assert result.plan["circuits"]["demo"]["cpu"] == "demo:run"
    assert "Event" in result.plan["types"] and "demo::Raw" in result.plan["types"]


def test_tags_select_cases() -> None:
    assert [c["name"] for c in plan(files(), tags=["smoke"]).plan["cases"]] == ["basic"]
    assert [c["name"] for c in plan(files(), tags=["journey"]).plan["cases"]] == ["demo_journey"]
    assert plan(files(), tags=["nothing"]).case_count == 0


def test_golden_manifest_errors() -> None:
    bad = GOLDEN.replace('name = "demo-golden"', 'circuit = "nope"').replace(
        'expected_error = "failure"', 'expected_error = "parsed_typo"'
    )
    bad += '\n[[tests]]\nfile = "missing.json"\n\n[[tests]]\nfile = "basic.json"\n'
    found = problems(files(tests__golden__manifest_dot_toml=bad))
    keys = {k: m for _, k, m in found}
    assert "missing required key `name`" in keys["test_suite.name"]
    assert "no circuit named `nope`" in keys["test_suite.circuit"]
    assert "expected an output port of circuit `demo`" in keys["tests[1].expected_error"]
    assert "`missing.json` does not exist" in keys["tests[2].file"]
    assert "listed twice" in keys["tests[3].file"]


def test_vector_errors_name_the_vector_file() -> None:
    vec = dict(VECTOR, input={"rwa": {}}, test_vector={"name": "basic", "version": "2.0.0"})
    vec.pop("expected_output")
    found = problems(files(tests__golden__basic_dot_json=vec, tests__journeys__j_dot_toml=None))
    assert ("tests/golden/basic.json", "input.rwa", "`rwa` is not an input port of circuit `demo`") in found
    assert any(k == "test_vector.version" for _, k, _ in found)
    found = problems(files(tests__golden__basic_dot_json=b"{bad", tests__journeys__j_dot_toml=None))
    assert found[0][0] == "tests/golden/basic.json" and "not valid JSON" in found[0][2]
    vec = dict(VECTOR)
    vec.pop("expected_output")
    found = problems(files(tests__golden__basic_dot_json=vec, tests__journeys__j_dot_toml=None))
    assert any("missing `expected_output`" in m for _, _, m in found)


def test_journey_errors() -> None:
    bad = JOURNEY.replace(
        '"raw.hint" = "first.parsed.level"', '"raw.hint" = "later.parsed.level"\n"nothing" = "first.parsed"'
    )
    bad = bad.replace('input_file = "../golden/broken.json"', 'input_file = "../golden/gone.json"')
    found = {k: m for _, k, m in problems(files(tests__journeys__j_dot_toml=bad))}
    assert "earlier steps: first" in found["steps.second.bind.raw.hint"]
    assert "must start with an input port of `demo`" in found["steps.second.bind"]
    assert "`../golden/gone.json` does not exist" in found["steps.third.input_file"]
    listed = problems(files(tests__journeys__j_dot_toml=b"[journey]\nname = 1\n"))
    assert any("`[journey]` table with a `name`" in m for _, _, m in listed)


def test_missing_cpu_implementation_is_reported() -> None:
    circuit = parse_circuit(
        GOOD.replace('  cpu: "demo:run"\n', "").encode(), "pkg/circuits/demo.circuit.yaml"
    )
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    env = esf_type_environment([parse_esf(SCHEMA.encode(), "s.esf.yaml")])
    with pytest.raises(EstreamError) as info:
        build_plan(
            manifest=manifest, circuits={"circuits/demo.circuit.yaml": circuit}, env=env, files=files()
        )
    assert info.value.diagnostics[0].key == "implementation.cpu"


def test_rtl_plan_runs_the_same_cases_against_the_rtl() -> None:
    cpu, rtl = plan(files()), plan(files(), implementation="rtl", rtl_dir="pkg")
    assert [c["name"] for c in rtl.plan["cases"]] == [c["name"] for c in cpu.plan["cases"]]
    assert rtl.plan["cases"] == cpu.plan["cases"] and rtl.plan["types"] == cpu.plan["types"]
    assert rtl.plan["suite"] == "demo-golden on RTL"
    demo = rtl.plan["circuits"]["demo"]
    assert "cpu" not in demo and demo["inputs"] == cpu.plan["circuits"]["demo"]["inputs"]
    assert demo["rtl"] == {
        "top": "demo_top",
        "testbench_top": "demo_tb",
        "codec": "demo_rtl",
        "files": [
            {"name": "pkg/rtl/demo.v", "file_type": "verilogSource", "include": False},
            {"name": "pkg/rtl/demo_top.v", "file_type": "verilogSource", "include": False},
            {"name": "pkg/rtl/demo_tb.v", "file_type": "verilogSource", "include": False},
        ],
    }


def test_rtl_plan_of_a_circuit_without_rtl_is_empty() -> None:
    from estream.core.circuit_test import without_rtl

    circuit = parse_circuit(without_rtl(GOOD).encode(), "pkg/circuits/demo.circuit.yaml")
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    env = esf_type_environment([parse_esf(SCHEMA.encode(), "s.esf.yaml")])
    result = build_plan(
        manifest=manifest,
        circuits={"circuits/demo.circuit.yaml": circuit},
        env=env,
        files=files(),
        implementation="rtl",
    )
    assert result.case_count == 0 and result.plan["circuits"] == {}
    with pytest.raises(ValueError):
        build_plan(
            manifest=manifest,
            circuits={"circuits/demo.circuit.yaml": circuit},
            env=env,
            files=files(),
            implementation="gpu",
        )
