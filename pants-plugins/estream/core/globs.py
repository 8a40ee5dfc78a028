"""Glob patterns as used in `[component.include]`: relative, `/`-separated, Pants/gitignore style.

`*` and `?` never cross a `/`; `**` as a whole path segment matches zero or more directories.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Pattern


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> Pattern[str]:
    """Compile `pattern` into an anchored regular expression over relative POSIX paths."""
    parts = pattern.split("/")
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            # `a/**/b` matches `a/b`, `a/x/b`, `a/x/y/b`; a trailing `**` matches everything below.
            regex += ".*" if last else "(?:[^/]+/)*"
            continue
        regex += _translate_segment(part) + ("" if last else "/")
    return re.compile(regex + r"\Z")


def _translate_segment(segment: str) -> str:
    out = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = segment[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def glob_matches(pattern: str, path: str) -> bool:
    """True when the relative POSIX `path` matches `pattern`."""
    return compile_glob(pattern).match(path) is not None


def filter_glob(pattern: str, paths: Iterable[str]) -> List[str]:
    """The paths among `paths` that match `pattern`, in their given order."""
    compiled = compile_glob(pattern)
    return [p for p in paths if compiled.match(p)]
