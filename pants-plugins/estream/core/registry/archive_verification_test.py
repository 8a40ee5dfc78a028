from __future__ import annotations

import pytest

from estream.core.archive import build_archive
from estream.core.errors import EstreamError
from estream.core.keys import SigningKey, parse_keyring
from estream.core.registry.archive_verification import verify_registry_archive
from estream.core.registry.cache import checksum_of
from estream.core.registry.testing import fpga_manifest, keyring_text, package_archive, package_files

KEY = SigningKey(key_id="acme-release", seed=bytes(range(32)))
DEV = SigningKey(key_id="dev-0123456789abcdef", seed=bytes(range(1, 33)), development=True)
RING = parse_keyring(keyring_text(KEY), source="ring.toml")


def _verify(data: bytes, name: str = "esf-core", version: str = "1.0.0", **kwargs):
    kwargs.setdefault("checksum", checksum_of(data))
    kwargs.setdefault("keyring", RING)
    return verify_registry_archive(
        data, name=name, version=version, source="a.tar.gz", action="nothing was installed", **kwargs
    )


def test_a_good_archive_passes_and_returns_its_verified_files() -> None:
    data = package_archive("esf-core", "1.0.0", key=KEY, provides=["Core"], deps={"esf-base": "^1.0"})
    got = _verify(data, deps=[("esf-base", "^1.0")])
    assert got.manifest.name == "esf-core" and got.key_id == "acme-release" and not got.development_key
    assert "schemas/esf-core.esf.yaml" in got.files and got.top_dir == "esf-core-1.0.0"


def test_checksum_mismatch_is_refused_before_anything_is_unpacked() -> None:
    data = package_archive("esf-core", "1.0.0", key=KEY)
    with pytest.raises(
        EstreamError, match=r"does not match the lock \(sha3-256:0+\).*tampered.*nothing was installed"
    ):
        _verify(data, checksum="sha3-256:" + "0" * 64, checksum_from="the lock")


def test_an_archive_signed_as_another_package_is_refused_even_with_a_trusted_key() -> None:
    files = package_files("esf-other", "1.0.0", key=KEY)
    data = build_archive(files, "esf-other-1.0.0")
    with pytest.raises(EstreamError, match="is signed as esf-other 1.0.0, expected esf-core 1.0.0"):
        _verify(data)
    with pytest.raises(EstreamError, match="is signed as esf-other 1.0.0, expected esf-other 2.0.0"):
        _verify(data, name="esf-other", version="2.0.0")


def test_untrusted_key_and_tampered_file_are_refused() -> None:
    stranger = SigningKey(key_id="stranger", seed=bytes(32))
    with pytest.raises(EstreamError, match="verification failed.*unknown_key"):
        _verify(package_archive("esf-core", "1.0.0", key=stranger))
    files = package_files("esf-core", "1.0.0", key=KEY, provides=["Core"])
    files["schemas/esf-core.esf.yaml"] += b"# evil\n"
    with pytest.raises(EstreamError, match="verification failed"):
        _verify(build_archive(files, "esf-core-1.0.0"))


def test_index_dependencies_must_equal_the_signed_manifest() -> None:
    data = package_archive("esf-core", "1.0.0", key=KEY, provides=["Core"], deps={"esf-base": "^1.0"})
    with pytest.raises(EstreamError, match="lists different dependencies than the signed manifest"):
        _verify(data, deps=[])
    _verify(data)  # None: nothing to compare against


def test_fpga_bitstreams_must_match_their_manifest() -> None:
    extra = {
        "fpga/a_up5k.bin": b"bits",
        "fpga/manifest.toml": fpga_manifest("1.0.0", {"a_up5k.bin": b"other"}, "ice40-up5k"),
    }
    files = package_files("esf-core", "1.0.0", key=KEY, circuit=None, extra=extra)
    with pytest.raises(EstreamError, match="the FPGA bitstreams do not match fpga/manifest.toml"):
        _verify(build_archive(files, "esf-core-1.0.0"))


def test_a_development_key_passes_only_when_allowed_and_it_is_the_callers_own() -> None:
    data = package_archive("esf-core", "1.0.0", key=DEV, provides=["Core"])
    with pytest.raises(EstreamError, match="verification failed"):
        _verify(data)
    # allowed, but the caller trusts no development key (or another one): a self-declared
    # development key vouches for nothing (issue 13)
    with pytest.raises(EstreamError, match="verification failed"):
        _verify(data, allow_development_key=True)
    other = SigningKey(key_id="dev-fedcba9876543210", seed=bytes(range(2, 34)), development=True)
    with pytest.raises(EstreamError, match="verification failed"):
        _verify(data, allow_development_key=True, development_keys=[other.public])
    assert _verify(data, allow_development_key=True, development_keys=[DEV.public]).development_key
    # the caller's own key is not trusted unless development keys are allowed
    with pytest.raises(EstreamError, match="verification failed"):
        _verify(data, development_keys=[DEV.public])


def test_a_signer_other_than_the_recorded_one_is_refused() -> None:
    second = SigningKey(key_id="acme-second", seed=bytes(range(3, 35)))
    ring = parse_keyring(keyring_text(KEY, second), source="ring.toml")
    data = package_archive("esf-core", "1.0.0", key=second, provides=["Core"])
    assert _verify(data, keyring=ring).key_id == "acme-second"
    with pytest.raises(
        EstreamError,
        match=r"is signed by key acme-second .*but the lock records sha3-256:.*for esf-core 1.0.0",
    ):
        _verify(data, keyring=ring, expected_key_fingerprint=KEY.fingerprint, checksum_from="the lock")
