from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from estream.core.breaking import check_bump, diff_schemas
from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.git_baseline import check_ref, read_baseline
from estream.testutil.package_text import esf_schema_yaml, manifest_toml


def manifest(version: str) -> str:
    return manifest_toml(
        "esf-demo",
        version,
        description="Demo",
        provides=["Event"],
        include={"schemas": ["schemas/*.esf.yaml"]},
    )


def schema(type_: str) -> str:
    return esf_schema_yaml({"Event": {"id": type_}}, namespace="demo")


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    pkg = tmp_path / "pkgs/demo"
    (pkg / "schemas").mkdir(parents=True)
    (pkg / "estream-component.toml").write_text(manifest("1.0.0"))
    (pkg / "schemas/event.esf.yaml").write_text(schema("u64"))
    (pkg / "schemas/notes.txt").write_text("not a schema")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "v1")
    git(tmp_path, "tag", "v1.0.0")
    return tmp_path


def test_reads_old_manifest_and_schemas_at_ref(repo: Path) -> None:
    (repo / "pkgs/demo/schemas/event.esf.yaml").write_text(schema("u32"))
    (repo / "pkgs/demo/estream-component.toml").write_text(manifest("1.1.0"))
    git(repo, "commit", "-q", "-am", "narrow")
    base = read_baseline(str(repo), "v1.0.0", "pkgs/demo/estream-component.toml")
    assert base is not None
    assert str(base.manifest.version) == "1.0.0"
    assert [d.path for d in base.documents] == ["v1.0.0:pkgs/demo/schemas/event.esf.yaml"]
    new = parse_esf(
        (repo / "pkgs/demo/schemas/event.esf.yaml").read_bytes(), "pkgs/demo/schemas/event.esf.yaml"
    )
    changes = diff_schemas(base.documents, [new])
    assert [c.rule for c in changes] == ["field-type-changed"]
    from estream.core.semver import Version

    check = check_bump("esf-demo", base.manifest.version, Version.parse("1.1.0"), changes)
    assert not check.ok and 'set `version = "2.0.0"`' in check.render()


def test_new_package_has_no_baseline(repo: Path) -> None:
    assert read_baseline(str(repo), "v1.0.0", "pkgs/other/estream-component.toml") is None


def test_unknown_ref_is_a_clear_error(repo: Path) -> None:
    assert len(check_ref(str(repo), "v1.0.0")) == 40
    with pytest.raises(EstreamError) as e:
        check_ref(str(repo), "v9.9.9")
    assert "git ref `v9.9.9` does not name a commit" in str(e.value)
    with pytest.raises(EstreamError):
        check_ref(str(repo), "--output=/tmp/x")


def test_broken_old_schema_is_reported_with_ref_and_path(repo: Path) -> None:
    (repo / "pkgs/demo/schemas/event.esf.yaml").write_text("version: [\n")
    git(repo, "commit", "-q", "-am", "broken")
    with pytest.raises(EstreamError) as e:
        read_baseline(str(repo), "HEAD", "pkgs/demo/estream-component.toml")
    assert "HEAD:pkgs/demo/schemas/event.esf.yaml" in str(e.value)
