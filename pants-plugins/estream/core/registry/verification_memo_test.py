import os

import pytest

from estream.core.keys import PublicKey, SigningKey
from estream.core.registry.verification_memo import (
    MEMO_DIRNAME,
    VerificationMemo,
    input_digest,
    schema_resolution_key,
    signature_check,
    verify_signature,
)

KEY = SigningKey("memo-test", bytes(range(32)))
CTX = b"estream/test"
MESSAGE = b"the signed statement"
SIGNATURE = KEY.sign(MESSAGE, ctx=CTX)


@pytest.fixture
def calls(monkeypatch):
    """Counts the real ML-DSA-87 verifications."""
    seen = []
    real = PublicKey.verify

    def counting(self, message, signature, *, ctx):
        seen.append(message)
        return real(self, message, signature, ctx=ctx)

    monkeypatch.setattr(PublicKey, "verify", counting)
    return seen


def memo(tmp_path):
    return VerificationMemo.in_home(tmp_path)


def records(tmp_path, kind="signature"):
    return [p for p in (tmp_path / MEMO_DIRNAME / kind).rglob("*") if p.is_file()]


def test_a_passed_signature_is_verified_once(tmp_path, calls):
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 1
    # A new process (a new memo object) trusts the authenticated record: no second verification.
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 1
    secret = tmp_path / MEMO_DIRNAME / "secret"
    assert secret.stat().st_mode & 0o777 == 0o600


def test_a_failed_signature_is_never_recorded(tmp_path, calls):
    bad = bytes([SIGNATURE[0] ^ 1]) + SIGNATURE[1:]
    for _ in range(2):
        assert not memo(tmp_path).check_signature(KEY.public, MESSAGE, bad, CTX)
    assert len(calls) == 2
    assert records(tmp_path) == []


def test_other_bytes_are_another_key(tmp_path, calls):
    m = memo(tmp_path)
    assert m.check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    # Same signature, other message / context / key: verified in full (and they fail).
    assert not m.check_signature(KEY.public, MESSAGE + b"!", SIGNATURE, CTX)
    assert not m.check_signature(KEY.public, MESSAGE, SIGNATURE, b"estream/other")
    assert not m.check_signature(SigningKey("other", bytes(32)).public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 4


def test_a_forged_record_is_ignored(tmp_path, calls):
    """Someone who can write the memo but does not hold the secret records a verdict never reached."""
    m = memo(tmp_path)
    assert m.check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)  # creates the secret and one record
    bad = bytes([SIGNATURE[0] ^ 1]) + SIGNATURE[1:]
    digest = input_digest(b"ML-DSA-87", CTX, KEY.public.public_key, MESSAGE, bad)
    forger = VerificationMemo(tmp_path / "forger")  # its own secret
    forger.put("signature", digest)
    target = tmp_path / MEMO_DIRNAME / "signature" / digest[:2] / digest
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((tmp_path / "forger" / "signature" / digest[:2] / digest).read_bytes())
    assert not memo(tmp_path).check_signature(KEY.public, MESSAGE, bad, CTX)
    # A genuine record copied under the forged signature's name does not vouch for it either.
    (genuine,) = [p for p in records(tmp_path) if p.name != digest]
    target.write_bytes(genuine.read_bytes())
    assert not memo(tmp_path).check_signature(KEY.public, MESSAGE, bad, CTX)


@pytest.mark.parametrize("damage", [b"", b"garbage", b"0" * 64 + b"\n", b"\xff" * 100])
def test_a_damaged_record_is_ignored_and_replaced(tmp_path, calls, damage):
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    (record,) = records(tmp_path)
    record.write_bytes(damage)
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 2  # verified in full again, then recorded again
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 2


def test_a_recorded_value_edited_fails_its_mac(tmp_path):
    m = memo(tmp_path)
    key = schema_resolution_key("1.0", [("a", "1.0.0", "sha3-256:" + "1" * 64)])
    m.put("schema-resolution", key, b"summary")
    assert memo(tmp_path).get("schema-resolution", key) == b"summary"
    (record,) = records(tmp_path, "schema-resolution")
    record.write_bytes(record.read_bytes().replace(b"summary", b"SUMMARY"))
    assert memo(tmp_path).get("schema-resolution", key) is None
    other = schema_resolution_key("1.0", [("a", "1.0.0", "sha3-256:" + "2" * 64)])
    assert other != key and memo(tmp_path).get("schema-resolution", other) is None


def test_a_new_secret_invalidates_every_record(tmp_path, calls):
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    (tmp_path / MEMO_DIRNAME / "secret").unlink()
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_secret_others_can_read_turns_the_memo_off(tmp_path, calls):
    assert memo(tmp_path).check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    secret = tmp_path / MEMO_DIRNAME / "secret"
    secret.chmod(0o644)
    m = memo(tmp_path)
    assert m.secret() is None
    assert m.check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 2
    secret.unlink()
    secret.symlink_to(tmp_path / "elsewhere")
    assert memo(tmp_path).secret() is None


def test_an_unwritable_memo_still_verifies(tmp_path, calls):
    (tmp_path / "file").write_text("not a directory")
    m = VerificationMemo(tmp_path / "file" / "memo")
    assert m.check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert m.check_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
    assert len(calls) == 2


def test_without_a_memo_the_plain_check():
    assert signature_check(None) is verify_signature
    assert verify_signature(KEY.public, MESSAGE, SIGNATURE, CTX)
