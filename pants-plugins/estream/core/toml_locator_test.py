from __future__ import annotations

from estream.core.toml_locator import TomlLocator

TEXT = """\
[component]
name = "demo-circuit"
description = '''
[component.circuit]
witness_tier = "not a header: inside a multi-line string"
'''
circuit.entry = "circuits/demo.circuit.yaml"
"circuit" . 'targets' = ["cpu"]  # quoted and spaced dotted key
circuit.witness_tier = "1"
circuit.governance = { category = "InfraOps", "auto_approve" = true }
"""


def test_dotted_quoted_and_inline_keys() -> None:
    locator = TomlLocator(TEXT)
    assert locator.line(("component",)) == 1
    assert locator.line(("component", "name")) == 2
    assert locator.line(("component", "circuit", "entry")) == 7
    assert locator.line(("component", "circuit", "targets")) == 8
    assert locator.line(("component", "circuit", "witness_tier")) == 9
    assert locator.line(("component", "circuit", "governance", "auto_approve")) == 10


def test_unknown_keys_fall_back_to_the_closest_located_parent() -> None:
    locator = TomlLocator(TEXT)
    assert locator.line(("component", "circuit", "witness_tier", "deeper")) == 9
    assert locator.line(("component", "circuit", "nowhere")) == 1  # `circuit` has no line of its own
    assert locator.line(("component", "missing", "deeper")) == 1
    assert locator.line(("elsewhere",)) is None


def test_tables_defined_only_by_subtables() -> None:
    locator = TomlLocator('[component]\nname = "x"\n\n[component.circuit.resources]\nmemory_bytes = -1\n')
    assert locator.line(("component", "circuit", "resources", "memory_bytes")) == 5
    assert locator.line(("component", "circuit", "bogus")) == 1


def test_arrays_of_tables_are_numbered_from_zero() -> None:
    text = '[fpga]\n\n[[fpga.targets]]\nbitstream = "a.bin"\n\n[[fpga.targets]]\nbitstream = "b.bin"\n'
    locator = TomlLocator(text)
    assert locator.line(("fpga", "targets", 0)) == 3
    assert locator.line(("fpga", "targets", 1, "bitstream")) == 7
    assert locator.line(("fpga", "targets", 1, "checksum")) == 6


def test_items_of_a_multi_line_array_are_found_by_value_and_occurrence() -> None:
    text = 'list = [\n  "a",\n  "b",\n  "a",\n]\nnext = 1\n'
    locator = TomlLocator(text)
    assert locator.line(("list",), "b") == 3
    assert locator.line(("list",), "a", occurrence=1) == 4
    assert locator.line(("list",), "not there") == 1


def test_never_fails_on_broken_text() -> None:
    for text in ('[unclosed\nkey = "open', "= = =\n[[]]\n{", "'''\n", '"\\'):
        assert TomlLocator(text).line(("key",)) in (None, 1, 2)
