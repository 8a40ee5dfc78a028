"""Path confinement: the one check before any write or delete under a directory we own.

Every write and delete that lands under a workspace, the archive cache, a registry checkout or a
FuseSoC library goes through `confined_path(root, rel)`. The relative path comes from data we do
not trust (an install journal a checkout shipped, a package's file list, an index entry), so it is
refused unless it is a plain relative POSIX path (no absolute path, no `..`, no empty or `.`
components, no backslash or NUL), and no existing component on the way down may be a symbolic link
or a non-directory: a symlinked directory would carry the write out of `root`. The final component
may not be a symlink or anything but a regular file, unless `allow_missing_parent_dirs`/`kind`
say otherwise.

Errors are `EstreamError`s naming `shown/rel`, the path as the user knows it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Optional

from estream.core.errors import EstreamError


def check_relative(rel: str, *, shown: str) -> PurePosixPath:
    """`rel` as a PurePosixPath if it is a plain relative path that stays below its root."""
    problem: Optional[str] = None
    if not rel:
        problem = "is empty"
    elif "\x00" in rel or "\\" in rel:
        problem = "contains a NUL or backslash"
    elif rel.startswith("/"):
        problem = "is absolute"
    else:
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            problem = "has an empty, `.` or `..` component"
    if problem:
        raise EstreamError.single(
            shown,
            f"path `{rel!r}` {problem}",
            help="only plain relative paths below the directory are allowed",
        )
    return PurePosixPath(rel)


def confined_path(root: Path, rel: str, *, shown: Optional[str] = None, kind: str = "file") -> Path:
    """`root/rel`, refusing any path that could leave `root` (see the module doc).

    `kind` is what may already exist at the target: "file" (a regular file or nothing) or "dir"
    (a directory or nothing). `shown` is how `root` is named in errors (default: `root`).
    """
    label = shown if shown is not None else str(root)
    pure = check_relative(rel, shown=label)
    cur = root
    for part in pure.parts[:-1]:
        cur = cur / part
        where = f"{label}/{PurePosixPath(*cur.relative_to(root).parts)}"
        if cur.is_symlink():
            raise EstreamError.single(where, "is a symbolic link; refusing to write through it")
        if cur.exists() and not cur.is_dir():
            raise EstreamError.single(where, "exists and is not a directory")
    target = root / pure
    where = f"{label}/{rel}"
    if target.is_symlink():
        raise EstreamError.single(where, "is a symbolic link; refusing to replace it")
    if target.exists():
        if kind == "file" and not target.is_file():
            raise EstreamError.single(where, "exists and is not a regular file; refusing to replace it")
        if kind == "dir" and not target.is_dir():
            raise EstreamError.single(where, "exists and is not a directory")
    return target


__all__ = ["check_relative", "confined_path"]
