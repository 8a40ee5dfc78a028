import json

from estream.core.keys import SigningKey, parse_keyring
from estream.core.signature import sign_package
from estream.core.verify import SEVERITY, ExitCode, most_severe, verify_package

PUBLISHER = SigningKey("estream-signing-key-01", bytes(range(32)))
STRANGER = SigningKey("stranger", bytes(range(1, 33)))
DEV = SigningKey("dev-0123456789abcdef", bytes(range(2, 34)), development=True)
SIG = "SIGNATURE.ml-dsa"


def manifest(name, version):
    return f'[component]\nname = "{name}"\nversion = "{version}"\n'.encode()


def package(name="esf-iot", version="1.0.0", key=PUBLISHER, extra=None):
    files = {
        "estream-component.toml": manifest(name, version),
        "circuits/iot.circuit.yaml": b"circuit: iot\n",
        "schemas/iot.esf.yaml": b"schema: iot\n",
        "README.md": b"# IoT\n",
        "fpga/iot.bit": bytes(range(256)),
    }
    files.update(extra or {})
    files[SIG] = sign_package(files, name=name, version=version, key=key, signed_at=1_700_000_000)
    return files


def ring(*entries):
    text = "".join(
        f'[[keys]]\nkey_id = "{k.key_id}"\npublic_key = "{k.public.public_key.hex()}"\ntrust = "{t}"\n'
        for k, t in entries
    )
    return parse_keyring(text, source="keyring.toml")


TRUSTED = ring((PUBLISHER, "trusted"))
PKG = package()


def check(files, **kw):
    kw.setdefault("keyring", TRUSTED)
    return verify_package(files, **kw)


def edit_sig(files, fn):
    doc = json.loads(files[SIG])
    fn(doc)
    return dict(files, **{SIG: json.dumps(doc).encode()})


def kinds(report):
    return sorted({f.kind for f in report.findings})


def test_valid_package():
    report = check(PKG)
    assert report.ok and report.exit_code == ExitCode.VALID == 0
    out = report.render()
    assert "Package signature: ✓ Valid" in out and "5 verified" in out and "estream-signing-key-01" in out
    assert json.loads(report.to_json())["valid"] is True


def test_modified_file():
    r = check(dict(PKG, **{"schemas/iot.esf.yaml": b"schema: evil\n"}))
    assert kinds(r) == [ExitCode.MODIFIED] and r.exit_code == 10
    (f,) = r.findings
    assert f.path == "schemas/iot.esf.yaml" and f.expected.startswith("sha3-256:") and f.actual != f.expected
    out = r.render()
    assert "schemas/iot.esf.yaml" in out and "✗ modified" in out and f.actual in out


def test_added_file():
    r = check(dict(PKG, **{"circuits/backdoor.circuit.yaml": b"evil"}))
    assert kinds(r) == [ExitCode.UNLISTED] and r.exit_code == 12
    assert r.findings[0].path == "circuits/backdoor.circuit.yaml"


def test_removed_file():
    files = dict(PKG)
    del files["README.md"]
    r = check(files)
    assert kinds(r) == [ExitCode.MISSING] and r.exit_code == 11 and r.findings[0].path == "README.md"


def test_renamed_file():
    files = dict(PKG)
    files["docs/README.md"] = files.pop("README.md")
    r = check(files)
    assert kinds(r) == [ExitCode.MISSING, ExitCode.UNLISTED]
    assert r.exit_code == ExitCode.MISSING
    assert {f.path for f in r.findings} == {"README.md", "docs/README.md"}


def test_rename_inside_signature_breaks_merkle_root():
    def rename(doc):
        for f in doc["files"]:
            if f["path"] == "README.md":
                f["path"] = "docs/README.md"

    files = dict(PKG)
    files["docs/README.md"] = files.pop("README.md")
    r = check(edit_sig(files, rename))
    assert kinds(r) == [ExitCode.MERKLE_MISMATCH] and r.exit_code == 13


def test_listing_and_root_rewritten_breaks_signature():
    from estream.core.merkle import FileEntry, format_digest, merkle_root

    files = dict(PKG, **{"schemas/iot.esf.yaml": b"schema: evil\n"})

    def rewrite(doc):
        for f in doc["files"]:
            if f["path"] == "schemas/iot.esf.yaml":
                f["hash"], f["size"] = FileEntry.for_content("x", b"schema: evil\n").hash, 13
        entries = [FileEntry(f["path"], f["size"], bytes.fromhex(f["hash"][9:])) for f in doc["files"]]
        doc["merkle_root"] = format_digest(merkle_root(entries))

    r = check(edit_sig(files, rewrite))
    assert kinds(r) == [ExitCode.BAD_SIGNATURE] and r.exit_code == 14


def test_swapped_signature_from_other_package():
    other = package(name="esf-other", version="2.0.0", extra={"other.txt": b"o"})
    r = check(dict(PKG, **{SIG: other[SIG]}))
    assert r.exit_code == ExitCode.NAME_VERSION_MISMATCH
    assert ExitCode.MODIFIED in kinds(r) and ExitCode.MISSING in kinds(r)
    msg = [f.message for f in r.findings if f.kind == ExitCode.NAME_VERSION_MISMATCH][0]
    assert "esf-other 2.0.0" in msg and "esf-iot 1.0.0" in msg


def test_truncated_signature_file():
    r = check(dict(PKG, **{SIG: PKG[SIG][: len(PKG[SIG]) // 2]}))
    assert kinds(r) == [ExitCode.MALFORMED_SIGNATURE] and r.exit_code == 17
    assert "not valid JSON" in r.render()


def test_truncated_signature_hex():
    r = check(edit_sig(PKG, lambda d: d.update(signature_hex=d["signature_hex"][:-10])))
    assert r.exit_code == 17 and "signature_hex" in r.findings[0].message


def test_algorithm_changed():
    r = check(edit_sig(PKG, lambda d: d.update(algorithm="ML-DSA-65")))
    assert r.exit_code == 17 and "unsupported algorithm 'ML-DSA-65'" in r.findings[0].message


def test_format_version_1_rejected_as_insecure():
    r = check(edit_sig(PKG, lambda d: d.update(format_version=1)))
    assert r.exit_code == 17 and "insecure" in r.render()


def test_flipped_signature_byte():
    def flip(d):
        s = bytearray(bytes.fromhex(d["signature_hex"]))
        s[100] ^= 0x01
        d["signature_hex"] = s.hex()

    r = check(edit_sig(PKG, flip))
    assert kinds(r) == [ExitCode.BAD_SIGNATURE] and r.exit_code == 14


def test_version_changed_in_signature():
    r = check(edit_sig(PKG, lambda d: d["package"].update(version="1.0.1")))
    assert set(kinds(r)) == {ExitCode.BAD_SIGNATURE, ExitCode.NAME_VERSION_MISMATCH}
    assert r.exit_code == 14


def test_fingerprint_mismatch():
    r = check(edit_sig(PKG, lambda d: d.update(key_fingerprint="sha3-256:" + "0" * 64)))
    assert r.exit_code == 14
    assert any("is not the SHA3-256 of public_key_hex" in f.message for f in r.findings)


def test_missing_signature_file():
    files = dict(PKG)
    del files[SIG]
    r = check(files)
    assert r.exit_code == 17 and "unsigned" in r.render()


def test_unknown_key():
    r = check(package(key=STRANGER))
    assert kinds(r) == [ExitCode.UNKNOWN_KEY] and r.exit_code == 15 and "'stranger'" in r.render()


def test_key_via_extra_trusted_keys():
    assert check(package(key=STRANGER), extra_trusted_keys=[STRANGER.public]).ok


def test_revoked_key_wins_over_extra_key():
    revoked = ring((PUBLISHER, "revoked"))
    r = verify_package(PKG, keyring=revoked, extra_trusted_keys=[PUBLISHER.public])
    assert kinds(r) == [ExitCode.UNTRUSTED_KEY] and r.exit_code == 16 and "revoked" in r.render()


def test_development_key_needs_allow_flag():
    files = package(key=DEV)
    r = check(files, extra_trusted_keys=[DEV.public])
    assert kinds(r) == [ExitCode.UNTRUSTED_KEY] and "--allow-development-key" in r.render()
    assert check(files, extra_trusted_keys=[DEV.public], allow_development_key=True).ok
    # Allowing development keys does not trust an unknown one.
    assert check(files, allow_development_key=True).exit_code == ExitCode.UNKNOWN_KEY


def test_archive_top_dir_checked():
    assert check(PKG, top_dir="esf-iot-1.0.0").ok
    assert check(PKG, top_dir="esf-iot-9.9.9").exit_code == ExitCode.NAME_VERSION_MISMATCH


def test_manifest_mismatch_detected():
    r = check(package(), keyring=TRUSTED)
    assert r.ok
    bad = package()
    bad["estream-component.toml"] = manifest("esf-iot", "2.0.0")
    r = check(bad)
    assert set(kinds(r)) == {ExitCode.MODIFIED, ExitCode.NAME_VERSION_MISMATCH} and r.exit_code == 18


def test_all_findings_collected_and_severity_order():
    files = dict(PKG, **{"README.md": b"changed", "new": b"n"})
    del files["fpga/iot.bit"]
    r = check(files, keyring=ring())
    assert set(kinds(r)) == {ExitCode.MODIFIED, ExitCode.MISSING, ExitCode.UNLISTED, ExitCode.UNKNOWN_KEY}
    assert r.exit_code == ExitCode.UNKNOWN_KEY
    assert set(SEVERITY) == set(ExitCode) - {ExitCode.VALID, ExitCode.USAGE}
    data = json.loads(r.to_json())
    assert data["exit_code"] == 15 and len(data["findings"]) == 4
    assert {f["kind"] for f in data["findings"]} == {"modified", "missing", "unlisted", "unknown_key"}


def test_exit_codes_are_stable():
    # Documented in the verify module docstring; scripts depend on these numbers.
    assert {c.name: c.value for c in ExitCode} == {
        "VALID": 0,
        "USAGE": 2,
        "MODIFIED": 10,
        "MISSING": 11,
        "UNLISTED": 12,
        "MERKLE_MISMATCH": 13,
        "BAD_SIGNATURE": 14,
        "UNKNOWN_KEY": 15,
        "UNTRUSTED_KEY": 16,
        "MALFORMED_SIGNATURE": 17,
        "NAME_VERSION_MISMATCH": 18,
        "FPGA_MANIFEST_MISSING": 20,
        "FPGA_MANIFEST_INVALID": 21,
        "FPGA_PACKAGE_MANIFEST_INVALID": 22,
        "FPGA_VERSION_MISMATCH": 23,
        "FPGA_DEVICE_UNDECLARED": 24,
        "FPGA_CHECKSUM_MISMATCH": 25,
        "FPGA_BITSTREAM_MISSING": 26,
        "FPGA_UNLISTED_BITSTREAM": 27,
    }


def test_fpga_findings_rank_below_every_signature_finding():
    fpga = [c for c in SEVERITY if c.name.startswith("FPGA_")]
    assert SEVERITY[-len(fpga) :] == tuple(fpga)
    assert most_severe([ExitCode.FPGA_CHECKSUM_MISMATCH, ExitCode.UNLISTED]) == ExitCode.UNLISTED
    assert (
        most_severe([ExitCode.FPGA_UNLISTED_BITSTREAM, ExitCode.FPGA_MANIFEST_INVALID])
        == ExitCode.FPGA_MANIFEST_INVALID
    )


def test_most_severe_combines_by_severity_not_number():
    assert most_severe([0, 18, 17, 10]) == ExitCode.MALFORMED_SIGNATURE
    assert most_severe([12, 11]) == ExitCode.MISSING
    assert most_severe([0, 0]) == ExitCode.VALID and most_severe([]) == ExitCode.VALID
    assert most_severe([17, 2]) == ExitCode.USAGE
