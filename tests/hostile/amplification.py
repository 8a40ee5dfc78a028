"""Small inputs with a large cost (issue 13), built on demand, and a measurement of what the CLI
spends on them in a separate process.

On main before the fix: a SIGNATURE.ml-dsa listing a million bogus entries (124 KB archive) cost
~1 GB and ~14 s and printed a million lines; a 24 KB manifest with a 12,000-part dotted key cost
~600 MB and ~7.5 s under tomli 2.0.1 (the pinned version); a 300 MB gzip bomb peaked at ~1 GB
against a 256 MiB cap. `bench/hostile_fuzz.py` prints these figures; the tests bound them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence

import estream.cli.main  # noqa: F401 - the measured process runs `python -m estream.cli.main` (and Pants must ship it)
from estream.core.archive import build_archive
from estream.core.keys import SigningKey
from estream.core.registry.testing import keyring_text, package_files

TOP = "esf-core-1.0.0"


def signed_files(key: SigningKey) -> Dict[str, bytes]:
    return package_files("esf-core", "1.0.0", key=key, provides=["CoreEvent"])


def million_entry_signature(key: SigningKey, entries: int = 1_000_000) -> bytes:
    """A signed package whose SIGNATURE.ml-dsa lists `entries` bogus files."""
    files = signed_files(key)
    doc = json.loads(files["SIGNATURE.ml-dsa"])
    doc["files"] = [{"path": "a", "hash": "x", "size": 1}] * entries
    files["SIGNATURE.ml-dsa"] = json.dumps(doc, separators=(",", ":")).encode()
    return build_archive(files, TOP)


def long_dotted_key(key: SigningKey, parts: int = 12_000) -> bytes:
    """A signed package whose manifest starts with a `a.a.a....= 1` key of `parts` parts (~24 KB)."""
    files = signed_files(key)
    files["estream-component.toml"] = b"a" + b".a" * (parts - 1) + b" = 1\n" + files["estream-component.toml"]
    return build_archive(files, TOP)


def gzip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """A .tar.gz of one `size`-byte file of zeros (~0.1% of `size` compressed)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w|") as tar:
        info = tarfile.TarInfo(f"{TOP}/big.bin")
        info.size = size

        class Zeros:
            left = size

            def read(self, n: int = -1) -> bytes:
                n = self.left if n < 0 else min(n, self.left)
                self.left -= n
                return b"\0" * n

        tar.addfile(info, Zeros())  # type: ignore[arg-type]  # tarfile only calls read(); no 1 GiB buffer
    raw = buf.getvalue()
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        for i in range(0, len(raw), 1 << 24):
            gz.write(raw[i : i + (1 << 24)])
    return out.getvalue()


# Runs in its own process: starts the CLI as a child and reports what that child used.
_MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run([sys.executable, "-m", "estream.cli.main", *sys.argv[1:]], capture_output=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": proc.returncode, "rss_kb": usage.ru_maxrss, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "stdout": proc.stdout.decode("utf-8", "replace"), "stderr": proc.stderr.decode("utf-8", "replace")}))
"""


@dataclass(frozen=True)
class Cost:
    rc: int
    rss_mb: float
    cpu_s: float
    stdout: str
    stderr: str

    @property
    def lines(self) -> int:
        return (self.stdout + self.stderr).count("\n")


def measure_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] = {},
    plugin_root: Optional[str] = None,
    path_prefix: Sequence[str] = (),
) -> Cost:
    """Run `estream ARGS` in a child of a fresh process; its peak RSS (RUSAGE_CHILDREN) and CPU time.

    `plugin_root` runs another checkout's `estream` (the bench's "before"); `path_prefix` goes first
    on the import path (e.g. the pinned tomli 2.0.1 when the running venv has another).
    """
    import estream

    plugin_root = plugin_root or str(Path(estream.__file__).resolve().parent.parent)
    full_env = dict(os.environ)
    full_env.update(env)
    full_env["PYTHONPATH"] = os.pathsep.join([*path_prefix, plugin_root, *sys.path[1:]])
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], env=full_env, capture_output=True, check=True, timeout=600
    )
    doc = json.loads(out.stdout)
    return Cost(doc["rc"], doc["rss_kb"] / 1024, doc["cpu_s"], doc["stdout"], doc["stderr"])


def write_keyring(path: Path, key: SigningKey) -> Path:
    path.write_text(keyring_text(key))
    return path
