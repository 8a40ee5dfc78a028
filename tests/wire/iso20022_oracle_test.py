"""Cross-check estream-wire-iso20022 against the official ISO 20022 XSDs with `xmlschema`.

* Every passing golden vector: the wire XML (and its canonical form) and our egress output are
  valid against the official pacs.008.001.09 / pain.001.001.10 schema (tests/wire/iso20022_xsd/,
  see SOURCE.md), and the values `xmlschema` decodes (amounts as decimals, currencies, ids,
  IBANs, BICs, names, dates) equal our `CreditTransfer` records; xmlschema's re-encoding of what it
  decoded (written by ElementTree in the same layout) is byte for byte our egress.
* Every error vector is refused either by the XSD as well, or by a named business rule the XSD
  cannot express (mod-97, currency minor units, sums, hostile XML constructs...): nothing we refuse
  is unexplained.
* A seeded random corpus of pacs.008 and pain.001 messages (random parties with XML-special and
  non-ASCII characters, IBANs whose check digits this test computes itself, BICs, amounts in
  currencies of 0, 2 and 3 decimals): ours decodes what xmlschema decodes, our egress is
  schema-valid and byte-identical to the input, and a one-digit change in any IBAN is refused.
"""

import copy
import glob
import importlib.util
import json
import os
import random
from decimal import Decimal

import pytest
import xmlschema

PKG = os.path.join("components", "estream-wire-iso20022")
SRC = os.path.join(PKG, "src")
XSD_DIR = os.path.join("tests", "wire", "iso20022_xsd")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(SRC, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ISO = _load("iso20022")
SCHEMAS = {
    d: xmlschema.XMLSchema(os.path.join(XSD_DIR, d + ".xsd")) for d in ("pacs.008.001.09", "pain.001.001.10")
}


def _vectors():
    out = []
    for path in sorted(glob.glob(os.path.join(PKG, "tests", "golden", "*.json"))):
        with open(path, encoding="utf-8") as f:
            out.append((os.path.basename(path), json.load(f)))
    return out


VECTORS = _vectors()
PASSING = [
    (n, d)
    for n, d in VECTORS
    if d["test_vector"]["circuit"] == "iso20022-ingress" and "message" in d["expected_output"]
]
FAILING = [
    (n, d)
    for n, d in VECTORS
    if d["test_vector"]["circuit"] == "iso20022-ingress" and "error" in d["expected_output"]
]

# Refusals the XSD cannot express: vector name -> the rule.
BEYOND_XSD = {
    "iso-err-iban-checksum.json": "ISO 7064 mod-97 check digits",
    "iso-err-iban-length.json": "per-country IBAN length (ISO 13616 registry)",
    "iso-err-too-many-decimals.json": "currency minor units (ISO 4217: EUR has 2)",
    "iso-err-unknown-currency.json": "ISO 4217 code list (the XSD only checks [A-Z]{3})",
    "iso-err-nboftxs-mismatch.json": "NbOfTxs equals the number of transactions",
    "iso-err-total-mismatch.json": "TtlIntrBkSttlmAmt equals the sum of the transactions",
    "iso-err-schema-location.json": "no attributes beyond Ccy (xsi:schemaLocation is legal XML Schema instance markup)",
    "iso-err-latin1-declared.json": "UTF-8 only (ISO 20022 XML messages are UTF-8)",
    "iso-err-processing-instruction.json": "no processing instructions (legal XML)",
    "iso-err-billion-laughs.json": "no DOCTYPE: entity expansion",
    "iso-err-external-entity.json": "no DOCTYPE: external entities",
    "iso-err-external-dtd.json": "no DOCTYPE: external DTD",
}


def _xsd_errors(definition, text):
    try:
        return list(SCHEMAS[definition].iter_errors(text))
    except Exception as e:  # not well-formed, or refused by xmlschema's own defusing
        return [e]


def _decoded(definition, text):
    return SCHEMAS[definition].to_dict(text, decimal_type=str, strip_namespaces=True)


def _library_bytes(definition, text):
    """xmlschema decodes and re-encodes the message; ElementTree writes it with a default namespace,
    two-space indentation and a UTF-8 declaration (the layout our egress uses)."""
    import xml.etree.ElementTree as ET

    schema = SCHEMAS[definition]
    elem = schema.encode(schema.to_dict(text))
    ET.register_namespace("", schema.target_namespace)
    if hasattr(ET, "indent"):
        ET.indent(elem, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(elem, encoding="unicode") + "\n"


def _listify(v):
    return v if isinstance(v, list) else [v]


def _units(amount):
    return int(Decimal(amount["$"]) * ISO.SCALE)


def _iban(acct):
    return acct["Id"].get("IBAN") if acct else None


def _library_transfers(definition, text):
    """What xmlschema decodes, in our record's terms."""
    doc = _decoded(definition, text)
    out = []
    if definition.startswith("pacs"):
        for tx in _listify(doc["FIToFICstmrCdtTrf"]["CdtTrfTxInf"]):
            out.append(
                {
                    "end_to_end_id": tx["PmtId"]["EndToEndId"],
                    "amount": _units(tx["IntrBkSttlmAmt"]),
                    "currency": tx["IntrBkSttlmAmt"]["@Ccy"],
                    "debtor_name": tx.get("Dbtr", {}).get("Nm"),
                    "creditor_name": tx.get("Cdtr", {}).get("Nm"),
                    "debtor_iban": _iban(tx.get("DbtrAcct")),
                    "creditor_iban": _iban(tx.get("CdtrAcct")),
                    "debtor_bic": tx["DbtrAgt"]["FinInstnId"]["BICFI"],
                    "creditor_bic": tx["CdtrAgt"]["FinInstnId"]["BICFI"],
                    "remittance": _listify(tx["RmtInf"]["Ustrd"])[0] if "RmtInf" in tx else None,
                }
            )
    else:
        for pmt in _listify(doc["CstmrCdtTrfInitn"]["PmtInf"]):
            for tx in _listify(pmt["CdtTrfTxInf"]):
                amt = tx["Amt"]["InstdAmt"]
                out.append(
                    {
                        "end_to_end_id": tx["PmtId"]["EndToEndId"],
                        "amount": _units(amt),
                        "currency": amt["@Ccy"],
                        "debtor_name": pmt["Dbtr"].get("Nm"),
                        "creditor_name": tx.get("Cdtr", {}).get("Nm"),
                        "debtor_iban": _iban(pmt["DbtrAcct"]),
                        "creditor_iban": _iban(tx.get("CdtrAcct")),
                        "debtor_bic": pmt["DbtrAgt"]["FinInstnId"].get("BICFI"),
                        "creditor_bic": tx.get("CdtrAgt", {}).get("FinInstnId", {}).get("BICFI"),
                        "remittance": _listify(tx["RmtInf"]["Ustrd"])[0] if "RmtInf" in tx else None,
                    }
                )
    return doc, out


def _ours(transfers):
    keys = (
        "end_to_end_id",
        "amount",
        "currency",
        "debtor_name",
        "creditor_name",
        "debtor_iban",
        "creditor_iban",
        "debtor_bic",
        "creditor_bic",
        "remittance",
    )
    return [{k: t.get(k) for k in keys} for t in transfers]


@pytest.mark.parametrize("name,doc", PASSING, ids=[n for n, _ in PASSING])
def test_vector_is_schema_valid_and_decodes_like_xmlschema(name, doc):
    message = doc["expected_output"]["message"]
    definition = message["message_definition"]
    for text in {doc["input"]["wire"]["text"], doc.get("canonical_wire", doc["input"]["wire"])["text"]}:
        assert _xsd_errors(definition, text) == []
        decoded, theirs = _library_transfers(definition, text)
        assert theirs == _ours(message["transfers"])
        header = decoded[next(iter(k for k in decoded if not k.startswith("@")))]["GrpHdr"]
        assert header["MsgId"] == message["message_id"]
        assert int(header["NbOfTxs"]) == message["number_of_transactions"]
    written = ISO.translate_egress(copy.deepcopy(message)).decode("utf-8")
    assert written == doc.get("canonical_wire", doc["input"]["wire"])["text"]
    assert _xsd_errors(definition, written) == []
    assert _library_bytes(definition, doc["input"]["wire"]["text"]) == written


@pytest.mark.parametrize("name,doc", FAILING, ids=[n for n, _ in FAILING])
def test_every_refusal_is_the_xsds_or_a_named_rule(name, doc):
    text = doc["input"]["wire"]["text"]
    assert ISO.ingress(copy.deepcopy(doc["input"])) == doc["expected_output"]
    if name in BEYOND_XSD:
        return
    assert any(
        _xsd_errors(d, text) for d in SCHEMAS
    ), f"{name}: the XSDs accept it but we refuse it, and no rule is named"
    for d in SCHEMAS:
        assert _xsd_errors(d, text), f"{name} is valid {d}"


# --- generated corpus ---------------------------------------------------------------------------------

COUNTRY_LENGTHS = {"DE": 22, "FR": 27, "NL": 18, "GB": 22, "CH": 21, "IT": 27, "BE": 16, "AT": 20}
CURRENCIES = {"EUR": 2, "USD": 2, "CHF": 2, "JPY": 0, "KWD": 3}
NAME_CHARS = "ABCdefg xyz&<>'\"éüßÅ-./"


def _iban_with_check_digits(rng, country):
    bban_len = COUNTRY_LENGTHS[country] - 4
    bban = "".join(
        rng.choice("0123456789" if rng.random() < 0.8 else "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for _ in range(bban_len)
    )
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def _bic(rng):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    bic = (
        "".join(rng.choice(letters) for _ in range(4))
        + rng.choice(["DE", "FR", "NL", "GB", "CH"])
        + "".join(rng.choice(letters + "0123456789") for _ in range(2))
    )
    return bic + ("".join(rng.choice(letters) for _ in range(3)) if rng.random() < 0.5 else "")


def _amount(rng, ccy):
    decimals = CURRENCIES[ccy]
    whole = str(rng.randint(0, 10 ** rng.randint(1, 9)))
    if decimals and rng.random() < 0.7:
        return whole + "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, decimals)))
    return whole


def _name(rng):
    return "".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(1, 40))).strip() or "X"


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml(ns, node):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<Document xmlns="{ns}">']

    def walk(n, depth):
        name, children, text, ccy = n
        attr = f' Ccy="{ccy}"' if ccy else ""
        if children:
            lines.append(f"{'  ' * depth}<{name}{attr}>")
            for c in children:
                walk(c, depth + 1)
            lines.append(f"{'  ' * depth}</{name}>")
        else:
            lines.append(f"{'  ' * depth}<{name}{attr}>{_esc(text)}</{name}>")

    walk(node, 1)
    return "\n".join(lines + ["</Document>"]) + "\n"


def E(name, *children, text=None, ccy=None):
    return (name, children, text, ccy)


def _random_message(rng, i):
    pacs = rng.random() < 0.5
    n = rng.randint(1, 4)
    ccy = rng.choice(sorted(CURRENCIES))
    txs, expected = [], []
    dbtr_iban, dbtr_bic, dbtr = (
        _iban_with_check_digits(rng, rng.choice(sorted(COUNTRY_LENGTHS))),
        _bic(rng),
        _name(rng),
    )
    for t in range(n):
        amount = _amount(rng, ccy)
        cdtr, cdtr_iban, cdtr_bic, ustrd = (
            _name(rng),
            _iban_with_check_digits(rng, rng.choice(sorted(COUNTRY_LENGTHS))),
            _bic(rng),
            _name(rng),
        )
        e2e = f"E2E-{i}-{t}"
        if pacs:
            txs.append(
                E(
                    "CdtTrfTxInf",
                    E("PmtId", E("EndToEndId", text=e2e)),
                    E("IntrBkSttlmAmt", text=amount, ccy=ccy),
                    E("ChrgBr", text="SLEV"),
                    E("Dbtr", E("Nm", text=dbtr)),
                    E("DbtrAcct", E("Id", E("IBAN", text=dbtr_iban))),
                    E("DbtrAgt", E("FinInstnId", E("BICFI", text=dbtr_bic))),
                    E("CdtrAgt", E("FinInstnId", E("BICFI", text=cdtr_bic))),
                    E("Cdtr", E("Nm", text=cdtr)),
                    E("CdtrAcct", E("Id", E("IBAN", text=cdtr_iban))),
                    E("RmtInf", E("Ustrd", text=ustrd)),
                )
            )
        else:
            txs.append(
                E(
                    "CdtTrfTxInf",
                    E("PmtId", E("EndToEndId", text=e2e)),
                    E("Amt", E("InstdAmt", text=amount, ccy=ccy)),
                    E("CdtrAgt", E("FinInstnId", E("BICFI", text=cdtr_bic))),
                    E("Cdtr", E("Nm", text=cdtr)),
                    E("CdtrAcct", E("Id", E("IBAN", text=cdtr_iban))),
                    E("RmtInf", E("Ustrd", text=ustrd)),
                )
            )
        expected.append(int(Decimal(amount) * ISO.SCALE))
    if pacs:
        body = E(
            "FIToFICstmrCdtTrf",
            E(
                "GrpHdr",
                E("MsgId", text=f"MSG-{i}"),
                E("CreDtTm", text="2026-02-10T12:00:00Z"),
                E("NbOfTxs", text=str(n)),
                E("SttlmInf", E("SttlmMtd", text="CLRG")),
            ),
            *txs,
        )
        return "pacs.008.001.09", _xml(ISO.PREFIX + "pacs.008.001.09", body), expected, [dbtr_iban]
    pmt = E(
        "PmtInf",
        E("PmtInfId", text=f"PMT-{i}"),
        E("PmtMtd", text="TRF"),
        E("ReqdExctnDt", E("Dt", text="2026-02-12")),
        E("Dbtr", E("Nm", text=dbtr)),
        E("DbtrAcct", E("Id", E("IBAN", text=dbtr_iban))),
        E("DbtrAgt", E("FinInstnId", E("BICFI", text=dbtr_bic))),
        *txs,
    )
    body = E(
        "CstmrCdtTrfInitn",
        E(
            "GrpHdr",
            E("MsgId", text=f"MSG-{i}"),
            E("CreDtTm", text="2026-02-10T12:00:00"),
            E("NbOfTxs", text=str(n)),
            E("InitgPty", E("Nm", text="Initiator")),
        ),
        pmt,
    )
    return "pain.001.001.10", _xml(ISO.PREFIX + "pain.001.001.10", body), expected, [dbtr_iban]


def test_generated_corpus_against_the_official_xsds():
    rng = random.Random(20260210)
    for i in range(150):
        definition, text, amounts, ibans = _random_message(rng, i)
        assert _xsd_errors(definition, text) == [], text
        ours = ISO.translate_ingress(text.encode("utf-8"))
        _, theirs = _library_transfers(definition, text)
        assert theirs == _ours(ours["transfers"]), text
        assert [t["amount"] for t in ours["transfers"]] == amounts
        written = ISO.translate_egress(copy.deepcopy(ours)).decode("utf-8")
        assert written == text
        assert _xsd_errors(definition, written) == []
        assert _library_bytes(definition, text) == written
        # one changed digit in an IBAN: the XSD pattern still matches, mod-97 does not
        iban = ibans[0]
        pos = rng.randrange(4, len(iban))
        while not iban[pos].isdigit():
            pos = rng.randrange(4, len(iban))
        broken = iban[:pos] + str((int(iban[pos]) + rng.randint(1, 9)) % 10) + iban[pos + 1 :]
        bad = text.replace(iban, broken)
        assert _xsd_errors(definition, bad) == []
        out = ISO.ingress({"wire": {"text": bad}})
        assert out["error"]["code"] == "BadChecksum", out
