import hashlib
import struct

import pytest

from estream.core.errors import EstreamError
from estream.core.merkle import (
    FileEntry,
    entries_for_files,
    leaf_hash,
    merkle_root,
    node_hash,
    path_problem,
    root_for_files,
)


def H(b: bytes) -> bytes:
    return hashlib.sha3_256(b).digest()


def ref_leaf(path: str, content: bytes) -> bytes:
    # Independent restatement of the documented encoding.
    p = path.encode("utf-8")
    return H(b"\x00" + struct.pack(">I", len(p)) + p + struct.pack(">Q", len(content)) + H(content))


def ref_node(a: bytes, b: bytes) -> bytes:
    return H(b"\x01" + a + b)


def v1_root(contents):
    """The spec's original (format_version 1) root, to show the attacks it allowed."""
    level = [H(c) for c in contents]
    if len(level) == 1:
        return level[0]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            right = level[i + 1] if i + 1 < len(level) else level[i]
            nxt.append(H(level[i] + right))
        level = nxt
    return level[0]


FILES = {"a": b"A", "b": b"B", "c": b"C", "d": b"D", "e": b"E"}


def root_of(n):
    return root_for_files({k: FILES[k] for k in sorted(FILES)[:n]})


def test_leaf_encoding_matches_reference():
    assert leaf_hash("dir/ü.txt", 3, H(b"abc")) == ref_leaf("dir/ü.txt", b"abc")
    assert FileEntry.for_content("x", b"hello").hash == "sha3-256:" + H(b"hello").hex()


def test_known_answers_1_2_3_5_leaves():
    a, b, c, d, e = (ref_leaf(k, FILES[k]) for k in "abcde")
    assert root_of(1) == a
    assert root_of(2) == ref_node(a, b)
    # Odd node promoted, not duplicated.
    assert root_of(3) == ref_node(ref_node(a, b), c)
    assert root_of(5) == ref_node(ref_node(ref_node(a, b), ref_node(c, d)), e)
    # Frozen vectors: catch any accidental change to the encoding.
    assert root_of(3).hex() == "6b61fda874be0a205667f529700c01e865dfa03d96a725ccd81d3e53084855b2"
    assert root_of(5).hex() == "a46a491a71d626d14ab05a4c6ee8002859b2ba4c0985b3f98abc4ec21e8b615d"


def test_order_is_bytewise_utf8_regardless_of_input_order():
    files = {"é": b"1", "z": b"2", "Z": b"3", "a/b": b"4", "a-b": b"5"}
    entries = entries_for_files(files)
    assert [e.path for e in entries] == sorted(files, key=lambda p: p.encode("utf-8"))
    assert root_for_files(dict(reversed(list(files.items())))) == root_for_files(files)


def test_rename_attack_fails():
    before = {"circuits/a.yaml": b"same", "README.md": b"r"}
    after = {"circuits/b.yaml": b"same", "README.md": b"r"}
    assert v1_root([before[k] for k in sorted(before)]) == v1_root([after[k] for k in sorted(after)])
    assert root_for_files(before) != root_for_files(after)


def test_extra_file_attack_fails():
    base = {"a": b"A", "b": b"B"}
    extra = dict(base, evil=b"payload")
    assert root_for_files(base) != root_for_files(extra)


def test_duplicated_odd_leaf_attack_fails():
    contents = [b"A", b"B", b"C"]
    # v1: appending a copy of the last leaf gives the same root.
    assert v1_root(contents) == v1_root(contents + [b"C"])
    three = {"a": b"A", "b": b"B", "c": b"C"}
    four = dict(three, d=b"C")
    assert root_for_files(three) != root_for_files(four)
    # And a level-by-level duplication of c is not the promoted root either.
    a, b, c = (ref_leaf(k, three[k]) for k in "abc")
    assert root_for_files(three) != ref_node(ref_node(a, b), ref_node(c, c))


def test_size_and_content_bound():
    assert root_for_files({"a": b"x"}) != root_for_files({"a": b"y"})
    # Path/size framing: moving bytes between path and content cannot collide.
    assert leaf_hash("ab", 0, H(b"")) != leaf_hash("a", 1, H(b"b"))


def test_leaf_and_node_domains_differ():
    x = ref_leaf("a", b"A")
    assert node_hash(x, x) != H(x + x)


@pytest.mark.parametrize(
    "bad",
    ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/", "a\\b", "a\x00b", "a\nb", ".", "a/./b"],
)
def test_bad_paths_rejected(bad):
    assert path_problem(bad)
    with pytest.raises(EstreamError) as e:
        root_for_files({bad: b"x"})
    assert repr(bad) in str(e.value)


def test_good_paths_accepted():
    for good in ["a", "a/b.c", "dir/ü", "...", "a..b", ".hidden"]:
        assert path_problem(good) is None


def test_signature_file_never_a_leaf_and_empty_rejected():
    assert root_for_files({"SIGNATURE.ml-dsa": b"x", "a": b"A"}) == root_for_files({"a": b"A"})
    with pytest.raises(EstreamError, match="cannot be listed"):
        merkle_root([FileEntry.for_content("SIGNATURE.ml-dsa", b"x")])
    with pytest.raises(EstreamError, match="at least one file"):
        root_for_files({})
    with pytest.raises(EstreamError, match="duplicate"):
        merkle_root([FileEntry.for_content("a", b"1"), FileEntry.for_content("a", b"2")])


def test_sha3_256_many_on_threads_gives_the_serial_digests_in_order(monkeypatch):
    import estream.core.merkle as merkle

    contents = [bytes([i]) * (3000 + i * 997) for i in range(9)] + [b""]
    serial = [hashlib.sha3_256(c).digest() for c in contents]
    assert merkle.sha3_256_many(contents) == serial  # below the threshold: serial
    monkeypatch.setattr(merkle, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(merkle.os, "cpu_count", lambda: 4)
    pools = []
    real_pool = merkle.ThreadPoolExecutor

    def counting_pool(*args, **kwargs):
        pools.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(merkle, "ThreadPoolExecutor", counting_pool)
    assert merkle.sha3_256_many(contents) == serial
    assert pools == [4]
