"""`./pants publish` of the two python_distributions to a PyPI-compatible index, then `pip install`.

A real index (`pypiserver`) on loopback stands in for PyPI: the test points the `@estream-index`
alias of build-support/pypirc at it with TWINE_REPOSITORY_URL_ESTREAM_INDEX, the way CI would
point it at a private index, and passes credentials only through the environment.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

from estream.version import VERSION
from integration.clean_pip import clean_pip_env
from integration.pants_repo import copy_repo, run_pants


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_publish_to_an_index_then_pip_install(tmp_path: Path) -> None:
    packages = tmp_path / "index-packages"
    packages.mkdir()
    port = free_port()
    index = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        # `-a . -P .`: no authentication (pypiserver's test setting); the upload still goes
        # through twine's normal authenticated path with the credentials below.
        [
            sys.executable,
            "-m",
            "pypiserver",
            "run",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "-a",
            ".",
            "-P",
            ".",
            "--disable-fallback",
            str(packages),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "pypiserver.log").open("wb"),
    )
    try:
        wait_for(f"{index}/simple/")
        repo = copy_repo(tmp_path / "repo")
        result = run_pants(
            repo,
            ["publish", "pants-plugins:estream-pants", "pants-plugins/estream:estream-cli"],
            env={
                "TWINE_REPOSITORY_URL_ESTREAM_INDEX": f"{index}/",
                "TWINE_USERNAME_ESTREAM_INDEX": "ci",
                "TWINE_PASSWORD_ESTREAM_INDEX": "not-checked-by-this-server",
            },
        ).assert_success()
        assert sorted(p.name for p in packages.iterdir()) == sorted(
            [
                f"estream-cli-{VERSION}.tar.gz",
                f"estream_cli-{VERSION}-py3-none-any.whl",
                f"estream-pants-{VERSION}.tar.gz",
                f"estream_pants-{VERSION}-py3-none-any.whl",
            ]
        ), result.stderr

        # A user installs the CLI from that index (its dependencies come from PyPI).
        venv = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip_env = clean_pip_env()
        subprocess.run(
            [
                str(venv / "bin/pip"),
                "install",
                "--quiet",
                "--index-url",
                f"{index}/simple/",
                "--extra-index-url",
                "https://pypi.org/simple/",
                f"estream-cli=={VERSION}",
            ],
            env=pip_env,
            check=True,
        )
        shown = subprocess.run(
            [str(venv / "bin/estream"), "--version"], capture_output=True, text=True, check=True
        )
        assert shown.stdout == f"estream {VERSION}\n"
        # The backend's wheel is served too, with its pinned requirements (not installed here:
        # that would download Pants itself).
        subprocess.run(
            [
                str(venv / "bin/pip"),
                "download",
                "--quiet",
                "--no-deps",
                "--index-url",
                f"{index}/simple/",
                "-d",
                str(tmp_path / "downloaded"),
                f"estream-pants=={VERSION}",
            ],
            env=pip_env,
            check=True,
        )
        wheel = tmp_path / "downloaded" / f"estream_pants-{VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(wheel) as whl:
            metadata = whl.read(f"estream_pants-{VERSION}.dist-info/METADATA").decode()
        requires = sorted(
            line.split(":", 1)[1].strip()
            for line in metadata.splitlines()
            if line.startswith("Requires-Dist:")
        )
        assert (
            f"estream-cli (=={VERSION})" in requires and "pantsbuild.pants (==2.17.1)" in requires
        ), requires
    finally:
        server.terminate()
        server.wait(timeout=30)
