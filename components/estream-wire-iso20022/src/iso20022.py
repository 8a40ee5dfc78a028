"""ISO 20022 wire adapter: pacs.008.001.09 and pain.001.001.10 XML <-> `Iso20022Message` records.

Reference implementation of the `iso20022_ingress` / `iso20022_egress` circuits, standard
library only. `translate_ingress(wire: bytes) -> dict` and `translate_egress(message) -> bytes`
raise `IsoError`; the circuit functions `ingress(inputs)` / `egress(inputs)` return
`{"error": {...}}` for bad input and never raise.

Decisions:

* Hostile XML is refused before it can do harm. The document is parsed with expat directly
  (no DOM, no entity resolution): any DOCTYPE, entity declaration, external entity reference or
  processing instruction is `HostileInput`, so neither entity expansion ("billion laughs") nor
  external entities (XXE) can happen; undefined entities are a syntax error. Limits: 1 MiB,
  depth 32, 20 000 elements, 10 000 characters per value.
* Lossless tree first. `document` holds the message element (`FIToFICstmrCdtTrf` or
  `CstmrCdtTrfInitn`) as `{name, text?, currency?, children}`; every element must be in the
  message's namespace and the only attribute allowed is `Ccy` on amounts (ISO 20022 messages
  use no others; `xsi:` attributes are refused rather than dropped). Mixed content is refused.
* Canonical XML: `<?xml version="1.0" encoding="UTF-8"?>`, a default namespace on `Document`,
  two-space indentation, one element per line, `&amp; &lt; &gt;` (and `&quot;` in attributes)
  as the only escapes. Other layouts (prefixes, comments, CDATA, other indentation) are accepted
  and written back canonically (golden vectors give `canonical_wire`).
* Checks wherever the element occurs: `IBAN` (ISO 13616 shape, country length, mod-97 = 1),
  `BICFI`/`AnyBIC` (ISO 9362), amounts (`Ccy` an active ISO 4217 code, at most 18 digits and
  no more fraction digits than the currency has), `NbOfTxs`, `CtrlSum` and
  `TtlIntrBkSttlmAmt` against the transactions.
* Derived records: one esf-payments `CreditTransfer` per transaction; amounts as u64 in units
  of 10^-5 (the most fraction digits ISO 20022 allows), `transfer_key =
  SHA3-256("estream.payments.transfer.v1" 0 message id 0 end-to-end id 0 index)`. Egress
  renders `document` and requires the rest of the message to be what ingress derives from it
  (`InconsistentMessage`), so an edit outside the tree is refused, never lost.
* `CreDtTm` without a zone is taken as UTC (ISO 20022 leaves it to the parties); with an offset
  it is converted.
"""

import datetime
import hashlib
import re
from decimal import Decimal
from xml.parsers import expat

PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
MESSAGES = {
    "pacs.008.001.09": ("FIToFICstmrCdtTrf", "CustomerCreditTransfer"),
    "pain.001.001.10": ("CstmrCdtTrfInitn", "PaymentInitiation"),
}
MAX_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_ELEMENTS = 20000
MAX_TEXT = 10000
SCALE = 100000  # amounts in units of 10^-5

# Active ISO 4217 codes and their minor units (a commonly used subset; others are refused).
_MINOR = {}
for _units, _codes in (
    (2, "AED AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF ILS INR MXN NOK NZD PLN RON SEK SGD THB TRY USD ZAR"),
    (0, "JPY KRW ISK CLP VND XOF XAF"),
    (3, "BHD KWD OMR JOD TND"),
):
    for _c in _codes.split():
        _MINOR[_c] = _units

# IBAN lengths per country (ISO 13616 registry, a commonly used subset; others get the mod-97 check only).
_IBAN_LENGTH = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}
_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}\Z")
_BIC_RE = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?\Z")
_AMOUNT_RE = re.compile(r"(\d+)(?:\.(\d+))?\Z")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?\Z"
)
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,34}\Z")
BIC_ELEMENTS = ("BICFI", "AnyBIC", "BICOrBEI")


class IsoError(Exception):
    def __init__(self, code, message, field=None, offset=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.offset = offset

    def to_dict(self):
        out = {"code": self.code, "message": self.message}
        if self.offset is not None:
            out["offset"] = self.offset
        if self.field is not None:
            out["field"] = self.field
        return out


# --- parsing ----------------------------------------------------------------------------------------


def _hostile(what):
    def handler(*args):
        raise IsoError("HostileInput", f"{what} refused: ISO 20022 messages need none, and they enable entity expansion and external entity attacks")

    return handler


class _TreeBuilder:
    def __init__(self, parser):
        self.parser = parser
        self.stack = []
        self.root = None
        self.count = 0
        self.namespace = None

    def _where(self):
        return "/".join(e["name"] for e in self.stack)

    def start(self, name, attrs):
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise IsoError("LimitExceeded", f"more than {MAX_ELEMENTS} elements", offset=self.parser.CurrentByteIndex)
        if len(self.stack) >= MAX_DEPTH:
            raise IsoError("LimitExceeded", f"elements nested deeper than {MAX_DEPTH}", field=self._where(), offset=self.parser.CurrentByteIndex)
        uri, _, local = name.rpartition(" ")
        if self.root is None:
            if local != "Document":
                raise IsoError("UnsupportedElement", f"the root element must be Document, found {local!r}", field=local)
            if not uri.startswith(PREFIX):
                raise IsoError("UnsupportedVersion", f"Document is not in an ISO 20022 namespace: {uri or 'no namespace'!r}", field="Document")
            definition = uri[len(PREFIX):]
            if definition not in MESSAGES:
                raise IsoError(
                    "UnsupportedVersion",
                    f"message definition {definition!r} is not supported (supported: {', '.join(MESSAGES)})",
                    field="Document",
                )
            self.namespace = uri
        elif uri != self.namespace:
            raise IsoError(
                "UnsupportedElement",
                f"element {local!r} is in namespace {uri or 'none'!r}, not the message's {self.namespace!r}",
                field=self._where() + "/" + local,
            )
        element = {"name": local, "children": [], "_text": []}
        for key, value in attrs.items():
            akey = key.rpartition(" ")[2]
            if key == "Ccy":
                element["currency"] = value
            else:
                raise IsoError(
                    "UnsupportedElement",
                    f"attribute {akey!r} on {local} is not supported (ISO 20022 uses only Ccy on amounts)",
                    field=(self._where() + "/" if self.stack else "") + local + "/@" + akey,
                )
        if self.stack:
            self.stack[-1]["children"].append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, name):
        element = self.stack.pop()
        text = "".join(element.pop("_text"))
        if element["children"]:
            if text.strip():
                raise IsoError("MalformedPacket", f"{element['name']} mixes text and elements", field=self._where() + "/" + element["name"])
        else:
            if len(text) > MAX_TEXT:
                raise IsoError("LimitExceeded", f"{element['name']} holds more than {MAX_TEXT} characters", field=element["name"])
            element["text"] = text

    def data(self, text):
        if self.stack:
            self.stack[-1]["_text"].append(text)


def parse_xml(wire_bytes):
    """(namespace, root `Document` element tree) from XML bytes, refusing anything hostile."""
    if len(wire_bytes) > MAX_BYTES:
        raise IsoError("LimitExceeded", f"the message is longer than {MAX_BYTES} bytes", offset=MAX_BYTES)
    parser = expat.ParserCreate(encoding=None, namespace_separator=" ")
    builder = _TreeBuilder(parser)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _hostile("a DOCTYPE")
    parser.EntityDeclHandler = _hostile("an entity declaration")
    parser.UnparsedEntityDeclHandler = _hostile("an unparsed entity")
    parser.ExternalEntityRefHandler = _hostile("an external entity")
    parser.ProcessingInstructionHandler = _hostile("a processing instruction")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def xml_decl(version, encoding, standalone):
        if encoding is not None and encoding.upper() not in ("UTF-8", "UTF8"):
            raise IsoError("MalformedPacket", f"the XML declaration says encoding={encoding!r}; ISO 20022 messages are UTF-8", field="?xml")

    parser.XmlDeclHandler = xml_decl
    try:
        parser.Parse(wire_bytes, True)
    except expat.ExpatError as e:
        raise IsoError("MalformedPacket", f"not well-formed XML: {expat.ErrorString(e.code)} (line {e.lineno}, column {e.offset})", offset=parser.CurrentByteIndex) from None
    if builder.root is None:
        raise IsoError("MalformedPacket", "no root element")
    return builder.namespace, builder.root


# --- checks -----------------------------------------------------------------------------------------


def iban_problem(iban):
    if not _IBAN_RE.match(iban):
        return "is not an IBAN (2 letters, 2 check digits, up to 30 letters or digits)"
    expected = _IBAN_LENGTH.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return f"has {len(iban)} characters, {iban[:2]} IBANs have {expected}"
    digits = "".join(str(int(c, 36)) for c in (iban[4:] + iban[:4]).upper())
    if int(digits) % 97 != 1:
        return "fails the ISO 7064 mod-97 check (a typo or a transposition)"
    return None


def amount_units(text, currency, where):
    """Amount text -> integer units of 10^-5, checked against the currency."""
    if currency is None:
        raise IsoError("MissingField", f"{where} needs a Ccy attribute", field=where)
    if currency not in _MINOR:
        raise IsoError("InvalidValue", f"{where}: {currency!r} is not an active ISO 4217 currency code this adapter knows", field=where + "/@Ccy")
    m = _AMOUNT_RE.match(text)
    if not m:
        raise IsoError("InvalidValue", f"{where}: {text!r} is not a decimal amount (digits, optional . and fraction)", field=where)
    whole, frac = m.group(1), m.group(2) or ""
    if len(whole.lstrip("0") or "0") + len(frac) > 18 or len(frac) > 5:
        raise IsoError("InvalidValue", f"{where}: {text!r} has more than 18 digits or 5 fraction digits", field=where)
    if len(frac) > _MINOR[currency]:
        raise IsoError("InvalidValue", f"{where}: {currency} amounts have at most {_MINOR[currency]} fraction digits, found {text!r}", field=where)
    return int(Decimal(text) * SCALE)


def _check_tree(element, path):
    where = f"{path}/{element['name']}" if path else element["name"]
    if not _NAME_RE.match(element["name"]):
        raise IsoError("InvalidValue", f"{where}: element names are 1-35 letters and digits", field=where)
    text = element.get("text")
    if text is not None:
        name = element["name"]
        if name == "IBAN":
            problem = iban_problem(text)
            if problem:
                code = "BadChecksum" if "mod-97" in problem else "InvalidValue"
                raise IsoError(code, f"{where}: {text!r} {problem}", field=where)
        elif name in BIC_ELEMENTS and not _BIC_RE.match(text):
            raise IsoError("InvalidValue", f"{where}: {text!r} is not a BIC (4 letters/digits, country, 2 location, optional 3 branch)", field=where)
        if "currency" in element:
            amount_units(text, element["currency"], where)
        elif name.endswith("Amt") or name in ("InstdAmt",):
            raise IsoError("MissingField", f"{where} needs a Ccy attribute", field=where + "/@Ccy")
    for child in element["children"]:
        _check_tree(child, where)


# --- derived records --------------------------------------------------------------------------------


def _child(element, name):
    for c in element["children"]:
        if c["name"] == name:
            return c
    return None


def _children(element, name):
    return [c for c in element["children"] if c["name"] == name]


def _path(element, *names):
    for n in names:
        if element is None:
            return None
        element = _child(element, n)
    return element


def _text(element, *names):
    e = _path(element, *names)
    return None if e is None else e.get("text")


def _required(element, where, *names):
    value = _text(element, *names)
    if value is None or value == "":
        field = where + "/" + "/".join(names)
        raise IsoError("MissingField", f"{field} is required", field=field)
    return value


def iso_timestamp(text, where):
    m = _DATETIME_RE.match(text)
    if not m:
        raise IsoError("InvalidValue", f"{where}: {text!r} is not an ISO date-time (YYYY-MM-DDThh:mm:ss[.f][zone])", field=where)
    day, hh, mm, ss, frac, tz = m.groups()
    try:
        dt = datetime.datetime.strptime(f"{day}T{hh}:{mm}:{ss}", "%Y-%m-%dT%H:%M:%S")
    except ValueError as e:
        raise IsoError("InvalidValue", f"{where}: {text!r}: {e}", field=where) from None
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        dt -= sign * datetime.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (frac or "") + "Z"


def _date(text, where):
    if text is None:
        return None
    if not _DATE_RE.match(text):
        raise IsoError("InvalidValue", f"{where}: {text!r} is not an ISO date YYYY-MM-DD", field=where)
    try:
        datetime.date.fromisoformat(text)
    except ValueError as e:
        raise IsoError("InvalidValue", f"{where}: {text!r}: {e}", field=where) from None
    return text


def _key(*parts):
    h = hashlib.sha3_256(b"estream.payments.transfer.v1")
    for p in parts:
        h.update(b"\x00" + p.encode("utf-8"))
    return h.hexdigest()


def _opt(record):
    return {k: v for k, v in record.items() if v is not None}


def _account(party_acct):
    return _text(party_acct, "Id", "IBAN") if party_acct is not None else None


def _transfers_pacs008(doc, message_id):
    where = doc["name"]
    group = _child(doc, "GrpHdr")
    txs = _children(doc, "CdtTrfTxInf")
    date = _date(_text(group, "IntrBkSttlmDt"), f"{where}/GrpHdr/IntrBkSttlmDt")
    out = []
    for i, tx in enumerate(txs):
        w = f"{where}/CdtTrfTxInf[{i}]"
        amt = _path(tx, "IntrBkSttlmAmt")
        if amt is None:
            raise IsoError("MissingField", f"{w}/IntrBkSttlmAmt is required", field=f"{w}/IntrBkSttlmAmt")
        e2e = _required(tx, w, "PmtId", "EndToEndId")
        out.append(
            _opt(
                {
                    "transfer_key": _key(message_id, e2e, str(i)),
                    "kind": "CustomerCreditTransfer",
                    "message_id": message_id,
                    "end_to_end_id": e2e,
                    "instruction_id": _text(tx, "PmtId", "InstrId"),
                    "uetr": _text(tx, "PmtId", "UETR"),
                    "amount": amount_units(amt["text"], amt.get("currency"), f"{w}/IntrBkSttlmAmt"),
                    "currency": amt.get("currency"),
                    "settlement_date": _date(_text(tx, "IntrBkSttlmDt"), f"{w}/IntrBkSttlmDt") or date,
                    "charge_bearer": _required(tx, w, "ChrgBr"),
                    "debtor_name": _text(tx, "Dbtr", "Nm"),
                    "debtor_iban": _account(_child(tx, "DbtrAcct")),
                    "debtor_bic": _required(tx, w, "DbtrAgt", "FinInstnId", "BICFI"),
                    "creditor_name": _text(tx, "Cdtr", "Nm"),
                    "creditor_iban": _account(_child(tx, "CdtrAcct")),
                    "creditor_bic": _required(tx, w, "CdtrAgt", "FinInstnId", "BICFI"),
                    "remittance": _text(tx, "RmtInf", "Ustrd"),
                }
            )
        )
    return out


def _transfers_pain001(doc, message_id):
    where = doc["name"]
    out = []
    for p, pmt in enumerate(_children(doc, "PmtInf")):
        pw = f"{where}/PmtInf[{p}]"
        _required(pmt, pw, "PmtInfId")
        method = _required(pmt, pw, "PmtMtd")
        if method not in ("TRF", "CHK", "TRA"):
            raise IsoError("InvalidValue", f"{pw}/PmtMtd must be TRF, CHK or TRA, found {method!r}", field=f"{pw}/PmtMtd")
        exec_date = _text(pmt, "ReqdExctnDt", "Dt")
        if exec_date is None and _text(pmt, "ReqdExctnDt", "DtTm") is None:
            raise IsoError("MissingField", f"{pw}/ReqdExctnDt (Dt or DtTm) is required", field=f"{pw}/ReqdExctnDt")
        debtor_bic = _text(pmt, "DbtrAgt", "FinInstnId", "BICFI")
        txs = _children(pmt, "CdtTrfTxInf")
        if not txs:
            raise IsoError("MissingField", f"{pw}/CdtTrfTxInf is required (at least one transaction)", field=f"{pw}/CdtTrfTxInf")
        for i, tx in enumerate(txs):
            w = f"{pw}/CdtTrfTxInf[{i}]"
            amt = _path(tx, "Amt", "InstdAmt")
            if amt is None:
                raise IsoError("MissingField", f"{w}/Amt/InstdAmt is required", field=f"{w}/Amt/InstdAmt")
            e2e = _required(tx, w, "PmtId", "EndToEndId")
            out.append(
                _opt(
                    {
                        "transfer_key": _key(message_id, e2e, f"{p}.{i}"),
                        "kind": "PaymentInitiation",
                        "message_id": message_id,
                        "end_to_end_id": e2e,
                        "instruction_id": _text(tx, "PmtId", "InstrId"),
                        "amount": amount_units(amt["text"], amt.get("currency"), f"{w}/Amt/InstdAmt"),
                        "currency": amt.get("currency"),
                        "requested_execution_date": _date(exec_date, f"{pw}/ReqdExctnDt/Dt"),
                        "charge_bearer": _text(tx, "ChrgBr") or _text(pmt, "ChrgBr"),
                        "debtor_name": _text(pmt, "Dbtr", "Nm"),
                        "debtor_iban": _account(_child(pmt, "DbtrAcct")),
                        "debtor_bic": debtor_bic,
                        "creditor_name": _text(tx, "Cdtr", "Nm"),
                        "creditor_iban": _account(_child(tx, "CdtrAcct")),
                        "creditor_bic": _text(tx, "CdtrAgt", "FinInstnId", "BICFI"),
                        "remittance": _text(tx, "RmtInf", "Ustrd"),
                    }
                )
            )
    return out


def message_from_tree(namespace, root):
    definition = namespace[len(PREFIX):]
    element_name, kind = MESSAGES[definition]
    if len(root["children"]) != 1 or root["children"][0]["name"] != element_name:
        found = ", ".join(c["name"] for c in root["children"]) or "nothing"
        raise IsoError("UnsupportedElement", f"Document of {definition} must hold exactly one {element_name}, found {found}", field="Document")
    doc = root["children"][0]
    _check_tree(doc, "")
    group = _child(doc, "GrpHdr")
    if group is None:
        raise IsoError("MissingField", f"{element_name}/GrpHdr is required", field=f"{element_name}/GrpHdr")
    message_id = _required(doc, element_name, "GrpHdr", "MsgId")
    created = iso_timestamp(_required(doc, element_name, "GrpHdr", "CreDtTm"), f"{element_name}/GrpHdr/CreDtTm")
    count_text = _required(doc, element_name, "GrpHdr", "NbOfTxs")
    if not re.fullmatch(r"[0-9]{1,15}", count_text):
        raise IsoError("InvalidValue", f"{element_name}/GrpHdr/NbOfTxs must be 1-15 digits, found {count_text!r}", field=f"{element_name}/GrpHdr/NbOfTxs")
    if kind == "CustomerCreditTransfer":
        _required(doc, element_name, "GrpHdr", "SttlmInf", "SttlmMtd")
        transfers = _transfers_pacs008(doc, message_id)
    else:
        transfers = _transfers_pain001(doc, message_id)
    if not transfers:
        raise IsoError("MissingField", f"{element_name} has no transaction (CdtTrfTxInf)", field=f"{element_name}/CdtTrfTxInf")
    if int(count_text) != len(transfers):
        raise IsoError(
            "InconsistentMessage",
            f"{element_name}/GrpHdr/NbOfTxs says {int(count_text)}, the message has {len(transfers)} transactions",
            field=f"{element_name}/GrpHdr/NbOfTxs",
        )
    ctrl = _text(group, "CtrlSum")
    if ctrl is not None:
        m = _AMOUNT_RE.match(ctrl)
        total = sum(Decimal(t["amount"]) / SCALE for t in transfers)
        if not m or Decimal(ctrl) != total:
            raise IsoError("InconsistentMessage", f"{element_name}/GrpHdr/CtrlSum is {ctrl!r}, the amounts sum to {total}", field=f"{element_name}/GrpHdr/CtrlSum")
    total_amt = _path(group, "TtlIntrBkSttlmAmt")
    if total_amt is not None:
        units = amount_units(total_amt["text"], total_amt.get("currency"), f"{element_name}/GrpHdr/TtlIntrBkSttlmAmt")
        if any(t["currency"] != total_amt.get("currency") for t in transfers) or units != sum(t["amount"] for t in transfers):
            raise IsoError(
                "InconsistentMessage",
                f"{element_name}/GrpHdr/TtlIntrBkSttlmAmt {total_amt['text']} {total_amt.get('currency')} is not the sum of the transactions",
                field=f"{element_name}/GrpHdr/TtlIntrBkSttlmAmt",
            )
    return {
        "message_definition": definition,
        "kind": kind,
        "message_id": message_id,
        "created_at": created,
        "number_of_transactions": len(transfers),
        "document": doc,
        "transfers": transfers,
    }


# --- rendering --------------------------------------------------------------------------------------


def _escape(text, attribute=False):
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;")
    return text


def _render(element, depth, out):
    pad = "  " * depth
    name = element["name"]
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise IsoError("InvalidValue", f"element name {name!r} is not 1-35 letters and digits", field="document")
    attrs = f' Ccy="{_escape(element["currency"], True)}"' if element.get("currency") is not None else ""
    children = element.get("children") or []
    if children:
        if element.get("text"):
            raise IsoError("InvalidValue", f"{name} has both text and children", field=name)
        out.append(f"{pad}<{name}{attrs}>\n")
        for c in children:
            _render(c, depth + 1, out)
        out.append(f"{pad}</{name}>\n")
    else:
        out.append(f"{pad}<{name}{attrs}>{_escape(element.get('text') or '')}</{name}>\n")


def render(definition, document):
    if definition not in MESSAGES:
        raise IsoError("UnsupportedVersion", f"message definition {definition!r} is not supported (supported: {', '.join(MESSAGES)})", field="message_definition")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<Document xmlns="{PREFIX}{definition}">\n']
    _render(document, 1, out)
    out.append("</Document>\n")
    return "".join(out)


# --- the adapter ------------------------------------------------------------------------------------


def translate_ingress(wire_bytes):
    namespace, root = parse_xml(wire_bytes)
    return message_from_tree(namespace, root)


def _strip_nulls(v):
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def _first_difference(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else path


def translate_egress(message):
    message = _strip_nulls(message)
    if "document" not in message or "message_definition" not in message:
        raise IsoError("MissingField", "an Iso20022Message needs `message_definition` and `document`", field="document")
    text = render(message["message_definition"], message["document"])
    derived = translate_ingress(text.encode("utf-8"))
    diff = _first_difference(message, derived, "message")
    if diff:
        field = diff[len("message."):]
        raise IsoError(
            "InconsistentMessage",
            f"{field} does not agree with what `document` says; edit the document (the wire truth) and derive the rest",
            field=field,
        )
    return text.encode("utf-8")


def ingress(inputs):
    try:
        try:
            wire = inputs["wire"]["text"].encode("utf-8")
        except UnicodeEncodeError as e:
            raise IsoError("HostileInput", f"the text holds an unpaired surrogate at {e.start}", offset=e.start) from None
        return {"message": translate_ingress(wire)}
    except IsoError as e:
        return {"error": e.to_dict()}


def egress(inputs):
    try:
        try:
            return {"wire": {"text": translate_egress(inputs["message"]).decode("utf-8")}}
        except UnicodeEncodeError as e:
            raise IsoError("InvalidValue", f"a value holds an unpaired surrogate at {e.start}") from None
    except IsoError as e:
        return {"error": e.to_dict()}
