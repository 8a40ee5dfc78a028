from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence

import pytest

from estream.core.errors import EstreamError
from estream.core.esf import parse_esf
from estream.core.manifest import parse_manifest
from estream.core.resolution import PackageSchemas, render_graph, resolve_packages
from estream.testutil.package_text import esf_schema_yaml, manifest_toml


def manifest(
    name: str,
    version: str = "1.0.0",
    provides: Sequence[str] = (),
    requires: Sequence[str] = (),
    deps: Optional[Dict[str, str]] = None,
) -> bytes:
    text = manifest_toml(
        name,
        version,
        description=f"test package {name}",
        provides=list(provides),
        requires=list(requires),
        include={"schemas": ["schemas/*.esf.yaml"]},
        dependencies=deps,
    )
    return text.encode()


def schema_file(
    ns: str, schemas: Dict[str, Dict[str, str]], enums: Optional[Dict[str, Sequence[str]]] = None
) -> bytes:
    return esf_schema_yaml(schemas, namespace=ns, enums=enums).encode()


def pkg(name: str, files: Dict[str, bytes], **kw) -> PackageSchemas:
    m = parse_manifest(manifest(name, **kw), f"{name}/estream-component.toml")
    docs = tuple(parse_esf(content, f"{name}/schemas/{fname}") for fname, content in files.items())
    return PackageSchemas(m, docs)


TRADING = pkg(
    "trading",
    {
        "t.esf.yaml": schema_file(
            "t",
            {"Order": {"id": "bytes32", "side": "Side"}, "Internal": {"x": "u8"}},
            {"Side": ["Buy", "Sell"]},
        )
    },
    version="1.2.0",
    provides=["Order"],
)


def audit(**kw) -> PackageSchemas:
    kw.setdefault("provides", ["Audit"])
    kw.setdefault("requires", ["Order"])
    kw.setdefault("deps", {"trading": "^1.0"})
    fields = kw.pop("fields", {"order": "Order", "side": "Side"})
    return pkg("audit", {"a.esf.yaml": schema_file("a", {"Audit": fields})}, **kw)


def errors(packages, targets=None) -> str:
    with pytest.raises(EstreamError) as e:
        resolve_packages(packages, targets)
    return e.value.render()


def test_happy_path_resolves_requires_and_enum_references() -> None:
    resolved = resolve_packages([TRADING, audit()])
    a = resolved["audit"]
    assert a.provides == (("Audit", "audit/schemas/a.esf.yaml"),)
    assert [(r.schema, r.provider, r.provider_version, r.file) for r in a.requires] == [
        ("Order", "trading", "1.2.0", "trading/schemas/t.esf.yaml")
    ]
    assert sorted((r.name, r.provider) for r in a.references) == [("Order", "trading"), ("Side", "trading")]
    assert a.dependencies[0].version == "1.2.0"
    text = render_graph(resolved)
    assert "provides Order  [trading/schemas/t.esf.yaml] -> required by audit" in text
    assert "requires Order <- trading v1.2.0" in text
    assert resolved["audit"].to_json()["requires"][0]["provider"] == "trading"


def test_requiring_an_exported_enum_is_satisfied() -> None:
    resolved = resolve_packages([TRADING, audit(requires=["Order", "Side"])])
    assert {r.schema: r.provider for r in resolved["audit"].requires} == {
        "Order": "trading",
        "Side": "trading",
    }


def test_transitive_provider_satisfies_requirement() -> None:
    middle = pkg(
        "middle",
        {"m.esf.yaml": schema_file("m", {"Mid": {"o": "Order"}})},
        provides=["Mid"],
        requires=["Order"],
        deps={"trading": "^1"},
    )
    top = pkg(
        "top",
        {"x.esf.yaml": schema_file("x", {"Top": {"o": "Order", "m": "Mid"}})},
        provides=["Top"],
        requires=["Order", "Mid"],
        deps={"middle": "^1"},
    )
    resolved = resolve_packages([TRADING, middle, top], ["top"])
    assert {r.schema: r.provider for r in resolved["top"].requires} == {"Order": "trading", "Mid": "middle"}


def test_unsatisfied_requirement_names_package_schema_and_candidates() -> None:
    text = errors([TRADING, audit(requires=["Order", "Quote"])])
    assert "package `audit` requires `Quote`, but none of its dependencies (`trading`) provides it" in text
    assert "audit/estream-component.toml: `component.schemas.requires`" in text


def test_requirement_provided_by_a_non_dependency_suggests_adding_it() -> None:
    text = errors([TRADING, audit(deps=None, fields={"x": "u8"})])
    assert "requires `Order`, but none of its dependencies ((none)) provides it" in text
    assert 'provided by `trading`, which is not a dependency: add `trading = "^1.2.0"`' in text


def test_private_schema_does_not_satisfy_requirement() -> None:
    text = errors([TRADING, audit(requires=["Internal"], fields={"x": "u8"})])
    assert "requires `Internal`, but none of its dependencies" in text


def test_two_providers_is_an_error_listing_both() -> None:
    other = pkg("trading2", {"o.esf.yaml": schema_file("o", {"Order": {"id": "u8"}})}, provides=["Order"])
    text = errors([TRADING, other, audit(deps={"trading": "^1", "trading2": "^1"}, fields={"o": "Order"})])
    assert "requires `Order`, which is provided by more than one dependency: `trading`, `trading2`" in text


def test_provided_but_undefined_suggests_close_name() -> None:
    bad = pkg("p", {"p.esf.yaml": schema_file("p", {"Order": {"id": "u8"}})}, provides=["Ordr"])
    text = errors([bad])
    assert "package `p` provides `Ordr`, but it is not defined by any of its files" in text
    assert "did you mean `Order`?" in text


def test_providing_an_enum_is_an_error() -> None:
    bad = pkg("p", {"p.esf.yaml": schema_file("p", {"A": {"s": "S"}}, {"S": ["X"]})}, provides=["S"])
    assert "provides `S`, but it is an enum, not a schema" in errors([bad])


def test_dependency_cycle_is_printed() -> None:
    a = pkg("pa", {"a.esf.yaml": schema_file("a", {"A": {"x": "u8"}})}, provides=["A"], deps={"pb": "^1"})
    b = pkg("pb", {"b.esf.yaml": schema_file("b", {"B": {"x": "u8"}})}, provides=["B"], deps={"pc": "^1"})
    c = pkg("pc", {"c.esf.yaml": schema_file("c", {"C": {"x": "u8"}})}, provides=["C"], deps={"pa": "^1"})
    text = errors([a, b, c])
    assert "dependency cycle between packages: pa -> pb -> pc -> pa" in text


def test_unknown_type_reference_suggests() -> None:
    text = errors([TRADING, audit(fields={"order": "Order", "side": "Sidee"})])
    assert "audit/schemas/a.esf.yaml:" in text
    assert "`schemas.Audit.fields.side.type`: package `audit`: unknown type `Sidee`" in text
    assert "did you mean `Side`?" in text


def test_reference_to_name_of_non_dependency_says_which_package_exports_it() -> None:
    lonely = pkg("lonely", {"l.esf.yaml": schema_file("l", {"L": {"s": "Side"}})}, provides=["L"])
    text = errors([TRADING, lonely])
    assert "unknown type `Side`" in text and "`Side` is exported by `trading`" in text


def test_using_a_dependency_schema_without_requiring_it() -> None:
    text = errors([TRADING, audit(requires=[])])
    assert "uses schema `Order` from `trading` without requiring it" in text


def test_ambiguous_enum_reference() -> None:
    other = pkg(
        "other", {"o.esf.yaml": schema_file("o", {"O": {"s": "Side"}}, {"Side": ["L", "R"]})}, provides=["O"]
    )
    text = errors([TRADING, other, audit(deps={"trading": "^1", "other": "^1"})])
    assert "type `Side` is ambiguous, it is exported by `other`, `trading`" in text


def test_semver_mismatch_shows_requirement_and_version_found() -> None:
    text = errors([TRADING, audit(deps={"trading": "^2.0"})])
    assert "package `audit` requires `trading ^2.0`, but the version found is 1.2.0" in text
    assert "`component.dependencies.trading`" in text


@pytest.mark.parametrize(
    "req,ok",
    [
        ("^1.0", True),
        ("~1.2", True),
        ("~1.1", False),
        ("=1.2.0", True),
        (">=1.0, <1.2", False),
        ("1.*", True),
        ("2.*", False),
        ("*", True),
        (">=1.2.0-alpha", True),
    ],
)
def test_semver_operators(req: str, ok: bool) -> None:
    packages = [TRADING, audit(deps={"trading": req})]
    if ok:
        resolve_packages(packages)
    else:
        assert f"requires `trading {req}`" in errors(packages)


def test_prerelease_version_needs_prerelease_requirement() -> None:
    pre = pkg(
        "trading",
        {"t.esf.yaml": schema_file("t", {"Order": {"id": "u8", "side": "Side"}}, {"Side": ["B"]})},
        version="1.3.0-beta.1",
        provides=["Order"],
    )
    assert "version found is 1.3.0-beta.1" in errors([pre, audit(deps={"trading": "^1.0"})])
    resolve_packages([pre, audit(deps={"trading": "^1.3.0-beta.1"})])


def test_unknown_dependency_package() -> None:
    text = errors([TRADING, audit(deps={"tradng": "^1"})])
    assert "depends on `tradng`, but no package of that name exists" in text
    assert "did you mean `trading`?" in text


def test_duplicate_definition_within_package_and_duplicate_package_names() -> None:
    p = PackageSchemas(
        parse_manifest(manifest("dup", provides=["A"]), "dup/estream-component.toml"),
        (
            parse_esf(schema_file("d", {"A": {"x": "u8"}}), "dup/1.esf.yaml"),
            parse_esf(schema_file("d", {"A": {"x": "u8"}}), "dup/2.esf.yaml"),
        ),
    )
    text = errors([p])
    assert "`A` is already defined in `dup/1.esf.yaml`" in text
    twin = pkg("trading", {"z.esf.yaml": schema_file("z", {"Z": {"x": "u8"}})}, provides=["Z"])
    assert "package name `trading` is also used by `trading/estream-component.toml`" in errors(
        [TRADING, twin]
    )


def test_every_error_is_reported_at_once() -> None:
    text = errors(
        [TRADING, audit(requires=["Order", "Nope"], provides=["Audit", "Gone"], deps={"trading": "^3"})]
    )
    assert "4 errors found" in text or "3 errors found" in text
    assert "Nope" in text and "Gone" in text and "^3" in text


REPO = Path(__file__).resolve().parents[3]


def _load_dir(root: Path) -> PackageSchemas:
    m = parse_manifest((root / "estream-component.toml").read_bytes(), str(root / "estream-component.toml"))
    docs = tuple(parse_esf(p.read_bytes(), str(p)) for p in sorted(root.glob("schemas/*.esf.yaml")))
    return PackageSchemas(m, docs)


def test_in_repo_packages_resolve() -> None:
    roots = sorted(p.parent for p in REPO.glob("*/*/estream-component.toml"))
    resolved = resolve_packages([_load_dir(r) for r in roots])
    assert {"esf-iot", "esf-trading", "esf-carbon"} <= set(resolved)
    audit_pkg = resolved["estream-trade-audit"]
    assert {r.schema: r.provider for r in audit_pkg.requires} == {
        "EStreamOrder": "esf-trading",
        "EStreamFill": "esf-trading",
    }
