import os
import stat
import threading

import pytest

from estream.core.errors import EstreamError
from estream.core.keys import (
    ENV_SIGNING_KEY,
    ENV_SIGNING_KEY_FILE,
    SigningKey,
    dev_key_path,
    fingerprint,
    load_keyring,
    load_or_create_dev_key,
    load_private_key,
    load_public_key,
    load_signing_key_from_env,
    parse_keyring,
    parse_private_key,
    resolve_signing_key,
    write_private_key,
    write_public_key,
)

SEED = bytes(range(32))
SEED_HEX = SEED.hex()


def key_text(seed_hex=SEED_HEX, key_id="ci-key"):
    return f'algorithm = "ML-DSA-87"\nkey_id = "{key_id}"\nseed = "{seed_hex}"\n'


def write_key(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_repr_and_str_hide_secret():
    key = SigningKey("k1", SEED)
    for text in (repr(key), str(key), repr(key.public)):
        assert SEED_HEX not in text
        assert "k1" in text
    assert key._sk.hex() not in repr(key)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)


def test_deterministic_derivation_and_signature():
    a, b = SigningKey("k", SEED), SigningKey("k", SEED)
    assert a.public.public_key == b.public.public_key
    assert a.sign(b"m", ctx=b"c") == b.sign(b"m", ctx=b"c")
    assert a.public.verify(b"m", a.sign(b"m", ctx=b"c"), ctx=b"c")
    assert not a.public.verify(b"m", a.sign(b"m", ctx=b"c"), ctx=b"other")
    assert a.fingerprint == fingerprint(a.public.public_key)


def test_load_private_key_file(tmp_path):
    p = write_key(tmp_path / "k.toml", key_text())
    key = load_private_key(p)
    assert key.key_id == "ci-key" and not key.development


def test_group_readable_key_refused_with_fix(tmp_path):
    p = write_key(tmp_path / "k.toml", key_text(), mode=0o640)
    with pytest.raises(EstreamError) as e:
        load_private_key(p)
    msg = str(e.value)
    assert "chmod 600" in msg and str(p) in msg and "0640" in msg
    assert SEED_HEX not in msg


def test_bad_key_file_errors_never_leak_seed(tmp_path):
    bad_seed = "ab" * 31 + "zz"  # right length, not hex
    for text in (key_text(bad_seed), key_text(SEED_HEX[:-2]), key_text(SEED_HEX).replace("ML-DSA-87", "RSA")):
        with pytest.raises(EstreamError) as e:
            parse_private_key(text, source="k.toml")
        assert SEED_HEX[:20] not in str(e.value) and bad_seed not in str(e.value)
    with pytest.raises(EstreamError) as e:
        parse_private_key('seed = "' + SEED_HEX + "\n", source="k.toml")  # broken TOML
    assert SEED_HEX not in str(e.value) and "invalid TOML" in str(e.value)


def test_env_inline_and_file(tmp_path):
    key = load_signing_key_from_env({ENV_SIGNING_KEY: key_text()})
    assert key.key_id == "ci-key"
    p = write_key(tmp_path / "k.toml", key_text(key_id="from-file"))
    assert load_signing_key_from_env({ENV_SIGNING_KEY_FILE: str(p)}).key_id == "from-file"
    assert load_signing_key_from_env({}) is None
    with pytest.raises(EstreamError, match="both"):
        load_signing_key_from_env({ENV_SIGNING_KEY: key_text(), ENV_SIGNING_KEY_FILE: str(p)})


def test_dev_key_created_once_0600_and_reused(tmp_path):
    key = load_or_create_dev_key(tmp_path)
    path = dev_key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert key.development and key.key_id == "dev-" + key.fingerprint[len("sha3-256:") :][:16]
    again = load_or_create_dev_key(tmp_path)
    assert again.fingerprint == key.fingerprint and again.development
    assert load_public_key(path.with_name(path.name + ".pub")).public_key == key.public.public_key
    assert resolve_signing_key(environ={}, home_dir=tmp_path).fingerprint == key.fingerprint
    with pytest.raises(EstreamError, match="no signing key"):
        resolve_signing_key(environ={}, home_dir=tmp_path, allow_development_key=False)


def test_dev_key_concurrent_creation_agrees(tmp_path):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(load_or_create_dev_key(tmp_path))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({k.fingerprint for k in results}) == 1
    assert [p.name for p in dev_key_path(tmp_path).parent.iterdir() if p.name.endswith(".tmp")] == []


def test_write_private_and_public(tmp_path):
    key = SigningKey.generate("new-key")
    write_private_key(tmp_path / "k.toml", key)
    assert stat.S_IMODE((tmp_path / "k.toml").stat().st_mode) == 0o600
    assert load_private_key(tmp_path / "k.toml").fingerprint == key.fingerprint
    with pytest.raises(EstreamError, match="already exists"):
        write_private_key(tmp_path / "k.toml", key)
    write_public_key(tmp_path / "k.pub", key.public)
    assert load_public_key(tmp_path / "k.pub").fingerprint == key.fingerprint


def test_public_key_file_rejects_private(tmp_path):
    p = write_key(tmp_path / "k.toml", key_text())
    with pytest.raises(EstreamError) as e:
        load_public_key(p)
    assert ".pub" in str(e.value) and SEED_HEX not in str(e.value)


def test_keyring_parse_and_lookup(tmp_path):
    k1, k2 = SigningKey("one", SEED), SigningKey("two", bytes(32))
    text = (
        f'[[keys]]\nkey_id = "one"\npublic_key = "{k1.public.public_key.hex()}"\ntrust = "trusted"\n'
        f'[[keys]]\nkey_id = "two"\nfingerprint = "{k2.fingerprint}"\ntrust = "revoked"\n'
    )
    ring = parse_keyring(text, source="ring.toml")
    assert ring.lookup(k1.fingerprint).trusted
    assert ring.lookup(k2.fingerprint).trust == "revoked"
    assert ring.lookup("sha3-256:" + "0" * 64) is None
    # Revocation wins over a later --key.
    assert ring.with_trusted([k2.public]).lookup(k2.fingerprint).trust == "revoked"


def test_keyring_errors_name_file_and_field(tmp_path):
    p = tmp_path / "ring.toml"
    p.write_text(
        '[[keys]]\nkey_id = "x"\npublic_key = "abcd"\ntrust = "maybe"\n[[keys]]\nkey_id = "y"\ntrust = "trusted"\n'
    )
    with pytest.raises(EstreamError) as e:
        load_keyring(p)
    msg = str(e.value)
    assert str(p) in msg
    assert "keys[0].public_key" in msg and "keys[0].trust" in msg and "public_key or fingerprint" in msg
    p.write_text("[[keys]\n")
    with pytest.raises(EstreamError, match="invalid TOML"):
        load_keyring(p)
    with pytest.raises(EstreamError, match="not found"):
        load_keyring(tmp_path / "nope.toml")


def test_ml_dsa_calls_are_safe_across_threads():
    # dilithium-py shares SHAKE state between threads; keys.py serialises every call.
    key = SigningKey("k", SEED)
    expected_pk, expected_sig = key.public.public_key, key.sign(b"msg", ctx=b"c")
    results = []

    def work():
        for _ in range(3):
            k = SigningKey("k", SEED)
            sig = k.sign(b"msg", ctx=b"c")
            results.append(
                (
                    k.public.public_key == expected_pk,
                    sig == expected_sig,
                    k.public.verify(b"msg", sig, ctx=b"c"),
                )
            )

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(True, True, True)] * 12
