"""The archive cache: atomic writes under its lock, and temporaries of dead writers swept."""

from __future__ import annotations

from estream.core.registry.cache import ArchiveCache, checksum_of


def test_put_get_and_a_dead_writers_temporaries_are_swept(tmp_path):
    cache = ArchiveCache(tmp_path)
    first = cache.put(b"one")
    shard = cache.path_for(first).parent
    # What a writer killed mid-write leaves (this version's prefix and the older naming).
    dead = [
        shard / f".estream-tmp-{cache.path_for(first).name}.0a1b2c",
        shard / f".{'a' * 64}.tar.gz.123.beef.tmp",
    ]
    for p in dead:
        p.write_bytes(b"partial")
    fresh = ArchiveCache(tmp_path)  # a new process
    second = fresh.put(b"two")
    assert not any(p.exists() for p in dead)
    assert fresh.get(first) == b"one" and fresh.get(second) == b"two"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        [".estream-cache.lock", cache.path_for(first).name, cache.path_for(second).name]
    )


def test_a_corrupted_entry_is_discarded(tmp_path):
    cache = ArchiveCache(tmp_path)
    checksum = cache.put(b"data")
    cache.path_for(checksum).write_bytes(b"tampered")
    assert cache.get(checksum) is None
    assert not cache.path_for(checksum).exists()
    assert checksum == checksum_of(b"data")
