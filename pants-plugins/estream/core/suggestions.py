""""Did you mean ...?": the closest known word to a misspelt one, for error help lines.

Decision: a case-insensitive exact match wins (`Enum` for `enum`), then difflib's closest match
at a 0.6 ratio (the cutoff where one or two typos in a short keyword still match, and unrelated
words do not). Shared by every validator (manifest and FPGA manifest through `toml_validator`,
ESF schemas, SmartCircuits) and by schema resolution, so all of them suggest alike.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def closest_match(word: str, candidates: Iterable[str]) -> Optional[str]:
    """The candidate `word` most likely meant, or None when none is close."""
    options = list(candidates)
    for option in options:
        if option.lower() == word.lower():
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> Optional[str]:
    """A help line (``did you mean `x`?``) for `word`, or None when no candidate is close."""
    guess = closest_match(word, candidates)
    return f"did you mean `{guess}`?" if guess else None
