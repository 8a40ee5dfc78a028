from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from estream.core.errors import EstreamError
from estream.core.toml_validator import (
    INVALID,
    MAX_DIAGNOSTICS,
    TOML_MAX_INT,
    TomlValidator,
    describe_toml_value,
    dotted_key,
    quoted,
    validate_toml_document,
)


class _PointValidator(TomlValidator):
    """A tiny file format: `[point]` with integer `x`, boolean `visible` and a version."""

    root_table = "point"

    def document(self, data: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        root = self.table(data, (), ("point",))
        point = (
            self.table(root.get("point", {}), ("point",), ("x", "visible", "version", "tags"))
            if root
            else None
        )
        if point is None:
            return None
        out = {
            "x": self.integer(point["x"], ("point", "x"), 0, 10, "an integer from 0 to 10")
            if self.required(point, ("point",), "x")
            else INVALID,
            "visible": self.boolean(point.get("visible", False), ("point", "visible")),
            "version": self.semver_version(point.get("version", "1.0.0"), ("point", "version")),
            "tags": self.string_list(
                point.get("tags", []), ("point", "tags"), "a tag", lambda item, index: True
            ),
        }
        return None if INVALID in out.values() else out


def parse(text: str) -> Dict[str, Any]:
    return validate_toml_document(
        text.encode(),
        "point.toml",
        what="the point file",
        size_help="",
        validate=lambda text, diag, data: _PointValidator("point.toml", text, diag).document(data),
    )


def problems(text: str) -> EstreamError:
    with pytest.raises(EstreamError) as info:
        parse(text)
    return info.value


def test_a_valid_document() -> None:
    value = parse('[point]\nx = 3\nvisible = true\ntags = ["a", "b"]\n')
    assert value["x"] == 3 and value["visible"] is True and str(value["version"]) == "1.0.0"
    assert value["tags"] == ("a", "b")


def test_every_problem_is_reported_at_its_line_and_key() -> None:
    error = problems(
        '[point]\nx = true\nvisible = "yes"\nversion = "1"\ntags = ["a", "a"]\nextra = 1\nvisibel = 1\n'
    )
    found = {(d.key, d.line): d for d in error.diagnostics}
    assert "expected an integer from 0 to 10, found boolean true" in found[("point.x", 2)].message
    assert 'found string "yes"' in found[("point.visible", 3)].message
    assert "SemVer" in found[("point.version", 4)].message
    assert "listed twice" in found[("point.tags", 5)].message
    assert found[("point.extra", 6)].help == "expected one of: x, visible, version, tags"
    assert found[("point.visibel", 7)].help == "did you mean `visible`?"


def test_unknown_top_level_key_names_the_root_table() -> None:
    d = problems("[point]\nx = 1\n[other]\n").diagnostics[0]
    assert d.message == "unknown key `other` at the top level (everything goes under `[point]`)"


def test_missing_key_and_64_bit_integers() -> None:
    assert "missing required key `x` in `[point]`" in str(problems("[point]\n"))
    big = problems(f"[point]\nx = {TOML_MAX_INT + 1}\n").diagnostics[0]
    assert big.help is None and "found integer" in big.message  # outside 0..10 is reported first


def test_reporting_stops_at_the_cap() -> None:
    text = "[point]\nx = 1\n" + "".join(f"k{i} = 1\n" for i in range(MAX_DIAGNOSTICS + 50))
    error = problems(text)
    assert len(error.diagnostics) == MAX_DIAGNOSTICS + 1
    assert any(f"stopped after {MAX_DIAGNOSTICS} problems" in d.message for d in error.diagnostics)


def test_message_helpers() -> None:
    assert (
        dotted_key(("component", "dependencies", "odd name", 0, "x"))
        == 'component.dependencies."odd name"[0].x'
    )
    assert quoted("a" * 100) == '"' + "a" * 77 + '..."'
    assert describe_toml_value(True) == "boolean true"
    assert describe_toml_value([1]) == "an array of 1 item"
    assert describe_toml_value({}) == "a table"
