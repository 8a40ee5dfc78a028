"""Remote caching through a real BuildGrid, and the hermeticity that makes it safe.

One BuildGrid server (disk CAS, so what it stored can be audited) serves two checkouts of this
repository at different paths, run by different users with different HOMEs in different time
zones, each with an empty local store:

1. `alice` packages and tests the queue circuits (golden vectors on the CPU and the RTL, the
   bitstreams, the signed archives with their schemas), builds the `estream` pex and runs one
   plugin unit test, in a scrubbed environment with an empty HOME, with remote cache read/write
   on: every sandboxed process runs and is uploaded. That is one process of every kind the
   content has (the schema packs and components add more of the same kinds: vector runs and
   signatures; schema validation is in-process), and one of each kind of Python process. Not
   everything: the lex map's bitstreams would add minutes of place and route, and the schema
   packs would make this test re-run on every schema edit, without another kind of process.
2. `bob`, in a second checkout under another empty HOME, with an empty local store and empty
   named caches, does the same:
   every cacheable process must be a remote cache hit, judged by Pants' own `[stats]` counters,
   so that whatever process types are added to the repository later (vector runs, synthesis, ...)
   are covered without touching this test. The one kind of process the counters must account
   for by name is a package signature's lookup (util_rules/package_signature.py): in the first
   build each package's lookup misses and fails (not written), the package is signed and a
   second run of the same action stores the signature; in the second checkout the lookup is a
   remote hit and nothing is signed.

Then: the archives are byte-identical; the processes needed nothing from the caller's environment
or HOME; no output (in dist/ or in the CAS) contains a build root, a user name or the build's
date; and no private key material reached the remote cache.
"""

from __future__ import annotations

import datetime
import hashlib
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

# ML-DSA calls go through keys.py, which serialises them (dilithium-py is not thread-safe).
from estream.core.keys import SigningKey, key_derive, write_private_key
from integration.buildgrid import (
    CACHE_SIGNATURE,
    LOOK_UP_SIGNATURE,
    BuildGrid,
    buildgrid_server,
    clean_env,
    copy_checkout,
    described,
    expanded_contents,
    parse_counters,
    remote_cache_args,
    remote_lookups,
    run_pants_clean,
    scan,
    scan_expanded,
    signed_packages,
    user_named_caches,
)
from integration.pants_repo import PantsResult, source_root

USERS = ("estream-audit-alice", "estream-audit-bob")
TIME_ZONES = ("UTC", "Pacific/Kiritimati")
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: signed_at comes from here, never the clock.
# The queue circuits' packages and tests (every kind of process the content has: vector runs on
# the CPU and the RTL, synthesis, signatures), the `estream` pex, and of the plugin's unit tests
# one (a "Run Pytest" process).
GOALS = (
    "package",
    "test",
    "circuits/queue::",
    "pants-plugins/estream/cli:estream",
    "pants-plugins/estream/core/archive_test.py",
)


@dataclass(frozen=True)
class Builds:
    grid: BuildGrid
    key: SigningKey
    first: Path
    second: Path
    homes: List[Path]
    home_after_first: List[str]
    first_result: PantsResult
    second_result: PantsResult
    build_dates: List[str]

    def counters(self, result: PantsResult) -> Dict[str, int]:
        return parse_counters(result.stderr)


def _dates() -> List[str]:
    """Today's date in every zone the builds ran in (a build could cross midnight: both ends)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return sorted({(now + datetime.timedelta(hours=h)).strftime("%Y-%m-%d") for h in (-12, 0, 14)})


def _files(root: Path) -> List[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    tmp = tmp_path_factory.mktemp("remote-cache")
    key = SigningKey.generate("remote-cache-test-key")
    key_file = tmp / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)
    dates_before = _dates()

    with buildgrid_server(source_root(), tmp / "buildgrid") as grid:
        first = copy_checkout(tmp / "alice" / "work" / "checkout")
        second = copy_checkout(tmp / "elsewhere" / "deeper" / "bob-second-checkout")
        # A HOME per user, both empty: nothing of a user's HOME is there, and HOME is no part of
        # any cache key (only the tests that run ./pants get it, and they are not built here).
        homes = [tmp / "home" / USERS[0], tmp / "users" / USERS[1] / "home"]
        for home in homes:
            home.mkdir(parents=True)
        common = {"ESTREAM_SIGNING_KEY_FILE": str(key_file), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}

        first_result = run_pants_clean(
            first,
            # The user's named caches (pip/pex downloads): append-only caches Pants declares.
            [*remote_cache_args(grid.address, tmp / "store-first", Path(user_named_caches())), *GOALS],
            clean_env(homes[0], user=USERS[0], extra={**common, "TZ": TIME_ZONES[0]}),
        ).assert_success()
        home_after_first = _files(homes[0])

        second_result = run_pants_clean(
            second,
            # Nothing local: an empty store and empty named caches.
            [*remote_cache_args(grid.address, tmp / "store-second", tmp / "named-caches-second"), *GOALS],
            clean_env(homes[1], user=USERS[1], extra={**common, "TZ": TIME_ZONES[1]}),
        ).assert_success()

        yield Builds(
            grid=grid,
            key=key,
            first=first,
            second=second,
            homes=homes,
            home_after_first=home_after_first,
            first_result=first_result,
            second_result=second_result,
            build_dates=sorted(set(dates_before) | set(_dates())),
        )


def test_first_build_runs_and_uploads_every_cacheable_process(builds: Builds) -> None:
    c = builds.counters(builds.first_result)
    misses = remote_lookups(builds.first_result.stderr)["miss"]
    looked_up = described(misses, LOOK_UP_SIGNATURE)
    # An empty cache: every cacheable process was looked up, missed and ran (each one named in
    # the log), and no local run answered before the remote cache did.
    assert c["remote_cache_requests"] > 0
    assert c["remote_cache_requests_cached"] == 0
    assert c["remote_cache_requests_uncached"] == c["remote_cache_requests"] == len(misses)
    assert c["remote_cache_speculation_local_completed_first"] == 0
    # Each package's signature: its lookup missed everywhere and failed, the package was signed
    # in-process once, and the same action ran again ("Cache the signature of") to store it.
    assert looked_up, f"no package signature was looked up: {misses}"
    assert len(set(looked_up)) == len(looked_up), looked_up
    assert sorted(described(misses, CACHE_SIGNATURE)) == sorted(looked_up)
    assert sorted(signed_packages(builds.first_result.stderr)) == sorted(looked_up)
    # Every process that succeeded was written; the failed lookups were not (cache scope
    # SUCCESSFUL: their action is written by the second run, with the signature).
    assert c["remote_cache_write_attempts"] == c["remote_cache_requests"] - len(looked_up)
    assert c["remote_cache_write_successes"] == c["remote_cache_write_attempts"]
    assert c["remote_cache_write_errors"] == 0 and c["remote_cache_read_errors"] == 0
    assert c["local_cache_requests_cached"] == 0, "the first build's local store was not empty"
    # Pex builds and test runs are among them, and each kind of the content's processes (more
    # kinds are covered as they are added).
    assert any(d.startswith("Run Pytest") for d in misses), misses
    assert any(".pex" in d for d in misses), misses
    vectors = [d for d in misses if "golden vector(s)/journey(s) of" in d]
    assert any(d.startswith("Run ") for d in vectors), misses  # on the CPU reference
    assert any(d.startswith("Simulate ") for d in vectors), misses  # on the RTL
    assert any(d.startswith("Synthesise, place and route ") for d in misses), misses


def _written_by_the_first_build(misses: List[str]) -> List[str]:
    """The descriptions the second checkout should hit: what the first one wrote, with a
    signature's action under the description of its lookup (the same action, looked up first)."""
    out = [d for d in misses if not d.startswith((LOOK_UP_SIGNATURE, CACHE_SIGNATURE))]
    return sorted(out + [LOOK_UP_SIGNATURE + p for p in described(misses, CACHE_SIGNATURE)])


def test_second_checkout_is_served_entirely_by_the_remote_cache(builds: Builds) -> None:
    first, second = builds.counters(builds.first_result), builds.counters(builds.second_result)
    lookups = remote_lookups(builds.second_result.stderr)
    assert lookups["miss"] == [], f"remote cache misses in the second checkout: {lookups['miss']}"
    assert second["local_cache_requests_cached"] == 0, "the second checkout's store was not empty"
    # Every process the first checkout wrote, and every one of them a remote hit.
    expected = _written_by_the_first_build(remote_lookups(builds.first_result.stderr)["miss"])
    not_hit = sorted(set(expected) - set(lookups["hit"]))
    assert sorted(lookups["hit"]) == expected, f"written by the first checkout but not hit: {not_hit}"
    assert second["remote_cache_requests"] == first["remote_cache_write_successes"] == len(expected)
    assert second["remote_cache_requests_cached"] == second["remote_cache_requests"]
    assert second["remote_cache_requests_uncached"] == 0
    assert second["remote_cache_read_errors"] == 0
    # No package was signed: every signature came from the remote cache.
    assert signed_packages(builds.second_result.stderr) == []
    assert described(lookups["hit"], LOOK_UP_SIGNATURE), "no signature came from the remote cache"
    # Every test result came from the cache.
    summary = [line for line in builds.second_result.stderr.splitlines() if line.startswith("✓ ")]
    assert summary and all(line.endswith("(cached remotely).") for line in summary), summary


def _dist(root: Path) -> Dict[str, str]:
    dist = root / "dist"
    return {
        str(p.relative_to(dist)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file()
    }


def test_archives_are_byte_identical_between_checkouts(builds: Builds) -> None:
    first, second = _dist(builds.first), _dist(builds.second)
    archives = [name for name in first if name.endswith(".tar.gz")]
    assert len(archives) == 2, first  # estream-queue and estream-queue-append
    assert first == second


def test_processes_need_nothing_from_the_environment_or_home(builds: Builds) -> None:
    """Both builds ran with a scrubbed environment (fixed PATH, no PIP_/PYTHON/XDG_ variables) and
    an empty HOME; the first one ran every process for real. Nothing was written to HOME except
    Pants' own bookkeeping under ~/.cache/pants (the stores and named caches were elsewhere)."""
    c = builds.counters(builds.first_result)
    assert c["local_execution_requests"] >= c["remote_cache_requests"] > 0
    unexpected = [f for f in builds.home_after_first if not f.startswith(".cache/pants/")]
    assert unexpected == [], f"processes or Pants wrote to HOME: {unexpected}"
    # The development key (~/.estream) was not needed, nor created: a key file was configured.
    assert not (builds.homes[0] / ".estream").exists()


def test_no_output_contains_the_build_root_user_name_or_date(builds: Builds) -> None:
    needles = [str(builds.first).encode(), str(builds.second).encode()]
    needles += [str(home).encode() for home in builds.homes]
    needles += [user.encode() for user in USERS]
    needles += [date.encode() for date in builds.build_dates]
    # Process definitions and outputs stored in the remote CAS, looking inside zips (pexes).
    assert any(builds.grid.cas_dir.rglob("*")), "the test must look at a populated CAS"
    assert scan_expanded(builds.grid.cas_dir, needles) == []
    # What the builds wrote to dist/, including inside the archives and the pex.
    for root in (builds.first, builds.second):
        assert scan_expanded(root / "dist", needles) == []
        for archive in (root / "dist").glob("*.tar.gz"):
            with tarfile.open(archive) as tar:
                assert {m.mtime for m in tar.getmembers()} == {0}, archive
        for pex in (root / "dist").rglob("*.pex"):
            with zipfile.ZipFile(pex) as zf:
                # pex stamps every entry with 1980-01-01, zip's epoch.
                assert {i.date_time[0] for i in zf.infolist()} == {1980}, pex


def _secret_needles(key: SigningKey) -> List[bytes]:
    seed_hex = next(
        line for line in key.private_key_file_text().splitlines() if line.startswith("seed")
    ).split('"')[1]
    seed = bytes.fromhex(seed_hex)
    _, expanded = key_derive(seed)
    return [
        seed,
        seed_hex.encode(),
        seed_hex.upper().encode(),
        expanded,
        expanded.hex().encode(),
        expanded[64:128],
    ]


def test_no_private_key_material_reaches_the_remote_cache(builds: Builds) -> None:
    needles = _secret_needles(builds.key)
    public = builds.key.public.public_key
    assert any(builds.grid.cas_dir.rglob("*")), "the test must look at a populated CAS"
    assert scan_expanded(builds.grid.cas_dir, needles) == []
    for root in (builds.first, builds.second):
        assert scan(root / "dist", needles) == []
        assert scan_expanded(root / "dist", needles) == []
    output = "".join(r.stdout + r.stderr for r in (builds.first_result, builds.second_result)).encode()
    assert [n for n in needles if n in output] == []
    # The public key did reach the archives: the scan looks where key bytes would be.
    assert any(
        public.hex().encode() in data
        for archive in (builds.first / "dist").glob("*.tar.gz")
        for data in expanded_contents(archive)
    )
