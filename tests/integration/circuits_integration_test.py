"""The real `./pants test` on SmartCircuit packages: passing, cached, failing with a diff; the
scaffold round trip (a smart circuit and a wire adapter); `tailor` for packages; packaging
circuits with their src/ and tests/."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from estream.cli.main import main
from integration.pants_repo import copy_repo, run_pants

CIRCUITS = (
    "components/estream-wire-modbus/circuits/modbus-egress.circuit.yaml",
    "components/estream-wire-modbus/circuits/modbus-ingress.circuit.yaml",
    "components/estream-wire-modbus/circuits/modbus-telemetry.circuit.yaml",
    "components/estream-wire-mqtt/circuits/mqtt-egress.circuit.yaml",
    "components/estream-wire-mqtt/circuits/mqtt-ingress.circuit.yaml",
    "components/estream-wire-hl7/circuits/fhir-egress.circuit.yaml",
    "components/estream-wire-hl7/circuits/fhir-ingress.circuit.yaml",
    "components/estream-wire-hl7/circuits/hl7-egress.circuit.yaml",
    "components/estream-wire-hl7/circuits/hl7-ingress.circuit.yaml",
    "components/estream-wire-iso20022/circuits/iso20022-egress.circuit.yaml",
    "components/estream-wire-iso20022/circuits/iso20022-ingress.circuit.yaml",
    "circuits/map/circuits/cas.circuit.yaml",
    "circuits/map/circuits/gc.circuit.yaml",
    "circuits/map/circuits/get.circuit.yaml",
    "circuits/map/circuits/put.circuit.yaml",
    "circuits/map/circuits/sync.circuit.yaml",
    "circuits/queue/append/circuits/append.circuit.yaml",
    "circuits/queue/circuits/append.circuit.yaml",
    "circuits/queue/circuits/compact.circuit.yaml",
    "circuits/queue/circuits/replicate.circuit.yaml",
    "components/estream-wire-fix/circuits/fix-egress.circuit.yaml",
    "components/estream-wire-fix/circuits/fix-ingress.circuit.yaml",
    "components/my-validator/circuits/my-validator.circuit.yaml",
    "components/my-wire/circuits/my-wire-egress.circuit.yaml",
    "components/my-wire/circuits/my-wire-ingress.circuit.yaml",
)


def test_pants_test_runs_vectors_caches_them_and_reports_diffs(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    # The scaffold round trip: a new package passes `./pants test` and packages as created.
    assert (
        main(["marketplace", "scaffold", "smart-circuit", "my-validator", "--dir", str(repo / "components")])
        == 0
    )
    assert (
        main(["marketplace", "scaffold", "wire-adapter", "my-wire", "--dir", str(repo / "components")]) == 0
    )

    first = run_pants(
        repo, ["test", "--test-output=all", "circuits::", "components::"], pantsd=True
    ).assert_success()
    for circuit in CIRCUITS:
        assert f"✓ {circuit} succeeded" in first.stderr, first.stderr
    assert "Running test suite: fix-wire-golden [fix_ingress] (64 tests)" in first.stderr
    assert "✓ malformed-bad-checksum" in first.stderr and "PASS (error expected, got error" in first.stderr
    assert "✓ journey fix_order_lifecycle" in first.stderr and "✓ journey queue_lifecycle" in first.stderr
    assert "✓ roundtrip new-order-leading-zeros" in first.stderr
    assert "✓ roundtrip example-leading-zeros" in first.stderr  # the scaffolded wire adapter
    assert "64/64 tests passed" in first.stderr and "10/10 tests passed" in first.stderr

    # One vector broken: that circuit fails with a readable diff; unchanged packages are cache hits.
    vector = repo / "components/estream-wire-fix/tests/golden/new-order-basic.json"
    data = json.loads(vector.read_text())
    data["expected_output"]["message"]["esf_order"]["price"] = 15060000000
    vector.write_text(json.dumps(data, indent=2))
    # Without pantsd: the unchanged circuits must come from the persistent cache, as in CI.
    second = run_pants(repo, ["test", "circuits::", "components::"])
    assert second.returncode != 0
    out = second.stderr
    assert "✕ components/estream-wire-fix/circuits/fix-ingress.circuit.yaml failed" in out
    assert "✗ new-order-basic" in out
    assert "$.message.esf_order.price: expected 15060000000, got 15050000000" in out
    assert "✗ journey fix_order_lifecycle" in out  # its first step reads the same vector
    assert "✗ roundtrip new-order-basic" in out  # and so does its round trip
    assert "61/64 tests passed" in out
    assert "✓ circuits/queue/circuits/append.circuit.yaml succeeded" in out and "(cached locally)" in out
    assert out.count("(cached locally)") == len(CIRCUITS) - 1, out

    # Packages with circuits still package and sign, with their circuits, src/ and tests/.
    run_pants(
        repo, ["package", "components/my-validator:", "components/estream-wire-fix:"], pantsd=True
    ).assert_success()
    with tarfile.open(repo / "dist/my-validator-0.1.0.tar.gz") as archive:
        names = set(archive.getnames())
    assert {
        "my-validator-0.1.0/circuits/my-validator.circuit.yaml",
        "my-validator-0.1.0/src/my_validator.py",
        "my-validator-0.1.0/tests/golden/example-test.json",
        "my-validator-0.1.0/SIGNATURE.ml-dsa",
    } <= names


def test_tailor_creates_targets_for_packages_schemas_and_circuits(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    pkg = repo / "circuits" / "queue"
    for build in pkg.rglob("BUILD"):
        build.unlink()
    shutil.rmtree(repo / "circuits" / "map")
    shutil.rmtree(repo / "components")
    # The repository's content `files` targets (for these tests) own everything; a user's repo has none.
    root_build = repo / "BUILD"
    text = root_build.read_text()
    for part in ("circuits", "components"):
        owner = f'files(name="{part}-content", sources=["{part}/**/*"]'
        assert owner in text
        text = text.replace(owner, f'target(name="{part}-content"')
    root_build.write_text(text)
    run_pants(repo, ["tailor", "circuits::"], pantsd=True).assert_success()
    assert "marketplace_package()" in (pkg / "BUILD").read_text()
    assert 'name="package_files"' in (pkg / "BUILD").read_text()
    assert "smart_circuits()" in (pkg / "circuits" / "BUILD").read_text()
    assert "esf_schemas()" in (pkg / "schemas" / "BUILD").read_text()
    result = run_pants(repo, ["test", "circuits/queue/circuits:"], pantsd=True).assert_success()
    assert "✓ circuits/queue/circuits/append.circuit.yaml succeeded" in result.stderr
