"""The index cache: every index file of one registry checkout, already parsed, in one file.

Reading a large index through the strict parser (`core.registry.index`) costs ~0.1 ms a line, so
resolving over 50,000 versions or searching 10,000 spent seconds re-validating lines that had not
changed since the last command. The index cache keeps what the strict parser produced (each
file's valid lines with their line numbers, and its problems) and hands it back without parsing.

Decisions:

* It is a cache of verified data, never a source of truth. It is derived only from index files
  the strict parser accepted, and it is used only when its key is the commit the checkout is at
  (`git rev-parse HEAD`; every online command resets the checkout to the remote's tip first).
  Any other commit (a new publish, a yank) makes it stale: it is rebuilt, re-using the slice of
  each file whose stat (size, mtime, inode) is unchanged, so a rebuild parses only changed files.
  Each slice also records its file's stat, checked again when the slice is used: a file edited in
  the working tree since (a half-applied change) is parsed from disk instead, as without a cache.
  Archives are still checked against the index checksum and their ML-DSA-87 signature at install.
* One file next to the checkout (`<checkout>.index-cache`, outside the working tree so
  `git clean` leaves it alone): a line with the SHA-256 of the header, a JSON header line
  (format, commit, and per index file its component name, stat, offset, length and SHA-256,
  its search row and its number of problems) followed by one compact JSON slice per file. It is
  read lazily: the header on first use (its digest checked), a file's slice only when that
  component is asked for, and each slice's SHA-256 is checked before it is decoded.
* The search row of a file is the entry row of its newest non-yanked version (null: none), as
  `search` shows it: `search` over 2,000 components builds its 2,000 entries from the header
  alone instead of hashing and decoding 2,000 slices (issue 18). A file with problems has no
  usable row: its slice is read so that its problems are reported as without a cache. The row
  is covered by the header's digest, and the file's stat is still checked before the row is
  used, exactly as for a slice. The digests detect damage (a truncated or edited cache), not a
  forger able to write the user's files: such a user can edit the checkout itself.
* The header also names the component list: `search` lists `index/` (`list_index_files`:
  `os.scandir`, each file's stat taken from the same pass) and, when the listing names exactly
  the header's files, takes the names from the header instead of re-checking every file name
  and placement (`Registry.index_files`). Any difference (a file added, removed, misplaced or
  unreadable since the cache was built) falls back to the full walk, so a listing the cache does
  not describe is reported exactly as without a cache. The directory is still listed on every
  search: no stat of a directory tells reliably that its listing did not change (mtimes are
  coarse, the racy-git problem), and listing 2,000 names costs ~2 ms.
* Anything wrong with it never raises to the user: a cache that is missing, truncated, not
  JSON, of another format or of another commit is rebuilt (written atomically: temporary file +
  rename); a slice whose digest, shape or file stat does not match is not used, and that index
  file is parsed by the strict parser as without a cache.
* Named "index cache", not "snapshot": a signed index snapshot (rollback detection) is another
  concept with another module.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from estream.core.errors import Diagnostic
from estream.core.registry.index import IndexDep, IndexEntry

#: Bump when the slice layout changes: an older cache is then simply rebuilt.
INDEX_CACHE_FORMAT = 3
INDEX_CACHE_SUFFIX = ".index-cache"
_MAGIC = "estream-index-cache"

#: What the strict parser made of one index file: its valid lines and the problems of the others.
ParsedIndexFile = Tuple[List[Tuple[int, IndexEntry]], List[Diagnostic]]


def index_cache_path(checkout: Path) -> Path:
    return checkout.with_name(checkout.name + INDEX_CACHE_SUFFIX)


def _entry_row(entry: IndexEntry) -> list:
    return [
        entry.name,
        entry.version,
        entry.checksum,
        entry.size,
        [[d.name, d.req] for d in entry.deps],
        list(entry.provides),
        list(entry.requires),
        entry.category,
        list(entry.keywords),
        entry.description,
        entry.key_id,
        entry.key_fingerprint,
        entry.yanked,
        entry.published_at,
    ]


def _entry_from_row(row: list) -> IndexEntry:
    """An entry from its cached row; a row of the wrong shape raises ValueError (cache is bad).

    Only the shape is checked (the slice's digest already matched): the values were accepted by
    the strict parser when the cache was built. The entry is filled in directly instead of
    through the frozen dataclass's `__init__` (one `object.__setattr__` per field: half the
    cost of reading 50,000 versions); the result is the same immutable, equal IndexEntry."""
    if type(row) is not list or len(row) != 14:
        raise ValueError("bad row")
    (
        name,
        version,
        checksum,
        size,
        deps,
        provides,
        requires,
        category,
        keywords,
        description,
        key_id,
        fp,
        yanked,
        at,
    ) = row
    if not (  # one expression, no loops: a third of the cost (resolve reads 50,000 rows)
        type(name) is str
        and type(version) is str
        and type(checksum) is str
        and type(category) is str
        and type(description) is str
        and type(key_id) is str
        and type(fp) is str
        and type(at) is str
        and type(size) is int
        and type(yanked) is bool
        and type(deps) is list
        and type(provides) is list
        and type(requires) is list
        and type(keywords) is list
    ):
        raise ValueError("bad row")
    for values in (provides, requires, keywords):
        for value in values:
            if type(value) is not str:
                raise ValueError("bad row")
    entry = object.__new__(IndexEntry)
    entry.__dict__.update(  # the fields of IndexEntry, in order (index_cache_test checks)
        name=name,
        version=version,
        checksum=checksum,
        size=size,
        deps=tuple([_dep(n, r) for n, r in deps]) if deps else (),
        provides=tuple(provides),
        requires=tuple(requires),
        category=category,
        keywords=tuple(keywords),
        description=description,
        key_id=key_id,
        key_fingerprint=fp,
        yanked=yanked,
        published_at=at,
    )
    return entry


@lru_cache(maxsize=65536)
def _dep(name: str, req: str) -> IndexDep:
    """One shared (immutable) IndexDep per distinct dependency: versions of a component mostly
    repeat their dependencies, and the shared object parses its requirement once."""
    if type(name) is not str or type(req) is not str:
        raise ValueError("bad dependency")
    return IndexDep(name, req)


def newest_live_position(lines: Sequence[Tuple[int, IndexEntry]]) -> int:
    """Where the newest non-yanked version is among `lines` (-1: none), as `search` shows it."""
    live = [i for i, (_, e) in enumerate(lines) if not e.yanked]
    return max(live, key=lambda i: lines[i][1].semver) if live else -1


def encode_parsed(parsed: ParsedIndexFile) -> bytes:
    """One index file's slice: its lines (number + entry row), its problems (without the path,
    which is the caller's `source` and is put back on read) and where its newest live version is
    (so `search` builds one entry per component instead of all of them)."""
    lines, problems = parsed
    data = [
        [[n, _entry_row(e)] for n, e in lines],
        [[d.message, d.line, d.key, d.help] for d in problems],
        newest_live_position(lines),
    ]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_parsed(blob: bytes, source: str) -> ParsedIndexFile:
    """The inverse of `encode_parsed`; ValueError (or TypeError) on anything malformed."""
    data = _slice_data(blob)
    lines = []
    for item in data[0]:
        n, row = item
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValueError("bad line number")
        lines.append((n, _entry_from_row(row)))
    return lines, _problems(data, source)


def _slice_data(blob: bytes) -> list:
    data = json.loads(blob.decode("utf-8"))
    if (
        type(data) is not list
        or len(data) != 3
        or type(data[2]) is not int
        or not -1 <= data[2] < len(data[0])
    ):
        raise ValueError("bad slice")
    return data


def _problems(data: list, source: str) -> List[Diagnostic]:
    problems = []
    for message, line, key, help in data[1]:
        if not isinstance(message, str):
            raise ValueError("bad problem")
        problems.append(Diagnostic(source, message, line=line, key=key, help=help))
    return problems


def decode_newest_live(blob: bytes, source: str) -> Tuple[Optional[IndexEntry], List[Diagnostic]]:
    """From a slice: only its newest live entry (None: all yanked) and its problems."""
    data = _slice_data(blob)
    position = data[2]
    return (None if position < 0 else _entry_from_row(data[0][position][1])), _problems(data, source)


class IndexCache:
    """The index cache of one checkout at one commit (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        commit: str,
        files: Dict[str, Tuple[str, str, int, int, str]],
        body: Union[bytes, memoryview],
        search_rows: Dict[str, Tuple[Optional[list], int]],
    ) -> None:
        self.path = path
        self.commit = commit
        #: rel path -> (component name, stat key, offset, length, sha256 hex)
        self.files = files
        self._body = body
        #: rel path -> (entry row of the newest live version or None, number of problems)
        self._search_rows = search_rows
        self._by_name = {meta[0]: rel for rel, meta in files.items()}

    # -- reading

    @classmethod
    def load(cls, path: Path) -> Optional["IndexCache"]:
        """The cache at `path`, or None if it is missing or unreadable (never raises)."""
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError:
            return None
        try:
            # Offsets and a memoryview instead of `partition`: the body (megabytes) is not
            # copied (a copy of 3 MB cost ~10 ms, most of a search's reading of the cache).
            first = raw.find(b"\n")
            second = raw.find(b"\n", first + 1) if first >= 0 else -1
            if second < 0:
                return None
            head = raw[first + 1 : second]
            if raw[:first] != hashlib.sha256(head).hexdigest().encode("ascii"):
                return None
            body = memoryview(raw)[second + 1 :]
            header = json.loads(head.decode("utf-8"))
            if (
                not isinstance(header, dict)
                or header.get("magic") != _MAGIC
                or header.get("format") != INDEX_CACHE_FORMAT
            ):
                return None
            commit = header["commit"]
            files = {}
            rows: Dict[str, Tuple[Optional[list], int]] = {}
            size = len(body)
            for rel, name, blob, offset, length, digest, row, problems in header["files"]:
                # `type(x) is` (not `isinstance`): a bool is no offset; one test per field is
                # a third of the cost of the generic loops for 2,000 files.
                if not (
                    type(rel) is str
                    and type(name) is str
                    and type(blob) is str
                    and type(digest) is str
                    and type(offset) is int
                    and type(length) is int
                    and type(problems) is int
                    and offset >= 0
                    and length >= 0
                    and problems >= 0
                    and offset + length <= size
                    and (row is None or type(row) is list)
                ):
                    return None
                files[rel] = (name, blob, offset, length, digest)
                rows[rel] = (row, problems)
            if not isinstance(commit, str):
                return None
            return cls(path, commit, files, body, rows)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            return None

    def slice(self, rel: str) -> Optional[bytes]:
        """A file's slice if its digest checks, else None."""
        meta = self.files.get(rel)
        if meta is None:
            return None
        _, _, offset, length, digest = meta
        blob = bytes(self._body[offset : offset + length])
        if hashlib.sha256(blob).hexdigest() != digest:
            return None
        return blob

    def names_of(self, listing: Sequence[Tuple[str, str]]) -> Optional[List[str]]:
        """The component names of `listing` (`list_index_files`) in its order, if it names
        exactly the files this cache was built from; None otherwise (walk as without a cache)."""
        files = self.files
        if len(listing) != len(files):
            return None
        names = []
        for rel, _ in listing:
            meta = files.get(rel)
            if meta is None or not rel.endswith("/" + meta[0]):
                return None
            names.append(meta[0])
        return names

    def has_name(self, name: str) -> bool:
        return name in self._by_name

    def parsed(self, name: str, rel: str, stat_key: Optional[str], source: str) -> Optional[ParsedIndexFile]:
        """What the strict parser made of `name`'s index file `rel`, whose stat is now `stat_key`
        (None: no such file); None if this cache cannot tell (the file changed since, or the slice
        is damaged): parse the file instead."""
        if stat_key is None:
            return [], []  # no index file: never published (as without a cache)
        blob = self._current_slice(name, rel, stat_key)
        if blob is None:
            return None
        try:
            return decode_parsed(blob, source)
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
            return None

    def _current_slice(self, name: str, rel: str, stat_key: str) -> Optional[bytes]:
        """The slice of `rel` if it is `name`'s file and unchanged since the cache was built."""
        if self._by_name.get(name) != rel or self.files[rel][1] != stat_key:
            return None
        return self.slice(rel)

    def newest_live(
        self, name: str, rel: str, stat_key: Optional[str], source: str
    ) -> Optional[Tuple[Optional[IndexEntry], List[Diagnostic]]]:
        """`name`'s newest non-yanked entry and the problems of its file; None if this cache
        cannot tell (as `parsed`)."""
        if stat_key is None:
            return None, []
        if self._by_name.get(name) != rel or self.files[rel][1] != stat_key:
            return None
        row, problems = self._search_rows[rel]
        try:
            if not problems:  # from the header alone (its digest was checked by `load`)
                return (None if row is None else _entry_from_row(row)), []
            blob = self.slice(rel)
            return None if blob is None else decode_newest_live(blob, source)
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
            return None


def stat_key(path: "os.PathLike[str] | str") -> Optional[str]:
    """What tells a file's content changed without reading it (as git's own index does)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _key_of(st)


def _key_of(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def list_index_files(checkout: Path) -> Optional[List[Tuple[str, str]]]:
    """Every file under `checkout/index` as (path relative to `checkout`, its `stat_key`), in
    the order of `Registry.index_files` (`os.walk` top-down, names sorted; a symbolic link to a
    directory is not entered); None if a directory or file cannot be read or stat'ed (the caller
    then walks as without a cache)."""
    out: List[Tuple[str, str]] = []
    try:
        _list_into(os.path.join(checkout, "index"), "index", out)
    except FileNotFoundError:
        if not os.path.lexists(os.path.join(checkout, "index")):
            return []  # no component yet (`os.walk` yields nothing either)
        return None
    except OSError:
        return None
    return out


def _list_into(path: str, rel: str, out: List[Tuple[str, str]]) -> None:
    with os.scandir(path) as it:
        entries = sorted(it, key=lambda e: e.name)
    subdirs = []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                subdirs.append(entry)
        else:
            out.append((f"{rel}/{entry.name}", _key_of(entry.stat())))
    for entry in subdirs:
        _list_into(entry.path, f"{rel}/{entry.name}", out)


def build_index_cache(
    path: Path,
    commit: str,
    checkout: Path,
    listing: Sequence[Tuple[str, Optional[str]]],
    parse: Callable[[str, str], ParsedIndexFile],
    previous: Optional[IndexCache] = None,
) -> IndexCache:
    """Write the cache for `commit` and return it.

    `listing` names every index file under `checkout` as (path, component name or None when the
    path is no valid component's: left out, readers report it as before); `parse(rel, name)`
    runs the strict parser on one file. A slice of `previous` for a file whose stat is unchanged
    (and whose digest still checks) is reused as is.
    """
    chunks: List[bytes] = []
    files: Dict[str, Tuple[str, str, int, int, str]] = {}
    rows: Dict[str, Tuple[Optional[list], int]] = {}
    offset = 0
    for rel, name in listing:
        key = stat_key(checkout / rel)
        if name is None or key is None:
            continue
        data = None
        if previous is not None:
            old = previous.files.get(rel)
            if old is not None and old[1] == key and old[0] == name:
                data = previous.slice(rel)
                if data is not None:
                    rows[rel] = previous._search_rows[rel]
        if data is None:
            data = encode_parsed(parse(rel, name))
            if stat_key(checkout / rel) != key:
                continue  # changed while being read: leave it out (it is parsed on use)
        files[rel] = (name, key, offset, len(data), hashlib.sha256(data).hexdigest())
        if rel not in rows:
            rows[rel] = _search_row(data)
        chunks.append(data)
        offset += len(data)
    header = {
        "magic": _MAGIC,
        "format": INDEX_CACHE_FORMAT,
        "commit": commit,
        "files": [[rel, *meta, *rows[rel]] for rel, meta in files.items()],
    }
    body = b"".join(chunks)
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    content = hashlib.sha256(head).hexdigest().encode("ascii") + b"\n" + head + b"\n" + body
    _write_atomically(path, content)
    return IndexCache(path, commit, files, body, rows)


def _search_row(blob: bytes) -> Tuple[Optional[list], int]:
    """A slice's search row for the header: the entry row of its newest live version (None:
    all yanked) and its number of problems (rows of a file with problems are not used)."""
    data = _slice_data(blob)
    position = data[2]
    return (None if position < 0 else data[0][position][1]), len(data[1])


def _write_atomically(path: Path, content: bytes) -> None:
    """Best effort: a cache that cannot be written is simply not there next time."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


__all__ = [
    "INDEX_CACHE_FORMAT",
    "INDEX_CACHE_SUFFIX",
    "IndexCache",
    "ParsedIndexFile",
    "build_index_cache",
    "decode_newest_live",
    "decode_parsed",
    "encode_parsed",
    "index_cache_path",
    "list_index_files",
    "newest_live_position",
    "stat_key",
]
