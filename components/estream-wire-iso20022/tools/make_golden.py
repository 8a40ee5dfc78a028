"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The XML inputs are built here (an independent little writer, `E`/`xml`, not the adapter's
renderer); expected outputs come from the reference implementation in src/ and are reviewed
before committing. tests/wire/iso20022_oracle_test.py validates every passing vector's XML and
our egress output against the official ISO 20022 XSDs with xmlschema, and compares the values
xmlschema decodes with ours. This script asserts the contract's round-trip rule:
egress(ingress(wire)) == wire, or the vector's `canonical_wire` (whose ingress is the same message).
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import iso20022 as iso  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "golden")
PACS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09"
PAIN = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10"
tests = []


def E(name, *children, text=None, ccy=None):
    return (name, children, text, ccy)


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml(ns, body, indent="  "):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<Document xmlns="{ns}">']

    def walk(node, depth):
        name, children, text, ccy = node
        attr = f' Ccy="{ccy}"' if ccy else ""
        pad = indent * depth
        if children:
            lines.append(f"{pad}<{name}{attr}>")
            for c in children:
                walk(c, depth + 1)
            lines.append(f"{pad}</{name}>")
        else:
            lines.append(f"{pad}<{name}{attr}>{_esc(text or '')}</{name}>")

    walk(body, 1)
    lines.append("</Document>")
    return "\n".join(lines) + "\n"


def write(name, desc, circuit, inputs, out, tags, canonical=None):
    doc = {"test_vector": {"name": name, "description": desc, "circuit": circuit, "version": "1.0.0"},
           "input": inputs, "expected_output": out}
    if canonical is not None:
        doc["canonical_wire"] = {"text": canonical}
    doc["metadata"] = {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    tests.append((name, tags, "error" if "error" in out else "pass"))


def ingress(name, desc, text, tags, code=None):
    out = iso.ingress({"wire": {"text": text}})
    if code:
        assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
        write(name, desc, "iso20022-ingress", {"wire": {"text": text}}, out, tags + ["error-handling"])
        return out
    assert list(out) == ["message"], (name, out)
    canonical = iso.egress(copy.deepcopy(out))["wire"]["text"]
    if canonical != text:
        assert iso.ingress({"wire": {"text": canonical}}) == out, name
    write(name, desc, "iso20022-ingress", {"wire": {"text": text}}, out, tags, canonical if canonical != text else None)
    return out["message"]


def egress(name, desc, message, tags, code=None):
    out = iso.egress({"message": copy.deepcopy(message)})
    if code:
        assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
        tags = tags + ["error-handling"]
    else:
        assert list(out) == ["wire"], (name, out)
    write(name, desc, "iso20022-egress", {"message": message}, out, tags)


def agent(bic):
    return E("FinInstnId", E("BICFI", text=bic))


def pacs_tx(e2e, amount, ccy, dbtr, dbtr_iban, dbtr_bic, cdtr, cdtr_iban, cdtr_bic, uetr=None, ustrd=None, instr=None, acct_other=False):
    pmt = [E("InstrId", text=instr)] if instr else []
    pmt.append(E("EndToEndId", text=e2e))
    if uetr:
        pmt.append(E("UETR", text=uetr))
    acct = (lambda iban: E("Id", E("Othr", E("Id", text=iban)))) if acct_other else (lambda iban: E("Id", E("IBAN", text=iban)))
    body = [E("PmtId", *pmt), E("IntrBkSttlmAmt", text=amount, ccy=ccy), E("ChrgBr", text="SHAR"),
            E("Dbtr", E("Nm", text=dbtr)), E("DbtrAcct", acct(dbtr_iban)), E("DbtrAgt", agent(dbtr_bic)),
            E("CdtrAgt", agent(cdtr_bic)), E("Cdtr", E("Nm", text=cdtr)), E("CdtrAcct", acct(cdtr_iban))]
    if ustrd:
        body.append(E("RmtInf", E("Ustrd", text=ustrd)))
    return E("CdtTrfTxInf", *body)


def pacs(msg_id, txs, created="2026-02-10T12:00:00Z", nb=None, total=None, date=None, ctrl=None):
    hdr = [E("MsgId", text=msg_id), E("CreDtTm", text=created), E("NbOfTxs", text=str(nb if nb is not None else len(txs)))]
    if ctrl:
        hdr.append(E("CtrlSum", text=ctrl))
    if total:
        hdr.append(E("TtlIntrBkSttlmAmt", text=total[0], ccy=total[1]))
    if date:
        hdr.append(E("IntrBkSttlmDt", text=date))
    hdr.append(E("SttlmInf", E("SttlmMtd", text="INDA")))
    return E("FIToFICstmrCdtTrf", E("GrpHdr", *hdr), *txs)


DE1, DE2 = "DE89370400440532013000", "DE02120300000000202051"
FR1, GB1, NL1 = "FR1420041010050500013M02606", "GB29NWBK60161331926819", "NL91ABNA0417164300"
UETR = "eb6305c9-1f7f-49de-aed0-16487c27b42d"
TX1 = pacs_tx("E2E-0001", "1000.00", "EUR", "Erika Mustermann", DE1, "COBADEFFXXX", "Jean Dupont", FR1, "BNPAFRPP", uetr=UETR, ustrd="Invoice 2026-001", instr="INSTR-1")
PACS1 = xml(PACS, pacs("MSG-PACS-0001", [TX1]))
pacs1 = ingress("pacs008-single-eur", "pacs.008.001.09 with one EUR transfer DE -> FR, UETR and remittance", PACS1, ["basic", "pacs.008"])

TX2 = pacs_tx("E2E-0002", "250.5", "EUR", "Acme GmbH", DE2, "DEUTDEFF", "Beta BV", NL1, "ABNANL2A")
pacs2 = ingress("pacs008-two-transfers-total", "Two transfers with TtlIntrBkSttlmAmt and IntrBkSttlmDt in the group header",
                xml(PACS, pacs("MSG-PACS-0002", [TX1, TX2], total=("1250.5", "EUR"), date="2026-02-11")), ["pacs.008", "sums"])
ingress("pacs008-jpy-other-account", "JPY has no minor unit; accounts identified by Othr/Id (no IBAN)",
        xml(PACS, pacs("MSG-PACS-0003", [pacs_tx("E2E-JP-1", "1500000", "JPY", "Yamada Taro", "1234567", "MHCBJPJT", "Sato Hanako", "7654321", "BOTKJPJT", acct_other=True)])),
        ["pacs.008", "currency"])
ingress("pacs008-bhd-three-decimals", "BHD has three fraction digits",
        xml(PACS, pacs("MSG-PACS-0004", [pacs_tx("E2E-BH-1", "12.345", "BHD", "Gulf Trading", "BH67BMAG00001299123456", "BMAGBHBM", "Jean Dupont", FR1, "BNPAFRPP")])),
        ["pacs.008", "currency"])
ingress("pacs008-escaped-text", "Names and remittance with & < > are escaped in XML and decoded in the records",
        xml(PACS, pacs("MSG-PACS-0005", [pacs_tx("E2E-0005", "10.00", "GBP", "Smith & Sons <Ltd>", GB1, "NWBKGB2L", "A > B Holdings", DE1, "COBADEFF", ustrd="Ref 5 & 6")])),
        ["pacs.008", "escapes"])
ingress("pacs008-unicode-names", "UTF-8 names pass through",
        xml(PACS, pacs("MSG-PACS-0006", [pacs_tx("E2E-0006", "99.99", "EUR", "Jürgen Müller", DE1, "COBADEFFXXX", "Zoë Ånström", FR1, "BNPAFRPP", ustrd="Miete März")])),
        ["pacs.008", "unicode"])
ingress("pacs008-created-offset", "CreDtTm with a +01:00 offset becomes UTC",
        xml(PACS, pacs("MSG-PACS-0007", [TX2], created="2026-02-10T13:00:00.123+01:00")), ["pacs.008", "timestamps"])
ingress("pacs008-prefixed-namespace", "A namespace prefix instead of the default namespace (canonical_wire: default namespace)",
        PACS1.replace("<Document xmlns=", "<doc:Document xmlns:doc=").replace("</Document>", "</doc:Document>").replace("<", "<doc:").replace("<doc:/", "</doc:").replace("<doc:?xml", "<?xml").replace("<doc:doc:", "<doc:").replace("</doc:doc:", "</doc:"),
        ["pacs.008", "namespaces", "canonical"])
ingress("pacs008-comments-compact", "Comments and no indentation are accepted; egress writes the canonical layout (canonical_wire)",
        PACS1.replace("\n", "").replace("  ", "").replace("<GrpHdr>", "<!-- header --><GrpHdr>").replace('?>', '?>\n'),
        ["pacs.008", "canonical"])

def pain(msg_id, pmtinfs, nb, ctrl=None, created="2026-02-10T09:30:00"):
    hdr = [E("MsgId", text=msg_id), E("CreDtTm", text=created), E("NbOfTxs", text=str(nb))]
    if ctrl:
        hdr.append(E("CtrlSum", text=ctrl))
    hdr.append(E("InitgPty", E("Nm", text="Acme GmbH")))
    return E("CstmrCdtTrfInitn", E("GrpHdr", *hdr), *pmtinfs)


def pmtinf(pid, date, dbtr_iban, dbtr_bic, txs, dt_tm=False):
    when = E("ReqdExctnDt", E("DtTm" if dt_tm else "Dt", text=date))
    return E("PmtInf", E("PmtInfId", text=pid), E("PmtMtd", text="TRF"), when, E("Dbtr", E("Nm", text="Acme GmbH")),
             E("DbtrAcct", E("Id", E("IBAN", text=dbtr_iban))), E("DbtrAgt", agent(dbtr_bic)), E("ChrgBr", text="SLEV"), *txs)


def pain_tx(e2e, amount, ccy, cdtr, iban, bic=None, ustrd=None):
    body = [E("PmtId", E("EndToEndId", text=e2e)), E("Amt", E("InstdAmt", text=amount, ccy=ccy))]
    if bic:
        body.append(E("CdtrAgt", agent(bic)))
    body += [E("Cdtr", E("Nm", text=cdtr)), E("CdtrAcct", E("Id", E("IBAN", text=iban)))]
    if ustrd:
        body.append(E("RmtInf", E("Ustrd", text=ustrd)))
    return E("CdtTrfTxInf", *body)


PAIN1 = xml(PAIN, pain("MSG-PAIN-0001", [pmtinf("PMT-1", "2026-02-12", DE2, "DEUTDEFF", [pain_tx("E2E-P-1", "1500.00", "EUR", "Beta BV", NL1, "ABNANL2A", "Order 77")])], 1))
pain1 = ingress("pain001-single", "pain.001.001.10 with one SEPA transfer", PAIN1, ["basic", "pain.001"])
ingress("pain001-two-pmtinf-ctrlsum", "Two payment informations, three transfers, CtrlSum checked",
        xml(PAIN, pain("MSG-PAIN-0002", [
            pmtinf("PMT-1", "2026-02-12", DE2, "DEUTDEFF", [pain_tx("E2E-P-2", "100.10", "EUR", "Beta BV", NL1), pain_tx("E2E-P-3", "0.90", "EUR", "Jean Dupont", FR1, "BNPAFRPP")]),
            pmtinf("PMT-2", "2026-02-13", DE1, "COBADEFFXXX", [pain_tx("E2E-P-4", "99", "EUR", "Erika Mustermann", DE2)])], 3, ctrl="200.00")),
        ["pain.001", "sums"])
ingress("pain001-execution-datetime", "ReqdExctnDt given as DtTm (v10 choice)",
        xml(PAIN, pain("MSG-PAIN-0003", [pmtinf("PMT-3", "2026-02-12T08:00:00Z", DE2, "DEUTDEFF", [pain_tx("E2E-P-5", "5.00", "CHF", "Muster AG", "CH9300762011623852957", "UBSWCHZH80A")], dt_tm=True)], 1)),
        ["pain.001"])

# --- malformed and hostile ------------------------------------------------------------------------
LAUGHS = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<Document xmlns="' + PACS + '"><FIToFICstmrCdtTrf><GrpHdr><MsgId>&lol3;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>\n'
ingress("iso-err-billion-laughs", "Entity expansion (billion laughs): the DOCTYPE is refused before any entity exists", LAUGHS, ["hostile", "xml"], "HostileInput")
ingress("iso-err-external-entity", "XXE: an external entity reading a local file", '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Document xmlns="' + PACS + '"><FIToFICstmrCdtTrf><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>\n', ["hostile", "xml"], "HostileInput")
ingress("iso-err-external-dtd", "An external DTD reference", '<?xml version="1.0"?>\n<!DOCTYPE Document SYSTEM "http://attacker.example/x.dtd">\n' + PACS1.split("\n", 1)[1], ["hostile", "xml"], "HostileInput")
ingress("iso-err-processing-instruction", "A processing instruction (xml-stylesheet)", PACS1.replace("?>\n", '?>\n<?xml-stylesheet href="http://attacker.example/x.xsl"?>\n', 1), ["hostile", "xml"], "HostileInput")
ingress("iso-err-undefined-entity", "An entity reference without any declaration", PACS1.replace("Erika Mustermann", "&foo;"), ["negative", "xml"], "MalformedPacket")
ingress("iso-err-not-well-formed", "An unclosed element", PACS1.replace("</GrpHdr>", ""), ["negative", "xml"], "MalformedPacket")
ingress("iso-err-latin1-declared", "An encoding other than UTF-8 in the XML declaration", PACS1.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), ["negative", "xml"], "MalformedPacket")
ingress("iso-err-unsupported-version", "pacs.008.001.08 is not a supported message definition", PACS1.replace("pacs.008.001.09", "pacs.008.001.08"), ["negative", "version"], "UnsupportedVersion")
ingress("iso-err-no-namespace", "A Document without the ISO 20022 namespace", PACS1.replace(f' xmlns="{PACS}"', ""), ["negative", "namespaces"], "UnsupportedVersion")
ingress("iso-err-wrong-message-element", "A pacs.008 namespace holding a pain.001 body", PAIN1.replace(PAIN, PACS), ["negative"], "UnsupportedElement")
ingress("iso-err-foreign-namespace", "A child element in another namespace", PACS1.replace("<ChrgBr>SHAR</ChrgBr>", '<x:ChrgBr xmlns:x="urn:example">SHAR</x:ChrgBr>'), ["negative", "namespaces"], "UnsupportedElement")
ingress("iso-err-schema-location", "xsi:schemaLocation is refused, not silently dropped", PACS1.replace(f'<Document xmlns="{PACS}">', f'<Document xmlns="{PACS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{PACS} pacs.008.001.09.xsd">'), ["negative"], "UnsupportedElement")
ingress("iso-err-iban-checksum", "Debtor IBAN with a transposed digit fails mod-97", PACS1.replace(DE1, "DE89370400440532013001"), ["negative", "iban"], "BadChecksum")
ingress("iso-err-iban-length", "A German IBAN of 21 characters", PACS1.replace(DE1, DE1[:-1]), ["negative", "iban"], "InvalidValue")
ingress("iso-err-bad-bic", "A BIC with a digit in the country code", PACS1.replace("BNPAFRPP", "BNPA1RPP"), ["negative", "bic"], "InvalidValue")
ingress("iso-err-too-many-decimals", "EUR amounts have two fraction digits", PACS1.replace(">1000.00<", ">1000.001<"), ["negative", "amount"], "InvalidValue")
ingress("iso-err-unknown-currency", "ABC is not an ISO 4217 currency", PACS1.replace('Ccy="EUR"', 'Ccy="ABC"'), ["negative", "amount"], "InvalidValue")
ingress("iso-err-negative-amount", "Amounts are never negative", PACS1.replace(">1000.00<", ">-1000.00<"), ["negative", "amount"], "InvalidValue")
ingress("iso-err-nboftxs-mismatch", "NbOfTxs says 2, the message has 1 transfer", xml(PACS, pacs("MSG-X", [TX1], nb=2)), ["negative", "sums"], "InconsistentMessage")
ingress("iso-err-total-mismatch", "TtlIntrBkSttlmAmt is not the sum of the transfers", xml(PACS, pacs("MSG-X", [TX1, TX2], total=("1250.49", "EUR"))), ["negative", "sums"], "InconsistentMessage")
ingress("iso-err-missing-end-to-end", "A transfer without PmtId/EndToEndId", PACS1.replace("<EndToEndId>E2E-0001</EndToEndId>", ""), ["negative"], "MissingField")
ingress("iso-err-deep-nesting", "Elements nested 40 deep", PACS1.replace("<Ustrd>Invoice 2026-001</Ustrd>", "<Strd>" * 40 + "</Strd>" * 40), ["hostile", "limits"], "LimitExceeded")

# --- egress ----------------------------------------------------------------------------------------
egress("iso-egress-pacs008", "Egress of the pacs.008 gives the canonical XML back", pacs1, ["egress", "pacs.008"])
egress("iso-egress-pain001", "Egress of the pain.001 gives the canonical XML back", pain1, ["egress", "pain.001"])
bad = copy.deepcopy(pacs1)
bad["transfers"][0]["amount"] = 1
egress("iso-egress-err-inconsistent", "A transfer amount edited outside the document is refused", bad, ["egress", "negative"], "InconsistentMessage")
bad = copy.deepcopy(pacs1)
bad["message_definition"] = "pacs.008.001.02"
egress("iso-egress-err-version", "An unsupported message definition cannot be written", bad, ["egress", "negative"], "UnsupportedVersion")

with open(os.path.join(OUT, "manifest.toml"), "w") as f:
    f.write('[test_suite]\nname = "estream-wire-iso20022-golden"\ncircuit = "iso20022-ingress"\nversion = "1.0.0"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error":
            f.write('expected_error = "error"\n')
print(f"{len(tests)} vectors, {sum(1 for t in tests if t[2] == 'error')} error vectors")
