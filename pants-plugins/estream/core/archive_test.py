import gzip
import hashlib
import io
import os
import tarfile
import time

import pytest

from estream.core.archive import GZIP_HEADER, build_archive, build_tar, gzip_deterministic, read_archive
from estream.core.errors import EstreamError

FILES = {
    "estream-component.toml": b'[component]\nname = "esf-iot"\n',
    "schemas/iot.esf.yaml": b"a: 1\n",
    "circuits/deep/x.circuit.yaml": b"x\n" * 100,
    "ünïcode/" + "long-name-" * 20 + ".txt": b"u",
    "SIGNATURE.ml-dsa": b"{}\n",
}


def test_deterministic_across_umask_and_tz():
    first = build_archive(FILES, "esf-iot-1.0.0")
    old_umask = os.umask(0o077)
    old_tz = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "Pacific/Kiritimati"
        time.tzset()
        second = build_archive(dict(reversed(list(FILES.items()))), "esf-iot-1.0.0")
    finally:
        os.umask(old_umask)
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()
    assert first == second


def test_tar_stream_known_answer():
    # Frozen so a Python/tarfile change that alters the bytes is noticed (gzip depends on zlib).
    tar = build_tar({"a.txt": b"hi\n"}, "p-1")
    assert hashlib.sha256(tar).hexdigest() == TAR_KAT


TAR_KAT = "99c80b1c64c0dc9bde8fbeed527b55fd9b7ecfae4eceba050ba7461deeefbd51"


def test_gzip_header_and_roundtrip():
    data = build_archive(FILES, "esf-iot-1.0.0")
    assert data[:10] == GZIP_HEADER == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    assert data[3] == 0  # FLG: no FNAME/FCOMMENT/FEXTRA
    assert data[4:8] == b"\0\0\0\0"  # MTIME
    assert gzip.decompress(data) == build_tar(FILES, "esf-iot-1.0.0")
    top, files = read_archive(data)
    assert top == "esf-iot-1.0.0" and files == FILES


def test_entry_metadata_is_normalised():
    with tarfile.open(fileobj=io.BytesIO(build_archive(FILES, "esf-iot-1.0.0"))) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: n.encode())
    assert names[0] == "esf-iot-1.0.0" and all(n.startswith("esf-iot-1.0.0") for n in names)
    assert "esf-iot-1.0.0/circuits/deep" in names
    for m in members:
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (0, 0, 0, "", "")
        assert m.mode == (0o755 if m.isdir() else 0o644)
        assert m.isdir() or m.isreg()


@pytest.mark.parametrize("bad", ["", "a/b", "..", "/x"])
def test_bad_top_dir(bad):
    with pytest.raises(EstreamError):
        build_archive({"a": b""}, bad)


def test_build_rejects_bad_paths():
    with pytest.raises(EstreamError, match="'../x'"):
        build_archive({"../x": b""}, "p")
    with pytest.raises(EstreamError, match="both a file and a directory"):
        build_archive({"a": b"", "a/b": b""}, "p")


# --- hostile archives -----------------------------------------------------------------------


def craft(entries, *, fmt=tarfile.PAX_FORMAT):
    """entries: (name, kind, payload) with kind in file/dir/sym/lnk/chr/fifo."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {
                "dir": tarfile.DIRTYPE,
                "sym": tarfile.SYMTYPE,
                "lnk": tarfile.LNKTYPE,
                "chr": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[kind]
            info.linkname = payload or ""
            tar.addfile(info)
    return gzip.compress(buf.getvalue())


OK = ("p-1/ok.txt", "file", b"ok")


@pytest.mark.parametrize(
    "entries, needle",
    [
        ([OK, ("p-1/../../etc/passwd", "file", b"x")], "'p-1/../../etc/passwd' has an unsafe path"),
        ([("/etc/passwd", "file", b"x")], "'/etc/passwd' has an unsafe path: absolute"),
        ([OK, ("p-1/link", "sym", "/etc/passwd")], "'p-1/link' is a symbolic link"),
        ([OK, ("p-1/hard", "lnk", "p-1/ok.txt")], "'p-1/hard' is a hard link"),
        ([OK, ("p-1/dev", "chr", None)], "'p-1/dev' is a device node"),
        ([OK, ("p-1/fifo", "fifo", None)], "'p-1/fifo' is a FIFO"),
        ([OK, ("p-1/ok.txt", "file", b"evil")], "duplicate entry 'p-1/ok.txt'"),
        ([OK, ("q-2/x", "file", b"x")], "'q-2/x' is outside the top directory 'p-1/'"),
        ([("README", "file", b"x")], "'README' is a file at the archive root"),
        ([OK, ("p-1/ok.txt/x", "file", b"x")], "both a file and a directory"),
        ([("./p-1/x", "file", b"x")], "'./p-1/x' has an unsafe path"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_hostile_entries_rejected(entries, needle):
    with pytest.raises(EstreamError) as e:
        read_archive(craft(entries), source="evil.tar.gz")
    assert needle in str(e.value)
    assert "evil.tar.gz" in str(e.value)


def test_gzip_bomb_stops_at_cap():
    big = b"\0" * (16 * 1024 * 1024)
    bomb = craft([("p-1/bomb.bin", "file", big)])
    assert len(bomb) < 100_000
    with pytest.raises(EstreamError) as e:
        read_archive(bomb, max_total_bytes=1024 * 1024)
    assert "more than 1048576 bytes" in str(e.value) and "'p-1/bomb.bin'" in str(e.value)


def test_many_entries_each_under_the_cap_stop_at_the_cap():
    # No single header gives it away: the stream itself is counted and stopped.
    entries = [(f"p-1/f{i}.bin", "file", b"\0" * (256 * 1024)) for i in range(16)]
    with pytest.raises(EstreamError) as e:
        read_archive(craft(entries), max_total_bytes=1024 * 1024)
    assert "more than 1048576 bytes while reading entry 'p-1/f3.bin'" in str(e.value)


def test_a_lying_pax_header_is_stopped_at_the_cap():
    # A pax extended header whose declared size is far larger than the archive's.
    header = tarfile.TarInfo("p-1/x")
    header.type = tarfile.XHDTYPE
    header.size = 10**9
    raw = header.tobuf(format=tarfile.USTAR_FORMAT) + b"9 a=b\n" * 200_000
    with pytest.raises(EstreamError) as e:
        read_archive(gzip.compress(raw), max_total_bytes=512 * 1024)
    assert "more than 524288 bytes" in str(e.value)


def test_stream_reader_reads_what_tarfile_needs():
    files = {f"d/{i}.txt": bytes([i]) * (i * 997) for i in range(50)}
    top, read = read_archive(build_archive(files, "p-1"), max_total_bytes=10 * 1024 * 1024)
    assert top == "p-1" and read == files


def test_too_many_files():
    with pytest.raises(EstreamError, match="more than 2 files"):
        read_archive(build_archive({"a": b"", "b": b"", "c": b""}, "p"), max_files=2)


def test_garbage_truncated_and_trailing_data():
    good = build_archive({"a.txt": b"hello" * 1000}, "p-1")
    with pytest.raises(EstreamError, match="not a gzip file"):
        read_archive(b"PK\x03\x04 definitely a zip")
    with pytest.raises(EstreamError, match="truncated"):
        read_archive(good[: len(good) // 2])
    with pytest.raises(EstreamError, match="corrupt gzip|truncated"):
        read_archive(good[:-4])
    with pytest.raises(EstreamError, match="after the end of the gzip stream"):
        read_archive(good + b"junk")
    with pytest.raises(EstreamError, match="not a valid tar|corrupt"):
        read_archive(gzip.compress(b"not a tar at all" * 100))


def test_truncated_tar_inside_valid_gzip():
    tar = build_tar({"a.txt": b"x" * 2000, "b.txt": b"y"}, "p-1")
    # Cut mid-way through b.txt's header: gzip is fine, the tar is not.
    cut = tar.index(b"p-1/b.txt") + 100
    with pytest.raises(EstreamError, match="corrupt or truncated|truncated"):
        read_archive(gzip_deterministic(tar[:cut]))
    # Data after the end-of-archive marker is refused too.
    with pytest.raises(EstreamError, match="end-of-archive"):
        read_archive(gzip_deterministic(tar + b"\x01" * 512))
    # A file whose header claims more data than present.
    with pytest.raises(EstreamError, match="'p-1/a.txt'"):
        read_archive(gzip_deterministic(tar[: tar.index(b"x" * 2000) + 1000]))


def test_accepts_archive_without_directory_entries():
    top, files = read_archive(craft([("p-1/a/b.txt", "file", b"1")], fmt=tarfile.USTAR_FORMAT))
    assert (top, files) == ("p-1", {"a/b.txt": b"1"})
