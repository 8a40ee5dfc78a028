from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.keys import parse_keyring
from estream.core.registry.registry import parse_config
from estream.core.registry.workspace import parse_workspace
from estream.core.toml_loader import MAX_TOML_BYTES, load_toml

# Every reader that went through tomli directly now shares the hardened loader.
READERS = {
    "workspace": lambda data: parse_workspace(data, "estream.toml"),
    "keyring": lambda data: parse_keyring(data.decode("utf-8", "surrogateescape"), source="keyring.toml"),
    "registry config": lambda data: parse_config(data, None, "registry"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_nesting_too_deep_is_a_diagnostic_not_a_traceback(reader: str) -> None:
    deep = b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    with pytest.raises(EstreamError) as e:
        READERS[reader](deep)
    assert "nested too deeply" in str(e.value)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_invalid_toml_names_the_line(reader: str) -> None:
    with pytest.raises(EstreamError) as e:
        READERS[reader](b"[a]\nb = 1\nc = \n")
    (d,) = e.value.diagnostics
    assert d.line == 3 and d.message.startswith("invalid TOML")


def test_size_cap_and_utf8() -> None:
    with pytest.raises(EstreamError) as e:
        load_toml(b"a = 1\n" * (MAX_TOML_BYTES // 6 + 1), "big.toml", what="the file")
    assert "the limit is" in str(e.value)
    with pytest.raises(EstreamError) as e:
        load_toml(b'a = "ok"\nb = "\xff"\n', "bad.toml")
    assert e.value.diagnostics[0].line == 2 and "UTF-8" in e.value.diagnostics[0].message
    assert load_toml('a = 1\n', "ok.toml") == {"a": 1}
