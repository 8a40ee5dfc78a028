from __future__ import annotations

from typing import Dict, List, Sequence

import pytest

from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest
from estream.core.package_validation import dependency_closure, first_found, validate_package
from estream.core.resolution import PackageSchemas
from estream.core.semver import VersionReq
from estream.testutil.broken_packages import BASE
from estream.testutil.package_text import manifest_toml


def package(prefix: str, files: Dict[str, str]) -> Dict[str, bytes]:
    return {
        p[len(prefix) + 1 :]: c.encode()
        for p, c in files.items()
        if p.startswith(prefix + "/") and not p.endswith("BUILD")
    }


def base_package() -> PackageSchemas:
    files = package("esf-base", BASE)
    return PackageSchemas(
        parse_manifest(files["estream-component.toml"], "esf-base/estream-component.toml"),
        (parse_esf(files["schemas/base.esf.yaml"], "esf-base/schemas/base.esf.yaml"),),
    )


def test_the_valid_package_validates_with_its_dependency() -> None:
    validated = validate_package(package("demo", BASE), root="demo", dependencies=[base_package()])
    assert validated.manifest.name == "demo-meter"
    assert [rel for rel, _ in validated.circuits] == ["circuits/meter.circuit.yaml"]
    assert [r.provider for r in validated.resolved.requires] == ["esf-base"]


def test_license_is_required_only_for_publishing() -> None:
    files = package("demo", BASE)
    del files["LICENSE"]
    validate_package(files, root="demo", dependencies=[base_package()], publishing=False)
    with pytest.raises(EstreamError) as e:
        validate_package(files, root="demo", dependencies=[base_package()])
    assert [d.path for d in e.value.diagnostics] == ["demo/LICENSE"]


def test_every_problem_is_reported_at_once() -> None:
    files = package("demo", BASE)
    del files["LICENSE"]
    files["circuits/meter.circuit.yaml"] = files["circuits/meter.circuit.yaml"].replace(
        b'version: "0.3.0"', b'version: "0.4.0"'
    )
    with pytest.raises(EstreamError) as e:
        validate_package(files, root="demo", dependencies=[])
    found = {(d.path, d.key) for d in e.value.diagnostics}
    assert ("demo/LICENSE", None) in found
    assert ("demo/circuits/meter.circuit.yaml", "version") in found
    assert ("demo/estream-component.toml", "component.dependencies.esf-base") in found


def test_dependency_closure_is_transitive_and_passes_requirements() -> None:
    asked: List[tuple] = []
    top = parse_manifest(
        manifest_toml(
            "top", description="t", license="MIT", provides=["T"], dependencies={"mid": "^1"}
        ).encode(),
        "top.toml",
    )
    mid = PackageSchemas(
        parse_manifest(
            manifest_toml(
                "mid",
                "1.1.0",
                description="m",
                license="MIT",
                provides=["M"],
                dependencies={"esf-base": "^1.0", "top": "^1"},
            ).encode(),
            "mid.toml",
        ),
        (),
    )

    def lookup(name: str, reqs: Sequence[VersionReq]):
        asked.append((name, [str(r) for r in reqs]))
        return {"mid": [mid], "esf-base": [base_package()]}.get(name, [])

    found = dependency_closure(top, first_found(lambda n, r: [], lookup))
    assert [p.name for p in found] == ["esf-base", "mid"]
    assert [a[0] for a in asked] == ["mid", "esf-base"]  # never the package itself
