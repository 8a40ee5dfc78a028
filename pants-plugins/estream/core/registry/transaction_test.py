"""The workspace transaction: all or nothing, and a journal a checkout shipped is untrusted input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estream.core.errors import EstreamError
from estream.core.registry.transaction import JOURNAL, STAGE_DIR, Transaction, recover


def tree(root: Path):
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def shipped_journal(root: Path, journal) -> Path:
    stage = root / STAGE_DIR
    (stage / "backup").mkdir(parents=True)
    path = stage / JOURNAL
    path.write_text(journal if isinstance(journal, str) else json.dumps(journal))
    return path


def test_commit_writes_and_deletes_and_leaves_no_staging(tmp_path):
    (tmp_path / "old.txt").write_text("old")
    (tmp_path / "keep.txt").write_text("keep")
    txn = Transaction(tmp_path)
    txn.write("a/b/new.txt", b"new")
    txn.write("keep.txt", b"kept")
    txn.delete("old.txt")
    txn.commit()
    assert tree(tmp_path) == {"a": None, "a/b": None, "a/b/new.txt": b"new", "keep.txt": b"kept"}


@pytest.mark.parametrize(
    "target", ["../outside.txt", "/etc/passwd-estream", "a/../../outside.txt", "link/x.txt"]
)
def test_a_journal_pointing_outside_the_workspace_touches_nothing(tmp_path, target):
    ws = tmp_path / "ws"
    ws.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (ws / "link").symlink_to(tmp_path)
    journal = shipped_journal(
        ws,
        {
            "ops": [{"target": target, "new": "new/0", "backup": "backup/w0", "existed": False}],
            "created_dirs": [],
        },
    )
    before = tree(tmp_path)
    with pytest.raises(EstreamError) as e:
        recover(ws)
    assert tree(tmp_path) == before
    assert str(ws) in e.value.render()
    del journal


@pytest.mark.parametrize(
    "text,problem",
    [
        ("{not json", "not JSON"),
        ("[]", "expected an object"),
        ('{"ops": [{"target": "x"}], "created_dirs": []}', "ops[0] must have exactly"),
        (
            '{"ops": [{"target": "x", "new": "../../x", "backup": "backup/w0", "existed": false}], "created_dirs": []}',
            "ops[0].new",
        ),
        (
            '{"ops": [{"target": "x", "new": null, "backup": "/etc/passwd", "existed": true}], "created_dirs": []}',
            "ops[0].backup",
        ),
        ('{"ops": [], "created_dirs": ["../up"]}', "`..`"),
        ('{"ops": [], "created_dirs": [7]}', "created_dirs[0]"),
        ("[" * 100000, "not JSON"),
    ],
)
def test_a_malformed_journal_is_a_clear_error_naming_the_file(tmp_path, text, problem):
    path = shipped_journal(tmp_path, text)
    with pytest.raises(EstreamError) as e:
        recover(tmp_path)
    rendered = e.value.render()
    assert problem in rendered
    assert str(path) in rendered or str(tmp_path) in rendered
    assert path.exists()  # nothing was touched


def test_a_symlinked_staging_directory_is_refused(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "file").write_text("x")
    (ws / STAGE_DIR).symlink_to(elsewhere)
    with pytest.raises(EstreamError, match="symbolic link"):
        recover(ws)
    assert (elsewhere / "file").read_text() == "x"


def test_a_valid_interrupted_journal_is_rolled_back(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    stage = tmp_path / STAGE_DIR
    (stage / "backup").mkdir(parents=True)
    (stage / "new").mkdir()
    # a.txt was replaced (its backup is staged) and b.txt created, then the process died.
    (stage / "backup/w0").write_text("old")
    (tmp_path / "a.txt").write_text("new")
    (tmp_path / "d").mkdir()
    (tmp_path / "d/b.txt").write_text("new")
    journal = {
        "ops": [
            {"target": "a.txt", "new": "new/0", "backup": "backup/w0", "existed": True},
            {"target": "d/b.txt", "new": "new/1", "backup": "backup/w1", "existed": False},
        ],
        "created_dirs": ["d"],
    }
    (stage / JOURNAL).write_text(json.dumps(journal))
    assert "rolled back" in recover(tmp_path)
    assert tree(tmp_path) == {"a.txt": b"old"}
