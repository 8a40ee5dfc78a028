from __future__ import annotations

import itertools
import pickle
from typing import Optional

import pytest
import semver as python_semver
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from estream.core.semver import BUMP_KINDS, Comparator, SemverError, Version, VersionReq


def v(text: str) -> Version:
    return Version.parse(text)


# --- Version parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, parts",
    [
        ("0.0.0", (0, 0, 0, (), ())),
        ("1.2.3", (1, 2, 3, (), ())),
        ("10.20.30", (10, 20, 30, (), ())),
        ("1.0.0-alpha", (1, 0, 0, ("alpha",), ())),
        ("1.0.0-alpha.1", (1, 0, 0, ("alpha", "1"), ())),
        ("1.0.0-0.3.7", (1, 0, 0, ("0", "3", "7"), ())),
        ("1.0.0-x.7.z.92", (1, 0, 0, ("x", "7", "z", "92"), ())),
        ("1.0.0-x-y-z.--", (1, 0, 0, ("x-y-z", "--"), ())),
        ("1.0.0-alpha+001", (1, 0, 0, ("alpha",), ("001",))),
        ("1.0.0+20130313144700", (1, 0, 0, (), ("20130313144700",))),
        ("1.0.0-beta+exp.sha.5114f85", (1, 0, 0, ("beta",), ("exp", "sha", "5114f85"))),
        ("1.0.0+21AF26D3----117B344092BD", (1, 0, 0, (), ("21AF26D3----117B344092BD",))),
        ("1.0.0-0A.is.legal", (1, 0, 0, ("0A", "is", "legal"), ())),
        ("18446744073709551615.0.0", (2**64 - 1, 0, 0, (), ())),
    ],
)
def test_parse_valid_versions(text: str, parts: tuple) -> None:
    version = v(text)
    assert (version.major, version.minor, version.patch, version.prerelease, version.build) == parts
    assert str(version) == text
    assert Version.parse(str(version)) == version


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("1", "missing the minor and patch version numbers"),
        ("1.2", "missing the patch version number"),
        ("1.2.3.4", "exactly three"),
        ("1.2.3.DEV", "exactly three"),
        ("01.1.1", "major version number `01` has a leading zero"),
        ("1.01.1", "minor version number `01` has a leading zero"),
        ("1.1.01", "patch version number `01` has a leading zero"),
        ("1.2.3-0123", "pre-release identifier `0123` has a leading zero"),
        ("1.2.3-0123.0123", "leading zero"),
        ("1.1.2+.123", "build metadata has an empty identifier"),
        ("1.2.3-", "pre-release has an empty identifier"),
        ("1.2.3+", "build metadata has an empty identifier"),
        ("1.2.3-a..b", "empty identifier"),
        ("1.2.3-alpha_1", "contains `_`"),
        ("1.2-SNAPSHOT", "missing the patch version number"),
        ("+invalid", "exactly three"),
        ("-invalid", "exactly three"),
        ("alpha", "exactly three"),
        ("v1.2.3", "`v1` is not a number"),
        (" 1.2.3", "whitespace"),
        ("1.2.3 ", "whitespace"),
        ("1.2.-3", "patch version number is empty"),
        ("1.2.٣", "is not a number"),  # non-ASCII digit
        ("18446744073709551616.0.0", "larger than"),
        ("9" * 5000 + ".0.0", "larger than"),
    ],
)
def test_parse_invalid_versions(text: str, reason: str) -> None:
    with pytest.raises(SemverError) as exc:
        Version.parse(text)
    message = str(exc.value)
    assert message.startswith(f'expected a version like "1.2.3", found "{text}"')
    assert reason in message
    assert exc.value.text == text
    assert reason in exc.value.reason


def test_error_message_for_partial_version() -> None:
    with pytest.raises(
        SemverError, match=r'^expected a version like "1\.2\.3", found "1\.2" \(missing the patch'
    ):
        Version.parse("1.2")


def test_semver_error_is_a_value_error() -> None:
    assert issubclass(SemverError, ValueError)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        Version.parse(123)  # type: ignore[arg-type]


def test_constructor_validates() -> None:
    assert str(Version(1, 2, 3, ("rc", "1"), ("b",))) == "1.2.3-rc.1+b"
    with pytest.raises(SemverError):
        Version(-1, 0, 0)
    with pytest.raises(SemverError):
        Version(True, 0, 0)
    with pytest.raises(SemverError):
        Version(1, 0, 0, ("01",))
    with pytest.raises(TypeError):
        Version(1, 0, 0, "alpha")  # type: ignore[arg-type]


# --- Version ordering -----------------------------------------------------------------------


def test_semver_spec_section_11_ordering() -> None:
    # The chains given in SemVer 2.0.0 §11.
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
    ]
    versions = [v(t) for t in ordered]
    for a, b in itertools.combinations(versions, 2):
        assert a < b and b > a and a <= b and b >= a and a != b
    assert sorted(reversed(versions)) == versions


def test_numeric_identifiers_compare_numerically_and_before_alphanumeric() -> None:
    assert v("1.0.0-2") < v("1.0.0-10")
    assert v("1.0.0-10") < v("1.0.0-1a")  # "1a" is alphanumeric
    assert v("1.0.0-Z") < v("1.0.0-a")  # ASCII order
    assert v("1.9.0") < v("1.10.0")


def test_build_metadata_ignored_for_precedence_but_kept() -> None:
    a, b = v("1.0.0+a"), v("1.0.0+b")
    assert a == b and hash(a) == hash(b) and not a < b and not b < a
    assert str(a) == "1.0.0+a"
    assert len({a, b, v("1.0.0")}) == 1
    assert v("1.0.0-rc.1+x") < v("1.0.0")


def test_version_is_frozen_hashable_and_picklable() -> None:
    version = v("1.2.3-rc.1+meta")
    with pytest.raises(AttributeError):
        version.major = 2  # type: ignore[misc]
    assert {version: 1}[v("1.2.3-rc.1")] == 1
    clone = pickle.loads(pickle.dumps(version))
    assert clone == version and str(clone) == str(version)
    assert repr(version) == "Version('1.2.3-rc.1+meta')"
    assert version.is_prerelease and not v("1.2.3").is_prerelease


def test_comparison_with_other_types() -> None:
    assert v("1.0.0") != "1.0.0"
    with pytest.raises(TypeError):
        v("1.0.0") < "2.0.0"  # type: ignore[operator]


# --- bump_kind ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, kind",
    [
        ("1.2.3", "1.2.3", "none"),
        ("1.2.3+a", "1.2.3+b", "none"),
        ("1.2.3", "1.2.4", "patch"),
        ("1.2.3", "1.3.0", "minor"),
        ("1.2.3", "1.3.5", "minor"),
        ("1.2.3", "2.0.0", "major"),
        ("1.9.9", "2.0.0-rc.1", "major"),
        ("1.0.0-alpha.1", "1.0.0-alpha.2", "patch"),
        ("1.0.0-rc.1", "1.0.0", "patch"),
        ("1.0.0", "1.1.0-beta", "minor"),
        # 0.y.z: y is the breaking position, z adds features (Cargo: ^0.2.3 accepts 0.2.4).
        ("0.2.3", "0.2.4", "minor"),
        ("0.2.3", "0.3.0", "major"),
        ("0.9.0", "1.0.0", "major"),
        # 0.0.z: every step is breaking (Cargo: ^0.0.3 is =0.0.3).
        ("0.0.3", "0.0.4", "major"),
        ("0.0.3", "0.1.0", "major"),
        ("0.0.3-alpha", "0.0.3", "patch"),
    ],
)
def test_bump_kind(old: str, new: str, kind: str) -> None:
    assert Version.bump_kind(v(old), v(new)) == kind
    assert kind in BUMP_KINDS


def test_bump_kind_agrees_with_caret_compatibility() -> None:
    grid = [Version(a, b, c) for a in range(3) for b in range(3) for c in range(3)]
    for old, new in itertools.product(grid, grid):
        if new < old:
            continue
        compatible = VersionReq.parse(f"^{old}").matches(new)
        assert (Version.bump_kind(old, new) != "major") == compatible, (old, new)


def test_bump_kind_rejects_downgrade() -> None:
    with pytest.raises(SemverError, match="older than"):
        Version.bump_kind(v("1.2.0"), v("1.1.9"))


def test_bump_is_at_least() -> None:
    assert Version.bump_is_at_least(v("1.0.0"), v("2.0.0"), "minor")
    assert Version.bump_is_at_least(v("1.0.0"), v("1.1.0"), "minor")
    assert not Version.bump_is_at_least(v("1.0.0"), v("1.0.1"), "minor")
    assert Version.bump_is_at_least(v("0.1.0"), v("0.2.0"), "major")
    assert Version.bump_is_at_least(v("1.0.0"), v("1.0.0"), "none")
    with pytest.raises(ValueError, match="unknown bump kind"):
        Version.bump_is_at_least(v("1.0.0"), v("1.0.0"), "huge")


# --- VersionReq: Cargo's documented examples --------------------------------------------------

_GRID = [Version(a, b, c) for a in range(4) for b in range(4) for c in range(5)]
_INF = Version(2**64 - 1, 0, 0)


@pytest.mark.parametrize(
    "req, low, high",
    [
        # Caret requirements (the Cargo book, "Caret requirements").
        ("^1.2.3", "1.2.3", "2.0.0"),
        ("^1.2", "1.2.0", "2.0.0"),
        ("^1", "1.0.0", "2.0.0"),
        ("^0.2.3", "0.2.3", "0.3.0"),
        ("^0.2", "0.2.0", "0.3.0"),
        ("^0.0.3", "0.0.3", "0.0.4"),
        ("^0.0", "0.0.0", "0.1.0"),
        ("^0", "0.0.0", "1.0.0"),
        # A bare version is a caret requirement.
        ("1.2.3", "1.2.3", "2.0.0"),
        ("0.2.3", "0.2.3", "0.3.0"),
        ("0.0.3", "0.0.3", "0.0.4"),
        ("1.2", "1.2.0", "2.0.0"),
        ("1", "1.0.0", "2.0.0"),
        # Tilde requirements.
        ("~1.2.3", "1.2.3", "1.3.0"),
        ("~1.2", "1.2.0", "1.3.0"),
        ("~1", "1.0.0", "2.0.0"),
        ("~0.2.3", "0.2.3", "0.3.0"),
        # Wildcard requirements.
        ("*", "0.0.0", None),
        ("1.*", "1.0.0", "2.0.0"),
        ("1.2.*", "1.2.0", "1.3.0"),
        ("1.x", "1.0.0", "2.0.0"),
        ("1.2.X", "1.2.0", "1.3.0"),
        ("X", "0.0.0", None),
        # Comparison requirements.
        (">= 1.2.0", "1.2.0", None),
        (">=1.2", "1.2.0", None),
        ("> 1", "2.0.0", None),
        (">1.2", "1.3.0", None),
        (">1.2.3", "1.2.4", None),
        ("< 2", "0.0.0", "2.0.0"),
        ("<1.2", "0.0.0", "1.2.0"),
        ("<=1.2", "0.0.0", "1.3.0"),
        ("<=1", "0.0.0", "2.0.0"),
        ("<=1.2.3", "0.0.0", "1.2.4"),
        ("= 1.2.3", "1.2.3", "1.2.4"),
        ("=1.2", "1.2.0", "1.3.0"),
        ("=1", "1.0.0", "2.0.0"),
        # Multiple requirements.
        (">= 1.2, < 1.5", "1.2.0", "1.5.0"),
        (">=1.2.3, <2.0.0", "1.2.3", "2.0.0"),
        ("^1.2, <1.3.2", "1.2.0", "1.3.2"),
    ],
)
def test_cargo_requirement_ranges(req: str, low: str, high: str | None) -> None:
    """Each requirement matches exactly the release versions in [low, high) on a grid."""
    parsed = VersionReq.parse(req)
    lo = v(low)
    hi = v(high) if high else _INF
    for version in _GRID:
        assert parsed.matches(version) == (lo <= version < hi), (req, str(version))


def test_exact_matches_build_metadata_insensitively() -> None:
    assert VersionReq.parse("=1.2.3").matches(v("1.2.3+build.7"))
    assert VersionReq.parse("=1.2.3+build.7").matches(v("1.2.3"))


# --- VersionReq: pre-release opt-in ----------------------------------------------------------


@pytest.mark.parametrize(
    "req, version, expected",
    [
        ("*", "1.0.0-alpha", False),
        ("1.*", "1.2.0-alpha", False),
        ("^1.2", "1.3.0-alpha", False),
        ("^1.2.3", "1.2.4-alpha", False),
        (">=1.0.0", "2.0.0-rc.1", False),
        ("<1.0.0", "1.0.0-alpha", False),  # below 1.0.0 by precedence, but not opted in
        ("<1.0.0-beta", "1.0.0-alpha", True),
        ("^1.2.3-alpha.1", "1.2.3-alpha.1", True),
        ("^1.2.3-alpha.1", "1.2.3-alpha.2", True),
        ("^1.2.3-alpha.1", "1.2.3-beta", True),
        ("^1.2.3-alpha.1", "1.2.3", True),
        ("^1.2.3-alpha.1", "1.9.0", True),
        ("^1.2.3-alpha.1", "1.2.3-alpha.0", False),
        ("^1.2.3-alpha.1", "1.2.4-alpha.1", False),  # other major.minor.patch
        ("^1.2.3-alpha.1", "2.0.0-alpha", False),
        (">1.2.3-alpha.1", "1.2.3-alpha.2", True),
        (">1.2.3-alpha.1", "1.3.0-alpha", False),
        ("=2.1.1-really.0", "2.1.1-really.0", True),
        ("=2.1.1-really.0", "2.1.1", False),
        ("~1.2.3-beta", "1.2.3-beta.2", True),
        ("~1.2.3-beta", "1.2.3-alpha", False),
        ("~1.2.3-beta", "1.2.4", True),
        (">=0.5.1-alpha3, <0.6", "0.5.1-alpha4", True),
        (">=0.5.1-alpha3, <0.6", "0.5.1-beta", True),
        (">=0.5.1-alpha3, <0.6", "0.5.1", True),
        (">=0.5.1-alpha3, <0.6", "0.5.2-alpha", False),
        (">=0.5.1-alpha3, <0.6", "0.6.0-alpha", False),
        ("^0.0.3-beta", "0.0.3-pre.0", True),
        ("^0.0.3-beta", "0.0.3", True),
        ("^0.0.3-beta", "0.0.4", False),
    ],
)
def test_prerelease_matching(req: str, version: str, expected: bool) -> None:
    assert VersionReq.parse(req).matches(v(version)) is expected


# --- VersionReq: canonical form -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("1.2.3", "^1.2.3"),
        ("^1.2.3", "^1.2.3"),
        ("  ~1  ", "~1"),
        (">= 1.2, < 1.5", ">=1.2, <1.5"),
        (">=1.2,<1.5", ">=1.2, <1.5"),
        ("1.x", "1.*"),
        ("1.2.X", "1.2.*"),
        ("1.*.*", "1.*"),
        ("*", "*"),
        ("x", "*"),
        ("=1.2.3-alpha.1+build", "=1.2.3-alpha.1"),
        ("<=0", "<=0"),
        (">=1.*", ">=1"),
    ],
)
def test_canonical_form_round_trips(text: str, canonical: str) -> None:
    req = VersionReq.parse(text)
    assert str(req) == canonical
    again = VersionReq.parse(str(req))
    assert again == req and hash(again) == hash(req)


def test_requirement_structure() -> None:
    req = VersionReq.parse(">=1.2, <1.5.0-rc.1")
    assert req.comparators == (Comparator(">=", 1, 2), Comparator("<", 1, 5, 0, ("rc", "1")))
    assert VersionReq.parse("*").comparators == ()
    assert repr(req) == "VersionReq('>=1.2, <1.5.0-rc.1')"
    with pytest.raises(AttributeError):
        req.comparators = ()  # type: ignore[misc]


def test_comparator_constructor_validates() -> None:
    with pytest.raises(ValueError):
        Comparator("!", 1)
    with pytest.raises(ValueError):
        Comparator("^", 1, None, 2)
    with pytest.raises(ValueError):
        Comparator("^", 1, 2, None, ("alpha",))


# --- VersionReq: malformed input -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "the requirement is empty"),
        ("   ", "the requirement is empty"),
        ("!1.0", 'unexpected character `!` in requirement "!1.0"'),
        (">=", "unexpected end of input, expected a major version number"),
        (">=a", "unexpected character `a`"),
        ("1.0 2.0", "unexpected character `2`"),
        ("1.0;2.0", "unexpected character `;`"),
        (">=1.0,", "unexpected end of input"),
        ("1.0,,2.0", "unexpected character `,`"),
        ("*, 1.0", "must be the only comparator"),
        ("1.0, *", "wildcard"),
        ("* 1", "nothing after the wildcard"),
        ("^*", "wildcard"),
        ("1.*.3", "after a wildcard minor version"),
        ("1.2-alpha", "a pre-release needs a full major.minor.patch"),
        ("01.2", "leading zero"),
        ("1.02", "leading zero"),
        ("^1.2.3-", "empty identifier"),
        ("^1.2.3-01", "leading zero"),
        ("^1.2.3+", "empty identifier"),
        ("1.2.3.4", "unexpected character `.`"),
        ("~>1.2", "unexpected character `>`"),
        ("1.0\t", "unexpected character `\\t`"),
        ("99999999999999999999999", "larger than"),
        (", ".join(["1"] * 40), "more than 32 comparators"),
    ],
)
def test_invalid_requirements(text: str, fragment: str) -> None:
    with pytest.raises(SemverError) as exc:
        VersionReq.parse(text)
    assert fragment in str(exc.value)
    assert f'"{text}"' in str(exc.value)


def test_requirement_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        VersionReq.parse(1)  # type: ignore[arg-type]


# --- python-semver is the authority on grammar and precedence --------------------------------

_number = st.one_of(st.integers(0, 20), st.integers(0, 2**64 - 1)).map(str)
_ident = st.one_of(
    st.integers(0, 300).map(str),
    st.text(alphabet="abcxyzAZ-019", min_size=1, max_size=6),
    st.sampled_from(["alpha", "beta", "rc", "0a", "01", "-", "--1", ""]),
)
_version_text = st.builds(
    lambda core, pre, build: ".".join(core)
    + ("-" + ".".join(pre) if pre else "")
    + ("+" + ".".join(build) if build else ""),
    st.lists(_number, min_size=3, max_size=3),
    st.lists(_ident, max_size=4),
    st.lists(_ident, max_size=3),
)


def _python_semver(text: str) -> python_semver.Version | None:
    try:
        return python_semver.Version.parse(text)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(_version_text)
def test_parse_accepts_exactly_what_python_semver_accepts(text: str) -> None:
    reference = _python_semver(text)
    ours: Optional[Version]
    try:
        ours = Version.parse(text)
    except SemverError:
        ours = None
    assert (ours is None) == (reference is None), text
    if ours is not None and reference is not None:
        assert ours.semver == reference and str(ours.semver) == str(reference) == text


@settings(max_examples=400, deadline=None)
@given(_version_text, _version_text)
def test_precedence_is_python_semvers(a: str, b: str) -> None:
    va, vb = _python_semver(a), _python_semver(b)
    assume(va is not None and vb is not None)
    assert va is not None and vb is not None
    ours_a, ours_b = Version.parse(a), Version.parse(b)
    expected = va.compare(vb)
    assert ((ours_a > ours_b) - (ours_a < ours_b)) == expected, (a, b)
    assert (ours_a == ours_b) == (expected == 0)


def test_u64_bound_is_ours_not_python_semvers() -> None:
    # python-semver accepts any size; Cargo stores u64, and so do we.
    assert _python_semver(f"{2**64}.0.0") is not None
    with pytest.raises(SemverError, match="larger than"):
        Version.parse(f"{2**64}.0.0")
