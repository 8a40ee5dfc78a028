"""Bad input reaches the user of `./pants` as a Cargo-style error, never as a traceback."""

from __future__ import annotations

from pathlib import Path

from integration.pants_repo import copy_repo, run_pants


def test_broken_manifest_and_schema_give_clear_errors(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    manifest = repo / "schemas/esf-iot/estream-component.toml"
    manifest.write_text(manifest.read_text().replace('version = "1.0.0"', 'version = "1.0"'))
    schema = repo / "schemas/esf-carbon/schemas/carbon-credit.esf.yaml"
    schema.write_text(schema.read_text().replace("type: CreditType", "type: CreditTyp", 1))

    iot = run_pants(repo, ["package", "schemas/esf-iot"], pantsd=True)
    assert iot.returncode != 0
    assert (
        "schemas/esf-iot/estream-component.toml:3: `component.version`: expected a SemVer "
        'version like "1.0.0", found "1.0"' in iot.stderr
    ), iot.stderr
    assert "Traceback" not in iot.stderr

    carbon = run_pants(repo, ["check", "schemas/esf-carbon::"], pantsd=True)
    assert carbon.returncode != 0
    assert "schemas/esf-carbon/schemas/carbon-credit.esf.yaml" in carbon.stderr + carbon.stdout
    assert "unknown type `CreditTyp`" in carbon.stderr + carbon.stdout
    assert "did you mean `CreditType`?" in carbon.stderr + carbon.stdout
    assert "Traceback" not in carbon.stderr
