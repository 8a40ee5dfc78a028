"""FIX 4.2 / 4.4 / 5.0 (FIXT.1.1) tag=value parser and translator to eStream ESF records.

Reference implementation of the `fix_parser` circuit: `parse(inputs)` takes the input ports
(`raw_fix`) and returns either `{"parsed_esf": ...}` or `{"parse_error": ...}`. It never raises
for bad input: every malformed message becomes a `parse_error` with a code, a message and, where
it applies, the offending tag and byte offset.

Framing. Fields are `tag=value` separated by SOH (0x01); a message written with `|` as the
separator (the usual human-readable form) is accepted when it contains no SOH. The message must
start `8=<BeginString>` `9=<BodyLength>` `35=<MsgType>` and end with `10=<CheckSum>` and a
separator. BodyLength counts the bytes after the separator that ends the `9=` field up to and
including the separator before `10=`. CheckSum is the sum of every byte before `10=` modulo
256, written as three digits; `|` is counted as SOH (0x01), so a message keeps its checksum when
its separators are made printable. Non-ASCII bytes count as their UTF-8 encoding.

Versions. BeginString `FIX.4.2`, `FIX.4.4`, or `FIXT.1.1` (FIX 5.0; ApplVerID 1128 = 7, 8, 9
gives 5.0, 5.0SP1, 5.0SP2, default 5.0).

Messages. D NewOrderSingle, 8 ExecutionReport, W MarketDataSnapshotFullRefresh (repeating group
NoMDEntries 268), F OrderCancelRequest, 9 OrderCancelReject. Each yields the FIX-side record
(FixNewOrderSingle, FixExecutionReport, FixMarketData, FixOrderCancel, FixOrderCancelReject) and,
where esf-trading has a matching schema, the eStream record:

* D -> EStreamOrder: order_id = SHA3-256("estream.fix.order.v1" 0x00 SenderCompID 0x00
  ClOrdID), submitter = SHA3-256("estream.fix.party.v1" 0x00 SenderCompID), price in quote
  units with 8 decimals (150.50 -> 15050000000), time_in_force default DAY, submitted_at =
  TransactTime (60) or SendingTime (52).
* 8 with a fill (ExecType F, or 1/2 in FIX 4.2, and LastQty > 0) -> EStreamFill: order_id
  derived as for D from the order's originator (the report's TargetCompID) and ClOrdID, so an
  order and its fills share an id; fill_id = SHA3-256("estream.fix.fill.v1" 0x00 SenderCompID
  0x00 ExecID); fee = Commission (12) in 8-decimal units, 0 when absent; venue = LastMkt (30).
* W with Open, High, Low, Close and TradeVolume entries -> EStreamMarketData (interval Day1,
  the FIX session statistics, timestamp = SendingTime).

Error codes: Truncated, BadBodyLength, BadChecksum, Malformed (syntax, field order, duplicates,
group counts), UnsupportedVersion, UnknownMsgType, MissingTag, BadValue.
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
#: Repeating groups: count tag -> (first tag of each entry, all tags an entry may hold).
GROUPS = {268: (269, {269, 270, 271, 272, 273, 290})}
HEADER_REQUIRED = (49, 56, 34, 52)
BODY_REQUIRED = {
    "D": (11, 55, 54, 38, 40),
    "8": (37, 17, 150, 39, 55, 54, 14, 151, 6),
    "W": (55, 268),
    "F": (41, 11, 55, 54),
    "9": (37, 11, 41, 39, 434),
}
#: TransactTime is required from FIX 4.4 on for D and F.
TRANSACT_TIME_FROM_44 = ("D", "F")
TAG_NAMES = {
    6: "AvgPx", 8: "BeginString", 9: "BodyLength", 10: "CheckSum", 11: "ClOrdID", 12: "Commission",
    14: "CumQty", 17: "ExecID", 30: "LastMkt", 31: "LastPx", 32: "LastQty", 34: "MsgSeqNum",
    35: "MsgType", 37: "OrderID", 38: "OrderQty", 39: "OrdStatus", 40: "OrdType", 41: "OrigClOrdID",
    44: "Price", 49: "SenderCompID", 52: "SendingTime", 54: "Side", 55: "Symbol", 56: "TargetCompID",
    58: "Text", 59: "TimeInForce", 60: "TransactTime", 99: "StopPx", 102: "CxlRejReason",
    150: "ExecType", 151: "LeavesQty", 262: "MDReqID", 268: "NoMDEntries", 269: "MDEntryType",
    270: "MDEntryPx", 271: "MDEntrySize", 434: "CxlRejResponseTo", 1128: "ApplVerID",
}
MAX_MESSAGE_BYTES = 64 * 1024
PRICE_SCALE = Decimal(10) ** 8
_TAG_RE = re.compile(r"[1-9][0-9]{0,8}\Z")
_QTY_RE = re.compile(r"(0|[1-9][0-9]{0,18})\Z")
_DECIMAL_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_TS_RE = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?\Z")


class FixError(Exception):
    def __init__(self, code, message, tag=None, position=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.tag = tag
        self.position = position

    def port(self):
        err = {"code": self.code, "message": self.message}
        if self.tag is not None:
            err["tag"] = self.tag
        if self.position is not None:
            err["position"] = self.position
        return {"parse_error": err}


def _name(tag):
    return f"{TAG_NAMES.get(tag, 'tag')} ({tag})"


def checksum(data):
    """FIX CheckSum of `data` (bytes before `10=`), `|` counted as SOH."""
    return sum(1 if b == 0x7C else b for b in data) % 256


def split_fields(raw):
    """Validate framing, BodyLength and CheckSum; return (fields, separator).

    `fields` is a list of (tag, value, byte_offset) excluding BeginString, BodyLength, CheckSum."""
    data = raw.encode("utf-8")
    if len(data) > MAX_MESSAGE_BYTES:
        raise FixError("Malformed", f"message is {len(data)} bytes; the limit is {MAX_MESSAGE_BYTES}")
    sep = SOH if SOH in raw else "|"
    bsep = sep.encode()
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
    if not _QTY_RE.match(length_text):
        raise FixError("BadBodyLength", f"BodyLength (9) must be a non-negative integer, found {length_text!r}", 9, first + 1)
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
        raise FixError(
            "BadBodyLength",
            f"BodyLength (9) says {declared_length} bytes, the body has {actual_length}",
            9,
            first + 1,
        )
    if not re.fullmatch(r"[0-9]{3}", checksum_text):
        raise FixError("BadChecksum", f"CheckSum (10) must be three digits, found {checksum_text!r}", 10, trailer + 1)
    computed = checksum(data[:body_end])
    if int(checksum_text) != computed:
        raise FixError("BadChecksum", f"CheckSum (10) is {checksum_text}, the message sums to {computed:03d}", 10, trailer + 1)
    fields = []
    offset = body_start
    for chunk in data[body_start : body_end - 1].split(bsep):
        text = chunk.decode("utf-8", "replace")
        tag_text, eq, value = text.partition("=")
        if not eq or not _TAG_RE.match(tag_text):
            raise FixError("Malformed", f"expected tag=value, found {text[:40]!r}", None, offset)
        if value == "":
            raise FixError("Malformed", f"{_name(int(tag_text))} has an empty value", int(tag_text), offset)
        tag = int(tag_text)
        if tag in (8, 9, 10):
            raise FixError("Malformed", f"{_name(tag)} may only appear in its fixed position", tag, offset)
        fields.append((tag, value, offset))
        offset += len(chunk) + 1
    return begin, fields, sep


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
            if not _QTY_RE.match(value):
                raise FixError("BadValue", f"{_name(tag)} must be a count, found {value!r}", tag, pos)
            count = int(value)
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


def _enum(top, tag, table, required=True):
    if tag not in top:
        if required:
            _req(top, tag)
        return None
    value = top[tag]
    if value not in table:
        raise FixError("BadValue", f"{_name(tag)} value {value!r} is not one of {', '.join(sorted(table))}", tag)
    return table[value]


def _qty(top, tag, required=True):
    if tag not in top:
        if required:
            _req(top, tag)
        return None
    value = top[tag]
    if not _QTY_RE.match(value) or int(value) > 2**64 - 1:
        raise FixError("BadValue", f"{_name(tag)} must be a whole non-negative quantity, found {value!r}", tag)
    return int(value)


def _decimal(value, tag):
    if not _DECIMAL_RE.match(value):
        raise FixError("BadValue", f"{_name(tag)} must be a decimal number, found {value!r}", tag)
    try:
        return Decimal(value)
    except InvalidOperation:
        raise FixError("BadValue", f"{_name(tag)} must be a decimal number, found {value!r}", tag)


def _price(top, tag, required=True):
    """(float for the FIX record, fixed-point integer with 8 decimals for ESF) or (None, None)."""
    if tag not in top:
        if required:
            _req(top, tag)
        return None, None
    d = _decimal(top[tag], tag)
    if d < 0:
        raise FixError("BadValue", f"{_name(tag)} must not be negative", tag)
    scaled = d * PRICE_SCALE
    if scaled != scaled.to_integral_value():
        raise FixError("BadValue", f"{_name(tag)} has more than 8 decimals: {top[tag]}", tag)
    if scaled > 2**64 - 1:
        raise FixError("BadValue", f"{_name(tag)} is too large", tag)
    return float(d), int(scaled)


def _timestamp(top, tag, required=True):
    if tag not in top:
        if required:
            _req(top, tag)
        return None
    value = top[tag]
    m = _TS_RE.match(value)
    if not m:
        raise FixError("BadValue", f"{_name(tag)} must be a UTCTimestamp like 20260210-12:00:00.000, found {value!r}", tag)
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        raise FixError("BadValue", f"{_name(tag)} is not a valid date and time: {value!r}", tag)
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}" + (f".{frac}" if frac else "") + "Z"


def _text(top, tag, limit, required=True):
    if tag not in top:
        if required:
            _req(top, tag)
        return None
    value = top[tag]
    if len(value) > limit:
        raise FixError("BadValue", f"{_name(tag)} is longer than {limit} characters", tag)
    return value


def _sha3(*parts):
    h = hashlib.sha3_256()
    h.update(parts[0].encode())
    for part in parts[1:]:
        h.update(b"\x00")
        h.update(part.encode("utf-8"))
    return h.hexdigest()


def order_id(originator, cl_ord_id):
    return _sha3("estream.fix.order.v1", originator, cl_ord_id)


def _drop_none(record):
    return {k: v for k, v in record.items() if v is not None}


def _new_order(top, header, version):
    side = _enum(top, 54, SIDES)
    ord_type = _enum(top, 40, ORD_TYPES)
    needs_price = ord_type in ("Limit", "StopLimit")
    price, price_fixed = _price(top, 44, required=needs_price)
    stop_px, _ = _price(top, 99, required=ord_type in ("Stop", "StopLimit"))
    tif = _enum(top, 59, TIME_IN_FORCE, required=False)
    transact = _timestamp(top, 60, required=version != "4.2")
    fix = _drop_none(
        {
            "cl_ord_id": _text(top, 11, 64),
            "symbol": _text(top, 55, 32),
            "side": side,
            "order_qty": _qty(top, 38),
            "ord_type": ord_type,
            "price": price,
            "stop_px": stop_px,
            "time_in_force": tif,
            "transact_time": transact,
            "account": _text(top, 1, 64, required=False),
        }
    )
    order = _drop_none(
        {
            "order_id": order_id(header["sender_comp_id"], fix["cl_ord_id"]),
            "client_order_id": fix["cl_ord_id"],
            "instrument": fix["symbol"],
            "side": side,
            "order_type": ord_type,
            "quantity": fix["order_qty"],
            "price": price_fixed,
            "time_in_force": tif or "DAY",
            "submitted_at": transact or header["sending_time"],
            "submitter": _sha3("estream.fix.party.v1", header["sender_comp_id"]),
        }
    )
    return {"new_order": fix, "esf_order": order}


def _execution_report(top, header, version):
    exec_type = _enum(top, 150, EXEC_TYPES)
    last_px, last_px_fixed = _price(top, 31, required=False)
    commission, commission_fixed = _price(top, 12, required=False)
    avg_px, _ = _price(top, 6)
    fix = _drop_none(
        {
            "order_id": _text(top, 37, 64),
            "exec_id": _text(top, 17, 64),
            "cl_ord_id": _text(top, 11, 64, required=False),
            "exec_type": exec_type,
            "ord_status": _enum(top, 39, ORD_STATUS),
            "symbol": _text(top, 55, 32),
            "side": _enum(top, 54, SIDES),
            "last_qty": _qty(top, 32, required=False),
            "last_px": last_px,
            "cum_qty": _qty(top, 14),
            "leaves_qty": _qty(top, 151),
            "avg_px": avg_px,
            "commission": commission,
            "transact_time": _timestamp(top, 60, required=False),
            "last_mkt": _text(top, 30, 32, required=False),
        }
    )
    out = {"execution_report": fix}
    fill_types = ("Trade",) if version != "4.2" else ("Trade", "PartialFill", "Fill")
    if exec_type in fill_types and fix.get("last_qty", 0) > 0:
        if last_px_fixed is None:
            _req(top, 31)
        if "cl_ord_id" not in fix:
            _req(top, 11)
        out["esf_fill"] = _drop_none(
            {
                "fill_id": _sha3("estream.fix.fill.v1", header["sender_comp_id"], fix["exec_id"]),
                "order_id": order_id(header["target_comp_id"], fix["cl_ord_id"]),
                "instrument": fix["symbol"],
                "side": fix["side"],
                "quantity": fix["last_qty"],
                "price": last_px_fixed,
                "fee": commission_fixed or 0,
                "executed_at": fix.get("transact_time") or header["sending_time"],
                "venue": fix.get("last_mkt"),
            }
        )
    return out


def _market_data(top, groups, header):
    entries = []
    stats = {}
    for entry in groups.get(268, []):
        kind = _enum(entry, 269, MD_ENTRY_TYPES)
        px, px_fixed = _price(entry, 270, required=kind != "TradeVolume")
        size = _qty(entry, 271, required=kind in ("Bid", "Offer", "TradeVolume"))
        entries.append(_drop_none({"entry_type": kind, "price": px, "size": size}))
        if kind in ("Open", "High", "Low", "Close"):
            stats[kind] = px_fixed
        elif kind == "TradeVolume":
            stats[kind] = size
    fix = _drop_none({"symbol": _text(top, 55, 32), "md_req_id": _text(top, 262, 64, required=False), "entries": entries})
    out = {"market_data": fix}
    if all(k in stats for k in ("Open", "High", "Low", "Close", "TradeVolume")):
        out["esf_market_data"] = {
            "instrument": fix["symbol"],
            "interval": "Day1",
            "open": stats["Open"],
            "high": stats["High"],
            "low": stats["Low"],
            "close": stats["Close"],
            "volume": stats["TradeVolume"],
            "timestamp": header["sending_time"],
        }
    return out


def _order_cancel(top, version):
    return {
        "order_cancel": _drop_none(
            {
                "orig_cl_ord_id": _text(top, 41, 64),
                "cl_ord_id": _text(top, 11, 64),
                "symbol": _text(top, 55, 32),
                "side": _enum(top, 54, SIDES),
                "order_qty": _qty(top, 38, required=False),
                "transact_time": _timestamp(top, 60, required=version != "4.2"),
            }
        )
    }


def _order_cancel_reject(top):
    reason = None
    if 102 in top:
        if not _QTY_RE.match(top[102]) or int(top[102]) > 2**32 - 1:
            raise FixError("BadValue", f"{_name(102)} must be a non-negative integer, found {top[102]!r}", 102)
        reason = int(top[102])
    return {
        "order_cancel_reject": _drop_none(
            {
                "order_id": _text(top, 37, 64),
                "cl_ord_id": _text(top, 11, 64),
                "orig_cl_ord_id": _text(top, 41, 64),
                "ord_status": _enum(top, 39, ORD_STATUS),
                "cxl_rej_response_to": _enum(top, 434, CXL_REJ_RESPONSE_TO),
                "cxl_rej_reason": reason,
                "text": _text(top, 58, 256, required=False),
            }
        )
    }


def parse_message(raw):
    """Parse one message; return the `parsed_esf` record or raise FixError."""
    begin, fields, sep = split_fields(raw)
    if begin not in VERSIONS:
        raise FixError("UnsupportedVersion", f"BeginString {begin!r} is not one of {', '.join(VERSIONS)}", 8, 0)
    if not fields or fields[0][0] != 35:
        raise FixError("Malformed", "MsgType (35) must be the third field", 35, fields[0][2] if fields else None)
    top, groups = group_fields(fields)
    msg_type = top[35]
    if msg_type not in MSG_KINDS:
        raise FixError("UnknownMsgType", f"MsgType (35) {msg_type!r} is not supported (expected one of {', '.join(MSG_KINDS)})", 35, fields[0][2])
    version = VERSIONS[begin]
    if begin == "FIXT.1.1":
        appl = top.get(1128, "7")
        if appl not in APPL_VER_IDS:
            raise FixError("UnsupportedVersion", f"ApplVerID (1128) {appl!r} is not a FIX 5.0 version (7, 8 or 9)", 1128)
        version = APPL_VER_IDS[appl]
    for tag in HEADER_REQUIRED + BODY_REQUIRED[msg_type]:
        _req(top, tag)
    seq = _qty(top, 34)
    if seq == 0:
        raise FixError("BadValue", "MsgSeqNum (34) starts at 1", 34)
    header = {
        "begin_string": begin,
        "fix_version": version,
        "msg_type": msg_type,
        "sender_comp_id": _text(top, 49, 64),
        "target_comp_id": _text(top, 56, 64),
        "msg_seq_num": seq,
        "sending_time": _timestamp(top, 52),
    }
    base = version[:3]
    if msg_type == "D":
        body = _new_order(top, header, base)
    elif msg_type == "8":
        body = _execution_report(top, header, base)
    elif msg_type == "W":
        body = _market_data(top, groups, header)
    elif msg_type == "F":
        body = _order_cancel(top, base)
    else:
        body = _order_cancel_reject(top)
    return {"message_type": MSG_KINDS[msg_type], "header": header, **body}


def parse(inputs):
    """Circuit entry point: ports {raw_fix} -> {parsed_esf} | {parse_error}."""
    raw = inputs["raw_fix"]
    text = raw["tag_value_pairs"]
    try:
        parsed = parse_message(text)
    except FixError as e:
        return e.port()
    hint = raw.get("msg_type")
    if hint is not None and hint != parsed["header"]["msg_type"]:
        return FixError("BadValue", f"raw_fix.msg_type {hint!r} does not match MsgType (35) {parsed['header']['msg_type']!r}", 35).port()
    return {"parsed_esf": parsed}
