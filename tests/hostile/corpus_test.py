"""The checked-in adversarial corpus (`corpus/`, written by `corpus_gen.py`): every file is refused
by every reader of its format with an `EstreamError` naming the file, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from estream.core.errors import EstreamError
from hostile.readers import READERS

CORPUS = Path(__file__).parent / "corpus"
CASES = [
    (path.relative_to(CORPUS).as_posix(), reader)
    for path in sorted(CORPUS.rglob("*"))
    if path.is_file()
    for reader in sorted(READERS[path.relative_to(CORPUS).parts[0]])
]


def test_the_corpus_is_there() -> None:
    assert len({c for c, _ in CASES}) >= 40


@pytest.mark.parametrize("case, reader", CASES)
def test_corpus_input_is_a_diagnostic(case: str, reader: str) -> None:
    data = (CORPUS / case).read_bytes()
    kind = case.split("/")[0]
    try:
        result = READERS[kind][reader](data)
    except EstreamError as e:
        assert e.diagnostics and all(d.path for d in e.diagnostics)
        assert len(e.render()) < 20_000  # capped: at most 50 diagnostics of at most ~1,000 characters
        return
    if kind == "archive":  # read fine, but must not verify
        assert not result.ok, case  # type: ignore[attr-defined]
        return
    # Other readers may accept a file meant for a sibling reader (a deep `x = [...]` is no manifest,
    # but it is only refused by the limits); nothing hostile may pass the generic loaders.
    assert reader not in (
        "load_json",
        "load_toml",
        "load_yaml",
        "SIGNATURE.ml-dsa",
    ), f"{case} accepted by {reader}"
