"""The private signing key never reaches the Pants store, `dist/`, logs or process output."""

from __future__ import annotations

from pathlib import Path

from estream.core.keys import SigningKey, write_private_key
from integration.pants_repo import copy_repo, run_pants


def secret_needles(key: SigningKey) -> list:
    """Every encoding of the secret that could leak: seed (raw, hex) and the expanded key."""
    text = key.private_key_file_text()
    seed_hex = next(line for line in text.splitlines() if line.startswith("seed")).split('"')[1]
    seed = bytes.fromhex(seed_hex)
    from dilithium_py.ml_dsa import ML_DSA_87

    _, expanded = ML_DSA_87.key_derive(seed)
    return [
        seed,
        seed_hex.encode(),
        seed_hex.upper().encode(),
        expanded,
        expanded.hex().encode(),
        # A 64-byte window of the expanded key catches partial copies too.
        expanded[64:128],
    ]


def scan(root: Path, needles: list) -> list:
    hits: list = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits.extend(f"{path}" for needle in needles if needle in data)
    return hits


def test_private_key_never_leaves_the_key_file(tmp_path: Path) -> None:
    key = SigningKey.generate("leak-test-key")
    key_file = tmp_path / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)
    needles = secret_needles(key)

    repo = copy_repo(tmp_path / "repo")
    keyring = tmp_path / "keyring.toml"
    keyring.write_text(
        f'[[keys]]\nkey_id = "{key.key_id}"\npublic_key = "{key.public.public_key.hex()}"\n'
        'trust = "trusted"\n'
    )
    store = tmp_path / "store"
    result = run_pants(
        repo,
        [
            "-ldebug",
            f"--local-store-dir={store}",
            f"--estream-signing-keyring={keyring}",
            "package",
            "verify",
            "schemas::",
        ],
        env={"ESTREAM_SIGNING_KEY_FILE": str(key_file)},
    ).assert_success()

    assert list((repo / "dist").glob("*.tar.gz")), "nothing was packaged"
    assert store.exists() and any(store.rglob("*")), "the test must look at a populated store"
    output = (result.stdout + result.stderr).encode()
    assert not [n for n in needles if n in output], "secret in Pants output"
    assert scan(repo / "dist", needles) == []
    assert scan(repo / ".pants.d", needles) == []
    assert scan(store, needles) == []
