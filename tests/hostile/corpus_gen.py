"""Writes the adversarial corpus under `corpus/` (checked in; rerun after changing a case):

    PYTHONPATH=pants-plugins:tests python -m hostile.corpus_gen

Each file is one hostile input a reader must turn into an `EstreamError` (a diagnostic naming the
file), never a traceback, cheaply. The directory names the reader (`corpus_test.READERS`).
Inputs whose point is their size (a million SIGNATURE entries, a 24 KB dotted key, a gzip bomb)
are built at test time by `amplification.py` instead, so the repository stays small.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import unicodedata
from pathlib import Path
from typing import Dict

CORPUS = Path(__file__).parent / "corpus"

SIGNATURE_OK = {
    "format_version": 2,
    "algorithm": "ML-DSA-87",
    "package": {"name": "esf-core", "version": "1.0.0"},
    "key_id": "acme-release",
    "key_fingerprint": "sha3-256:" + "0" * 64,
    "public_key_hex": "00" * 2592,
    "development_key": False,
    "signed_at": "1970-01-01T00:00:00Z",
    "merkle_root": "sha3-256:" + "0" * 64,
    "files": [{"path": "LICENSE", "hash": "sha3-256:" + "0" * 64, "size": 1}],
    "signature_hex": "00" * 4627,
}


def _sig(**changes) -> bytes:
    return json.dumps({**SIGNATURE_OK, **changes}).encode()


def _tar(entries: Dict[str, bytes], top: str = "esf-core-1.0.0") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in entries.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(buf.getvalue(), mtime=0)


MANIFEST = b'[component]\nname = "esf-core"\nversion = "1.0.0"\ncategory = "esf-schema"\ndescription = "x"\nlicense = "Apache-2.0"\n'
NFC = unicodedata.normalize("NFC", "caf\u00e9.md")

FILES: Dict[str, bytes] = {
    # SIGNATURE.ml-dsa (JSON)
    "signature/bigint-format-version.json": _sig().replace(
        b'"format_version": 2', b'"format_version": ' + b"9" * 5000
    ),
    "signature/bigint-size.json": _sig(
        files=[{"path": "a", "hash": "sha3-256:" + "0" * 64, "size": 0}]
    ).replace(b'"size": 0', b'"size": ' + b"1" * 4400),
    "signature/deep-array.json": b"[" * 2000 + b"]" * 2000,
    "signature/deep-in-field.json": _sig().replace(
        b'"development_key": false', b'"development_key": ' + b"[" * 2000 + b"]" * 2000
    ),
    "signature/duplicate-key.json": b'{"format_version": 2, "format_version": 1}',
    "signature/nan.json": _sig().replace(b'"development_key": false', b'"development_key": NaN'),
    "signature/infinity-float.json": _sig().replace(
        b'"development_key": false', b'"development_key": 1e99999'
    ),
    "signature/not-utf8.json": b'{"a": "\xff\xfe"}',
    "signature/format-version-1.json": _sig(format_version=1),
    "signature/truncated.json": _sig()[:-500],
    # TOML: manifests, keyrings, key files, FPGA manifests, registry config
    "toml/dotted-key-100-parts.toml": b"a" + b".a" * 100 + b" = 1\n" + MANIFEST,
    "toml/table-header-100-parts.toml": MANIFEST + b"[component." + b".".join([b"t"] * 100) + b"]\n",
    "toml/deep-array.toml": b"x = " + b"[" * 2000 + b"]" * 2000 + b"\n",
    "toml/deep-inline-table.toml": b"x = " + b"{a = " * 500 + b"1" + b"}" * 500 + b"\n",
    "toml/bigint.toml": MANIFEST + b"[component.circuit.resources]\nmemory_bytes = " + b"9" * 5000 + b"\n",
    "toml/bigint-hex.toml": b"x = 0x" + b"f" * 200 + b"\n",
    "toml/long-bare-key.toml": b"k" * 5000 + b" = 1\n",
    "toml/not-utf8.toml": b'a = "\xff"\n',
    "toml/nul-bytes.toml": b"\x00\x01\x02",
    # YAML: ESF schemas and circuits
    "yaml/impossible-date.yaml": b"version: 2026-02-30\n",
    "yaml/bad-int-tag.yaml": b"version: !!int not-a-number\n",
    "yaml/bad-float-tag.yaml": b"version: !!float nope\n",
    "yaml/bad-timestamp-tag.yaml": b"version: !!timestamp yesterday\n",
    "yaml/bad-bool-tag.yaml": b"version: !!bool maybe\n",
    "yaml/bigint.yaml": b"version: " + b"9" * 5000 + b"\n",
    "yaml/bigint-hex.yaml": b"version: 0x" + b"f" * 5000 + b"\n",
    "yaml/bigint-tagged.yaml": b"version: !!int " + b"1" * 5000 + b"\n",
    "yaml/deep.yaml": b"a: " + b"[" * 2000 + b"]" * 2000 + b"\n",
    "yaml/billion-laughs.yaml": b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n',
    "yaml/python-object.yaml": b"a: !!python/object/apply:os.system ['true']\n",
    "yaml/binary.yaml": b"a: !!binary AAAA\n",
    "yaml/two-documents.yaml": b"a: 1\n---\nb: 2\n",
    "yaml/duplicate-key.yaml": b"a: 1\na: 2\n",
    "yaml/not-utf8.yaml": b"a: \xff\n",
    # JSON (registry index lines, components.lock, plans)
    "json/deep.json": b"[" * 2000 + b"]" * 2000,
    "json/bigint.json": b'{"v": ' + b"9" * 5000 + b"}",
    "json/nan.json": b'{"v": NaN}',
    # archives, read before anything else is checked
    "archive/case-collision.tar.gz": _tar({"README.md": b"a", "readme.md": b"b", "SIGNATURE.ml-dsa": _sig()}),
    "archive/nfc-nfd-collision.tar.gz": _tar(
        {NFC: b"a", unicodedata.normalize("NFD", NFC): b"b", "SIGNATURE.ml-dsa": _sig()}
    ),
    "archive/dir-file-case-collision.tar.gz": _tar({"docs": b"a", "DOCS/x.md": b"b"}),
    "archive/bigint-signature.tar.gz": _tar(
        {
            "estream-component.toml": MANIFEST,
            "SIGNATURE.ml-dsa": _sig().replace(b'"format_version": 2', b'"format_version": ' + b"9" * 5000),
        }
    ),
    "archive/deep-signature.tar.gz": _tar(
        {"estream-component.toml": MANIFEST, "SIGNATURE.ml-dsa": b"[" * 2000 + b"]" * 2000}
    ),
    "archive/bigint-manifest.tar.gz": _tar(
        {"estream-component.toml": MANIFEST + b"x = " + b"9" * 5000 + b"\n", "SIGNATURE.ml-dsa": _sig()}
    ),
    "archive/deep-manifest.tar.gz": _tar(
        {
            "estream-component.toml": b"x = " + b"[" * 2000 + b"]" * 2000 + b"\n" + MANIFEST,
            "SIGNATURE.ml-dsa": _sig(),
        }
    ),
    "archive/not-gzip.tar.gz": b"PK\x03\x04 not a tarball",
    "archive/truncated.tar.gz": _tar({"a": b"x" * 5000})[:200],
}


def main() -> None:
    for rel, content in FILES.items():
        path = CORPUS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"wrote {len(FILES)} files under {CORPUS}")


if __name__ == "__main__":
    main()
