import pytest

from estream.core.registry.index import IndexDep, IndexEntry
from estream.core.registry.resolver import ResolutionError, resolve


def e(name, version, yanked=False, **deps):
    return IndexEntry(
        name,
        version,
        "sha3-256:" + "0" * 64,
        1,
        tuple(IndexDep(k.replace("_", "-"), v) for k, v in deps.items()),
        (),
        (),
        "esf-schema",
        (),
        "",
        "k",
        "sha3-256:" + "0" * 64,
        yanked,
        "2026-01-01T00:00:00Z",
    )


def registry(*entries):
    by = {}
    for x in entries:
        by.setdefault(x.name, []).append(x)
    return lambda n: by.get(n, [])


def picked(res):
    return {n: x.version for n, x in res.packages.items()}


def test_newest_matching_transitive():
    reg = registry(
        e("a", "1.0.0", b="^1.0"),
        e("a", "1.1.0", b="^1.1"),
        e("b", "1.0.0"),
        e("b", "1.1.5"),
        e("b", "2.0.0"),
    )
    assert picked(resolve({"a": "^1"}, reg)) == {"a": "1.1.0", "b": "1.1.5"}


def test_lock_preferred_and_yanked_only_when_locked():
    reg = registry(e("a", "1.0.0"), e("a", "1.1.0"), e("a", "1.2.0", yanked=True))
    assert picked(resolve({"a": "^1"}, reg, locked={"a": "1.0.0"})) == {"a": "1.0.0"}
    assert picked(resolve({"a": "^1"}, reg)) == {"a": "1.1.0"}
    assert picked(resolve({"a": "^1"}, reg, locked={"a": "1.2.0"})) == {"a": "1.2.0"}


def test_backtracks():
    reg = registry(
        e("a", "1.0.0", c="^1"),
        e("a", "1.1.0", c="^2"),
        e("b", "1.0.0", c="^1"),
        e("c", "1.0.0"),
        e("c", "2.0.0"),
    )
    assert picked(resolve({"a": "^1", "b": "^1"}, reg)) == {"a": "1.0.0", "b": "1.0.0", "c": "1.0.0"}


def test_conflict_chain():
    reg = registry(
        e("app", "1.0.0", mid="^1"),
        e("mid", "1.0.0", core="^1"),
        e("other", "1.0.0", core="^2"),
        e("core", "1.0.0"),
        e("core", "2.0.0"),
    )
    with pytest.raises(ResolutionError) as err:
        resolve({"app": "^1", "other": "^1"}, reg)
    text = str(err.value)
    assert "workspace → app 1.0.0 → mid 1.0.0 requires core ^1" in text
    assert "workspace → other 1.0.0 requires core ^2" in text


def test_missing_component_and_version():
    reg = registry(e("a", "1.0.0", ghost="^1"), e("b", "1.0.0"), e("b", "1.1.0", yanked=True))
    with pytest.raises(ResolutionError, match="no component named `ghost`"):
        resolve({"a": "*"}, reg)
    with pytest.raises(
        ResolutionError, match=r"(?s)no version of `b` matches.*available: 1.0.0.*yanked: 1.1.0"
    ) as err:
        resolve({"b": "^1.1"}, reg)
    assert "workspace requires b ^1.1" in str(err.value)


def test_order_puts_dependencies_first():
    reg = registry(e("a", "1.0.0", b="^1"), e("b", "1.0.0", c="^1"), e("c", "1.0.0"))
    assert resolve({"a": "*"}, reg).order() == ["c", "b", "a"]


def test_step_limit():
    # every a x b pair fails on c; the search is bounded
    entries = (
        [e("a", f"1.{i}.0", c="^1") for i in range(30)]
        + [e("b", f"1.{i}.0", c="^2") for i in range(30)]
        + [e("c", "1.0.0"), e("c", "2.0.0")]
    )
    with pytest.raises(ResolutionError, match="gave up after 50 steps"):
        resolve({"a": "^1", "b": "^1"}, registry(*entries), max_steps=50)


def test_backjumps_over_unrelated_choices():
    # a's newest pins c =1.0.0, z needs c ^1.1; ten unrelated components with five versions each
    # sit in between. Chronological backtracking would try 5**10 combinations before revisiting a.
    unrelated = [e(f"u{i:02d}", f"1.{v}.0") for i in range(10) for v in range(5)]
    reg = registry(
        e("a", "1.0.0"),
        e("a", "1.1.0", c="=1.0.0"),
        e("z", "1.0.0", c="^1.1"),
        e("c", "1.0.0"),
        e("c", "1.1.0"),
        *unrelated,
    )
    roots = {"a": "^1", "z": "^1", **{f"u{i:02d}": "^1" for i in range(10)}}
    got = picked(resolve(roots, reg, max_steps=40))
    assert (got["a"], got["c"], got["u05"]) == ("1.0.0", "1.1.0", "1.4.0")


def test_pre_releases_only_when_a_requirement_asks_for_them():
    # Cargo's rule (package format §8.4): a pre-release is a candidate only for a requirement
    # that names a pre-release of the same major.minor.patch.
    reg = registry(e("a", "1.0.0"), e("a", "1.1.0-rc.1"), e("a", "2.0.0-rc.1"), e("b", "2.0.0-rc.1"))
    assert picked(resolve({"a": "^1.0"}, reg)) == {"a": "1.0.0"}
    assert picked(resolve({"a": "*"}, reg)) == {"a": "1.0.0"}
    assert picked(resolve({"a": "^1.1.0-rc.1"}, reg)) == {"a": "1.1.0-rc.1"}
    assert picked(resolve({"a": "=2.0.0-rc.1"}, reg)) == {"a": "2.0.0-rc.1"}
    with pytest.raises(ResolutionError, match="no version of `b` matches"):
        resolve({"b": "*"}, reg)


def test_a_pre_release_requirement_moves_within_its_version_and_to_releases_only():
    reg = registry(e("a", "2.0.0-rc.1"), e("a", "2.0.0-rc.2"), e("a", "2.1.0-rc.1"))
    assert picked(resolve({"a": "^2.0.0-rc.1"}, reg)) == {"a": "2.0.0-rc.2"}
    reg = registry(e("a", "2.0.0-rc.1"), e("a", "2.0.0"), e("a", "2.1.0-rc.1"))
    assert picked(resolve({"a": "^2.0.0-rc.1"}, reg)) == {"a": "2.0.0"}


def test_a_dependency_may_ask_for_a_pre_release():
    reg = registry(e("app", "1.0.0", lib="=1.0.0-beta.1"), e("lib", "1.0.0-beta.1"), e("lib", "0.9.0"))
    assert picked(resolve({"app": "^1"}, reg)) == {"app": "1.0.0", "lib": "1.0.0-beta.1"}


def test_build_metadata_is_ignored_for_matching_and_kept_in_the_pick():
    reg = registry(e("a", "1.0.0+build.7"), e("a", "1.0.1+build.2"))
    assert picked(resolve({"a": "=1.0.0"}, reg)) == {"a": "1.0.0+build.7"}
    assert picked(resolve({"a": "^1.0"}, reg)) == {"a": "1.0.1+build.2"}
    assert picked(resolve({"a": "^1.0"}, reg, locked={"a": "1.0.0+build.7"})) == {"a": "1.0.0+build.7"}
