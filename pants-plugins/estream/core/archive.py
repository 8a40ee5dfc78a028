"""Deterministic `.tar.gz` package archives, and a reader that treats archives as hostile.

`build_archive` output depends only on its arguments: entries sorted by UTF-8 path, every entry
under `<top_dir>/`, PAX format, mtime 0, uid/gid 0, empty uname/gname, mode 0644 for files and
0755 for directories (never the umask), and a gzip header with no file name, mtime 0, XFL 2 and
OS 255 ("unknown"), compressed at level 9. The only outside influence is the zlib library's
deflate implementation, which is stable for a given zlib build.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zlib
from typing import Dict, List, Mapping, Optional, Set, Tuple

from estream.core.errors import EstreamError
from estream.core.merkle import path_problem
from estream.core.portable_names import collision_message, first_collision

DEFAULT_MAX_TOTAL_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_FILES = 10_000
COMPRESSION_LEVEL = 9
# magic, CM=deflate, FLG=0 (no name/comment/extra), MTIME=0, XFL=2 (max compression), OS=255.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_END_OF_ARCHIVE = 2 * tarfile.BLOCKSIZE


def _check_top_dir(top_dir: str) -> None:
    problem = path_problem(top_dir)
    if problem or "/" in top_dir:
        raise EstreamError.single(
            "<archive>", f"invalid top directory {top_dir!r}: {problem or 'must be a single path segment'}"
        )


def _check_layout(paths: List[str], source: str) -> Set[str]:
    """Validate paths and return the directories they need; reject file/directory clashes."""
    dirs: Set[str] = set()
    for path in paths:
        problem = path_problem(path)
        if problem:
            raise EstreamError.single(source, f"invalid file path {path!r}: {problem}")
        parts = path.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    clash = sorted(dirs.intersection(paths))
    if clash:
        raise EstreamError.single(source, f"{clash[0]!r} is both a file and a directory")
    collision = first_collision(paths)
    if collision:
        raise EstreamError.single(
            source, f"file paths {collision_message(collision)}", help="rename one of them"
        )
    return dirs


def gzip_deterministic(data: bytes) -> bytes:
    """gzip `data` with a fixed header (RFC 1952) so output never depends on time or file names."""
    comp = zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY)
    body = comp.compress(data) + comp.flush()
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return GZIP_HEADER + body + trailer


def build_tar(files: Mapping[str, bytes], top_dir: str) -> bytes:
    """The uncompressed, deterministic tar stream (see module docstring)."""
    _check_top_dir(top_dir)
    dirs = _check_layout(list(files), "<archive>")
    entries: List[Tuple[str, Optional[bytes]]] = [(top_dir, None)]
    entries += [(f"{top_dir}/{d}", None) for d in dirs]
    entries += [(f"{top_dir}/{p}", bytes(c)) for p, c in files.items()]
    # A directory's name is a prefix of its children's, so it always sorts before them.
    entries.sort(key=lambda e: e[0].encode("utf-8"))
    buf = io.BytesIO()
    with tarfile.TarFile(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.type = tarfile.REGTYPE
                info.mode = 0o644
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def build_archive(files: Mapping[str, bytes], top_dir: str) -> bytes:
    """A bit-reproducible `.tar.gz` of `files` (relative path -> content) under `top_dir/`."""
    return gzip_deterministic(build_tar(files, top_dir))


# ---------------------------------------------------------------------------------------------
# Reading


class _TooBig(Exception):
    """Internal: the decompressed stream went past the cap."""


#: Bytes decompressed per step, and kept behind the read position for tarfile's one-byte look back.
_CHUNK = 64 * 1024
_LOOK_BACK = 2 * tarfile.BLOCKSIZE  # one header block back (tarfile), with a block to spare


class _CappedGunzip:
    """A forward-only, read-only file object over the decompressed content of one gzip member.

    It decompresses only as far as it is read, keeps at most `_CHUNK` decompressed bytes that have
    not been read yet plus `_LOOK_BACK` bytes behind the position, and raises `_TooBig` as soon as
    more than `cap` bytes would have come out. tarfile only ever moves forward, except for a look
    back of one byte before each header; seeking further back is refused.
    """

    def __init__(self, data: bytes, cap: int, source: str) -> None:
        if data[:2] != b"\x1f\x8b":
            raise EstreamError.single(source, "not a gzip file (expected a .tar.gz package archive)")
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._input = memoryview(data)
        self._cap = cap
        self._source = source
        self._produced = 0  # decompressed bytes so far
        self._pos = 0  # absolute read position
        self._ahead = bytearray()  # decompressed bytes from _pos on
        self._behind = b""  # the _LOOK_BACK bytes before _pos
        self._eof = False
        #: Where reading is, for the error message (" while reading entry 'x'").
        self.at = ""

    def _more(self) -> bool:
        """Decompress the next chunk into `_ahead`; False at the end of the gzip stream."""
        if self._eof:
            return False
        try:
            while True:
                if self._d.unconsumed_tail:
                    pending = self._d.unconsumed_tail
                else:
                    pending, self._input = self._input[:_CHUNK], self._input[_CHUNK:]
                chunk = self._d.decompress(pending, _CHUNK)
                if chunk:
                    self._produced += len(chunk)
                    if self._produced > self._cap:
                        raise _TooBig()
                    self._ahead += chunk
                    return True
                if self._d.eof:
                    break
                if not pending:
                    raise EstreamError.single(self._source, "gzip stream is truncated (archive incomplete)")
        except zlib.error as e:
            raise EstreamError.single(self._source, f"corrupt gzip data: {e}") from None
        self._eof = True
        if self._d.unused_data or len(self._input):
            raise EstreamError.single(self._source, "unexpected data after the end of the gzip stream")
        return False

    def _consume(self, n: int) -> bytes:
        out = bytes(self._ahead[:n])
        del self._ahead[:n]
        self._behind = (self._behind + out)[-_LOOK_BACK:]
        self._pos += len(out)
        return out

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self._cap + 1  # "everything": the cap stops it
        parts = []
        while n > 0:
            if not self._ahead and not self._more():
                break
            part = self._consume(min(n, len(self._ahead)))
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        target = offset if whence == 0 else self._pos + offset
        if whence not in (0, 1):
            raise OSError("archive stream can only seek from its start or the current position")
        if target < self._pos:
            back = self._pos - target
            if back > len(self._behind):
                raise OSError("archive stream cannot seek backwards")
            self._ahead[:0] = self._behind[-back:]
            self._behind = self._behind[:-back]
            self._pos = target
        while self._pos < target:
            if not self._ahead and not self._more():
                break  # past the end, as a file allows; the next read returns nothing
            self._consume(min(target - self._pos, len(self._ahead)))
        return self._pos

    def remaining_is_end_marker(self) -> Tuple[int, bool]:
        """(bytes left, whether all of them are zero), read in chunks to the end of the stream."""
        left, zero = 0, True
        while True:
            part = self.read(_CHUNK)
            if not part:
                return left, zero
            left += len(part)
            zero = zero and part.count(0) == len(part)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True


def _kind(member: tarfile.TarInfo) -> Optional[str]:
    if member.issym():
        return f"a symbolic link (to {member.linkname!r})"
    if member.islnk():
        return f"a hard link (to {member.linkname!r})"
    if member.ischr() or member.isblk():
        return "a device node"
    if member.isfifo():
        return "a FIFO"
    if member.issparse():
        return "a sparse file"
    if member.isreg() or member.isdir():
        return None
    return f"an unsupported entry type {member.type!r}"


def read_archive(
    data: bytes,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
    source: str = "<archive>",
) -> Tuple[str, Dict[str, bytes]]:
    """Unpack a package `.tar.gz` in memory as `(top_dir, {relative path: content})`.

    Hostile input is expected. Rejected, naming the entry: absolute paths, `..` or otherwise
    non-canonical paths, symlinks, hard links, devices, FIFOs, duplicate entries, names that are
    one name on macOS or Windows (`core.portable_names`: case, Unicode form), entries outside
    a single top directory, more than `max_files` files, corrupt/truncated gzip or tar data and
    trailing garbage. Decompression streams (`_CappedGunzip`): it stops once the tar stream exceeds
    `max_total_bytes`, and an entry whose declared size would pass the cap is refused before it is
    decompressed, so a gzip bomb never expands past the cap. What is held is the files' contents
    (at most the cap in all) plus one 64 KiB chunk; the whole tar stream is never in memory.
    """
    stream = _CappedGunzip(data, max_total_bytes, source)
    try:
        return _read_tar(stream, max_total_bytes, max_files, source)
    except _TooBig:
        raise EstreamError.single(
            source, f"archive expands to more than {max_total_bytes} bytes{stream.at}; refusing (gzip bomb?)"
        ) from None


def _read_tar(
    stream: "_CappedGunzip", max_total_bytes: int, max_files: int, source: str
) -> Tuple[str, Dict[str, bytes]]:
    files: Dict[str, bytes] = {}
    seen: Set[str] = set()
    dirs: Set[str] = set()
    top: Optional[str] = None
    last: Optional[str] = None
    entry_budget = 2 * max_files + 16  # directories are cheap, but not unlimited

    def fail(message: str) -> EstreamError:
        return EstreamError.single(source, message)

    try:
        tar = tarfile.open(fileobj=stream, mode="r:", encoding="utf-8", errors="strict")  # type: ignore[arg-type]  # a forward-only reader; tarfile only calls read()
    except (_TooBig, EstreamError):
        raise
    except Exception as e:  # noqa: BLE001 - any parser failure on hostile input is "not a tar"
        raise fail(f"not a valid tar archive inside the gzip stream: {e}") from None
    with tar:
        while True:
            try:
                member = tar.next()
            except (_TooBig, EstreamError):
                raise
            except Exception as e:  # noqa: BLE001
                after = f" after entry {last!r}" if last else ""
                raise fail(f"corrupt tar data{after}: {e}") from None
            if member is None:
                break
            name = member.name
            last = name
            stream.at = f" while reading entry {name!r}"
            problem = path_problem(name)
            if problem:
                raise fail(f"entry {name!r} has an unsafe path: {problem}")
            kind = _kind(member)
            if kind:
                raise fail(f"entry {name!r} is {kind}; only regular files and directories are allowed")
            if name in seen:
                raise fail(f"duplicate entry {name!r}")
            seen.add(name)
            if len(seen) > entry_budget:
                raise fail(f"too many entries (limit {entry_budget}) at {name!r}")
            head, _, rest = name.partition("/")
            if top is None:
                top = head
            elif head != top:
                raise fail(f"entry {name!r} is outside the top directory {top + '/'!r}")
            if member.isdir():
                if rest:
                    dirs.add(rest)
                continue
            if not rest:
                raise fail(f"entry {name!r} is a file at the archive root, not inside a top directory")
            if len(files) >= max_files:
                raise fail(f"more than {max_files} files (at entry {name!r})")
            if member.offset_data + member.size > max_total_bytes:
                # Header sizes are not trusted for safety (the stream is capped regardless), but a
                # declared size past the cap lets a bomb be refused without decompressing it.
                raise _TooBig()
            files[rest] = _member_content(tar, member, source)
        stream.seek(tar.offset)
        left, zero = stream.remaining_is_end_marker()
    if left < _END_OF_ARCHIVE or not zero:
        after = f" after entry {last!r}" if last else ""
        raise fail(f"corrupt or truncated tar data{after} (missing or damaged end-of-archive marker)")
    if top is None:
        raise fail("archive is empty")
    _check_tree(top, files, dirs, source)
    return top, files


def _member_content(tar: tarfile.TarFile, member: tarfile.TarInfo, source: str) -> bytes:
    """The bytes of a regular file entry, exactly as many as its header declares."""
    name = member.name
    try:
        fileobj = tar.extractfile(member)
        content = fileobj.read(member.size) if fileobj is not None else b""
    except (_TooBig, EstreamError):
        raise
    except Exception as e:  # noqa: BLE001
        raise EstreamError.single(source, f"entry {name!r} is truncated or corrupt: {e}") from None
    if len(content) != member.size:
        raise EstreamError.single(
            source, f"entry {name!r} is truncated: {len(content)} of {member.size} bytes"
        )
    return content


def _check_tree(top: str, files: Mapping[str, bytes], dirs: Set[str], source: str) -> None:
    """No path is both a file and a directory, and no two paths collide on a case-insensitive
    or normalising file system."""
    for path in files:
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent in files:
                raise EstreamError.single(
                    source, f"entry {top + '/' + parent!r} is both a file and a directory"
                )
    clash = sorted(dirs.intersection(files))
    if clash:
        raise EstreamError.single(source, f"entry {top + '/' + clash[0]!r} is both a file and a directory")
    collision = first_collision([*files, *dirs])
    if collision:
        raise EstreamError.single(
            source,
            f"entries {collision_message(collision)}; refusing the archive before anything is installed",
        )


__all__ = [
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_TOTAL_BYTES",
    "GZIP_HEADER",
    "build_archive",
    "build_tar",
    "gzip_deterministic",
    "read_archive",
]
