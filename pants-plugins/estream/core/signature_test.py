import json
from datetime import datetime, timedelta, timezone

import pytest

from estream.core.errors import EstreamError
from estream.core.keys import SigningKey
from estream.core.merkle import root_for_files
from estream.core.signature import (
    CONTEXT,
    DOMAIN_TAG,
    format_signed_at,
    parse_signature_file,
    sign_package,
    signed_at_from_source_date_epoch,
)

KEY = SigningKey("test-key", bytes(range(32)))
MANIFEST = b'[component]\nname = "esf-iot"\nversion = "1.0.0"\n'
FILES = {"estream-component.toml": MANIFEST, "circuits/a.circuit.yaml": b"a: 1\n", "README.md": b"# hi\n"}


def sign(files=FILES, **kw):
    args = dict(name="esf-iot", version="1.0.0", key=KEY, signed_at="2026-02-10T12:00:00Z")
    args.update(kw)
    return sign_package(files, **args)


def test_file_shape_and_determinism():
    data = sign()
    assert data == sign(dict(reversed(list(FILES.items()))))
    assert data.endswith(b"}\n")
    doc = json.loads(data)
    assert list(doc) == sorted(doc)
    assert doc["format_version"] == 2 and doc["algorithm"] == "ML-DSA-87"
    assert doc["package"] == {"name": "esf-iot", "version": "1.0.0"}
    assert doc["key_id"] == "test-key" and doc["development_key"] is False
    assert doc["key_fingerprint"] == KEY.fingerprint
    assert doc["merkle_root"] == "sha3-256:" + root_for_files(FILES).hex()
    assert [f["path"] for f in doc["files"]] == [
        "README.md",
        "circuits/a.circuit.yaml",
        "estream-component.toml",
    ]
    assert doc["files"][0]["size"] == 5
    assert len(doc["signature_hex"]) == 2 * 4627 and len(doc["public_key_hex"]) == 2 * 2592


def test_signature_is_over_domain_separated_statement():
    sig = parse_signature_file(sign())
    statement = sig.statement()
    assert statement.startswith(DOMAIN_TAG)
    body = json.loads(statement[len(DOMAIN_TAG) :])
    assert body["file_count"] == 3 and body["package"]["version"] == "1.0.0"
    assert b" " not in statement[len(DOMAIN_TAG) :]
    assert KEY.public.verify(statement, sig.signature, ctx=CONTEXT)
    assert not KEY.public.verify(statement, sig.signature, ctx=b"")
    assert sig.signature_is_valid()


def test_resigning_ignores_existing_signature_file():
    assert sign(dict(FILES, **{"SIGNATURE.ml-dsa": b"old"})) == sign()


def test_manifest_mismatch_refused_at_signing():
    with pytest.raises(EstreamError, match="esf-iot 1.0.0 but the package is being signed as esf-iot 2.0.0"):
        sign(version="2.0.0")


def test_signed_at_forms():
    assert format_signed_at(0) == "1970-01-01T00:00:00Z"
    assert signed_at_from_source_date_epoch("1700000000") == "2023-11-14T22:13:20Z"
    tz = timezone(timedelta(hours=2))
    assert format_signed_at(datetime(2026, 1, 1, 2, 0, tzinfo=tz)) == "2026-01-01T00:00:00Z"
    for bad in ("2026-13-01T00:00:00Z", "yesterday", datetime(2026, 1, 1), True, 10**20):
        with pytest.raises(ValueError):
            format_signed_at(bad)


def mutate(**changes):
    doc = json.loads(sign())
    for k, v in changes.items():
        if v is None:
            del doc[k]
        else:
            doc[k] = v
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "not valid JSON"),
        (b"[]", "expected a JSON object"),
        (b"\xff", "not UTF-8"),
        (mutate(format_version=1), "rejected as insecure"),
        (mutate(format_version=3), "unsupported format_version 3"),
        (mutate(format_version=2.0), "found 2.0 (a float)"),
        (mutate(format_version="2"), '"2" (a str)'),
        (mutate(format_version=True), "(a boolean)"),
        (mutate(algorithm="ML-DSA-65"), "unsupported algorithm 'ML-DSA-65'"),
        (mutate(signature_hex=None), "`signature_hex`: missing required field"),
        (mutate(signature_hex="ab" * 100), "100 bytes, expected 4627"),
        (mutate(signature_hex="AB" * 4627), "lowercase hex"),
        (mutate(public_key_hex="00" * 1312), "expected 2592"),
        (mutate(merkle_root="sha1:00"), "merkle_root"),
        (mutate(files=[]), "non-empty array"),
        (mutate(files=[{"path": "../x", "hash": "sha3-256:" + "0" * 64, "size": 1}]), "`..`"),
        (
            mutate(files=[{"path": "SIGNATURE.ml-dsa", "hash": "sha3-256:" + "0" * 64, "size": 1}]),
            "cannot list itself",
        ),
        (mutate(files=[{"path": "a", "hash": "sha3-256:" + "0" * 64, "size": -1}] * 2), "duplicate path"),
        (mutate(extra=1), "unknown field"),
        (mutate(development_key="no"), "true or false"),
        (mutate(signed_at="now"), "UTC timestamp"),
        (sign()[:-300], "not valid JSON"),
        (b'{"format_version": 2, "format_version": 2}', "duplicate JSON key"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_malformed_rejected(data, needle):
    with pytest.raises(EstreamError) as e:
        parse_signature_file(data)
    assert needle in str(e.value)
    assert "SIGNATURE.ml-dsa" in str(e.value)


def test_all_problems_reported_at_once():
    with pytest.raises(EstreamError) as e:
        parse_signature_file(mutate(algorithm="RSA", key_id=None, signature_hex="00"))
    text = str(e.value)
    assert "algorithm" in text and "key_id" in text and "signature_hex" in text


def test_too_many_entries_is_one_diagnostic_before_per_entry_work():
    # Issue 13: a million bogus entries cost 800 MB, 13 s and a million error lines.
    from estream.core.signature import MAX_SIGNATURE_ENTRIES

    bogus = mutate(files=[{"path": "a", "hash": "x", "size": 1}] * (MAX_SIGNATURE_ENTRIES + 1))
    with pytest.raises(EstreamError) as e:
        parse_signature_file(bogus)
    (d,) = e.value.diagnostics
    assert (
        d.key == "files"
        and f"lists {MAX_SIGNATURE_ENTRIES + 1} files; the limit is {MAX_SIGNATURE_ENTRIES}" in d.message
    )


@pytest.mark.parametrize(
    "data, needle",
    [
        (b'{"format_version": ' + b"9" * 5000 + b"}", "integer with 5000 digits"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 32 levels"),
        (b" " * (4 * 1024 * 1024 + 1), "the limit is 4194304 bytes"),
    ],
)
def test_parser_limits_are_diagnostics(data, needle):
    with pytest.raises(EstreamError) as e:
        parse_signature_file(data)
    assert needle in str(e.value) and "SIGNATURE.ml-dsa" in str(e.value)


def test_a_signature_file_without_files_is_an_error_not_a_crash() -> None:
    # `files` missing altogether once reached len(None) (found by mypy after the entry cap landed).
    with pytest.raises(EstreamError) as e:
        parse_signature_file(b'{"format_version": 2}')
    assert "`files`: missing required field" in str(e.value)
