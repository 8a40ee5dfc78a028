"""The registry trust chain on a checkout directory: pins, the root-signed keyring, snapshots."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from estream.core.errors import EstreamError
from estream.core.keys import SigningKey
from estream.core.registry.testing import ROOT_KEY, keyring_text
from estream.core.registry.trust import (
    KEYRING_SIGNATURE_FILE,
    ROOT_FILE,
    SNAPSHOT_FILE,
    TrustState,
    load_trust_state,
    parse_pins,
    parse_root,
    record_trust_state,
    resolve_trust_roots,
    verify_registry_trust,
    write_keyring,
    write_root,
    write_snapshot,
)

PUBLISHER = SigningKey("acme-release", bytes(range(32)))
ROTATED = SigningKey("acme-release-2", bytes(range(1, 33)))
STRANGER = SigningKey("stranger", bytes(range(2, 34)))
NOW = 1_800_000_000.0


def make_registry(root: Path) -> Path:
    (root / "index" / "es" / "f-").mkdir(parents=True)
    (root / "config.toml").write_text("[registry]\nformat_version = 1\n")
    (root / "index" / "es" / "f-" / "esf-core").write_text('{"line": 1}\n')
    write_root(root, [ROOT_KEY])
    write_keyring(root, keyring_text(PUBLISHER), [ROOT_KEY], source="reg")
    write_snapshot(root, ROOT_KEY, source="reg", now=NOW)
    return root


def check(root: Path, pins=(ROOT_KEY.fingerprint,), **kw):
    kw.setdefault("now", NOW + 60)
    return verify_registry_trust(root, source="https://example.org/index.git", pins=pins, **kw)


def error(root: Path, **kw) -> str:
    with pytest.raises(EstreamError) as e:
        check(root, **kw)
    return e.value.render()


def test_a_pinned_registry_verifies_and_its_keyring_is_the_root_signed_one(tmp_path):
    reg = make_registry(tmp_path)
    trusted = check(reg)
    assert trusted.keyring.lookup(PUBLISHER.fingerprint).trusted
    assert trusted.snapshot.version == 1 and trusted.keyring_version == 1
    assert trusted.pins == (ROOT_KEY.fingerprint,)


def test_an_unpinned_registry_is_refused_with_the_pin_command_and_its_fingerprint(tmp_path):
    text = error(make_registry(tmp_path), pins=())
    assert "this registry is not pinned" in text and "first use must be explicit" in text
    assert (
        f"estream marketplace trust --registry https://example.org/index.git {ROOT_KEY.fingerprint}" in text
    )
    assert f"--trust-root {ROOT_KEY.fingerprint}" in text and "ESTREAM_TRUST_ROOT=" in text
    assert "[estream-registry].trust_roots" in text


def test_a_wrong_pin_is_refused_naming_both_fingerprints(tmp_path):
    text = error(
        make_registry(tmp_path),
        pins=(STRANGER.fingerprint,),
        pinned_in="estream-workspace.toml [trust] roots",
    )
    assert "none of the registry's root keys is pinned" in text
    assert STRANGER.fingerprint in text and ROOT_KEY.fingerprint in text and "estream-workspace.toml" in text


def test_a_registry_that_swapped_its_root_keys_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    # an attacker with write access replaces root.toml and re-signs everything with their own root
    write_root(reg, [STRANGER])
    write_keyring(reg, keyring_text(PUBLISHER, STRANGER), [STRANGER], source="reg")
    write_snapshot(reg, STRANGER, source="reg", now=NOW)
    assert "none of the registry's root keys is pinned" in error(reg)


def test_a_keyring_changed_without_a_root_signature_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    (reg / "keyring.toml").write_text(keyring_text(PUBLISHER, STRANGER))
    write_snapshot(reg, PUBLISHER, source="reg", now=NOW)  # even with a fresh snapshot
    text = error(reg)
    assert "was changed without a root signature" in text and "keyring.sig" in text
    # ... or re-signed by a key that is not a (pinned) root key
    write_keyring(reg, keyring_text(PUBLISHER), [ROOT_KEY], source="reg")
    sig = json.loads((reg / KEYRING_SIGNATURE_FILE).read_text())
    sig["keyring"] = "sha3-256:" + "0" * 64
    (reg / KEYRING_SIGNATURE_FILE).write_text(json.dumps(sig))
    assert "without a root signature" in error(reg)
    (reg / KEYRING_SIGNATURE_FILE).unlink()
    assert "is not signed by the registry's root keys" in error(reg)


def test_a_forged_keyring_signature_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    content = keyring_text(PUBLISHER, STRANGER).encode()
    (reg / "keyring.toml").write_bytes(content)
    from estream.core.registry.trust import sign_keyring

    forged = json.loads(sign_keyring(content, (reg / ROOT_FILE).read_bytes(), 2, [STRANGER]))
    forged["signatures"][0]["key_fingerprint"] = ROOT_KEY.fingerprint  # claims to be the root
    (reg / KEYRING_SIGNATURE_FILE).write_text(json.dumps(forged))
    write_snapshot(reg, PUBLISHER, source="reg", now=NOW)
    assert "signed by 0 of the pinned root keys, 1 needed" in error(reg)


def test_a_rotated_publisher_key_is_accepted_when_the_root_signs_the_new_keyring(tmp_path):
    reg = make_registry(tmp_path)
    # rotation: the new key trusted, the old one revoked, signed by the root
    rotated = (
        keyring_text(ROTATED)
        + f'[[keys]]\nkey_id = "acme-release"\nfingerprint = "{PUBLISHER.fingerprint}"\ntrust = "revoked"\n'
    )
    assert write_keyring(reg, rotated, [ROOT_KEY], source="reg") == 2
    write_snapshot(reg, ROTATED, source="reg", now=NOW)
    trusted = check(reg, seen=TrustState(1, 1))
    assert trusted.keyring.lookup(ROTATED.fingerprint).trusted
    assert not trusted.keyring.lookup(PUBLISHER.fingerprint).trusted
    assert trusted.keyring_version == 2 and trusted.snapshot.version == 2


def test_a_rolled_back_snapshot_or_keyring_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    write_snapshot(reg, PUBLISHER, source="reg", now=NOW)
    assert check(reg).snapshot.version == 2
    text = error(reg, seen=TrustState(snapshot=3, keyring=1))
    assert "snapshot version 2 is older than version 3 seen before: the registry was rolled back" in text
    text = error(reg, seen=TrustState(snapshot=2, keyring=2))
    assert "keyring version 1 is older than version 2 seen before" in text


def test_an_index_changed_without_a_signed_snapshot_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    (reg / "index" / "es" / "f-" / "esf-core").write_text('{"line": 1}\n{"line": 2}\n')
    assert "does not match its signed snapshot 1" in error(reg)
    (reg / "index" / "es" / "f-" / "esf-core").write_text('{"line": 1}\n')
    check(reg)
    (reg / "index" / "es" / "f-" / "esf-zzz").write_text("")  # a new file counts too
    assert "does not match its signed snapshot" in error(reg)


def test_an_expired_snapshot_is_refused_as_a_possible_freeze(tmp_path):
    reg = make_registry(tmp_path)
    check(reg, now=NOW + 29 * 86400)
    text = error(reg, now=NOW + 31 * 86400)
    assert (
        "expired on" in text
        and "may be frozen" in text
        and "estream marketplace registry sign-snapshot" in text
    )
    write_snapshot(reg, PUBLISHER, source="reg", now=NOW + 31 * 86400)  # the re-sign of an idle registry
    assert check(reg, now=NOW + 32 * 86400).snapshot.version == 2


def test_a_snapshot_signed_by_an_untrusted_key_or_modified_is_refused(tmp_path):
    reg = make_registry(tmp_path)
    write_snapshot(reg, STRANGER, source="reg", now=NOW)
    assert "neither a pinned root key nor trusted by the root-signed keyring" in error(reg)
    # the consumer's own development key (with --allow-development-key) may sign a sandbox's snapshot
    check(reg, extra_snapshot_keys=[STRANGER.public])
    write_snapshot(reg, PUBLISHER, source="reg", now=NOW)
    doc = json.loads((reg / SNAPSHOT_FILE).read_text())
    doc["expires"] = "2099-01-01T00:00:00Z"  # extend the validity without a signature
    (reg / SNAPSHOT_FILE).write_text(json.dumps(doc))
    assert "signature does not verify" in error(reg)


@pytest.mark.parametrize("version", [1.0, "1", True, 2])
def test_trust_metadata_format_version_must_be_the_integer_1(tmp_path, version):
    reg = make_registry(tmp_path)
    doc = json.loads((reg / SNAPSHOT_FILE).read_text())
    doc["format_version"] = version
    (reg / SNAPSHOT_FILE).write_text(json.dumps(doc))
    assert "format_version" in error(reg)
    with pytest.raises(EstreamError, match="format_version"):
        parse_root(
            (reg / ROOT_FILE).read_bytes().replace(b"format_version = 1", b"format_version = 1.0"),
            "root.toml",
        )


def test_the_seen_state_only_grows_and_pins_resolve_in_order(tmp_path):
    pins = (ROOT_KEY.fingerprint,)
    assert load_trust_state(tmp_path, pins) == TrustState()
    record_trust_state(tmp_path, pins, TrustState(5, 2))
    record_trust_state(tmp_path, pins, TrustState(3, 1))
    assert load_trust_state(tmp_path, pins) == TrustState(5, 2)
    env = {"ESTREAM_TRUST_ROOT": STRANGER.fingerprint}
    assert resolve_trust_roots([ROOT_KEY.fingerprint], [PUBLISHER.fingerprint], env)[0] == pins
    assert resolve_trust_roots([], [PUBLISHER.fingerprint], env)[0] == (PUBLISHER.fingerprint,)
    assert resolve_trust_roots([], [], env) == ((STRANGER.fingerprint,), "$ESTREAM_TRUST_ROOT")
    assert resolve_trust_roots([], [], {})[0] == ()
    with pytest.raises(EstreamError, match="expected a root key fingerprint"):
        parse_pins(["abc"], "--trust-root")


def test_sign_snapshot_timestamps_are_utc(tmp_path):
    reg = make_registry(tmp_path)
    doc = json.loads((reg / SNAPSHOT_FILE).read_text())
    assert doc["signed_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW))
    assert doc["expires"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW + 30 * 86400))
