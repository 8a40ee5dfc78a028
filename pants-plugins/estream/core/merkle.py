"""Domain-separated SHA3-256 Merkle tree over a package's files (signature format_version 2).

The spec's original tree (format_version 1) hashed file *contents* only and duplicated the last
node of an odd level, so renaming a file, shipping an extra unlisted file, or appending a copy of
the last leaf all produced the same root. Here every leaf binds the path, the size and the content
hash, leaves and interior nodes carry distinct prefixes, and an odd node is promoted unchanged:

    leaf = SHA3-256(0x00 || u32be(len(path_utf8)) || path_utf8 || u64be(size) || SHA3-256(content))
    node = SHA3-256(0x01 || left || right)

Leaves are sorted by the UTF-8 bytes of their path. The file count is bound separately by the
signed statement (see `estream.core.signature`).
"""

from __future__ import annotations

import hashlib
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Sequence

from estream.core.errors import EstreamError

SIGNATURE_FILE = "SIGNATURE.ml-dsa"
HASH_PREFIX = "sha3-256:"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
DIGEST_SIZE = 32
_MAX_SIZE = 2**64 - 1


def sha3_256(data: bytes) -> bytes:
    return hashlib.sha3_256(data).digest()


# Below this many bytes in total, threads cost more than they save.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def sha3_256_many(contents: Sequence[bytes]) -> List[bytes]:
    """SHA3-256 of each of `contents`, in order, on all cores when there is enough to hash.

    hashlib releases the GIL while it hashes a buffer of 2 KiB or more, so threads hash different
    files in parallel (one file's SHA3 is inherently sequential).
    """
    workers = min(len(contents), os.cpu_count() or 1)
    if workers < 2 or sum(len(c) for c in contents) < PARALLEL_MIN_BYTES:
        return [sha3_256(c) for c in contents]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(sha3_256, contents))


def format_digest(digest: bytes) -> str:
    """`sha3-256:<lowercase hex>` as written in SIGNATURE.ml-dsa."""
    return HASH_PREFIX + digest.hex()


def path_problem(path: object) -> "str | None":
    """Why `path` is not a canonical package path, or None if it is.

    Canonical: a non-empty POSIX relative path, no leading `/`, no empty, `.` or `..` segments,
    no trailing `/`, no backslashes or control characters (they mean different things on other
    platforms or terminals, so they only serve to confuse).
    """
    if not isinstance(path, str):
        return "path must be a string"
    if not path:
        return "path is empty"
    if path.startswith("/"):
        return "absolute paths are not allowed"
    if any(ord(c) < 0x20 or c == "\x7f" for c in path):
        return "path contains a control character"
    if "\\" in path:
        return "path contains a backslash; use `/` as the separator"
    for segment in path.split("/"):
        if segment == "..":
            return "`..` segments are not allowed"
        if segment in ("", "."):
            return "path is not normalised (empty or `.` segment, or trailing `/`)"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "path is not valid UTF-8"
    return None


def validate_path(path: str, *, source: str = "<package>") -> str:
    """Return `path` unchanged if canonical, else raise EstreamError naming it."""
    problem = path_problem(path)
    if problem:
        raise EstreamError.single(source, f"invalid file path {path!r}: {problem}")
    return path


@dataclass(frozen=True)
class FileEntry:
    """One listed file: canonical path, size in bytes and SHA3-256 of the content."""

    path: str
    size: int
    digest: bytes

    @classmethod
    def for_content(cls, path: str, content: bytes) -> "FileEntry":
        return cls(path=path, size=len(content), digest=sha3_256(content))

    @property
    def hash(self) -> str:
        return format_digest(self.digest)

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.path, self.size, self.digest)


def leaf_hash(path: str, size: int, content_digest: bytes) -> bytes:
    """The leaf for one file; see the module docstring for the exact encoding."""
    encoded = path.encode("utf-8")
    if len(content_digest) != DIGEST_SIZE:
        raise ValueError("content digest must be 32 bytes")
    if not 0 <= size <= _MAX_SIZE:
        raise ValueError("size out of range")
    return sha3_256(
        LEAF_PREFIX + struct.pack(">I", len(encoded)) + encoded + struct.pack(">Q", size) + content_digest
    )


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha3_256(NODE_PREFIX + left + right)


def _path_key(entry: FileEntry) -> bytes:
    return entry.path.encode("utf-8")


def sorted_entries(entries: Iterable[FileEntry], *, source: str = "<package>") -> List[FileEntry]:
    """Validate and sort entries by UTF-8 path bytes; reject duplicates and SIGNATURE.ml-dsa."""
    result = sorted(entries, key=_path_key)
    if not result:
        raise EstreamError.single(source, "a package must contain at least one file besides SIGNATURE.ml-dsa")
    previous = None
    for entry in result:
        validate_path(entry.path, source=source)
        if entry.path == SIGNATURE_FILE:
            raise EstreamError.single(source, f"{SIGNATURE_FILE} cannot be listed in its own Merkle tree")
        if entry.path == previous:
            raise EstreamError.single(source, f"duplicate file path {entry.path!r}")
        previous = entry.path
    return result


def merkle_root(entries: Iterable[FileEntry], *, source: str = "<package>") -> bytes:
    """Root of the tree over `entries` (any order; they are sorted here)."""
    level = [entry.leaf_hash() for entry in sorted_entries(entries, source=source)]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            # Promote, never duplicate: duplicating made [a, b, c] and [a, b, c, c] collide.
            nxt.append(level[-1])
        level = nxt
    return level[0]


def entries_for_files(files: Mapping[str, bytes], *, source: str = "<package>") -> List[FileEntry]:
    """Sorted entries for every file except SIGNATURE.ml-dsa (which is never a leaf)."""
    return sorted_entries(
        (FileEntry.for_content(path, content) for path, content in files.items() if path != SIGNATURE_FILE),
        source=source,
    )


def root_for_files(files: Mapping[str, bytes]) -> bytes:
    return merkle_root(entries_for_files(files))


__all__: Sequence[str] = (
    "SIGNATURE_FILE",
    "FileEntry",
    "entries_for_files",
    "format_digest",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "path_problem",
    "root_for_files",
    "sha3_256",
    "sorted_entries",
    "validate_path",
)
