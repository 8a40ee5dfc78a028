"""The log parsing and scanning the remote cache tests rely on: they must be able to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from integration.buildgrid import (
    LOOK_UP_SIGNATURE,
    described,
    parse_counters,
    remote_lookups,
    scan,
    signed_packages,
)

LOG = """\
11:10:20.56 [INFO] Completed: Run Pytest - pants-plugins/estream/core/verify_test.py:tests - succeeded.
11:10:20.56 [INFO] Counters:
  local_cache_requests: 29
  local_cache_requests_cached: 0
  remote_cache_requests: 25
  remote_cache_requests_cached: 24
  remote_cache_requests_uncached: 1
11:10:20.60 [INFO] something after
"""


def test_parse_counters_reads_the_block() -> None:
    counters = parse_counters(LOG)
    assert counters["remote_cache_requests"] == 25
    assert counters["remote_cache_requests_uncached"] == 1
    assert "something" not in " ".join(counters)


def test_parse_counters_rejects_a_log_without_stats() -> None:
    with pytest.raises(ValueError, match="stats"):
        parse_counters("11:10:20.56 [INFO] Completed: nothing\n")


def test_remote_lookups_names_hits_and_misses() -> None:
    log = (
        '[DEBUG] remote cache hit for: "Building pytest.pex" digest=Digest { hash: 1 }\n'
        '[DEBUG] remote cache miss for: "Run Pytest for a/b_test.py:tests" digest=Digest {}\n'
    )
    assert remote_lookups(log) == {
        "hit": ["Building pytest.pex"],
        "miss": ["Run Pytest for a/b_test.py:tests"],
    }


def test_scan_finds_needles_in_nested_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "blob").write_bytes(b"\x00\x01/home/alice/checkout\x02")
    (tmp_path / "clean").write_bytes(b"nothing here")
    hits = scan(tmp_path, [b"/home/alice/checkout", b"absent"])
    assert hits == [f"{tmp_path / 'a' / 'b' / 'blob'}: {b'/home/alice/checkout'!r}"]


def test_scan_expanded_looks_inside_gzip_and_zip(tmp_path: Path) -> None:
    import gzip
    import zipfile

    from integration.buildgrid import scan_expanded

    (tmp_path / "a.tar.gz").write_bytes(gzip.compress(b"x" * 100 + b"SECRET-PATH" + b"y" * 100))
    with zipfile.ZipFile(tmp_path / "b.pex", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__main__.py", "z" * 200 + "SECRET-PATH")
    # Compressed, the needle is not visible as plain bytes ...
    assert scan(tmp_path, [b"SECRET-PATH"]) == []
    # ... but the expanded scan finds it in both.
    assert len(scan_expanded(tmp_path, [b"SECRET-PATH"])) == 2


def test_signed_packages_names_each_signature_made_in_process() -> None:
    log = (
        "12:00:01.10 [DEBUG] estream: signed demo-pack 1.2.0\n"
        "12:00:01.20 [DEBUG] estream: could not cache the signature of other 1.0.0 in /x: denied\n"
        "12:00:01.30 [DEBUG] estream: signed blinky 0.1.0  \n"
    )
    assert signed_packages(log) == ["demo-pack 1.2.0", "blinky 0.1.0"]
    assert signed_packages(LOG) == []


def test_described_takes_the_package_out_of_lookup_descriptions() -> None:
    descriptions = [
        "Look up the signature of demo-pack 1.2.0",
        "Cache the signature of demo-pack 1.2.0",
        "Building estream.pex",
    ]
    assert described(descriptions, LOOK_UP_SIGNATURE) == ["demo-pack 1.2.0"]
