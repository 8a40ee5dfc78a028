"""Tests of the WireAdapter contract checks and of the round trips the plan adds.

`KV_PACKAGE` is a complete, tiny wire adapter (protocol `kv`: the text `key=value`) used here, by
the RuleRunner test of the `test` goal and by the CLI test; its code really runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from textwrap import dedent
from typing import Dict, List

import pytest

from estream.core import circuit_runner
from estream.core.circuit import esf_type_environment, package_circuit_file_diagnostics, parse_circuit
from estream.core.circuit_plan import build_plan
from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest
from estream.core.wire_adapter import wire_adapter_diagnostics

KV_MANIFEST = dedent(
    """\
    [component]
    name = "wire-kv"
    version = "1.0.0"
    category = "wire-adapter"
    description = "key=value lines"
    license = "Apache-2.0"

    [component.schemas]
    provides = ["KvPair", "KvError"]

    [component.include]
    schemas = ["schemas/*.esf.yaml"]
    circuits = ["circuits/*.circuit.yaml"]
    src = ["src/*.py"]
    tests = ["tests/golden/*.json", "tests/golden/manifest.toml"]

    [component.circuit]
    entry = "circuits/kv-ingress.circuit.yaml"
    circuits = ["circuits/kv-ingress.circuit.yaml", "circuits/kv-egress.circuit.yaml"]
    targets = ["cpu"]
    witness_tier = 0

    [component.wire_adapter]
    protocol = "kv"
    protocol_versions = ["1"]
    encoding = "text"
    ingress = "circuits/kv-ingress.circuit.yaml"
    egress = "circuits/kv-egress.circuit.yaml"
    """
)

KV_SCHEMA = dedent(
    """\
    version: "1.0"
    namespace: estream.wire.kv
    schemas:
      KvPair:
        fields:
          key:
            type: string(16)
          value:
            type: u32
      KvError:
        fields:
          code:
            type: KvErrorCode
          message:
            type: string
          offset:
            type: u32
            optional: true
    enums:
      KvErrorCode:
        values: [MalformedPacket, LimitExceeded]
    """
)

KV_INGRESS = dedent(
    """\
    escir_version: "0.8.0"
    name: kv_ingress
    version: "1.0.0"
    types:
      - name: WireText
        fields:
          - { name: text, type: string }
    inputs:
      - { name: wire, type: WireText }
    outputs:
      - { name: message, type: KvPair }
      - { name: error, type: KvError }
    implementation:
      cpu: "kv:ingress"
    compute:
      - { id: parser, type: transform }
    flows:
      - wire -> parser -> message
      - parser.error -> error
    """
)

KV_EGRESS = dedent(
    """\
    escir_version: "0.8.0"
    name: kv_egress
    version: "1.0.0"
    types:
      - name: WireText
        fields:
          - { name: text, type: string }
    inputs:
      - { name: message, type: KvPair }
    outputs:
      - { name: wire, type: WireText }
      - { name: error, type: KvError }
    implementation:
      cpu: "kv:egress"
    compute:
      - { id: writer, type: transform }
    flows:
      - message -> writer -> wire
      - writer.error -> error
    """
)

KV_SRC = dedent(
    '''\
    """`key=value`: the value is decimal (leading zeros allowed on ingress, never written)."""
    import re

    _RE = re.compile(r"([a-z]{1,16})=([0-9]{1,10})\\Z")


    class KvError(Exception):
        def __init__(self, code, message):
            super().__init__(message)
            self.code, self.message = code, message


    def translate_ingress(wire_bytes):
        m = _RE.match(wire_bytes.decode("ascii", "replace"))
        if not m:
            raise KvError("MalformedPacket", "expected key=value")
        value = int(m.group(2))
        if value > 2**32 - 1:
            raise KvError("LimitExceeded", "value does not fit u32")
        return {"key": m.group(1), "value": value}


    def translate_egress(message):
        return f"{message['key']}={message['value']}".encode()


    def ingress(inputs):
        try:
            return {"message": translate_ingress(inputs["wire"]["text"].encode())}
        except KvError as e:
            return {"error": {"code": e.code, "message": e.message}}


    def egress(inputs):
        return {"wire": {"text": translate_egress(inputs["message"]).decode()}}
    '''
)

KV_GOLDEN = dedent(
    """\
    [test_suite]
    name = "kv-golden"

    [[tests]]
    file = "plain.json"
    expected = "pass"

    [[tests]]
    file = "zeros.json"
    tags = ["canonical"]
    expected = "pass"

    [[tests]]
    file = "write.json"
    expected = "pass"

    [[tests]]
    file = "bad.json"
    expected = "error"
    expected_error = "error"
    """
)


def kv_vector(name: str, circuit: str, inputs: dict, outputs: dict, **extra: object) -> str:
    return json.dumps(
        {
            "test_vector": {"name": name, "circuit": circuit},
            "input": inputs,
            "expected_output": outputs,
            **extra,
        }
    )


KV_PACKAGE: Dict[str, str] = {
    "estream-component.toml": KV_MANIFEST,
    "schemas/kv.esf.yaml": KV_SCHEMA,
    "circuits/kv-ingress.circuit.yaml": KV_INGRESS,
    "circuits/kv-egress.circuit.yaml": KV_EGRESS,
    "src/kv.py": KV_SRC,
    "tests/golden/manifest.toml": KV_GOLDEN,
    "tests/golden/plain.json": kv_vector(
        "plain", "kv_ingress", {"wire": {"text": "a=1"}}, {"message": {"key": "a", "value": 1}}
    ),
    "tests/golden/zeros.json": kv_vector(
        "zeros",
        "kv_ingress",
        {"wire": {"text": "b=007"}},
        {"message": {"key": "b", "value": 7}},
        canonical_wire={"text": "b=7"},
    ),
    "tests/golden/write.json": kv_vector(
        "write", "kv_egress", {"message": {"key": "c", "value": 3}}, {"wire": {"text": "c=3"}}
    ),
    "tests/golden/bad.json": kv_vector(
        "bad",
        "kv_ingress",
        {"wire": {"text": "=1"}},
        {"error": {"code": "MalformedPacket", "message": "expected key=value"}},
    ),
}


def load(files: Dict[str, str]):
    manifest = parse_manifest(files["estream-component.toml"].encode(), "estream-component.toml")
    circuits = {p: parse_circuit(t.encode(), p) for p, t in files.items() if p.endswith(".circuit.yaml")}
    env = esf_type_environment([parse_esf(files["schemas/kv.esf.yaml"].encode(), "schemas/kv.esf.yaml")])
    return manifest, circuits, env


def diagnostics(**changes: str) -> List[str]:
    files = {**KV_PACKAGE, **changes}
    manifest, circuits, env = load(files)
    found = package_circuit_file_diagnostics(manifest, circuits) + wire_adapter_diagnostics(
        manifest, circuits, env
    )
    return [d.render() for d in found]


def test_the_kv_package_meets_the_contract() -> None:
    assert diagnostics() == []


def test_port_names_are_checked() -> None:
    out = diagnostics(
        **{
            "circuits/kv-ingress.circuit.yaml": KV_INGRESS.replace("name: error", "name: failure").replace(
                "-> error", "-> failure"
            )
        }
    )
    assert out == [
        "error: circuits/kv-ingress.circuit.yaml:11: `outputs`: a wire-adapter ingress circuit has exactly the output port(s) `error` and `message`, found `failure`, `message`\n"
        "  help: see the WireAdapter contract in pants-plugins/estream/core/wire_adapter.py"
    ]


def test_wire_record_must_match_the_encoding() -> None:
    manifest = KV_MANIFEST.replace('encoding = "text"', 'encoding = "binary"')
    out = diagnostics(**{"estream-component.toml": manifest})
    assert len(out) == 2 and all(
        'must be exactly { hex: string } for encoding = "binary", found { text: string }' in o for o in out
    )
    assert out[0].startswith(
        "error: circuits/kv-ingress.circuit.yaml:9: `inputs.wire.type`: the `wire` record `WireText`"
    )
    assert out[1].startswith("error: circuits/kv-egress.circuit.yaml:11: `outputs.wire.type`")
    bytes_port = KV_INGRESS.replace("- { name: wire, type: WireText }", "- { name: wire, type: bytes }")
    (only,) = diagnostics(**{"circuits/kv-ingress.circuit.yaml": bytes_port})
    assert (
        "port `wire` must have a record type declared under `types:` of this circuit, shaped { text: string }, found `bytes`"
        in only
    )


def test_error_record_and_message_type_are_checked() -> None:
    schema = KV_SCHEMA.replace("      message:\n        type: string\n", "      message:\n        type: u8\n")
    out = diagnostics(**{"schemas/kv.esf.yaml": schema})
    assert len(out) == 2 and all(
        "the error record's `message` must be a string, found `u8`" in o for o in out
    )
    egress = KV_EGRESS.replace("- { name: message, type: KvPair }", "- { name: message, type: KvError }")
    (only,) = diagnostics(**{"circuits/kv-egress.circuit.yaml": egress})
    assert (
        "circuits/kv-egress.circuit.yaml:9: `inputs.message.type`: input `message` is `KvError` but the ingress circuit"
        in only
    )


def test_manifest_paths_are_checked() -> None:
    manifest = KV_MANIFEST.replace(
        'circuits = ["circuits/*.circuit.yaml"]', 'circuits = ["circuits/kv-ingress.circuit.yaml"]'
    )
    manifest = manifest.replace(
        'egress = "circuits/kv-egress.circuit.yaml"', 'egress = "circuits/kv-out.circuit.yaml"'
    )
    out = diagnostics(**{"estream-component.toml": manifest})
    assert any(
        "`component.wire_adapter.egress`: `circuits/kv-out.circuit.yaml` does not exist" in o for o in out
    ), out
    assert any(
        "`component.wire_adapter.egress`: egress circuit `circuits/kv-out.circuit.yaml` is not selected by `[component.include].circuits`"
        in o
        for o in out
    ), out
    no_circuit = (
        KV_MANIFEST[: KV_MANIFEST.index("[component.circuit]")]
        + KV_MANIFEST[KV_MANIFEST.index("[component.wire_adapter]") :]
    )
    out = diagnostics(**{"estream-component.toml": no_circuit})
    assert any("a wire-adapter package needs a `[component.circuit]` table" in o for o in out), out


def kv_plan(files: Dict[str, str], **kwargs: object) -> dict:
    manifest, circuits, env = load(files)
    tests = {p: t.encode() for p, t in files.items() if p.startswith("tests/")}
    return build_plan(manifest=manifest, circuits=circuits, env=env, files=tests, **kwargs).plan  # type: ignore[arg-type]


def test_plan_adds_round_trips_for_passing_ingress_vectors() -> None:
    plan = kv_plan(KV_PACKAGE)
    kinds = [(c["kind"], c["name"]) for c in plan["cases"]]
    assert kinds == [
        ("vector", "plain"),
        ("vector", "zeros"),
        ("vector", "write"),
        ("vector", "bad"),
        ("roundtrip", "plain"),
        ("roundtrip", "zeros"),
    ]
    plain, zeros = plan["cases"][4:]
    assert [s["name"] for s in plain["steps"]] == ["ingress", "egress"]
    assert plain["steps"][1]["expected_output"] == {"wire": {"text": "a=1"}}
    assert plain["steps"][1]["bind"] == {"message": "ingress.message"}
    assert [s["name"] for s in zeros["steps"]] == ["ingress", "egress", "reingress"]
    assert zeros["steps"][1]["expected_output"] == {"wire": {"text": "b=7"}}
    assert zeros["steps"][2]["input"] == {"wire": {"text": "b=7"}} and zeros["steps"][2]["expect_equal"] == {
        "message": "ingress.message"
    }
    assert set(plan["circuits"]) == {"kv_ingress", "kv_egress"}
    # The ingress target runs the round trips; the egress target only its own vectors.
    assert [c["kind"] for c in kv_plan(KV_PACKAGE, only_circuit="kv_egress")["cases"]] == ["vector"]
    assert [c["name"] for c in kv_plan(KV_PACKAGE, tags=["roundtrip"])["cases"]] == ["plain", "zeros"]
    assert [c["kind"] for c in kv_plan(KV_PACKAGE, tags=["canonical"])["cases"]] == ["vector", "roundtrip"]


def test_canonical_wire_only_on_passing_ingress_vectors() -> None:
    files = dict(KV_PACKAGE)
    files["tests/golden/write.json"] = kv_vector(
        "write",
        "kv_egress",
        {"message": {"key": "c", "value": 3}},
        {"wire": {"text": "c=3"}},
        canonical_wire={"text": "c=3"},
    )
    with pytest.raises(EstreamError) as e:
        kv_plan(files)
    assert (
        "tests/golden/write.json: `canonical_wire`: `canonical_wire` only applies to a passing vector"
        in str(e.value)
    )
    files["tests/golden/write.json"] = kv_vector(
        "plain2",
        "kv_ingress",
        {"wire": {"text": "c=3"}},
        {"message": {"key": "c", "value": 3}},
        canonical_wire="c=3",
    )
    with pytest.raises(
        EstreamError, match="`canonical_wire`: expected the canonical `wire` value as an object"
    ):
        kv_plan(files)


def run_kv(tmp_path: Path, files: Dict[str, str]) -> List[str]:
    plan = kv_plan(files)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "kv.py").write_text(files["src/kv.py"])
    sys.path.insert(0, str(tmp_path))
    lines: List[str] = []
    try:
        sys.modules.pop("kv", None)
        circuit_runner.run_plan(plan, write=lines.append)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("kv", None)
    return lines


def test_round_trips_run_and_catch_a_lossy_egress(tmp_path: Path) -> None:
    out = "\n".join(run_kv(tmp_path / "good", KV_PACKAGE))
    assert "6/6 tests passed" in out and "✓ roundtrip zeros" in out and "(3 steps" in out
    # An egress that writes leading zeros: the vector `write` and both round trips catch it.
    lossy = KV_SRC.replace(
        "f\"{message['key']}={message['value']}\"", "f\"{message['key']}={message['value']:03d}\""
    )
    out = "\n".join(run_kv(tmp_path / "lossy", {**KV_PACKAGE, "src/kv.py": lossy}))
    assert "✗ roundtrip plain" in out and "FAIL (step egress: output differs" in out
    assert '$.wire.text: expected "a=1", got "a=001"' in out
    assert "✗ roundtrip zeros" in out and "3/6 tests passed" in out
    # An ingress that loses information: re-reading the canonical wire gives another message.
    forgetful = KV_SRC.replace('"value": value}', '"value": value * 10 if wire_bytes == b"b=7" else value}')
    out = "\n".join(run_kv(tmp_path / "forgetful", {**KV_PACKAGE, "src/kv.py": forgetful}))
    assert "✓ zeros" in out and "✗ roundtrip zeros" in out and "step reingress: output differs" in out
    assert "$.message.value: expected 7, got 70 (expect_equal message = ingress.message)" in out
