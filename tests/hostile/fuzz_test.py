"""Property-based fuzzing of every reader (`readers.READERS`): for any input, a reader returns or
raises `EstreamError`; nothing else escapes. Bounded here (50 examples per reader, so `pants test`
stays fast); `bench/hostile_fuzz.py` runs the same properties for longer."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estream.core.errors import EstreamError
from hostile.readers import READERS

EXAMPLES = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

# Text made of the characters that steer each parser, so examples reach deep states quickly.
_TOML_ALPHABET = st.sampled_from(list("[]{}=,.\"'#\n abc019_-+:tTxe\\\x1b\u202e"))
_YAML_ALPHABET = st.sampled_from(list("[]{}:-,&*!|>'\"#\n ab019.xe\t?%@`~\u0085\x1b"))
_JSON_ALPHABET = st.sampled_from(list('[]{}:,"\\ 019.-eEtrufalsnN\x1b\u202e'))
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**80), max_value=10**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


# Known-bad fragments spliced into random text: past Python's integer-digit limit, past the
# interpreter's recursion limit, impossible dates, bad tags, a long dotted key.
_FRAGMENTS = {
    "toml": [
        b"x = " + b"9" * 5000 + b"\n",
        b"x = " + b"[" * 2000,
        b"a" + b".a" * 200 + b" = 1\n",
        b"x = 1979-02-30\n",
    ],
    "yaml": [
        b"a: " + b"9" * 5000 + b"\n",
        b"a: " + b"[" * 2000,
        b"a: 2026-02-30\n",
        b"a: !!int x\n",
        b"a: !!timestamp x\n",
        b"a: !!bool x\n",
    ],
    "json": [b"9" * 5000, b"[" * 2000, b"1e99999", b"NaN"],
}


def _structured(alphabet, kind: str) -> st.SearchStrategy[bytes]:
    text = st.text(alphabet, max_size=400).map(lambda s: s.encode("utf-8"))
    spliced = st.tuples(text, st.sampled_from(_FRAGMENTS[kind]), text).map(b"".join)
    return st.one_of(text, spliced, st.binary(max_size=200))


STRATEGIES = {
    "toml": _structured(_TOML_ALPHABET, "toml"),
    "yaml": _structured(_YAML_ALPHABET, "yaml"),
    "json": st.one_of(
        _structured(_JSON_ALPHABET, "json"), _JSON_VALUES.map(lambda v: json.dumps(v).encode())
    ),
    "signature": st.one_of(
        _structured(_JSON_ALPHABET, "json"),
        st.dictionaries(
            st.sampled_from(
                ["format_version", "algorithm", "package", "key_id", "files", "signed_at", "merkle_root"]
            ),
            _JSON_VALUES,
            max_size=7,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    "archive": st.binary(max_size=300).map(lambda b: b"\x1f\x8b\x08\x00" + b),
}

CASES = [(kind, name) for kind, readers in sorted(READERS.items()) for name in sorted(readers)]


def check(kind: str, name: str, data: bytes) -> None:
    """The property: `data` is accepted or refused with an `EstreamError` whose text is capped."""
    try:
        READERS[kind][name](data)
    except EstreamError as e:
        assert e.diagnostics and len(e.render()) < 100_000


@pytest.mark.parametrize("kind, name", CASES)
def test_reader_never_raises_anything_but_estream_error(kind: str, name: str) -> None:
    @EXAMPLES
    @given(STRATEGIES[kind])
    def prop(data: bytes) -> None:
        check(kind, name, data)

    prop()
