"""Names that are one name elsewhere (issue 13): `README.md` and `readme.md`, or `café` written
in NFC and in NFD, are two files on Linux but one on macOS (APFS/HFS+ fold case and normalise
Unicode) and on Windows (NTFS folds case): installing both silently overwrites one with the other
after verification. Package paths are therefore compared by `name_key`: NFC, then Unicode case
folding (`str.casefold`, which folds more than any of those file systems, so a collision found
here may be harmless somewhere, never the reverse), then NFC again (folding can denormalise).

`first_collision(paths)` checks file paths and every directory above them (`Docs/a` against a
file `docs`); archive reading (`core.archive.read_archive`), package building
(`core.archive.build_tar`), directory verification and the install plan use it.
"""

from __future__ import annotations

import unicodedata
from typing import Dict, Iterable, Optional, Tuple


def name_key(path: str) -> str:
    """The form under which two paths name the same file on some supported file system."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", path).casefold())


def first_collision(paths: Iterable[str]) -> Optional[Tuple[str, str]]:
    """The first two distinct paths (or directories above them) with the same `name_key`, or None.

    Linear in the total length of `paths`.
    """
    seen: Dict[str, str] = {}
    for path in sorted(paths, key=lambda p: p.encode("utf-8", "surrogatepass")):
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            key = name_key(name)
            other = seen.setdefault(key, name)
            if other != name:
                return other, name
    return None


def collision_message(pair: Tuple[str, str]) -> str:
    """The error text for a collision: which two names, and why it matters."""
    a, b = pair
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        # They look identical when printed: show the code points.
        return (
            f"{ascii(a)} and {ascii(b)} are one name in two Unicode forms (NFC/NFD): on macOS they are "
            "the same file, and one would silently overwrite the other"
        )
    return (
        f"{a!r} and {b!r} differ only in case: on macOS and Windows they are the same file, "
        "and one would silently overwrite the other"
    )


__all__ = ["collision_message", "first_collision", "name_key"]
