"""Resource bounds for the amplification inputs, measured in a subprocess (peak RSS and CPU time of
`estream marketplace verify`). Bounds, generous for a loaded 2-core machine, not timings: before the
fix these inputs cost 0.6-1 GB and 7-14 s."""

from __future__ import annotations

import pytest

from estream.core.keys import SigningKey
from hostile.amplification import (
    gzip_bomb,
    long_dotted_key,
    measure_cli,
    million_entry_signature,
    write_keyring,
)

MAX_RSS_MB = 200
MAX_CPU_S = 10

KEY = SigningKey.generate("acme-release")


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    return write_keyring(tmp_path_factory.mktemp("ring") / "keyring.toml", KEY)


def _verify(tmp_path, ring, name: str, archive: bytes):
    path = tmp_path / name
    path.write_bytes(archive)
    home = tmp_path / "home"
    home.mkdir()
    return measure_cli(
        ["marketplace", "verify", str(path), "--keyring", str(ring)], env={"ESTREAM_HOME": str(home)}
    )


def test_a_million_signature_entries_cost_little_and_print_one_line(tmp_path, ring) -> None:
    cost = _verify(tmp_path, ring, "million.tar.gz", million_entry_signature(KEY))
    assert cost.rc == 17, cost.stderr  # malformed signature
    assert "the limit is 4194304 bytes" in cost.stdout or "the limit is 10000" in cost.stdout
    assert cost.lines < 20 and cost.rss_mb < MAX_RSS_MB and cost.cpu_s < MAX_CPU_S, cost


def test_many_entries_within_the_size_cap_are_refused_before_per_entry_work(tmp_path, ring) -> None:
    cost = _verify(tmp_path, ring, "many.tar.gz", million_entry_signature(KEY, entries=100_000))
    assert cost.rc == 17 and "lists 100000 files; the limit is 10000" in cost.stdout, cost
    assert cost.lines < 20 and cost.rss_mb < MAX_RSS_MB and cost.cpu_s < MAX_CPU_S, cost


def test_a_long_dotted_key_in_the_manifest_is_refused_before_parsing(tmp_path, ring) -> None:
    cost = _verify(tmp_path, ring, "dotted.tar.gz", long_dotted_key(KEY))
    assert "dotted key of more than 64 parts" in cost.stdout, cost
    assert cost.rss_mb < MAX_RSS_MB and cost.cpu_s < MAX_CPU_S, cost


def test_a_gzip_bomb_never_expands_past_the_cap(tmp_path, ring) -> None:
    cost = _verify(tmp_path, ring, "bomb.tar.gz", gzip_bomb())
    assert cost.rc == 2 and "gzip bomb" in cost.stderr, cost
    # The cap is 256 MiB; the bomb is 300 MB. Before the fix the peak was ~4x the cap.
    assert cost.rss_mb < MAX_RSS_MB and cost.cpu_s < MAX_CPU_S, cost
