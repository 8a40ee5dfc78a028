import pytest

from estream.core.globs import filter_glob, glob_matches


@pytest.mark.parametrize(
    "pattern,path,expected",
    [
        ("schemas/*.esf.yaml", "schemas/iot.esf.yaml", True),
        ("schemas/*.esf.yaml", "schemas/sub/iot.esf.yaml", False),
        ("schemas/*.esf.yaml", "schemas/iot.yaml", False),
        ("schemas/**/*.esf.yaml", "schemas/iot.esf.yaml", True),
        ("schemas/**/*.esf.yaml", "schemas/a/b/iot.esf.yaml", True),
        ("docs/**", "docs/a/b.md", True),
        ("docs/**", "doc/a.md", False),
        ("circuits/?.circuit.yaml", "circuits/a.circuit.yaml", True),
        ("circuits/?.circuit.yaml", "circuits/ab.circuit.yaml", False),
        ("f[ab].txt", "fa.txt", True),
        ("f[!ab].txt", "fa.txt", False),
        ("f[!ab].txt", "fc.txt", True),
        ("a.b", "axb", False),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


def test_filter_glob_keeps_order() -> None:
    paths = ["schemas/b.esf.yaml", "README.md", "schemas/a.esf.yaml"]
    assert filter_glob("schemas/*.esf.yaml", paths) == ["schemas/b.esf.yaml", "schemas/a.esf.yaml"]
