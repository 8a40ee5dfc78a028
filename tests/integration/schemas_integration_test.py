"""The schema graph end to end with the real `./pants` on a git checkout of this repository:
resolution and packaging of the schema packs and the components requiring them, inference
feeding `--changed-since`, and `schema-breaking` against a git ref."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from estream.core.keys import SigningKey
from integration.pants_repo import copy_repo, run_pants


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def test_schema_graph_packaging_changed_since_and_breaking(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "checkout")
    (repo / ".gitignore").write_text("/dist/\n/.pants.d/\n/.pids/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release")
    key = SigningKey.generate("schemas-integration")
    env = {"ESTREAM_SIGNING_KEY": key.private_key_file_text()}

    # Packaging resolves every package across the graph; the graph is printed as JSON.
    result = run_pants(
        repo,
        ["package", "schema-graph", "--schema-graph-json", "schemas::", "components::"],
        env=env,
        pantsd=True,
    ).assert_success()
    graph = {p["name"]: p for p in json.loads(result.stdout)["packages"]}
    assert set(graph) == {
        "esf-iot",
        "esf-trading",
        "esf-carbon",
        "estream-trade-audit",
        "estream-fleet-health",
        "estream-wire-fix",
        "estream-wire-mqtt",
        "estream-wire-modbus",
        "esf-health",
        "estream-wire-hl7",
        "esf-payments",
        "estream-wire-iso20022",
    }
    for adapter in ("estream-wire-mqtt", "estream-wire-modbus"):  # device readings: esf-iot's
        assert ("IoTTelemetry", "esf-iot") in {
            (r["schema"], r["provider"]) for r in graph[adapter]["requires"]
        }
    audit = graph["estream-trade-audit"]
    assert {(r["schema"], r["provider"]) for r in audit["requires"]} == {
        ("EStreamOrder", "esf-trading"),
        ("EStreamFill", "esf-trading"),
    }
    assert ("HealthPatient", "esf-health") in {
        (r["schema"], r["provider"]) for r in graph["estream-wire-hl7"]["requires"]
    }
    assert ("CreditTransfer", "esf-payments") in {
        (r["schema"], r["provider"]) for r in graph["estream-wire-iso20022"]["requires"]
    }
    assert audit["address"] == "components/estream-trade-audit:estream-trade-audit"
    assert {(r["name"], r["provider"]) for r in graph["estream-fleet-health"]["references"]} >= {
        ("AlertSeverity", "esf-iot")
    }
    assert (repo / "dist/estream-trade-audit-0.3.1.tar.gz").exists()
    assert (repo / "dist/estream-fleet-health-1.1.0.tar.gz").exists()

    # A breaking change in esf-trading without a version bump: `--changed-since` finds the
    # component that requires it through inferred dependencies, and schema-breaking fails.
    order = repo / "schemas/esf-trading/schemas/trading-order.esf.yaml"
    order.write_text(order.read_text().replace("values: [GTC, IOC, FOK, DAY]", "values: [GTC, IOC, FOK]"))
    result = run_pants(
        repo,
        [
            "--changed-since=HEAD",
            "--changed-dependents=transitive",
            "list",
            "schema-breaking",
            "--schema-breaking-ref=HEAD",
        ],
        env=env,
        pantsd=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    listed = set(result.stdout.split())
    assert "schemas/esf-trading/schemas/trading-order.esf.yaml" in listed
    assert "schemas/esf-trading:esf-trading" in listed
    assert "components/estream-trade-audit/schemas/trade-audit.esf.yaml" in listed
    assert "components/estream-trade-audit:estream-trade-audit" in listed
    assert "components/estream-wire-fix:estream-wire-fix" in listed
    assert "components/estream-fleet-health:estream-fleet-health" not in listed
    assert "esf-trading: 1.0.0 -> 1.0.0 (version unchanged)" in result.stdout
    assert "major  enum-value-removed" in result.stdout
    assert "value `DAY` was removed from enum `TimeInForce`" in result.stdout
    assert 'help: set `version = "2.0.0"`' in result.stdout
    assert "estream-trade-audit: 0.3.1 -> 0.3.1 (version unchanged)" in result.stdout
    assert "3 package(s) checked against `HEAD`: 1 failed" in result.stderr
