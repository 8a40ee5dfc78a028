"""The index cache (index_cache.py) against real git registries: used when it matches the
checkout's commit and files, rebuilt when stale, ignored and rebuilt when damaged, and never able
to show an entry the index files do not hold (an unpublished, yanked or changed version)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import List

import pytest

from estream.cli.main import main
from estream.core.errors import EstreamError
from estream.core.keys import SigningKey
from estream.core.registry.index import IndexEntry, index_path, parse_index_lines
from estream.core.registry.index_cache import IndexCache, index_cache_path, list_index_files, stat_key
from estream.core.registry.registry import Registry
from estream.core.registry.testing import cli_registry, copy_cli_registry, package_archive

KEY = SigningKey.generate("acme-release")


@pytest.fixture(scope="module")
def published_registry(tmp_path_factory) -> Path:
    """A registry with esf-core 1.0.0 and 1.1.0 published through the CLI, built once for the
    module (publishing costs seconds): never changed, each test gets a copy (`reg`)."""
    template = tmp_path_factory.mktemp("published-registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
        for version in ("1.0.0", "1.1.0"):
            publish(template, "esf-core", version)
    return template


@pytest.fixture
def reg(published_registry, tmp_path, monkeypatch):
    return tmp_path, copy_cli_registry(published_registry, tmp_path, monkeypatch, KEY)


def publish(tmp_path: Path, name: str, version: str) -> None:
    path = tmp_path / f"{name}-{version}.tar.gz"
    path.write_bytes(package_archive(name, version, key=KEY, provides=["CoreEvent"]))
    assert main(["marketplace", "publish", str(path)]) == 0


def fresh(url: str, tmp_path: Path) -> Registry:
    """A new Registry object (as a new CLI process would make), synced."""
    registry = Registry(url, home=tmp_path / "home" / ".estream")
    registry.sync()
    return registry


def versions(registry: Registry, name: str = "esf-core"):
    return [(e.version, e.yanked) for e in registry.entries(name)]


def strict(registry: Registry, name: str = "esf-core"):
    """What the index file says, through the strict parser, without any cache."""
    rel = index_path(name)
    lines, problems = parse_index_lines((registry.checkout / rel).read_bytes(), name=name, source=rel)
    assert not problems
    return [(e.version, e.yanked) for _, e in lines]


def push_index_change(tmp_path: Path, url: str, name: str, mutate) -> None:
    work = tmp_path / "change"
    subprocess.run(["git", "clone", "-q", "-b", "main", url, str(work)], check=True)
    p = work / index_path(name)
    p.write_bytes(mutate(p.read_bytes()))
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="m",
        GIT_AUTHOR_EMAIL="m@x",
        GIT_COMMITTER_NAME="m",
        GIT_COMMITTER_EMAIL="m@x",
    )
    subprocess.run(["git", "-C", str(work), "commit", "-qam", "change"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True, env=env)


def test_cache_is_built_on_first_read_and_then_used(reg):
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    path = index_cache_path(registry.checkout)
    assert not path.exists()
    assert versions(registry) == strict(registry) == [("1.0.0", False), ("1.1.0", False)]
    cache = IndexCache.load(path)
    assert cache is not None and cache.commit == registry.head()
    # A second process reads the entries from the cache: same entries, no index file parsed.
    again = fresh(url, tmp_path)
    assert again.index_cache() is not None and again.index_cache().commit == cache.commit
    assert again.entries("esf-core") == registry.entries("esf-core")
    assert again.entries("no-such-component") == []


def test_stale_cache_is_rebuilt_after_publish_and_yank(reg):
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    versions(registry)
    old_commit = IndexCache.load(index_cache_path(registry.checkout)).commit
    publish(tmp_path, "esf-core", "1.2.0")
    assert main(["marketplace", "yank", "esf-core", "1.0.0"]) == 0
    registry = fresh(url, tmp_path)
    assert versions(registry) == strict(registry) == [("1.0.0", True), ("1.1.0", False), ("1.2.0", False)]
    rebuilt = IndexCache.load(index_cache_path(registry.checkout))
    assert rebuilt.commit != old_commit and rebuilt.commit == registry.head()


def test_a_changed_index_line_is_never_hidden_by_the_cache(reg):
    """Someone rewrites a published line (a new checksum): readers see the index as it is now."""
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    before = registry.entries("esf-core")
    push_index_change(
        tmp_path, url, "esf-core", lambda b: b.replace(before[0].checksum.encode(), b"sha3-256:" + b"ab" * 32)
    )
    registry = fresh(url, tmp_path)
    assert [e.checksum for e in registry.entries("esf-core")][0] == "sha3-256:" + "ab" * 32


def test_a_file_edited_in_the_checkout_is_read_from_disk(reg):
    """The cache matches the commit, but a file changed since (a half-applied change) is parsed."""
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    versions(registry)
    path = registry.checkout / index_path("esf-core")
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0])
    again = Registry(url, home=tmp_path / "home" / ".estream")
    again.sync(offline=True)
    assert versions(again) == [("1.0.0", False)]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"",
        lambda b: b[: len(b) // 2],
        lambda b: b"not json\n" + b,
        lambda b: b.replace(b'"1.1.0"', b'"9.9.9"'),  # a forged entry: the slice digest no longer matches
        lambda b: b.replace(b'"format":1', b'"format":99'),
        lambda b: b.split(b"\n", 1)[0] + b"\n",  # header without body
        lambda b: os.urandom(len(b)),
    ],
)
def test_damaged_cache_is_ignored_and_rebuilt(reg, damage, capsys):
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    expected = registry.entries("esf-core")
    path = index_cache_path(registry.checkout)
    path.write_bytes(damage(path.read_bytes()))
    again = fresh(url, tmp_path)
    assert again.entries("esf-core") == expected
    assert [v for v, _ in versions(again)] == ["1.0.0", "1.1.0"]
    # The CLI too: no traceback, same results.
    path.write_bytes(damage(path.read_bytes()))
    assert main(["marketplace", "search", "core", "--json"]) == 0
    assert [e["version"] for e in json.loads(capsys.readouterr().out)] == ["1.1.0"]


def test_a_cache_of_another_commit_is_not_used(reg):
    """A cache claiming the current commit but holding another commit's data cannot be told from
    a genuine one by its header: its slices are checked against the files' stats, so it is not used."""
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    versions(registry)
    stale = index_cache_path(registry.checkout).read_bytes()
    assert main(["marketplace", "yank", "esf-core", "1.1.0"]) == 0
    registry = fresh(url, tmp_path)
    head = registry.head()
    _, header, body = stale.split(b"\n", 2)
    data = json.loads(header)
    data["commit"] = head
    forged = json.dumps(data).encode()  # with a matching header digest: only the stats tell
    path = index_cache_path(registry.checkout)
    path.write_bytes(hashlib.sha256(forged).hexdigest().encode() + b"\n" + forged + b"\n" + body)
    assert IndexCache.load(path) is not None
    again = fresh(url, tmp_path)
    assert versions(again) == [("1.0.0", False), ("1.1.0", True)]
    assert again.newest_live_entries()["esf-core"].version == "1.0.0"  # the search row is not used either


def test_invalid_index_lines_are_reported_the_same_with_the_cache(reg):
    tmp_path, url = reg
    push_index_change(tmp_path, url, "esf-core", lambda b: b + b'{"name": "esf-core"}\n')
    for _ in range(2):  # the first builds the cache, the second reads it
        registry = fresh(url, tmp_path)
        with pytest.raises(EstreamError) as e:
            registry.entries("esf-core")
        assert "required field is missing" in e.value.render()
        lines, problems = registry.entries_lenient("esf-core")
        assert [entry.version for _, entry in lines] == ["1.0.0", "1.1.0"]
        assert problems and problems[0].line == 3 and problems[0].path.endswith(index_path("esf-core"))


def test_no_cache_for_a_working_tree_registry(reg, tmp_path):
    _, url = reg
    work = tmp_path / "pr"
    subprocess.run(["git", "clone", "-q", "-b", "main", url, str(work)], check=True)
    registry = Registry.working_tree(work)
    assert registry.index_cache() is None
    assert [e.version for e in registry.entries("esf-core")] == ["1.0.0", "1.1.0"]
    assert not index_cache_path(work).exists()


def test_newest_live_entries_match_all_entries_with_and_without_the_cache(reg, tmp_path):
    base, url = reg
    publish(base, "esf-core", "1.2.0-rc.1")
    publish(base, "esf-alarm", "0.1.0")
    assert main(["marketplace", "yank", "esf-core", "1.1.0"]) == 0
    assert main(["marketplace", "yank", "esf-alarm", "0.1.0"]) == 0
    registry = fresh(url, base)
    expected = {
        name: max((e for e in entries if not e.yanked), key=lambda e: e.semver)
        for name, entries in registry.all_entries().items()
        if any(not e.yanked for e in entries)
    }
    assert {n: e.version for n, e in expected.items()} == {"esf-core": "1.2.0-rc.1"}
    assert registry.newest_live_entries() == expected  # from the cache
    working = Registry.working_tree(registry.checkout)
    assert working.index_cache() is None and working.newest_live_entries() == expected  # from the files


def test_search_reads_only_the_header_and_a_tampered_header_is_never_trusted(reg, capsys, monkeypatch):
    """`search` builds its entries from the header's search rows (no slice is read); a header
    whose search row was edited fails the header digest: the cache is rebuilt, never believed."""
    tmp_path, url = reg
    registry = fresh(url, tmp_path)
    assert registry.newest_live_entries()["esf-core"].version == "1.1.0"
    path = index_cache_path(registry.checkout)
    digest_line, head, body = path.read_bytes().split(b"\n", 2)
    assert head.count(b'"1.1.0"') == 1  # the search row, in the header

    def no_slice(self, rel):
        raise AssertionError(f"search read the slice of {rel}")

    with monkeypatch.context() as m:
        m.setattr(IndexCache, "slice", no_slice)
        assert fresh(url, tmp_path).newest_live_entries()["esf-core"].version == "1.1.0"

    forged = head.replace(b'"1.1.0"', b'"9.9.9"').replace(b"CoreEvent", b"EvilEvent")
    for content in (
        digest_line + b"\n" + forged + b"\n" + body,  # edited row, old digest
        b"0" * 64 + b"\n" + forged + b"\n" + body,  # another digest
        forged + b"\n" + body,  # no digest line
    ):
        path.write_bytes(content)
        assert IndexCache.load(path) is None
        again = fresh(url, tmp_path)
        assert again.newest_live_entries()["esf-core"].version == "1.1.0"
        assert main(["marketplace", "search", "core", "--json", "--offline"]) == 0
        assert [e["version"] for e in json.loads(capsys.readouterr().out)] == ["1.1.0"]
        assert b"9.9.9" not in path.read_bytes()  # rebuilt
        assert IndexCache.load(path) is not None


def test_a_file_with_problems_reports_them_in_search_as_without_a_cache(reg):
    """A file with invalid lines has no usable search row: its problems are reported."""
    tmp_path, url = reg
    push_index_change(tmp_path, url, "esf-core", lambda b: b + b"not json\n")
    registry = fresh(url, tmp_path)
    with pytest.raises(EstreamError) as cached:
        registry.newest_live_entries()
    working = Registry.working_tree(registry.checkout)
    with pytest.raises(EstreamError) as uncached:
        working.newest_live_entries()
    assert [d.message for d in cached.value.diagnostics] == [d.message for d in uncached.value.diagnostics]


def test_search_takes_the_component_list_from_the_header_and_it_equals_a_fresh_walk(reg, monkeypatch):
    """With `index/` as the cache was built, `newest_live_entries` neither walks nor re-checks
    names (`Registry.names` is not called) and answers what a walk of the files answers, in the
    same order."""
    base, url = reg
    for name in ("a", "ab", "abc", "esf-alarm", "esf-zeta"):
        publish(base, name, "0.1.0")
    assert main(["marketplace", "yank", "esf-zeta", "0.1.0"]) == 0
    registry = fresh(url, base)
    registry.newest_live_entries()  # builds the cache
    working = Registry.working_tree(registry.checkout)
    walked = working.newest_live_entries()
    assert list(walked) == ["a", "ab", "abc", "esf-alarm", "esf-core"]  # `index_files` order

    def no_walk(self):
        raise AssertionError("walked index/ although the cache describes it")

    again = Registry(url, home=base / "home" / ".estream")
    again.sync(offline=True)
    with monkeypatch.context() as m:
        m.setattr(Registry, "names", no_walk)
        from_header = again.newest_live_entries()
    assert from_header == walked and list(from_header) == list(walked)
    for name, entry in from_header.items():  # built field by field: exactly the parser's entry
        fields = [f.name for f in dataclasses.fields(IndexEntry)]
        assert list(vars(entry)) == fields
        assert [vars(entry)[f] for f in fields] == [vars(walked[name])[f] for f in fields]


def test_a_listing_the_header_does_not_describe_is_walked_as_without_a_cache(reg):
    """A file added, removed or misplaced in the checkout since the cache was built: the answer
    (or the error) is the walk's, exactly as without a cache."""
    base, url = reg
    publish(base, "esf-alarm", "0.1.0")
    registry = fresh(url, base)
    registry.newest_live_entries()  # builds the cache
    checkout = registry.checkout
    core = (checkout / index_path("esf-core")).read_bytes()

    def both() -> object:
        cached = Registry(url, home=base / "home" / ".estream")
        cached.sync(offline=True)
        assert cached.index_cache() is not None
        working = Registry.working_tree(checkout)
        results: List[object] = []
        for r in (cached, working):
            try:
                results.append({n: e.version for n, e in r.newest_live_entries().items()})
            except EstreamError as e:
                results.append([d.message for d in e.diagnostics])
        assert results[0] == results[1]
        return results[0]

    added = checkout / index_path("esf-beta")
    added.parent.mkdir(parents=True, exist_ok=True)
    added.write_bytes(core.replace(b'"esf-core"', b'"esf-beta"'))
    assert both() == {"esf-alarm": "0.1.0", "esf-beta": "1.1.0", "esf-core": "1.1.0"}
    added.unlink()
    (checkout / index_path("esf-alarm")).unlink()
    assert both() == {"esf-core": "1.1.0"}
    misplaced = checkout / "index" / "es" / "f-" / "esf-other"
    misplaced.write_bytes(core)
    assert both() != {"esf-core": "1.1.0"}  # the walk's error: a file in the wrong shard
    misplaced.unlink()
    (checkout / "index" / "es" / "zz").mkdir()
    (checkout / "index" / "es" / "zz" / "esf-core").write_bytes(core)
    assert isinstance(both(), list)


def test_list_index_files_lists_what_index_files_walks(tmp_path):
    """Same paths, same order (the header's names are used only when the two agree), every stat."""
    checkout = tmp_path / "checkout"
    rels = (
        "index/1/a",
        "index/2/ab",
        "index/3/a/abc",
        "index/es/f-/esf-iot",
        "index/es/f-/esf-a2",
        "index/zz",
    )
    for rel in rels:
        (checkout / rel).parent.mkdir(parents=True, exist_ok=True)
        (checkout / rel).write_text(rel)
    (checkout / "index" / "es" / "link").symlink_to(checkout / "index" / "3")  # not entered, as os.walk
    listing = list_index_files(checkout)
    assert [rel for rel, _ in listing] == [rel for rel, _ in Registry.working_tree(checkout).index_files()]
    assert [key for _, key in listing] == [stat_key(checkout / rel) for rel, _ in listing]
    assert list_index_files(tmp_path / "nothing-here") == []
