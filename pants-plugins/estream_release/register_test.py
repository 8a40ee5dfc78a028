import pytest

from estream.version import VERSION
from estream_release.register import parse_version


def test_parse_version_reads_the_assignment() -> None:
    assert parse_version('"""doc"""\n\nVERSION = "1.2.3"\n') == "1.2.3"


def test_parse_version_reads_the_real_file_like_the_import() -> None:
    import estream.version

    with open(estream.version.__file__, encoding="utf-8") as f:
        assert parse_version(f.read()) == VERSION


@pytest.mark.parametrize(
    "source", ["VERSION = 1\n", "X = '1.0'\n", "VERSION = get()\n", "def f():\n    VERSION = '1'\n"]
)
def test_parse_version_refuses_anything_but_a_literal(source: str) -> None:
    with pytest.raises(ValueError, match=r"pants-plugins/estream/version.py: expected a top-level `VERSION"):
        parse_version(source)
