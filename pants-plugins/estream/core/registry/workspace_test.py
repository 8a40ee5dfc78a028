import pytest

from estream.core.errors import EstreamError
from estream.core.registry.cache import ArchiveCache, checksum_of
from estream.core.registry.transaction import STAGE_DIR, Transaction, recover
from estream.core.registry.workspace import LockEntry, Workspace, parse_workspace

C = "sha3-256:" + "c" * 64
K = "sha3-256:" + "d" * 64


def test_workspace_roundtrip():
    ws = Workspace({"a": "=1.0.0"}, {"a": LockEntry("1.0.0", C)}, {"a": ("circuits/x.circuit.yaml",)})
    assert parse_workspace(ws.render().encode()) == ws
    assert "[lock]" in ws.render() and 'a = { version = "1.0.0", checksum = "' in ws.render()
    # the signing key is part of the lock; the registry's pinned roots and the snapshot seen too
    ws = Workspace({"a": "=1.0.0"}, {"a": LockEntry("1.0.0", C, K)}, {}, (K,), 7)
    assert parse_workspace(ws.render().encode()) == ws
    assert f'key_fingerprint = "{K}"' in ws.render() and "snapshot = 7" in ws.render()


@pytest.mark.parametrize(
    "text, key",
    [
        ('[dependencies]\na = "^^1"\n', "dependencies.a"),
        ('[dependencies]\nBad = "1"\n', "dependencies.Bad"),
        ('[lock]\na = { version = "1.0.0" }\n', "lock.a"),
        ('[lock]\na = { version = "1.0.0", checksum = "md5:x" }\n', "lock.a.checksum"),
        ('[files]\na = ["../x"]\n', "files.a"),
        (
            '[lock]\na = { version = "1.0.0", checksum = "%s", key_fingerprint = "x" }\n' % C,
            "lock.a.key_fingerprint",
        ),
        ('[trust]\nroots = ["abc"]\n', "trust.roots"),
        ("[trust]\nsnapshot = 2.0\n", "trust.snapshot"),
        ("[trust]\nthreshold = 2\n", "trust.threshold"),
        ("[other]\n", "other"),
    ],
)
def test_workspace_errors_name_the_key(text, key):
    with pytest.raises(EstreamError) as e:
        parse_workspace(text.encode(), "estream-workspace.toml")
    assert f"`{key}`" in str(e.value)


def test_cache_discards_corrupted_entries(tmp_path):
    cache = ArchiveCache(tmp_path)
    c = cache.put(b"data")
    assert c == checksum_of(b"data") and cache.get(c) == b"data"
    cache.path_for(c).write_bytes(b"evil")
    assert cache.get(c) is None and not cache.path_for(c).exists()


def test_transaction_commits_and_recover_is_noop(tmp_path):
    (tmp_path / "keep.txt").write_text("old")
    (tmp_path / "gone.txt").write_text("bye")
    t = Transaction(tmp_path)
    t.write("keep.txt", b"new")
    t.write("a/b/c.txt", b"c")
    t.delete("gone.txt")
    assert t.changes() == [("write", "a/b/c.txt"), ("write", "keep.txt"), ("delete", "gone.txt")]
    t.commit()
    assert (tmp_path / "keep.txt").read_text() == "new" and (tmp_path / "a/b/c.txt").read_text() == "c"
    assert not (tmp_path / "gone.txt").exists() and not (tmp_path / STAGE_DIR).exists()
    assert recover(tmp_path) is None


def test_failed_commit_rolls_back(tmp_path):
    (tmp_path / "keep.txt").write_text("old")
    (tmp_path / "blocker").mkdir()  # a directory where a file must go: fails after other steps ran
    t = Transaction(tmp_path)
    t.write("keep.txt", b"new")
    t.write("new/dir/file.txt", b"x")
    t.write("blocker", b"x")
    with pytest.raises(EstreamError, match="not a regular file"):
        t.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "old"
