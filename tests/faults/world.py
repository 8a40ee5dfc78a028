"""A small registry world for fault-injection tests: a bare git registry with a three-package chain,
an isolated ESTREAM_HOME, and helpers to run the real `estream` CLI as a subprocess, pause it at a
named point (`_ESTREAM_TEST_PAUSE`) and kill it there."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from estream.cli.main import main
from estream.core.keys import SigningKey
from estream.core.registry.testing import (
    bare_repo,
    cli_subprocess,
    keyring_text,
    package_archive,
    root_key_args,
    trust_env,
)

KEY = SigningKey.generate("acme-release")
TIMEOUT = 120


def docs(name: str, n: int) -> Dict[str, bytes]:
    return {f"docs/{name}-{i}.md": f"# {name} page {i}\n".encode() * 20 for i in range(n)}


def archive(name: str, version: str, deps: Optional[Dict[str, str]] = None, pages: int = 3) -> bytes:
    return package_archive(
        name,
        version,
        key=KEY,
        provides=[name.replace("-", "_").title().replace("_", "")],
        deps=deps,
        extra=docs(name, pages),
    )


@dataclass
class World:
    base: Path
    url: str
    home: Path
    env: Dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, extra_env: Optional[Mapping[str, str]] = None) -> Tuple[int, str, str]:
        proc = self.start(*args, extra_env=extra_env)
        out, err = proc.communicate(timeout=TIMEOUT)
        return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def main(self, *args: str, extra_env: Optional[Mapping[str, str]] = None) -> int:
        """`estream args...` in this process (fast: no interpreter start-up); the exit code."""
        saved = {k: os.environ.get(k) for k in (extra_env or {})}
        os.environ.update(extra_env or {})
        try:
            return main(list(args))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def start(self, *args: str, extra_env: Optional[Mapping[str, str]] = None, **kwargs) -> subprocess.Popen:
        env = dict(self.env)
        env.update(extra_env or {})
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        return cli_subprocess(list(args), env=env, **kwargs)

    def paused(
        self, point: str, *args: str, extra_env: Optional[Mapping[str, str]] = None, **kwargs
    ) -> subprocess.Popen:
        """Start `estream args...` and return once it is paused at `point`."""
        env = {"_ESTREAM_TEST_PAUSE": point, **(extra_env or {})}
        proc = self.start(*args, extra_env=env, **kwargs)
        line = wait_for_line(proc, f"paused at {point}")
        assert line is not None, f"never reached {point}"
        return proc

    def publish(self, data: bytes, name: str) -> int:
        path = self.base / "archives" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return self.run("marketplace", "publish", str(path))[0]


def wait_for_line(proc: subprocess.Popen, needle: str) -> Optional[str]:
    """Read stderr lines until one contains `needle` (None if the process ended first)."""
    assert proc.stderr is not None
    while True:
        line = proc.stderr.readline()
        if not line:
            return None
        text = line.decode("utf-8", "replace")
        if needle in text:
            return text


def kill9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def world(base: Path) -> Iterator[World]:
    """A registry with esf-a 1.0.0, esf-b 1.0.0 (needs esf-a), esf-c 1.0.0 (needs esf-b), esf-d 1.0.0."""
    home = base / "home"
    home.mkdir(parents=True)
    url = bare_repo(base / "index.git")
    ring = base / "ring.toml"
    ring.write_text(keyring_text(KEY))
    env = {
        "HOME": str(home),
        "ESTREAM_HOME": str(home / ".estream"),
        "ESTREAM_REGISTRY": url,
        "ESTREAM_LOCK_TIMEOUT": "60",
    }
    for var in ("ESTREAM_KEYRING", "ESTREAM_CACHE_DIR", "ESTREAM_SIGNING_KEY", "ESTREAM_SIGNING_KEY_FILE"):
        env[var] = ""
    # A consumer that pinned the registry's root key; publishes sign the snapshot with KEY.
    env.update(trust_env(KEY))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    for var in ("ESTREAM_KEYRING", "ESTREAM_CACHE_DIR", "ESTREAM_SIGNING_KEY_FILE"):
        del os.environ[var]
    try:
        assert (
            main(
                [
                    "marketplace",
                    "registry-init",
                    "--registry",
                    url,
                    "--keyring",
                    str(ring),
                    *root_key_args(base),
                ]
            )
            == 0
        )
        w = World(base, url, home, {k: v for k, v in env.items() if v})
        for name, deps in (
            ("esf-a", None),
            ("esf-b", {"esf-a": "^1.0"}),
            ("esf-c", {"esf-b": "^1.0"}),
            ("esf-d", None),
        ):
            path = base / f"{name}.tar.gz"
            path.write_bytes(archive(name, "1.0.0", deps))
            assert main(["marketplace", "publish", str(path)]) == 0
        yield w
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def snapshot(root: Path) -> Dict[str, Optional[bytes]]:
    """Every directory (None) and file (its bytes) under `root`, by relative path."""
    out: Dict[str, Optional[bytes]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def restore(root: Path, state: Dict[str, Optional[bytes]]) -> None:
    """Make `root` hold exactly `state`."""
    shutil.rmtree(root)
    root.mkdir()
    for rel, content in sorted(state.items()):
        path = root / rel
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Optional[str]]:
    """Mount a tmpfs of `size` at `path`; yields None, or why it could not be mounted."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        yield f"cannot run mount: {e}"
        return
    if proc.returncode != 0:
        yield f"mount -t tmpfs is not permitted here: {proc.stderr.decode(errors='replace').strip()}"
        return
    try:
        yield None
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True, capture_output=True, timeout=30)


def fill(path: Path) -> Path:
    """Fill the file system holding `path` to the last byte; returns the filler to delete."""
    filler = path / "filler"
    fd = os.open(str(filler), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def files_only(state: Dict[str, Optional[bytes]]) -> Dict[str, bytes]:
    return {k: v for k, v in state.items() if v is not None}


def changed_files(before: Dict[str, Optional[bytes]], after: Dict[str, Optional[bytes]]) -> List[str]:
    a, b = files_only(before), files_only(after)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


__all__: Sequence[str] = [
    "KEY",
    "World",
    "archive",
    "changed_files",
    "fill",
    "kill9",
    "remount",
    "restore",
    "snapshot",
    "tmpfs",
    "wait_for_line",
    "world",
]
del tempfile
