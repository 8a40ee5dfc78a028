"""FIX 4.2 / 4.4 / 5.0 (FIXT.1.1) tag=value adapter: wire bytes <-> `FixMessage` (WireAdapter contract).

Standard library only. Entry points:

* `translate_ingress(wire_bytes) -> dict`: one message to a `FixMessage`, or raises `FixError`;
* `translate_egress(message) -> bytes`: a `FixMessage` to its canonical wire form, or raises
  `FixError`;
* the circuit functions `ingress({"wire": {"text": ...}})` -> `{"message": ...} | {"error": ...}`
  and `egress({"message": ...})` -> `{"wire": {"text": ...}} | {"error": ...}`, which never raise
  for bad input: every problem becomes an `error` with a `code`, a `message` and, where it
  applies, the `tag`, its `field` name and the byte `offset`.

Framing. Fields are `tag=value` separated by SOH (0x01); a message written with `|` as the
separator (the usual human-readable form) is accepted when it contains no SOH. The message must
start `8=<BeginString>` `9=<BodyLength>` `35=<MsgType>` and end with `10=<CheckSum>` and a
separator. BodyLength counts the bytes after the separator that ends the `9=` field up to and
including the separator before `10=`. CheckSum is the sum of every byte before `10=` modulo 256,
written as three digits. When the separator is `|`, each `|` counts as SOH (0x01), so a message
keeps its checksum when its separators are made printable; in an SOH-delimited message a `|` is an
ordinary byte of a value (0x7C) and counts as such (1.x counted it as 0x01 there: issue 16).
Values are UTF-8; control characters other than the separator are refused (HostileInput).

Numbers. FIX `float` values (Qty, Price) are digits with an optional decimal point and a leading
`-` (no `+`, no exponent), leading zeros and a trailing decimal point allowed: `38=002000.00` is
2000, `44=150.` is 150 (1.x rejected both: issue 16). Quantities must be whole (the records hold
u64); prices keep at most 8 decimals and must be exactly representable by the record's f64
(LimitExceeded otherwise), so egress writes back the same number. FIX `int` values (MsgSeqNum,
BodyLength, CxlRejReason) may have leading zeros.

Versions. BeginString `FIX.4.2`, `FIX.4.4`, or `FIXT.1.1` (FIX 5.0; ApplVerID 1128 = 7, 8, 9
gives 5.0, 5.0SP1, 5.0SP2, default 5.0).

Messages. D NewOrderSingle, 8 ExecutionReport, W MarketDataSnapshotFullRefresh (repeating group
NoMDEntries 268), F OrderCancelRequest, 9 OrderCancelReject. Each yields the FIX-side record
(`new_order`, `execution_report`, `market_data`, `order_cancel`, `order_cancel_reject`) and, where
esf-trading has a matching schema, the eStream record it maps to:

* D -> `esf_order` (EStreamOrder): order_id = SHA3-256("estream.fix.order.v1" 0x00 SenderCompID
  0x00 ClOrdID), submitter = SHA3-256("estream.fix.party.v1" 0x00 SenderCompID), price in quote
  units with 8 decimals (150.50 -> 15050000000), time_in_force default DAY, submitted_at =
  TransactTime (60) or SendingTime (52).
* 8 with a fill (ExecType F, or 1/2 in FIX 4.2, and LastQty > 0) -> `esf_fill` (EStreamFill):
  order_id derived as for D from the order's originator (the report's TargetCompID) and ClOrdID,
  so an order and its fills share an id; fill_id = SHA3-256("estream.fix.fill.v1" 0x00
  SenderCompID 0x00 ExecID); fee = Commission (12) in 8-decimal units, 0 when absent; venue =
  LastMkt (30).
* W with Open, High, Low, Close and TradeVolume entries -> `esf_market_data` (interval Day1, the
  FIX session statistics, timestamp = SendingTime).

Canonical wire (what egress writes, so egress(ingress(wire)) == wire for canonical input): SOH
separators; header 8, 9, 35, 49, 56, 34, 52, then 1128 for FIXT.1.1 (always written); the body
fields of `BODY` in that order; numbers without leading zeros, trailing zeros or a trailing
point (150.50 -> 150.5, 2000.00 -> 2000); timestamps with the precision they were read with.
Tags this adapter does not map (e.g. 20 ExecTransType, 167 SecurityType) are ignored on ingress
and so not written on egress. Egress checks its own output by reading it back: a message that
ingress would refuse (a missing required field, a value with an SOH in it) is refused with the
same error, and derived eStream records that are given must equal the ones the FIX fields give.

Error codes: Truncated, BadBodyLength, BadChecksum, Malformed (syntax, field order, duplicates,
group counts), UnsupportedVersion, UnknownMsgType, MissingTag, BadValue, LimitExceeded (sizes,
counts, precision), HostileInput (invalid UTF-8, control characters, separator injection).
"""

import datetime
import hashlib
import re
from decimal import Decimal, InvalidOperation

SOH = "\x01"
VERSIONS = {"FIX.4.2": "4.2", "FIX.4.4": "4.4", "FIXT.1.1": "5.0"}
APPL_VER_IDS = {"7": "5.0", "8": "5.0SP1", "9": "5.0SP2"}
MSG_KINDS = {
    "D": "NewOrderSingle",
    "8": "ExecutionReport",
    "W": "MarketDataSnapshot",
    "F": "OrderCancel",
    "9": "OrderCancelReject",
}
SIDES = {"1": "Buy", "2": "Sell"}
ORD_TYPES = {"1": "Market", "2": "Limit", "3": "Stop", "4": "StopLimit"}
TIME_IN_FORCE = {"0": "DAY", "1": "GTC", "3": "IOC", "4": "FOK"}
HANDL_INST = {"1": "AutomatedPrivate", "2": "AutomatedPublic", "3": "Manual"}
EXEC_TYPES = {
    "0": "New",
    "1": "PartialFill",
    "2": "Fill",
    "4": "Canceled",
    "5": "Replaced",
    "8": "Rejected",
    "F": "Trade",
    "I": "OrderStatus",
}
ORD_STATUS = {
    "0": "New",
    "1": "PartiallyFilled",
    "2": "Filled",
    "4": "Canceled",
    "6": "PendingCancel",
    "8": "Rejected",
    "A": "PendingNew",
    "E": "PendingReplace",
}
MD_ENTRY_TYPES = {"0": "Bid", "1": "Offer", "2": "Trade", "4": "Open", "5": "Close", "7": "High", "8": "Low", "B": "TradeVolume"}
CXL_REJ_RESPONSE_TO = {"1": "OrderCancelRequest", "2": "OrderCancelReplaceRequest"}
TAG_NAMES = {
    1: "Account", 6: "AvgPx", 8: "BeginString", 9: "BodyLength", 10: "CheckSum", 11: "ClOrdID",
    12: "Commission", 14: "CumQty", 17: "ExecID", 21: "HandlInst", 30: "LastMkt", 31: "LastPx",
    32: "LastQty", 34: "MsgSeqNum", 35: "MsgType", 37: "OrderID", 38: "OrderQty", 39: "OrdStatus",
    40: "OrdType", 41: "OrigClOrdID", 44: "Price", 49: "SenderCompID", 52: "SendingTime", 54: "Side",
    55: "Symbol", 56: "TargetCompID", 58: "Text", 59: "TimeInForce", 60: "TransactTime", 99: "StopPx",
    102: "CxlRejReason", 150: "ExecType", 151: "LeavesQty", 262: "MDReqID", 268: "NoMDEntries",
    269: "MDEntryType", 270: "MDEntryPx", 271: "MDEntrySize", 434: "CxlRejResponseTo", 1128: "ApplVerID",
}

# Field kinds: ("text", max_chars) | ("qty",) | ("price",) | ("enum", table) | ("ts",) | ("u32",)
TEXT64, TEXT32 = ("text", 64), ("text", 32)
#: MsgType -> (record key, [(tag, field, kind)]) in canonical (egress) order.
BODY = {
    "D": ("new_order", [
        (1, "account", TEXT64), (11, "cl_ord_id", TEXT64), (21, "handl_inst", ("enum", HANDL_INST)),
        (55, "symbol", TEXT32), (54, "side", ("enum", SIDES)), (38, "order_qty", ("qty",)),
        (40, "ord_type", ("enum", ORD_TYPES)), (44, "price", ("price",)), (99, "stop_px", ("price",)),
        (59, "time_in_force", ("enum", TIME_IN_FORCE)), (60, "transact_time", ("ts",)),
    ]),
    "8": ("execution_report", [
        (37, "order_id", TEXT64), (17, "exec_id", TEXT64), (11, "cl_ord_id", TEXT64),
        (150, "exec_type", ("enum", EXEC_TYPES)), (39, "ord_status", ("enum", ORD_STATUS)),
        (55, "symbol", TEXT32), (54, "side", ("enum", SIDES)), (32, "last_qty", ("qty",)),
        (31, "last_px", ("price",)), (14, "cum_qty", ("qty",)), (151, "leaves_qty", ("qty",)),
        (6, "avg_px", ("price",)), (12, "commission", ("price",)), (30, "last_mkt", TEXT32),
        (60, "transact_time", ("ts",)),
    ]),
    "W": ("market_data", [(55, "symbol", TEXT32), (262, "md_req_id", TEXT64)]),
    "F": ("order_cancel", [
        (41, "orig_cl_ord_id", TEXT64), (11, "cl_ord_id", TEXT64), (55, "symbol", TEXT32),
        (54, "side", ("enum", SIDES)), (38, "order_qty", ("qty",)), (60, "transact_time", ("ts",)),
    ]),
    "9": ("order_cancel_reject", [
        (37, "order_id", TEXT64), (11, "cl_ord_id", TEXT64), (41, "orig_cl_ord_id", TEXT64),
        (39, "ord_status", ("enum", ORD_STATUS)), (434, "cxl_rej_response_to", ("enum", CXL_REJ_RESPONSE_TO)),
        (102, "cxl_rej_reason", ("u32",)), (58, "text", ("text", 256)),
    ]),
}
MD_ENTRY = [(269, "entry_type", ("enum", MD_ENTRY_TYPES)), (270, "price", ("price",)), (271, "size", ("qty",))]
#: Repeating groups: count tag -> (first tag of each entry, all tags an entry may hold).
GROUPS = {268: (269, {269, 270, 271})}
HEADER_REQUIRED = (49, 56, 34, 52)
BODY_REQUIRED = {
    "D": (11, 55, 54, 38, 40),
    "8": (37, 17, 150, 39, 55, 54, 14, 151, 6),
    "W": (55, 268),
    "F": (41, 11, 55, 54),
    "9": (37, 11, 41, 39, 434),
}
DERIVED = ("esf_order", "esf_fill", "esf_market_data")

MAX_MESSAGE_BYTES = 64 * 1024
MAX_FIELDS = 1024
MAX_GROUP_ENTRIES = 256
MAX_NUMBER_CHARS = 32
PRICE_SCALE = Decimal(10) ** 8
U64_MAX = 2**64 - 1
_TAG_RE = re.compile(r"[1-9][0-9]{0,8}\Z")
_INT_RE = re.compile(r"[0-9]+\Z")
_FLOAT_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_TS_RE = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?\Z")
_ISO_TS_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?Z\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class FixError(Exception):
    """A typed error: `code` (FixErrorCode), `message`, optional `tag` and byte `offset`."""

    def __init__(self, code, message, tag=None, offset=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.tag = tag
        self.offset = offset

    def record(self):
        err = {"code": self.code, "message": self.message}
        if self.tag is not None:
            err["tag"] = self.tag
            if self.tag in TAG_NAMES:
                err["field"] = TAG_NAMES[self.tag]
        if self.offset is not None:
            err["offset"] = self.offset
        return err


def _name(tag):
    return f"{TAG_NAMES.get(tag, 'tag')} ({tag})"


def checksum(data, sep=b"\x01"):
    """FIX CheckSum of `data` (the bytes before `10=`); with `sep` `|`, each `|` counts as SOH."""
    total = sum(data)
    if sep == b"|":
        total -= data.count(b"|") * (0x7C - 0x01)
    return total % 256


# --- ingress ---------------------------------------------------------------------------------


def split_fields(data):
    """Validate framing, BodyLength and CheckSum; return (begin_string, fields).

    `fields` is a list of (tag, value, byte_offset) without BeginString, BodyLength and CheckSum."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise FixError("LimitExceeded", f"message is {len(data)} bytes; the limit is {MAX_MESSAGE_BYTES}")
    bsep = b"\x01" if b"\x01" in data else b"|"
    if not data.startswith(b"8="):
        raise FixError("Malformed", "a FIX message must start with BeginString (8=)", 8, 0)
    first = data.find(bsep)
    if first < 0:
        raise FixError("Truncated", "the message ends inside BeginString", 8, len(data))
    begin = data[2:first].decode("utf-8", "replace")
    if not data.startswith(b"9=", first + 1):
        raise FixError("Malformed", "BodyLength (9) must be the second field", 9, first + 1)
    second = data.find(bsep, first + 1)
    if second < 0:
        raise FixError("Truncated", "the message ends inside BodyLength", 9, len(data))
    length_text = data[first + 3 : second].decode("utf-8", "replace")
    if not _INT_RE.match(length_text) or len(length_text) > 9:
        raise FixError("BadBodyLength", f"BodyLength (9) must be a non-negative integer of at most 9 digits, found {length_text[:40]!r}", 9, first + 1)
    body_start = second + 1
    # The trailer is the last field: `10=NNN` followed by a separator.
    trailer = data.rfind(bsep + b"10=")
    if trailer < body_start - 1 or not data.endswith(bsep) or data.count(bsep, trailer + 1) != 1:
        raise FixError("Truncated", "the message does not end with CheckSum (10=NNN) and a separator", 10, len(data))
    checksum_text = data[trailer + 4 : -1].decode("utf-8", "replace")
    body_end = trailer + 1  # includes the separator before 10=
    declared_length = int(length_text)
    actual_length = body_end - body_start
    if declared_length != actual_length:
        raise FixError("BadBodyLength", f"BodyLength (9) says {declared_length} bytes, the body has {actual_length}", 9, first + 1)
    if not re.fullmatch(r"[0-9]{3}", checksum_text):
        raise FixError("BadChecksum", f"CheckSum (10) must be three digits, found {checksum_text[:40]!r}", 10, trailer + 1)
    computed = checksum(data[:body_end], bsep)
    if int(checksum_text) != computed:
        raise FixError("BadChecksum", f"CheckSum (10) is {checksum_text}, the message sums to {computed:03d}", 10, trailer + 1)
    fields = []
    offset = body_start
    for chunk in data[body_start : body_end - 1].split(bsep):
        if len(fields) >= MAX_FIELDS:
            raise FixError("LimitExceeded", f"the message has more than {MAX_FIELDS} fields", None, offset)
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FixError("HostileInput", f"field is not valid UTF-8 (byte {chunk[e.start]:#04x})", None, offset + e.start) from None
        tag_text, eq, value = text.partition("=")
        if not eq or not _TAG_RE.match(tag_text):
            raise FixError("Malformed", f"expected tag=value, found {text[:40]!r}", None, offset)
        tag = int(tag_text)
        if value == "":
            raise FixError("Malformed", f"{_name(tag)} has an empty value", tag, offset)
        bad = _CONTROL_RE.search(value)
        if bad:
            raise FixError("HostileInput", f"{_name(tag)} contains the control character {ord(bad.group()):#04x}", tag, offset + len(tag_text) + 1 + len(value[: bad.start()].encode()))
        if tag in (8, 9, 10):
            raise FixError("Malformed", f"{_name(tag)} may only appear in its fixed position", tag, offset)
        fields.append((tag, value, offset))
        offset += len(chunk) + 1
    return begin, fields


def group_fields(fields):
    """Top-level tags -> value, and repeating groups -> list of entry dicts; duplicates rejected."""
    top = {}
    groups = {}
    i = 0
    while i < len(fields):
        tag, value, pos = fields[i]
        if tag in top:
            raise FixError("Malformed", f"{_name(tag)} appears twice", tag, pos)
        top[tag] = value
        i += 1
        if tag in GROUPS:
            if not _INT_RE.match(value) or len(value) > MAX_NUMBER_CHARS:
                raise FixError("BadValue", f"{_name(tag)} must be a count, found {value[:40]!r}", tag, pos)
            count = int(value)
            if count > MAX_GROUP_ENTRIES:
                raise FixError("LimitExceeded", f"{_name(tag)} says {count} entries; the limit is {MAX_GROUP_ENTRIES}", tag, pos)
            first_tag, members = GROUPS[tag]
            entries = []
            while i < len(fields) and fields[i][0] in members:
                etag, evalue, epos = fields[i]
                if etag == first_tag:
                    entries.append({})
                elif not entries:
                    raise FixError("Malformed", f"group {_name(tag)}: an entry must start with {_name(first_tag)}", etag, epos)
                if etag in entries[-1]:
                    raise FixError("Malformed", f"group {_name(tag)}: {_name(etag)} appears twice in one entry", etag, epos)
                entries[-1][etag] = evalue
                i += 1
            if len(entries) != count:
                raise FixError("Malformed", f"{_name(tag)} says {count} entries, found {len(entries)}", tag, pos)
            groups[tag] = entries
    return top, groups


def _req(top, tag):
    if tag not in top:
        raise FixError("MissingTag", f"required field {_name(tag)} is missing", tag)
    return top[tag]


def _number_text(value, tag):
    if len(value) > MAX_NUMBER_CHARS:
        raise FixError("LimitExceeded", f"{_name(tag)} has {len(value)} characters; numbers have at most {MAX_NUMBER_CHARS}", tag)
    if not _FLOAT_RE.match(value):
        raise FixError("BadValue", f"{_name(tag)} must be a FIX number (digits, an optional point and leading -), found {value!r}", tag)
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise FixError("BadValue", f"{_name(tag)} must be a decimal number, found {value!r}", tag) from None


def decode_qty(value, tag):
    d = _number_text(value, tag)
    if d < 0:
        raise FixError("BadValue", f"{_name(tag)} must not be negative, found {value!r}", tag)
    if d != d.to_integral_value():
        raise FixError("BadValue", f"{_name(tag)} must be a whole quantity (fractional quantities are not supported), found {value!r}", tag)
    if d > U64_MAX:
        raise FixError("LimitExceeded", f"{_name(tag)} does not fit a u64: {value}", tag)
    return int(d)


def decode_price(value, tag):
    """(float for the FIX record, fixed-point integer with 8 decimals for ESF)."""
    d = _number_text(value, tag)
    if d < 0:
        raise FixError("BadValue", f"{_name(tag)} must not be negative, found {value!r}", tag)
    scaled = d * PRICE_SCALE
    if scaled != scaled.to_integral_value():
        raise FixError("BadValue", f"{_name(tag)} has more than 8 decimals: {value}", tag)
    if scaled > U64_MAX:
        raise FixError("LimitExceeded", f"{_name(tag)} is too large: {value}", tag)
    as_float = float(d)
    if Decimal(repr(as_float)) != d:
        raise FixError("LimitExceeded", f"{_name(tag)} {value} has more significant digits than the record's f64 keeps", tag)
    return as_float, int(scaled)


def decode_timestamp(value, tag):
    m = _TS_RE.match(value)
    if not m:
        raise FixError("BadValue", f"{_name(tag)} must be a UTCTimestamp like 20260210-12:00:00.000, found {value[:40]!r}", tag)
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        raise FixError("BadValue", f"{_name(tag)} is not a valid date and time: {value!r}", tag) from None
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}" + (f".{frac}" if frac else "") + "Z"


def decode_value(value, tag, kind):
    if kind[0] == "text":
        if len(value) > kind[1]:
            raise FixError("LimitExceeded", f"{_name(tag)} is longer than {kind[1]} characters", tag)
        return value
    if kind[0] == "enum":
        if value not in kind[1]:
            raise FixError("BadValue", f"{_name(tag)} value {value[:40]!r} is not one of {', '.join(sorted(kind[1]))}", tag)
        return kind[1][value]
    if kind[0] == "qty":
        return decode_qty(value, tag)
    if kind[0] == "price":
        return decode_price(value, tag)[0]
    if kind[0] == "ts":
        return decode_timestamp(value, tag)
    if kind[0] == "u32":
        if not _INT_RE.match(value) or len(value) > MAX_NUMBER_CHARS or int(value) > 2**32 - 1:
            raise FixError("BadValue", f"{_name(tag)} must be a non-negative integer below 2^32, found {value[:40]!r}", tag)
        return int(value)
    raise AssertionError(kind)


def decode_record(top, spec):
    return {name: decode_value(top[tag], tag, kind) for tag, name, kind in spec if tag in top}


def _sha3(*parts):
    h = hashlib.sha3_256()
    h.update(parts[0].encode())
    for part in parts[1:]:
        h.update(b"\x00")
        h.update(part.encode("utf-8"))
    return h.hexdigest()


def order_id(originator, cl_ord_id):
    return _sha3("estream.fix.order.v1", originator, cl_ord_id)


def _fixed(top, tag):
    return decode_price(top[tag], tag)[1] if tag in top else None


def _drop_none(record):
    return {k: v for k, v in record.items() if v is not None}


def _new_order(top, fix, header, version):
    if fix["ord_type"] in ("Limit", "StopLimit"):
        _req(top, 44)
    if fix["ord_type"] in ("Stop", "StopLimit"):
        _req(top, 99)
    if version != "4.2":
        _req(top, 60)
    order = _drop_none(
        {
            "order_id": order_id(header["sender_comp_id"], fix["cl_ord_id"]),
            "client_order_id": fix["cl_ord_id"],
            "instrument": fix["symbol"],
            "side": fix["side"],
            "order_type": fix["ord_type"],
            "quantity": fix["order_qty"],
            "price": _fixed(top, 44),
            "time_in_force": fix.get("time_in_force") or "DAY",
            "submitted_at": fix.get("transact_time") or header["sending_time"],
            "submitter": _sha3("estream.fix.party.v1", header["sender_comp_id"]),
        }
    )
    return {"esf_order": order}


def _execution_report(top, fix, header, version):
    fill_types = ("Trade",) if version != "4.2" else ("Trade", "PartialFill", "Fill")
    if fix["exec_type"] not in fill_types or fix.get("last_qty", 0) == 0:
        return {}
    _req(top, 31)
    _req(top, 11)
    fill = _drop_none(
        {
            "fill_id": _sha3("estream.fix.fill.v1", header["sender_comp_id"], fix["exec_id"]),
            "order_id": order_id(header["target_comp_id"], fix["cl_ord_id"]),
            "instrument": fix["symbol"],
            "side": fix["side"],
            "quantity": fix["last_qty"],
            "price": _fixed(top, 31),
            "fee": _fixed(top, 12) or 0,
            "executed_at": fix.get("transact_time") or header["sending_time"],
            "venue": fix.get("last_mkt"),
        }
    )
    return {"esf_fill": fill}


def _market_data(fix, groups, header):
    entries = []
    stats = {}
    for entry in groups.get(268, []):
        record = decode_record(entry, MD_ENTRY)
        kind = record["entry_type"]
        if kind != "TradeVolume":
            _req(entry, 270)
        if kind in ("Bid", "Offer", "TradeVolume"):
            _req(entry, 271)
        entries.append(record)
        if kind in ("Open", "High", "Low", "Close"):
            stats[kind] = _fixed(entry, 270)
        elif kind == "TradeVolume":
            stats[kind] = record["size"]
    fix["entries"] = entries
    if all(k in stats for k in ("Open", "High", "Low", "Close", "TradeVolume")):
        return {
            "esf_market_data": {
                "instrument": fix["symbol"],
                "interval": "Day1",
                "open": stats["Open"],
                "high": stats["High"],
                "low": stats["Low"],
                "close": stats["Close"],
                "volume": stats["TradeVolume"],
                "timestamp": header["sending_time"],
            }
        }
    return {}


def translate_ingress(wire_bytes):
    """One FIX message (bytes) -> its `FixMessage` dict; raises `FixError` for bad input."""
    if not isinstance(wire_bytes, (bytes, bytearray)):
        raise FixError("Malformed", f"expected the message as bytes, found {type(wire_bytes).__name__}")
    begin, fields = split_fields(bytes(wire_bytes))
    if begin not in VERSIONS:
        raise FixError("UnsupportedVersion", f"BeginString {begin[:40]!r} is not one of {', '.join(VERSIONS)}", 8, 0)
    if not fields or fields[0][0] != 35:
        raise FixError("Malformed", "MsgType (35) must be the third field", 35, fields[0][2] if fields else None)
    top, groups = group_fields(fields)
    msg_type = top[35]
    if msg_type not in MSG_KINDS:
        raise FixError("UnknownMsgType", f"MsgType (35) {msg_type[:40]!r} is not supported (expected one of {', '.join(MSG_KINDS)})", 35, fields[0][2])
    version = VERSIONS[begin]
    if begin == "FIXT.1.1":
        appl = top.get(1128, "7")
        if appl not in APPL_VER_IDS:
            raise FixError("UnsupportedVersion", f"ApplVerID (1128) {appl[:40]!r} is not a FIX 5.0 version (7, 8 or 9)", 1128)
        version = APPL_VER_IDS[appl]
    elif 1128 in top:
        raise FixError("Malformed", f"ApplVerID (1128) only applies to FIXT.1.1, not {begin}", 1128)
    for tag in HEADER_REQUIRED + BODY_REQUIRED[msg_type]:
        _req(top, tag)
    seq_text = top[34]
    if not _INT_RE.match(seq_text) or len(seq_text) > MAX_NUMBER_CHARS or not 1 <= int(seq_text) <= U64_MAX:
        raise FixError("BadValue", f"MsgSeqNum (34) must be a positive integer, found {seq_text[:40]!r}", 34)
    header = {
        "begin_string": begin,
        "fix_version": version,
        "msg_type": msg_type,
        "sender_comp_id": decode_value(top[49], 49, TEXT64),
        "target_comp_id": decode_value(top[56], 56, TEXT64),
        "msg_seq_num": int(seq_text),
        "sending_time": decode_timestamp(top[52], 52),
    }
    key, spec = BODY[msg_type]
    fix = decode_record(top, spec)
    base = version[:3]
    if msg_type == "D":
        derived = _new_order(top, fix, header, base)
    elif msg_type == "8":
        derived = _execution_report(top, fix, header, base)
    elif msg_type == "W":
        derived = _market_data(fix, groups, header)
    elif msg_type == "F":
        if base != "4.2":
            _req(top, 60)
        derived = {}
    else:
        derived = {}
    return {"message_type": MSG_KINDS[msg_type], "header": header, key: fix, **derived}


# --- egress ----------------------------------------------------------------------------------


def _bad(message, tag=None, code="BadValue"):
    return FixError(code, message, tag)


def encode_text(value, tag, limit):
    if not isinstance(value, str) or value == "":
        raise _bad(f"{_name(tag)} must be a non-empty string, found {value!r}"[:200], tag)
    if "\x01" in value:
        raise FixError("HostileInput", f"{_name(tag)} contains SOH (0x01), which would inject fields into the message", tag)
    if _CONTROL_RE.search(value):
        raise FixError("HostileInput", f"{_name(tag)} contains a control character", tag)
    if len(value) > limit:
        raise FixError("LimitExceeded", f"{_name(tag)} is longer than {limit} characters", tag)
    return value


def encode_decimal(value, tag):
    """The canonical FIX text of a number: no exponent, no leading or trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise _bad(f"{_name(tag)} must be a finite number, found {value!r}"[:200], tag)
    d = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def encode_timestamp(value, tag):
    m = _ISO_TS_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise _bad(f"{_name(tag)} must be a UTC timestamp like 2026-02-10T12:00:00.000Z, found {value!r}"[:200], tag)
    y, mo, d, h, mi, s, frac = m.groups()
    return f"{y}{mo}{d}-{h}:{mi}:{s}" + (f".{frac}" if frac else "")


def encode_value(value, tag, kind):
    if kind[0] == "text":
        return encode_text(value, tag, kind[1])
    if kind[0] == "enum":
        for code, name in kind[1].items():
            if value == name:
                return code
        raise _bad(f"{_name(tag)} must be one of {', '.join(kind[1].values())}, found {value!r}"[:200], tag)
    if kind[0] in ("qty", "u32"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(f"{_name(tag)} must be a non-negative integer, found {value!r}"[:200], tag)
        return str(value)
    if kind[0] == "price":
        return encode_decimal(value, tag)
    if kind[0] == "ts":
        return encode_timestamp(value, tag)
    raise AssertionError(kind)


def encode_record(record, spec, what, extra=()):
    if not isinstance(record, dict):
        raise _bad(f"`{what}` must be an object, found {type(record).__name__}")
    known = {name for _, name, _ in spec}
    unknown = sorted(set(record) - known - set(extra))
    if unknown:
        raise _bad(f"`{what}` has unknown field(s) {', '.join(unknown)}")
    return [(tag, encode_value(record[name], tag, kind)) for tag, name, kind in spec if record.get(name) is not None]


def frame(begin, fields):
    """BeginString, BodyLength, the fields, CheckSum, with SOH separators."""
    body = "".join(f"{tag}={value}\x01" for tag, value in fields).encode("utf-8")
    head = f"8={begin}\x019={len(body)}\x01".encode()
    return head + body + f"10={checksum(head + body):03d}\x01".encode()


def translate_egress(message):
    """A `FixMessage` dict -> its canonical FIX bytes; raises `FixError` when it cannot be written."""
    if not isinstance(message, dict):
        raise _bad(f"expected a FixMessage object, found {type(message).__name__}")
    header = message.get("header")
    if not isinstance(header, dict):
        raise FixError("MissingTag", "`header` is missing")
    kind = message.get("message_type")
    msg_type = next((code for code, name in MSG_KINDS.items() if name == kind), None)
    if msg_type is None:
        raise FixError("UnknownMsgType", f"message_type {kind!r} is not one of {', '.join(MSG_KINDS.values())}", 35)
    begin = header.get("begin_string")
    if not isinstance(begin, str) or begin not in VERSIONS:
        raise FixError("UnsupportedVersion", f"header.begin_string {begin!r} is not one of {', '.join(VERSIONS)}", 8)
    if header.get("msg_type", msg_type) != msg_type:
        raise _bad(f"header.msg_type {header.get('msg_type')!r} does not match message_type {kind}", 35)
    fields = [(35, msg_type)]
    for tag, name, field_kind in ((49, "sender_comp_id", TEXT64), (56, "target_comp_id", TEXT64), (34, "msg_seq_num", ("qty",)), (52, "sending_time", ("ts",))):
        if header.get(name) is None:
            raise FixError("MissingTag", f"required field {_name(tag)} (`header.{name}`) is missing", tag)
        fields.append((tag, encode_value(header[name], tag, field_kind)))
    version = header.get("fix_version", VERSIONS[begin])
    if begin == "FIXT.1.1":
        appl = next((code for code, name in APPL_VER_IDS.items() if name == version), None)
        if appl is None:
            raise FixError("UnsupportedVersion", f"header.fix_version {version!r} is not a FIX 5.0 version (5.0, 5.0SP1, 5.0SP2)", 1128)
        fields.append((1128, appl))
    elif version != VERSIONS[begin]:
        raise FixError("UnsupportedVersion", f"header.fix_version {version!r} does not match begin_string {begin}", 8)
    key, spec = BODY[msg_type]
    record = message.get(key)
    if record is None:
        raise FixError("MissingTag", f"a {kind} message needs its `{key}` record")
    fields += encode_record(record, spec, key, ("entries",) if msg_type == "W" else ())
    if msg_type == "W":
        entries = record.get("entries")
        if not isinstance(entries, list):
            raise FixError("MissingTag", "`market_data.entries` must be a list of entries", 268)
        if len(entries) > MAX_GROUP_ENTRIES:
            raise FixError("LimitExceeded", f"{len(entries)} market data entries; the limit is {MAX_GROUP_ENTRIES}", 268)
        fields.append((268, str(len(entries))))
        for entry in entries:
            fields += encode_record(entry, MD_ENTRY, "market_data.entries[]")
    wire = frame(begin, fields)
    # Read it back: what ingress refuses is refused here with the same error, and every record
    # given (FIX-side and derived) must be what the written fields mean.
    parsed = translate_ingress(wire)
    for name, value in message.items():
        if name not in parsed:
            raise _bad(f"`{name}` does not apply to a {kind} message with these fields")
        if name == "header" and isinstance(value, dict):
            value = {**parsed[name], **value}  # fix_version and msg_type may be left out
        if parsed[name] != value:
            raise _bad(f"`{name}` does not match the FIX fields: they give {parsed[name]!r}"[:300])
    return wire


# --- circuit entry points --------------------------------------------------------------------


def ingress(inputs):
    """Circuit `fix_ingress`: {wire: {text}} -> {message} | {error}."""
    text = inputs["wire"]["text"]
    try:
        return {"message": translate_ingress(text.encode("utf-8", "surrogatepass"))}
    except FixError as e:
        return {"error": e.record()}


def egress(inputs):
    """Circuit `fix_egress`: {message} -> {wire: {text}} | {error}."""
    try:
        return {"wire": {"text": translate_egress(inputs["message"]).decode("utf-8")}}
    except FixError as e:
        return {"error": e.record()}
