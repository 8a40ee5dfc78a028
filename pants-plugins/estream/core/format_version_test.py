import json

import pytest

from estream.core.errors import EstreamError
from estream.core.format_version import format_version_problem, is_exact_int
from estream.core.registry.components_lock import parse_lock
from estream.core.registry.index import IndexEntry, parse_index_line
from estream.core.registry.registry import parse_config


@pytest.mark.parametrize("value", [2.0, "2", "2.0", True, None, 3, [2]])
def test_only_the_integer_itself_is_accepted(value):
    assert not is_exact_int(value, 2)
    assert format_version_problem(value, 2)


def test_the_integer_is_accepted():
    assert is_exact_int(2, 2) and format_version_problem(2, 2) is None
    assert not is_exact_int(True, 1)  # True == 1 in Python


def test_registry_config_refuses_a_float_format_version():
    with pytest.raises(EstreamError) as e:
        parse_config(b"[registry]\nformat_version = 1.0\n", None, "reg")
    assert "found 1.0 (a float)" in str(e.value) and "registry.format_version" in str(e.value)
    with pytest.raises(EstreamError):
        parse_config(b'[registry]\nformat_version = "1"\n', None, "reg")
    assert parse_config(b"[registry]\nformat_version = 1\n", None, "reg").format_version == 1


def test_components_lock_refuses_a_float_format_version():
    for raw in (b'{"format_version": 1.0, "components": {}}', b'{"format_version": "1", "components": {}}'):
        with pytest.raises(EstreamError):
            parse_lock(raw, "components.lock")
    assert parse_lock(b'{"format_version": 1, "components": {}}', "components.lock") == {}


def test_index_line_refuses_a_float_format_version():
    entry = IndexEntry(
        name="esf-iot",
        version="1.2.0",
        checksum="sha3-256:" + "a" * 64,
        size=100,
        deps=(),
        provides=(),
        requires=(),
        category="esf-schema",
        keywords=(),
        description="d",
        key_id="acme",
        key_fingerprint="sha3-256:" + "b" * 64,
        yanked=False,
        published_at="2026-02-10T12:00:00Z",
    )
    assert parse_index_line(entry.to_line(), expected_name="esf-iot", source="s", line=1) == entry
    for bad in (1.0, "1", True):
        doc = entry.to_dict()
        doc["v"] = bad
        with pytest.raises(EstreamError) as e:
            parse_index_line(json.dumps(doc), expected_name="esf-iot", source="s", line=1)
        assert "index format version" in str(e.value)
