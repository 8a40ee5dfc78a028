"""The esf-payments pack meets the spec's privacy rule for financial data (marketplace spec §7.4:
field-level privacy with PCI-DSS and regulatory audience controls): party names and remittance
text are encrypted with explicit regulator and auditor grants, IBANs are encrypted, readable by
the regulator and only hashed for the auditor, and the raw ISO 20022 document is protected."""

from pathlib import Path

from estream.core.esf import parse_esf

PAYMENTS = Path("schemas/esf-payments/schemas/payments.esf.yaml")
ISO = Path("components/estream-wire-iso20022/schemas/iso20022.esf.yaml")


def _fields(path, schema):
    return dict(parse_esf(path.read_text(encoding="utf-8"), str(path)).schemas[schema].fields)


def test_parties_and_accounts_are_protected():
    fields = _fields(PAYMENTS, "CreditTransfer")
    for name in ("debtor_name", "creditor_name", "remittance"):
        p = fields[name].privacy
        assert p.default_level == "encrypted" and dict(p.audiences) == {
            "regulator": "public",
            "auditor": "public",
        }, name
    for name in ("debtor_iban", "creditor_iban"):
        p = fields[name].privacy
        assert p.default_level == "encrypted" and dict(p.audiences) == {
            "regulator": "public",
            "auditor": "hashed",
        }, name


def test_only_routing_and_reconciliation_fields_are_public():
    public = {name for name, f in _fields(PAYMENTS, "CreditTransfer").items() if f.privacy is None}
    assert public == {
        "transfer_key",
        "kind",
        "message_id",
        "end_to_end_id",
        "instruction_id",
        "uetr",
        "amount",
        "currency",
        "settlement_date",
        "requested_execution_date",
        "charge_bearer",
        "debtor_bic",
        "creditor_bic",
    }


def test_the_raw_document_is_protected_like_the_parties():
    p = _fields(ISO, "Iso20022Message")["document"].privacy
    assert p.default_level == "encrypted" and dict(p.audiences) == {
        "regulator": "public",
        "auditor": "public",
    }
