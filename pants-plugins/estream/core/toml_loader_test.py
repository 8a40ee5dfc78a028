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
    assert load_toml("a = 1\n", "ok.toml") == {"a": 1}


# Issue 13: limits checked before tomli runs (tomli 2.0.1 is quadratic in a dotted key's parts).
@pytest.mark.parametrize(
    "text, needle, line",
    [
        ("[a]\nb = 1\n" + "k" + ".k" * 64 + " = 1\n", "dotted key of more than 64 parts", 3),
        ("[" + "t." * 70 + "t]\n", "dotted key of more than 64 parts", 1),
        ('"q"' + '."q"' * 64 + " = 1\n", "dotted key of more than 64 parts", 1),
        ("x = " + "9" * 65 + "\n", "integer of 65 digits", 1),
        ("x = 0x" + "f" * 70 + "\n", "integer of", 1),
        ("k" * 1025 + " = 1\n", "more than 1024 characters", 1),
        ("a = 1\nx = " + "[" * 65 + "]" * 65 + "\n", "nested too deeply", 2),
    ],
)
def test_structure_limits_are_diagnostics(text: str, needle: str, line: int) -> None:
    with pytest.raises(EstreamError) as e:
        load_toml(text, "hostile.toml", what="the file")
    (d,) = e.value.diagnostics
    assert needle in d.message and d.line == line and d.path == "hostile.toml"


@pytest.mark.parametrize(
    "text",
    [
        'a.b.c = "x.y.z[{=,"\n',  # structural characters inside strings do not count
        "s = '''\n" + "[" * 100 + "\n'''\n",
        's = """\n' + "a." * 100 + '\n"""\n',
        "# " + "[" * 100 + "\n",
        "x = " + "9" * 19 + "\nf = 3.14159265358979\nt = 1979-05-27T07:32:00.999999-07:00\n",
        "x = " + "[" * 60 + "]" * 60 + "\n",
        "k" + ".k" * 62 + " = 1\n",
    ],
)
def test_structure_limits_accept_ordinary_toml(text: str) -> None:
    load_toml(text, "ok.toml")
