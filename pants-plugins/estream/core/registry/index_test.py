import json

import pytest

from estream.core.errors import EstreamError
from estream.core.registry.index import (
    IndexDep,
    IndexEntry,
    index_path,
    parse_index_file,
    parse_index_line,
    render_index_file,
)

ENTRY = IndexEntry(
    name="esf-iot",
    version="1.2.0",
    checksum="sha3-256:" + "a" * 64,
    size=100,
    deps=(IndexDep("esf-core", "^1.0"),),
    provides=("IoTTelemetry",),
    requires=("CoreEvent",),
    category="esf-schema",
    keywords=("iot",),
    description="IoT schemas",
    key_id="acme",
    key_fingerprint="sha3-256:" + "b" * 64,
    yanked=False,
    published_at="2026-02-10T12:00:00Z",
)


def line(**changes):
    d = ENTRY.to_dict()
    d.update(changes)
    return json.dumps(d)


def errors(raw, expected="esf-iot"):
    with pytest.raises(EstreamError) as e:
        parse_index_line(raw, expected_name=expected, source="index/es/f-/esf-iot", line=3)
    return str(e.value)


def test_roundtrip_and_paths():
    assert parse_index_line(ENTRY.to_line(), expected_name="esf-iot", source="s", line=1) == ENTRY
    assert parse_index_file(render_index_file([ENTRY]), name="esf-iot", source="s") == [ENTRY]
    assert [index_path(n) for n in ("a", "ab", "abc", "esf-iot")] == [
        "index/1/a",
        "index/2/ab",
        "index/3/a/abc",
        "index/es/f-/esf-iot",
    ]
    assert ENTRY.archive_path == "archives/esf-iot/esf-iot-1.2.0.tar.gz"
    with pytest.raises(EstreamError):
        index_path("../etc")


@pytest.mark.parametrize(
    "raw, needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (line(name="esf-other"), "claims to be `esf-other` but is in the index file of `esf-iot`"),
        (line(version="1.2"), "`version`: expected a version like"),
        (line(checksum="md5:abc"), "`checksum`: expected a checksum"),
        (line(size=-1), "`size`"),
        (line(size=True), "`size`"),
        (line(deps=[{"name": "../x", "req": "^1"}]), "`deps[0].name`"),
        (line(deps=[{"name": "esf-core", "req": "^^1"}]), "`deps[0].req`"),
        (line(deps=[{"name": "esf-iot", "req": "^1"}]), "cannot depend on itself"),
        (line(provides=["lower"]), "`provides[0]`"),
        (line(yanked="no"), "`yanked`"),
        (line(description="a\nb"), "`description`"),
        (line(published_at="yesterday"), "`published_at`"),
        (line(v=2), "`v`: expected index format version 1"),
        (line(extra=1), "`extra`: unknown field"),
        (json.dumps({"name": "esf-iot"}), "`checksum`: required field is missing"),
        (line(size=float("nan")).replace("NaN", "NaN"), "NaN is not allowed"),
        ("x" * 70000, "longer than"),
    ],
)
def test_hostile_lines_rejected(raw, needle):
    message = errors(raw)
    assert needle in message and "index/es/f-/esf-iot:3" in message


def test_duplicate_versions_and_bad_utf8_in_file():
    twice = render_index_file([ENTRY, ENTRY.with_yanked(True)])
    with pytest.raises(EstreamError, match="listed twice"):
        parse_index_file(twice, name="esf-iot", source="s")
    with pytest.raises(EstreamError, match="not valid UTF-8"):
        parse_index_file(b"\xff\n", name="esf-iot", source="s")
