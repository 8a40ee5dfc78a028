from __future__ import annotations

import os
from pathlib import Path

import pytest

from estream.core.confine import confined_path
from estream.core.errors import EstreamError


@pytest.mark.parametrize(
    "rel", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "a\\b", "a\x00b"]
)
def test_paths_that_could_leave_the_root_are_refused(tmp_path: Path, rel: str) -> None:
    with pytest.raises(EstreamError) as e:
        confined_path(tmp_path, rel, shown="ws")
    assert "ws" in str(e.value)


def test_plain_paths_resolve_below_the_root(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    assert confined_path(tmp_path, "a/f") == tmp_path / "a" / "f"
    assert confined_path(tmp_path, "new/dir/file") == tmp_path / "new" / "dir" / "file"


def test_symlinked_directory_on_the_way_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(EstreamError, match="symbolic link"):
        confined_path(root, "link/evil", shown="ws")


def test_symlink_or_directory_as_target_is_refused(tmp_path: Path) -> None:
    os.symlink("/etc/passwd", tmp_path / "f")
    (tmp_path / "d").mkdir()
    with pytest.raises(EstreamError, match="symbolic link"):
        confined_path(tmp_path, "f")
    with pytest.raises(EstreamError, match="not a regular file"):
        confined_path(tmp_path, "d")
    assert confined_path(tmp_path, "d", kind="dir") == tmp_path / "d"


def test_file_on_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(EstreamError, match="not a directory"):
        confined_path(tmp_path, "f/g")
