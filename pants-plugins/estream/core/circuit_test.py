"""Tests for ESCIR circuit parsing and its checks against types and the manifest."""

from __future__ import annotations

from textwrap import dedent

import pytest

from estream.core.circuit import (
    RtlImplementation,
    compile_types,
    esf_type_environment,
    manifest_diagnostics,
    package_circuit_file_diagnostics,
    parse_circuit,
    port_type_diagnostics,
)
from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest

GOOD = dedent(
    """\
    escir_version: "0.8.0"
    name: demo
    version: "1.0.0"
    types:
      - name: Raw
        fields:
          - { name: text, type: bytes }
          - { name: hint, type: "string(4)", optional: true }
    inputs:
      - { name: raw, type: Raw }
    outputs:
      - { name: parsed, type: Event }
      - { name: failure, type: Failure }
    annotations:
      witness_tier: 1
      hardware_target: [cpu]
    implementation:
      cpu: "demo:run"
      rtl:
        top: demo_top
        sources: [rtl/demo.v, rtl/demo_top.v]
        testbench: [rtl/demo_tb.v]
        testbench_top: demo_tb
        codec: demo_rtl
    compute:
      - { id: splitter, type: transform }
      - { id: checker, type: transform }
    flows:
      - raw -> splitter -> checker -> parsed
      - checker.error -> failure
    """
)

SCHEMA = dedent(
    """\
    version: "1.0"
    namespace: estream.demo
    schemas:
      Event:
        fields:
          id:
            type: bytes32
          level:
            type: Level
          tags:
            type: array(string)
      Failure:
        fields:
          message:
            type: string
    enums:
      Level:
        values: [Low, High]
    """
)

MANIFEST = dedent(
    """\
    [component]
    name = "demo"
    version = "1.0.0"
    category = "smart-circuit"
    description = "Demo"
    license = "Apache-2.0"

    [component.circuit]
    entry = "circuits/demo.circuit.yaml"
    targets = ["cpu"]
    witness_tier = 1

    [component.circuit.governance]
    category = "InfraOps"
    required_approvals = 1
    """
)


def errors(text: str) -> list:
    with pytest.raises(EstreamError) as info:
        parse_circuit(text.encode(), "c.circuit.yaml")
    return [(d.key, d.message) for d in info.value.diagnostics]


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_parses_a_valid_circuit() -> None:
    c = parse_circuit(GOOD.encode(), "c.circuit.yaml")
    assert c.name == "demo" and str(c.version) == "1.0.0"
    assert [p.name for p in c.inputs] == ["raw"] and [p.name for p in c.outputs] == ["parsed", "failure"]
    assert c.nodes == ("splitter", "checker")
    assert ("checker.error", "failure") in c.edges
    assert c.cpu_entry == "demo:run"
    assert c.rtl == RtlImplementation(
        top="demo_top",
        sources=("rtl/demo.v", "rtl/demo_top.v"),
        testbench=("rtl/demo_tb.v",),
        testbench_top="demo_tb",
        codec="demo_rtl",
    )
    assert c.rtl.files == ("rtl/demo.v", "rtl/demo_top.v", "rtl/demo_tb.v")
    assert c.witness_tier == 1 and c.hardware_target == ("cpu",)


@pytest.mark.parametrize(
    "old,new,key,fragment",
    [
        ('escir_version: "0.8.0"', 'escir_version: "0.8"', "escir_version", 'like "0.8.0"'),
        ("name: demo", "name: Demo-Circuit", "name", "not snake_case"),
        ('version: "1.0.0"', 'version: "1.0"', "version", "invalid version"),
        (
            "  - { id: checker, type: transform }",
            "  - { id: splitter, type: transform }",
            "compute.splitter",
            "used twice",
        ),
        (
            "  - { id: checker, type: transform }",
            "  - { id: raw, type: transform }",
            "compute.raw",
            "also a port name",
        ),
        (
            "raw -> splitter -> checker -> parsed",
            "raw -> splitter -> chekcer -> parsed",
            "flows[0]",
            "did you mean `checker`",
        ),
        ("checker.error -> failure", "nothing.error -> failure", "flows[1]", "not a compute node"),
        ("checker.error -> failure", "raw -> failure -> checker", "flows[1]", "can only end a chain"),
        ("checker.error -> failure", "checker -> splitter", "flows", "cycle"),
        ("checker.error -> failure", "splitter -> checker", "flows", "`failure` is not reached"),
        ("hardware_target: [cpu]", "hardware_target: cpu", "annotations.hardware_target", "non-empty list"),
        ("witness_tier: 1", "witness_tier: 7", "annotations.witness_tier", "0 to 4"),
        ('cpu: "demo:run"', 'cpu: "demo.run"', "implementation.cpu", "module:function"),
        ("  rtl:\n", "  verilog: x\n  rtl:\n", "implementation.verilog", "unknown key"),
        ("top: demo_top", "top: 7up", "implementation.rtl.top", "Verilog module name"),
        ("testbench_top: demo_tb", "", "implementation.rtl.testbench_top", "missing required key"),
        ("codec: demo_rtl", "codec: demo-rtl", "implementation.rtl.codec", "Python module name"),
        ("codec: demo_rtl", "codec: demo_rtl\n    clock: 1", "implementation.rtl.clock", "unknown key"),
        (
            "sources: [rtl/demo.v, rtl/demo_top.v]",
            "sources: []",
            "implementation.rtl.sources",
            "non-empty list",
        ),
        (
            "sources: [rtl/demo.v, rtl/demo_top.v]",
            "sources: [rtl/demo.vhd]",
            "implementation.rtl.sources[0]",
            "Verilog file name",
        ),
        (
            "sources: [rtl/demo.v, rtl/demo_top.v]",
            "sources: [../demo.v]",
            "implementation.rtl.sources[0]",
            "relative to the package",
        ),
        (
            "sources: [rtl/demo.v, rtl/demo_top.v]",
            "sources: [/abs/demo.v]",
            "implementation.rtl.sources[0]",
            "relative to the package",
        ),
        (
            "testbench: [rtl/demo_tb.v]",
            "testbench: [rtl/demo.v]",
            "implementation.rtl.testbench[0]",
            "listed twice",
        ),
        (
            "- { name: text, type: bytes }",
            '- { name: text, type: "array(" }',
            "types.Raw.fields.text.type",
            "type",
        ),
        ("outputs:\n", "outputz: []\noutputs:\n", "outputz", "unknown key"),
    ],
)
def test_reports_each_validation_error(old: str, new: str, key: str, fragment: str) -> None:
    found = errors(replace(old, new))
    assert any(k == key and fragment in m for k, m in found), found


def test_input_that_reaches_no_output() -> None:
    text = replace(
        "  - { name: raw, type: Raw }", "  - { name: raw, type: Raw }\n  - { name: extra, type: u8 }"
    )
    found = errors(text)
    assert ("flows", "input `extra` does not reach any output") in found


def test_every_problem_is_reported_with_its_line() -> None:
    with pytest.raises(EstreamError) as info:
        parse_circuit(
            replace("name: demo", "name: 3").replace('version: "1.0.0"', "version: 1").encode(),
            "x.circuit.yaml",
        )
    lines = {d.key: d.line for d in info.value.diagnostics}
    assert lines["name"] == 2 and lines["version"] == 3
    assert "x.circuit.yaml:2" in info.value.render()


def test_hostile_yaml_is_a_clean_error() -> None:
    assert errors("- just\n- a list\n")
    assert errors("a: &x [*x]\n")
    assert errors("escir_version: !!python/object:os.system 1\n")


def test_a_deeply_nested_port_type_is_refused_before_it_is_parsed() -> None:
    # Without the bound, 5,000 nested `array(` reach Python's recursion limit in the parser.
    deep = "array(" * 5000 + "u8" + ")" * 5000
    found = errors(replace("  - { name: raw, type: Raw }", f'  - {{ name: raw, type: "{deep}" }}'))
    assert ("inputs.raw.type", "type is too long (35002 characters; at most 256)") in found, found


def test_port_types_resolve_against_local_types_and_esf() -> None:
    c = parse_circuit(GOOD.encode(), "c.circuit.yaml")
    env = esf_type_environment([parse_esf(SCHEMA.encode(), "s.esf.yaml")])
    assert port_type_diagnostics(c, env) == []
    missing = port_type_diagnostics(c, esf_type_environment([]))
    assert {d.message for d in missing} == {"unknown type `Event`", "unknown type `Failure`"}
    assert missing[0].key == "outputs.parsed.type"
    typo = parse_circuit(replace("type: Event", "type: Evnt").encode(), "c.circuit.yaml")
    assert port_type_diagnostics(typo, env)[0].help == "did you mean `Event`?"


def test_compiled_types_describe_records_enums_and_local_types() -> None:
    c = parse_circuit(GOOD.encode(), "c.circuit.yaml")
    env = esf_type_environment([parse_esf(SCHEMA.encode(), "s.esf.yaml")])
    table, ports = compile_types([c], env)
    assert ports["demo"]["inputs"]["raw"] == {"t": "ref", "name": "demo::Raw"}
    assert table["demo::Raw"]["fields"]["hint"] == {"type": {"t": "string", "max": 4}, "optional": True}
    assert table["Level"] == {"t": "enum", "name": "Level", "values": ["Low", "High"]}
    assert table["Event"]["fields"]["tags"]["type"] == {"t": "array", "of": {"t": "string", "max": None}}


def without_rtl(text: str) -> str:
    start = text.index("  rtl:\n")
    end = text.index("compute:\n")
    return text[:start] + text[end:]


def test_manifest_consistency() -> None:
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    good = parse_circuit(without_rtl(GOOD).encode(), "c.circuit.yaml")
    assert good.rtl is None
    assert manifest_diagnostics(good, manifest) == []
    bad = parse_circuit(
        replace('version: "1.0.0"', 'version: "1.1.0"')
        .replace("hardware_target: [cpu]", "hardware_target: [cpu, fpga]")
        .replace(
            "witness_tier: 1",
            "witness_tier: 3\n  marketplace: { category: wire-adapter }\n  governance: { category: Generic, auto_approve: true }",
        )
        .encode(),
        "c.circuit.yaml",
    )
    found = {d.key: d.message for d in manifest_diagnostics(bad, manifest)}
    assert "does not match the package version 1.0.0" in found["version"]
    assert "fpga not in the manifest's targets" in found["annotations.hardware_target"]
    assert "higher than the package's witness_tier 1" in found["annotations.witness_tier"]
    assert "differs from the package category" in found["annotations.marketplace.category"]
    assert "differs from the manifest's `InfraOps`" in found["annotations.governance.category"]


def test_circuit_governance_follows_section_9_1() -> None:
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    text = replace(
        "witness_tier: 1",
        "witness_tier: 1\n  governance: { category: InfraOps, required_approvals: 0, auto_approve: true }",
    )
    found = {d.key: d.message for d in manifest_diagnostics(parse_circuit(text.encode(), "c"), manifest)}
    assert "below the minimum 1" in found["annotations.governance.required_approvals"]
    assert "only allowed for the `Generic` category" in found["annotations.governance.auto_approve"]


def test_manifest_entry_and_circuits_must_exist() -> None:
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    assert package_circuit_file_diagnostics(manifest, ["circuits/demo.circuit.yaml"]) == []
    found = package_circuit_file_diagnostics(manifest, ["circuits/other.circuit.yaml"])
    assert {d.key for d in found} == {"component.circuit.entry", "component.circuit.circuits"}
    assert "`circuits/demo.circuit.yaml` does not exist" in found[0].message


def test_rtl_needs_the_fpga_target() -> None:
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    found = manifest_diagnostics(parse_circuit(GOOD.encode(), "c.circuit.yaml"), manifest)
    assert [(d.key, d.line) for d in found] == [("implementation.rtl", 20)]
    assert "do not include fpga" in found[0].message and 'add "fpga"' in (found[0].help or "")
    fpga = (
        MANIFEST.replace('targets = ["cpu"]', 'targets = ["cpu", "fpga"]')
        + '\n[component.circuit.fpga]\ndevice_families = ["ice40-up5k"]\n'
    )
    assert (
        manifest_diagnostics(
            parse_circuit(GOOD.encode(), "c.circuit.yaml"), parse_manifest(fpga.encode(), "m")
        )
        == []
    )
