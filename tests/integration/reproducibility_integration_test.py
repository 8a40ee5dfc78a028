"""`./pants package` builds bit-identical archives from different paths, umasks, users, TZs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from estream.core.keys import SigningKey, write_private_key
from integration.pants_repo import copy_repo, run_pants

PACKAGES = (
    "esf-carbon-1.0.0.tar.gz",
    "esf-health-1.0.0.tar.gz",
    "esf-iot-1.0.0.tar.gz",
    "esf-payments-1.0.0.tar.gz",
    "esf-trading-1.0.0.tar.gz",
)


def sha256s(dist: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(dist.glob("*.tar.gz"))}


def test_archives_are_bit_identical_across_checkouts(tmp_path: Path) -> None:
    key = SigningKey.generate("repro-test-key")
    key_file = tmp_path / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)

    first = copy_repo(tmp_path / "alice" / "checkout")
    second = copy_repo(tmp_path / "elsewhere" / "deeper" / "path" / "bob-checkout")

    run_pants(
        first,
        ["package", "schemas::"],
        env={
            "ESTREAM_SIGNING_KEY_FILE": str(key_file),
            "TZ": "UTC",
            "USER": "alice",
            "LOGNAME": "alice",
            "SOURCE_DATE_EPOCH": "1767225600",
        },
        umask=0o022,
    ).assert_success()
    run_pants(
        second,
        ["package", "schemas::"],
        # The same key, passed inline (as a CI secret would be), another zone, user and umask.
        env={
            "ESTREAM_SIGNING_KEY": key.private_key_file_text(),
            "TZ": "Pacific/Kiritimati",
            "USER": "bob",
            "LOGNAME": "bob",
            "SOURCE_DATE_EPOCH": "1767225600",
        },
        umask=0o077,
    ).assert_success()

    a, b = sha256s(first / "dist"), sha256s(second / "dist")
    assert sorted(a) == list(PACKAGES)
    assert a == b
