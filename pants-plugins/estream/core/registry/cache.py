"""A content-addressed archive cache: `<cache>/sha3-256/<aa>/<hex>.tar.gz`.

The address is the SHA3-256 of the archive bytes, so an entry can be trusted only after its
content is hashed again on read; a corrupted or substituted file is discarded, never used.
Writes go to a temporary file that is renamed into place, so readers never see partial files.

Writers take the cache's lock (`<cache>/.estream-cache.lock`, `estream.core.lock`) around each
write; readers need none (an entry is complete or absent, and hashed on read). Holding the lock,
a writer knows every temporary file in the cache (`.estream-tmp-*`, and the `.<hex>.tar.gz.*.tmp`
of older versions) belongs to a process that died mid-write, and removes them once per process:
a cache on a full disk never keeps partial archives. A full or read-only cache file system is one
clear error (`disk_errors`); nothing partial is left and the next command after space is freed
succeeds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Optional

from estream.core.atomic_file import TEMP_PREFIX, atomic_write_bytes, disk_errors
from estream.core.errors import EstreamError
from estream.core.home import ENV_CACHE_DIR, cache_dir
from estream.core.lock import exclusive_lock

_CHECKSUM_RE = re.compile(r"sha3-256:([0-9a-f]{64})\Z")
_OLD_TEMP_RE = re.compile(r"\.[0-9a-f]{64}\.tar\.gz\..*\.tmp\Z")
LOCK_FILE = ".estream-cache.lock"


def checksum_of(data: bytes) -> str:
    from estream.core.merkle import sha3_256  # imported when used: keeps `search` start-up light

    return "sha3-256:" + sha3_256(data).hex()


def default_cache_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """`$ESTREAM_CACHE_DIR`, else `$ESTREAM_HOME/cache` (`estream.core.home.cache_dir`)."""
    return cache_dir(environ)


class ArchiveCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._swept = False

    def path_for(self, checksum: str) -> Path:
        m = _CHECKSUM_RE.match(checksum)
        if not m:
            raise EstreamError.single("<cache>", f"invalid checksum {checksum!r}; expected sha3-256:<64 hex>")
        hexd = m.group(1)
        return self.root / "sha3-256" / hexd[:2] / f"{hexd}.tar.gz"

    def get(self, checksum: str) -> Optional[bytes]:
        """The archive with this checksum, or None (a corrupted entry is deleted)."""
        path = self.path_for(checksum)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if checksum_of(data) != checksum:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            return None
        return data

    def put(self, data: bytes) -> str:
        checksum = checksum_of(data)
        path = self.path_for(checksum)
        if path.is_file() and self.get(checksum) is not None:
            return checksum
        with disk_errors(path, "writing to the archive cache"):
            self.root.mkdir(parents=True, exist_ok=True)
            with exclusive_lock(self.root / LOCK_FILE, what=f"the archive cache {self.root}"):
                if not self._swept:
                    self.remove_dead_temporaries()
                    self._swept = True
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(path, data)
        return checksum

    def remove_dead_temporaries(self) -> int:
        """Delete temporary files of writers that died (call with the cache lock held); how many."""
        removed = 0
        shards = self.root / "sha3-256"
        if not shards.is_dir():
            return 0
        for shard in shards.iterdir():
            if not shard.is_dir() or shard.is_symlink():
                continue
            for entry in shard.iterdir():
                if entry.name.startswith(TEMP_PREFIX) or _OLD_TEMP_RE.match(entry.name):
                    try:
                        entry.unlink()
                        removed += 1
                    except OSError:
                        pass
        return removed


__all__ = ["ArchiveCache", "ENV_CACHE_DIR", "LOCK_FILE", "checksum_of", "default_cache_dir"]
