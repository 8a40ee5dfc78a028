"""A content-addressed archive cache: `<cache>/sha3-256/<aa>/<hex>.tar.gz`.

The address is the SHA3-256 of the archive bytes, so an entry can be trusted only after its
content is hashed again on read; a corrupted or substituted file is discarded, never used.
Writes go to a temporary file that is renamed into place, so readers never see partial files.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Mapping, Optional

from estream.core.errors import EstreamError
from estream.core.home import ENV_CACHE_DIR, cache_dir

_CHECKSUM_RE = re.compile(r"sha3-256:([0-9a-f]{64})\Z")


def checksum_of(data: bytes) -> str:
    from estream.core.merkle import sha3_256  # imported when used: keeps `search` start-up light

    return "sha3-256:" + sha3_256(data).hex()


def default_cache_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """`$ESTREAM_CACHE_DIR`, else `$ESTREAM_HOME/cache` (`estream.core.home.cache_dir`)."""
    return cache_dir(environ)


class ArchiveCache:
    def __init__(self, root: Path) -> None:
        self.root = root

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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return checksum


__all__ = ["ArchiveCache", "ENV_CACHE_DIR", "checksum_of", "default_cache_dir"]
