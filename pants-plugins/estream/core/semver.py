"""Semantic versions (SemVer 2.0.0) and Cargo-style version requirements, in pure Python.

`Version.parse("1.2.3-rc.1+build.5")` follows https://semver.org/spec/v2.0.0.html exactly.
`VersionReq.parse("^1.2, <1.5")` follows Cargo's requirement syntax and the matching rules of
the Rust `semver` crate that Cargo uses, so a requirement means the same thing in an
`estream-component.toml` as it would in a `Cargo.toml`.

Both raise `SemverError` (a `ValueError`) with a message that says what was expected.

`Version` is built on the `semver` package (python-semver 3.0.x, the last line that runs on the
Python 3.9 Pants uses): every accepted version is parsed by `semver.Version.parse`, which is the
authority on the grammar, and `Version.semver` is that object. This module adds what python-semver
does not have: Cargo's requirement syntax and matching (`VersionReq`, `Comparator`), Cargo's
bump rules, the u64 bound on numbers Cargo enforces, and error messages that say *why* a string is
not a version (python-semver only says that it is not). Precedence is python-semver's
(`semver.Version.compare`, SemVer §11); each `Version` caches it as a sort key so that sorting an
index of 50,000 versions costs tuple comparisons, and `semver_test.py` checks key and
`compare` against each other on generated versions.

python-semver is imported when the first `Version` is made (`_python_semver`), not with this
module: reading an index or answering `estream marketplace search` from the index cache compares
no versions, and the import was ~5 ms of every command's start-up (issue 18). It stays the one
authority on the grammar and on precedence; nothing here re-implements it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Tuple

if TYPE_CHECKING:
    from types import ModuleType

    import semver as python_semver

__all__ = [
    "BUMP_KINDS",
    "Comparator",
    "SemverError",
    "Version",
    "VersionReq",
]

# Cargo stores version numbers as u64; a bigger number cannot be published anywhere, and the cap
# keeps hostile input away from Python's slow/limited conversion of huge digit strings.
_MAX_NUMBER = 2**64 - 1
_MAX_DIGITS = len(str(_MAX_NUMBER))
# The semver crate also bounds the number of comparators; a real requirement has two or three.
_MAX_COMPARATORS = 32

_IDENT_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")
_WILDCARDS = ("*", "x", "X")

#: The results of `Version.bump_kind`, from least to most significant.
BUMP_KINDS: Tuple[str, ...] = ("none", "patch", "minor", "major")


_PYTHON_SEMVER: Optional[ModuleType] = None


def _python_semver() -> ModuleType:
    """The `semver` package (python-semver), imported on first use (see the module docstring)."""
    global _PYTHON_SEMVER
    if _PYTHON_SEMVER is None:
        import semver

        _PYTHON_SEMVER = semver
    return _PYTHON_SEMVER


class SemverError(ValueError):
    """A version or requirement string is malformed.

    `text` is the offending input and `reason` a short explanation without the input
    (e.g. "the minor version number has a leading zero"), so callers such as the manifest
    validator can phrase their own message around it.
    """

    def __init__(self, message: str, *, text: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.text = text
        self.reason = reason


def _version_error(text: str, reason: str) -> SemverError:
    message = f'expected a version like "1.2.3", found "{text}"'
    if reason:
        message += f" ({reason})"
    return SemverError(message, text=text, reason=reason)


def _req_error(text: str, reason: str) -> SemverError:
    return SemverError(f'invalid version requirement "{text}": {reason}', text=text, reason=reason)


def _parse_number(digits: str, what: str) -> Tuple[Optional[int], str]:
    """Parse a SemVer numeric identifier; returns (value, "") or (None, reason)."""
    if not digits:
        return None, f"the {what} is empty"
    if not digits.isdigit() or not digits.isascii():
        return None, f"the {what} `{digits}` is not a number"
    if len(digits) > 1 and digits[0] == "0":
        return None, f"the {what} `{digits}` has a leading zero"
    if len(digits) > _MAX_DIGITS or int(digits) > _MAX_NUMBER:
        return None, f"the {what} `{digits}` is larger than {_MAX_NUMBER}"
    return int(digits), ""


def _check_identifiers(text: str, what: str, *, numeric_leading_zero: bool) -> Tuple[Tuple[str, ...], str]:
    """Split and check dot-separated pre-release or build identifiers; returns (ids, reason)."""
    idents = tuple(text.split("."))
    for ident in idents:
        if not ident:
            return (), f"the {what} has an empty identifier"
        bad = next((c for c in ident if c not in _IDENT_CHARS), None)
        if bad is not None:
            return (), f"the {what} contains `{bad}`; only ASCII letters, digits and `-` are allowed"
        # SemVer §9: numeric pre-release identifiers must not have leading zeros; §10 allows
        # them in build metadata.
        if numeric_leading_zero and ident.isdigit() and len(ident) > 1 and ident[0] == "0":
            return (), f"the {what} identifier `{ident}` has a leading zero"
    return idents, ""


def _pre_key(pre: Tuple[str, ...]) -> tuple:
    """Sort key for a pre-release per SemVer §11: any pre-release sorts before the release;
    numeric identifiers compare numerically and before alphanumeric ones, which compare in
    ASCII order; a shorter list of otherwise equal identifiers sorts first."""
    if not pre:
        return (1,)
    return (0,) + tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in pre)


@dataclass(frozen=True, eq=False)
class Version:
    """A SemVer 2.0.0 version.

    Equality, hashing and ordering follow SemVer precedence (§11), which ignores build
    metadata: `Version.parse("1.0.0+a") == Version.parse("1.0.0+b")`. `str()` keeps it.
    """

    major: int
    minor: int
    patch: int
    prerelease: Tuple[str, ...] = ()
    build: Tuple[str, ...] = ()
    _key: tuple = field(init=False, repr=False, compare=False)
    _semver: python_semver.Version = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for what in ("major", "minor", "patch"):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_NUMBER:
                raise _version_error(
                    str(self), f"the {what} version number must be an integer from 0 to {_MAX_NUMBER}"
                )
        for what, idents, zero_rule in (
            ("pre-release", self.prerelease, True),
            ("build metadata", self.build, False),
        ):
            if isinstance(idents, str) or not all(isinstance(i, str) for i in idents):
                raise TypeError(f"the {what} of a Version must be a tuple of strings")
            object.__setattr__(self, "prerelease" if zero_rule else "build", tuple(idents))
            if idents:
                _, reason = _check_identifiers(".".join(idents), what, numeric_leading_zero=zero_rule)
                if reason:
                    raise _version_error(str(self), reason)
        try:
            parsed = (_PYTHON_SEMVER or _python_semver()).Version(
                self.major,
                self.minor,
                self.patch,
                prerelease=".".join(self.prerelease) or None,
                build=".".join(self.build) or None,
            )
        except (
            TypeError,
            ValueError,
        ) as e:  # the checks above make this unreachable; never let it escape raw
            raise _version_error(str(self), f"not a SemVer 2.0.0 version: {e}") from None
        object.__setattr__(self, "_semver", parsed)
        pre = tuple(parsed.prerelease.split(".")) if parsed.prerelease else ()
        object.__setattr__(self, "_key", (parsed.major, parsed.minor, parsed.patch, _pre_key(pre)))

    @property
    def semver(self) -> python_semver.Version:
        """This version as a `semver.Version` (python-semver), e.g. for `.next_version()`."""
        return self._semver

    @classmethod
    def parse(cls, text: str) -> "Version":
        """Parse `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`; raise `SemverError` if malformed."""
        if not isinstance(text, str):
            raise TypeError(f"Version.parse() expects a str, got {type(text).__name__}")
        if not text:
            raise _version_error(text, "the string is empty")
        if text != text.strip():
            raise _version_error(text, "it has leading or trailing whitespace")
        rest, plus, build_text = text.partition("+")
        core, dash, pre_text = rest.partition("-")
        parts = core.split(".")
        if len(parts) != 3:
            if len(parts) < 3 and all(p.isdigit() for p in parts):
                missing = ("minor", "patch")[len(parts) - 1 :]
                reason = (
                    f"missing the {' and '.join(missing)} version number{'s' if len(missing) > 1 else ''}"
                )
            else:
                reason = "a version has exactly three dot-separated numbers: major.minor.patch"
            raise _version_error(text, reason)
        numbers: List[int] = []
        for what, digits in zip(
            ("major version number", "minor version number", "patch version number"), parts
        ):
            value, reason = _parse_number(digits, what)
            if value is None:
                raise _version_error(text, reason)
            numbers.append(value)
        pre: Tuple[str, ...] = ()
        if dash:
            pre, reason = _check_identifiers(pre_text, "pre-release", numeric_leading_zero=True)
            if reason:
                raise _version_error(text, reason)
        build: Tuple[str, ...] = ()
        if plus:
            build, reason = _check_identifiers(build_text, "build metadata", numeric_leading_zero=False)
            if reason:
                raise _version_error(text, reason)
        try:
            (_PYTHON_SEMVER or _python_semver()).Version.parse(text)
        except ValueError as e:  # python-semver is the authority on the grammar
            raise _version_error(text, f"not a SemVer 2.0.0 version: {e}") from None
        return cls(numbers[0], numbers[1], numbers[2], pre, build)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __repr__(self) -> str:
        return f"Version({str(self)!r})"

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key == other._key

    def __lt__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key < other._key

    def __le__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key <= other._key

    def __gt__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key > other._key

    def __ge__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key >= other._key

    @staticmethod
    def bump_kind(old: "Version", new: "Version") -> str:
        """How significant the step from `old` to `new` is, by Cargo's compatibility rules.

        Returns one of `BUMP_KINDS`:

        * `"major"`: incompatible: `new` does not satisfy `^old`. For 1.0.0 and later that
          is a change of the major number; for `0.y.z` (y > 0) a change of y (Cargo treats
          0.y as the breaking position); for `0.0.z` any change of z.
        * `"minor"`: compatible, may add features: a minor change from 1.0.0 on, or a
          change of z in `0.y.z` (y > 0) — Cargo lets `^0.2.3` accept 0.2.4, so that is the
          only non-breaking position left in 0.y.z.
        * `"patch"`: compatible fixes: a patch change from 1.0.0 on, or a step between
          pre-releases / to the release of the same major.minor.patch (pre-releases promise
          nothing extra; the step to that major.minor.patch was judged when it was first used).
        * `"none"`: same precedence (only build metadata differs).

        Raises `SemverError` if `new` has lower precedence than `old`: a downgrade is not a bump.
        Use `Version.bump_is_at_least` for "is this bump at least X" checks.
        """
        if new < old:
            raise SemverError(f"{new} is older than {old}; a downgrade is not a version bump", text=str(new))
        if new == old:
            return "none"
        if old.major != new.major:
            return "major"
        if old.major == 0:
            if old.minor != new.minor:
                return "major"
            if old.patch != new.patch:
                return "major" if old.minor == 0 else "minor"
            return "patch"
        if old.minor != new.minor:
            return "minor"
        return "patch"

    @staticmethod
    def bump_is_at_least(old: "Version", new: "Version", minimum: str) -> bool:
        """True if `Version.bump_kind(old, new)` is `minimum` or more significant."""
        if minimum not in BUMP_KINDS:
            raise ValueError(f"unknown bump kind {minimum!r}; expected one of {', '.join(BUMP_KINDS)}")
        return BUMP_KINDS.index(Version.bump_kind(old, new)) >= BUMP_KINDS.index(minimum)


# Comparator operators. WILDCARD is the implicit operator of `1.*` / `1.2.*`.
EXACT, GREATER, GREATER_EQ, LESS, LESS_EQ, TILDE, CARET, WILDCARD = "=", ">", ">=", "<", "<=", "~", "^", "*"
_OPS = (EXACT, GREATER, GREATER_EQ, LESS, LESS_EQ, TILDE, CARET, WILDCARD)
# Longest first, so ">=" is not read as ">" followed by "=".
_OP_PREFIXES = (GREATER_EQ, LESS_EQ, EXACT, GREATER, LESS, TILDE, CARET)


@dataclass(frozen=True)
class Comparator:
    """One comparator of a requirement, e.g. `>=1.2` is `Comparator(">=", 1, 2, None)`.

    `minor`/`patch` are None when the version was partial or a wildcard.
    """

    op: str
    major: int
    minor: Optional[int] = None
    patch: Optional[int] = None
    prerelease: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown comparator operator {self.op!r}")
        if self.minor is None and self.patch is not None:
            raise ValueError("a comparator with a patch number needs a minor number")
        if self.prerelease and self.patch is None:
            raise ValueError("a comparator with a pre-release needs a patch number")
        object.__setattr__(self, "prerelease", tuple(self.prerelease))

    def __str__(self) -> str:
        text = ("" if self.op == WILDCARD else self.op) + str(self.major)
        if self.minor is not None:
            text += f".{self.minor}"
            if self.patch is not None:
                text += f".{self.patch}"
                if self.prerelease:
                    text += "-" + ".".join(self.prerelease)
            elif self.op == WILDCARD:
                text += ".*"
        elif self.op == WILDCARD:
            text += ".*"
        return text

    def matches(self, v: Version) -> bool:
        """Whether `v` satisfies this comparator alone, ignoring the pre-release opt-in rule."""
        op = self.op
        if op in (EXACT, WILDCARD):
            return self._exact(v)
        if op == GREATER:
            return self._greater(v)
        if op == GREATER_EQ:
            return self._exact(v) or self._greater(v)
        if op == LESS:
            return self._less(v)
        if op == LESS_EQ:
            return self._exact(v) or self._less(v)
        if op == TILDE:
            return self._tilde(v)
        return self._caret(v)

    # The helpers below mirror the Rust semver crate's eval.rs so results agree with Cargo;
    # a missing minor/patch acts as "any" for equality and "not comparable" for > and <.

    def _pre(self) -> tuple:
        return _pre_key(self.prerelease)

    def _exact(self, v: Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is not None and v.minor != self.minor:
            return False
        if self.patch is not None and v.patch != self.patch:
            return False
        return _pre_key(v.prerelease) == self._pre()

    def _greater(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major > self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor > self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.prerelease) > self._pre()

    def _less(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major < self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor < self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch < self.patch
        return _pre_key(v.prerelease) < self._pre()

    def _tilde(self, v: Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is not None and v.minor != self.minor:
            return False
        if self.patch is not None and v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.prerelease) >= self._pre()

    def _caret(self, v: Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is None:
            return True
        if self.patch is None:
            return v.minor >= self.minor if self.major > 0 else v.minor == self.minor
        if self.major > 0:
            if v.minor != self.minor:
                return v.minor > self.minor
            if v.patch != self.patch:
                return v.patch > self.patch
        elif self.minor > 0:
            if v.minor != self.minor:
                return False
            if v.patch != self.patch:
                return v.patch > self.patch
        elif v.minor != self.minor or v.patch != self.patch:
            return False
        return _pre_key(v.prerelease) >= self._pre()


@dataclass(frozen=True)
class VersionReq:
    """A Cargo-style version requirement: comparators that must all match.

    An empty `comparators` tuple is the `*` requirement (any release version).
    `str()` gives the canonical form (`1.2` -> `^1.2`, `1.x` -> `1.*`, `>=1, <2` -> `>=1, <2`),
    which parses back to an equal requirement.
    """

    comparators: Tuple[Comparator, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "VersionReq":
        """Parse a requirement such as `^1.2.3`, `~1.2`, `>=1.2, <1.5`, `1.*` or `*`."""
        if not isinstance(text, str):
            raise TypeError(f"VersionReq.parse() expects a str, got {type(text).__name__}")
        return cls(tuple(_ReqParser(text).parse()))

    def matches(self, version: Version) -> bool:
        """Whether `version` satisfies every comparator.

        As in Cargo, a pre-release version only matches when some comparator names the same
        major.minor.patch with a pre-release of its own (`>=1.2.3-alpha` admits 1.2.3-beta but
        not 1.2.4-alpha), so nobody is moved onto a pre-release without asking for it.
        """
        if not all(c.matches(version) for c in self.comparators):
            return False
        if not version.prerelease:
            return True
        return any(
            c.major == version.major
            and c.minor == version.minor
            and c.patch == version.patch
            and c.prerelease
            for c in self.comparators
        )

    def __str__(self) -> str:
        return ", ".join(str(c) for c in self.comparators) if self.comparators else "*"

    def __repr__(self) -> str:
        return f"VersionReq({str(self)!r})"


class _ReqParser:
    """A hand-written scanner so each error can point at the exact character that is wrong."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, reason: str) -> SemverError:
        return _req_error(self.text, reason)

    def unexpected(self, expected: str) -> SemverError:
        if self.pos >= len(self.text):
            return self.error(f"unexpected end of input, expected {expected}")
        char = self.text[self.pos]
        shown = repr(char)[1:-1] if not char.isprintable() else char
        return SemverError(
            f'unexpected character `{shown}` in requirement "{self.text}" '
            f"at position {self.pos + 1}, expected {expected}",
            text=self.text,
            reason=f"unexpected character `{shown}` at position {self.pos + 1}, expected {expected}",
        )

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() == " ":
            self.pos += 1

    def take_while(self, chars: frozenset) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1
        return self.text[start : self.pos]

    def at_wildcard(self) -> bool:
        return self.peek() in _WILDCARDS and self.peek() != ""

    def parse(self) -> List[Comparator]:
        self.skip_spaces()
        if self.pos >= len(self.text):
            raise self.error('the requirement is empty; use "*" to accept any version')
        if self.at_wildcard():
            self.pos += 1
            self.skip_spaces()
            if self.pos >= len(self.text):
                return []
            if self.peek() == ",":
                raise self.error("a bare wildcard `*` must be the only comparator")
            raise self.unexpected("nothing after the wildcard")
        comparators: List[Comparator] = []
        while True:
            if len(comparators) >= _MAX_COMPARATORS:
                raise self.error(f"more than {_MAX_COMPARATORS} comparators")
            comparators.append(self.comparator())
            self.skip_spaces()
            if self.pos >= len(self.text):
                return comparators
            if self.peek() != ",":
                raise self.unexpected("`,` between comparators")
            self.pos += 1
            self.skip_spaces()

    def number(self, what: str) -> int:
        digits = self.take_while(frozenset("0123456789"))
        if not digits:
            raise self.unexpected(f"a {what}")
        value, reason = _parse_number(digits, what)
        if value is None:
            raise self.error(reason)
        return value

    def comparator(self) -> Comparator:
        op = CARET  # Cargo: a bare version means a caret requirement
        explicit = False
        for prefix in _OP_PREFIXES:
            if self.text.startswith(prefix, self.pos):
                op, explicit = prefix, True
                self.pos += len(prefix)
                break
        self.skip_spaces()
        if self.at_wildcard():
            raise self.error(
                "a wildcard `*` must be the whole requirement or follow a major version, as in `1.*`"
            )
        major = self.number("major version number")
        minor: Optional[int] = None
        patch: Optional[int] = None
        prerelease: Tuple[str, ...] = ()
        wildcard = False
        if self.peek() == ".":
            self.pos += 1
            if self.at_wildcard():
                self.pos += 1
                wildcard = True
            else:
                minor = self.number("minor version number")
            if self.peek() == ".":
                self.pos += 1
                if self.at_wildcard():
                    self.pos += 1
                    wildcard = True
                elif wildcard:
                    raise self.unexpected("`*` after a wildcard minor version")
                else:
                    patch = self.number("patch version number")
        if wildcard and not explicit:
            op = WILDCARD
        if patch is not None and self.peek() == "-":
            self.pos += 1
            start = self.pos
            raw = self.take_while(_IDENT_CHARS | {"."})
            prerelease, reason = _check_identifiers(raw, "pre-release", numeric_leading_zero=True)
            if reason:
                self.pos = start
                raise self.error(reason)
        if patch is not None and self.peek() == "+":
            # Build metadata never affects matching; Cargo accepts and ignores it here.
            self.pos += 1
            raw = self.take_while(_IDENT_CHARS | {"."})
            _, reason = _check_identifiers(raw, "build metadata", numeric_leading_zero=False)
            if reason:
                raise self.error(reason)
        if self.peek() == "-" and patch is None:
            raise self.error("a pre-release needs a full major.minor.patch version, as in `1.2.3-alpha`")
        return Comparator(op, major, minor, patch, prerelease)
