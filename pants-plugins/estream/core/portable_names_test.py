from __future__ import annotations

import unicodedata

import pytest

from estream.core.archive import build_archive, read_archive
from estream.core.errors import EstreamError
from estream.core.portable_names import collision_message, first_collision, name_key

NFC = unicodedata.normalize("NFC", "schemas/caf\u00e9.esf.yaml")
NFD = unicodedata.normalize("NFD", NFC)


@pytest.mark.parametrize(
    "paths, pair",
    [
        (["README.md", "readme.md"], ("README.md", "readme.md")),
        ([NFC, NFD], tuple(sorted([NFC, NFD], key=lambda p: p.encode()))),
        (["Docs/a.md", "docs/b.md"], ("Docs", "docs")),
        (["docs", "DOCS/x"], ("DOCS", "docs")),
        (["Stra\u00dfe.md", "STRASSE.md"], ("STRASSE.md", "Stra\u00dfe.md")),
    ],
)
def test_collisions_found(paths, pair) -> None:
    assert first_collision(paths) == pair


def test_distinct_names_pass() -> None:
    assert first_collision(["a/b.md", "a/c.md", "b/b.md", "caf\u00e9", "cafe"]) is None
    assert name_key("ReadMe.MD") == name_key("readme.md")


def test_messages_say_which_kind() -> None:
    assert "differ only in case" in collision_message(("README.md", "readme.md"))
    text = collision_message((NFC, NFD))
    assert "two Unicode forms" in text and "\\xe9" in text and "\\u0301" in text


@pytest.mark.parametrize("extra", [{"README.md": b"a", "readme.md": b"b"}, {NFC: b"a", NFD: b"b"}])
def test_archives_with_colliding_names_are_refused_when_read_and_built(extra) -> None:
    import gzip

    with pytest.raises(EstreamError, match="file paths"):
        build_archive({"LICENSE": b"x", **extra}, "p-1")
    raw = gzip.compress(_tar({"LICENSE": b"x", **extra}))
    with pytest.raises(EstreamError) as e:
        read_archive(raw, source="evil.tar.gz")
    assert "refusing the archive before anything is installed" in str(e.value) and "evil.tar.gz" in str(
        e.value
    )


def _tar(files) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"p-1/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()
