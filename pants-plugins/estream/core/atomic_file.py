"""Durable, atomic file replacement: a reader (or a process after a crash) sees the old bytes or
the new bytes, never a mix and never an empty file.

`atomic_write_bytes` writes a uniquely named temporary file in the target's own directory (same
filesystem, so the rename is atomic), fsyncs it, renames it over the target and fsyncs the
directory so the rename itself survives a power cut. On any failure (disk full, read-only
filesystem, a signal) the temporary file is removed and the target is untouched. Temporary names
start with `.estream-tmp-` so a later process can recognise leftovers.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(6)}"
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


__all__ = ["TEMP_PREFIX", "atomic_write_bytes", "fsync_dir", "write_durably"]
