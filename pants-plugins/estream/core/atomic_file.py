"""Durable, atomic file replacement: a reader (or a process after a crash) sees the old bytes or
the new bytes, never a mix and never an empty file.

`atomic_write_bytes` writes a uniquely named temporary file in the target's own directory (same
filesystem, so the rename is atomic), fsyncs it, renames it over the target and fsyncs the
directory so the rename itself survives a power cut. On any failure (disk full, read-only
filesystem, a signal) the temporary file is removed and the target is untouched. Temporary names
start with `.estream-tmp-` so a later process can recognise leftovers.

`disk_errors(path, doing)` turns the failures a full or read-only file system causes (ENOSPC,
EDQUOT, EFBIG, EROFS) into one `EstreamError` naming the path ("no space left on device while
writing ..."); callers wrap a whole all-or-nothing step in it after making sure their own
rollback ran, so the message can say nothing was changed.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Iterator

from estream.core.errors import EstreamError

TEMP_PREFIX = ".estream-tmp-"


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (a rename, a new file) durable; best effort where unsupported."""
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_durably(path: Path, content: bytes) -> None:
    """Create `path` (which must not be visible to others yet) with `content`, fsynced."""
    with open(path, "xb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())


def atomic_write_bytes(path: Path, content: bytes, *, mode: int = 0o644) -> None:
    """Replace `path` with `content` atomically and durably (see the module doc)."""
    # os.urandom(6).hex() is secrets.token_hex(6), without importing `secrets` at start-up.
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{os.urandom(6).hex()}"
    try:
        write_durably(tmp, content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


_DISK_ERRORS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file size limit exceeded",
    errno.EROFS: "read-only file system",
}


def disk_error(e: OSError, path: Path, doing: str) -> "EstreamError | OSError":
    """`e` as a clear EstreamError if a full or read-only file system caused it, else `e`."""
    reason = _DISK_ERRORS.get(e.errno or 0)
    if reason is None:
        return e
    where = e.filename if isinstance(e.filename, str) else str(path)
    return EstreamError.single(
        str(path),
        f"{reason} while {doing} ({where}); nothing was changed",
        help="free some space (or make the file system writable) and run the command again",
    )


@contextlib.contextmanager
def disk_errors(path: Path, doing: str) -> Iterator[None]:
    """Re-raise a full/read-only file system error inside the block as `disk_error` describes."""
    try:
        yield
    except OSError as e:
        raise disk_error(e, path, doing) from None


__all__ = ["TEMP_PREFIX", "atomic_write_bytes", "disk_error", "disk_errors", "fsync_dir", "write_durably"]
