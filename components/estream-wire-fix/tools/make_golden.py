"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The expected outputs come from the reference implementation in src/, after independent checks:
FIX framing (BodyLength, CheckSum) is computed here, separately from the code under test, and
hand-written anchors pin the values the issue is about (leading zeros, trailing points, `|` inside
values of SOH-delimited messages). Every error vector is asserted to land on `error` with its
code. `canonical_wire` is written when the input is not in the canonical form egress writes (see
src/fix_wire.py); the build then checks egress(ingress(wire)) == canonical_wire and
ingress(canonical_wire) == ingress(wire). Review the diff before committing.

Vectors named `quickfix-*` reuse the field values of messages in QuickFIX's acceptance test
definitions (https://github.com/quickfix/quickfix, test/definitions/server/fix44/, cases 14e, 14f
and 14h), with `<TIME>` replaced by a fixed time and BodyLength/CheckSum computed here.
"""
import json, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import fix_wire as fw
OUT = os.path.join(HERE, "..", "tests", "golden", "")
VERSION = "2.0.0"
for name in os.listdir(OUT):
    if name.endswith(".json"):
        os.remove(OUT + name)


def frame(begin, body_fields, sep="\x01", length_delta=0, checksum_delta=0, pipe_as_soh=None):
    """Independent FIX framing: BodyLength and CheckSum computed here, not by the adapter.

    The checksum is over the bytes as sent, except that with `|` separators each separator
    counts as SOH (`pipe_as_soh` forces the 1.x behaviour of counting every `|` as SOH)."""
    body = "".join(f"{t}={v}\x01" for t, v in body_fields)
    head = f"8={begin}\x019={len(body.encode('utf-8', 'surrogatepass')) + length_delta}\x01"
    raw = (head + body).encode("utf-8", "surrogatepass")
    if sep == "|" or pipe_as_soh:
        raw = raw.replace(b"|", b"\x01")  # printable separators (or the old bug) count as SOH
    cs = (sum(raw) + checksum_delta) % 256
    msg = f"{head}{body}10={cs:03d}\x01"
    return msg.replace("\x01", sep)


def hdr(mt, seq=1, sender="BUYSIDE", target="BROKER", t="20260210-12:00:00.000"):
    return [(35, mt), (49, sender), (56, target), (34, seq), (52, t)]


tests = []


def write(name, desc, circuit, inputs, out, tags, expected, extra=None):
    doc = {"test_vector": {"name": name, "description": desc, "circuit": circuit, "version": VERSION},
           "input": inputs, "expected_output": out, **(extra or {}),
           "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}}
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (hostile input) is written as a \u escape
        data = json.dumps(doc, indent=2).encode()
    with open(OUT + name + ".json", "wb") as f:
        f.write(data + b"\n")
    tests.append((name, tags, expected))


def vec(name, desc, msg, tags, expected="pass", code=None):
    """An ingress vector; returns its message (pass) or error."""
    out = fw.ingress({"wire": {"text": msg}})
    extra = None
    if expected == "error":
        assert list(out) == ["error"], (name, out)
        assert out["error"]["code"] == code, (name, out)
    else:
        assert list(out) == ["message"], (name, out)
        canonical = fw.egress({"message": out["message"]})["wire"]["text"]
        assert fw.ingress({"wire": {"text": canonical}}) == out, name
        if canonical != msg:
            extra = {"canonical_wire": {"text": canonical}}
    write(name, desc, "fix-ingress", {"wire": {"text": msg}}, out, tags, expected, extra)
    return out.get("message") or out.get("error"), (extra or {}).get("canonical_wire", {}).get("text", msg)


def egress_vec(name, desc, message, tags, expected="pass", code=None, wire=None):
    out = fw.egress({"message": message})
    if expected == "error":
        assert list(out) == ["error"], (name, out)
        assert out["error"]["code"] == code, (name, out)
    else:
        assert out == {"wire": {"text": wire}}, (name, out, wire)
    write(name, desc, "fix-egress", {"message": message}, out, tags, expected)


# --- ingress, well-formed -----------------------------------------------------------------------
D44 = hdr("D") + [(11, "ORD001"), (55, "AAPL"), (54, 1), (38, 100), (40, 2), (44, "150.50"), (59, 0), (60, "20260210-12:00:00.000")]
order, order_canonical = vec("new-order-basic", "FIX 4.4 limit NewOrderSingle with required fields, |-separated", frame("FIX.4.4", D44, "|"), ["basic", "new-order", "fix-4.4"])
assert order["esf_order"]["price"] == 15050000000 and "\x0144=150.5\x01" in order_canonical  # hand-checked anchors
vec("new-order-soh", "The same order with real SOH separators (150.50 is written back as 150.5)", frame("FIX.4.4", D44), ["basic", "new-order", "fix-4.4", "soh"])
D44C = [(t, "150.5" if t == 44 else v) for t, v in D44]
_, wire = vec("new-order-canonical", "The same order in canonical form: egress gives these exact bytes back", frame("FIX.4.4", D44C), ["basic", "new-order", "fix-4.4", "soh", "canonical"])
assert wire == frame("FIX.4.4", D44C)
vec("new-order-market-42", "FIX 4.2 market order with HandlInst, without TransactTime", frame("FIX.4.2", hdr("D", 7) + [(11, "M-42"), (21, 1), (55, "MSFT"), (54, 2), (38, 250), (40, 1)], "|"), ["new-order", "fix-4.2"])
vec("new-order-stop-limit-50", "FIX 5.0 SP2 stop-limit GTC order with an account", frame("FIXT.1.1", hdr("D", 12) + [(1128, 9), (1, "ACC-7"), (11, "SL-1"), (55, "ES"), (54, 2), (38, 3), (40, 4), (44, "4999.25"), (99, "5000"), (59, 1), (60, "20260210-12:00:01.500")], "|"), ["new-order", "fix-5.0", "optional-fields"])
vec("new-order-fixt-default-appl", "FIXT.1.1 without ApplVerID is FIX 5.0; egress writes 1128=7", frame("FIXT.1.1", hdr("D", 13) + [(11, "F50"), (55, "ES"), (54, 1), (38, 1), (40, 1), (60, "20260210-12:00:01")]), ["new-order", "fix-5.0"])
vec("new-order-ioc-utf8", "IOC order whose ClOrdID has non-ASCII characters", frame("FIX.4.4", hdr("D", 3) + [(11, "ÄPFEL-1"), (55, "SAP"), (54, 1), (38, 10), (40, 2), (44, "120.1"), (59, 3), (60, "20260210-12:00:02")], "|"), ["new-order", "fix-4.4", "unicode"])
m, wire = vec("new-order-leading-zeros", "OrderQty 002000.00 and Price 0020.150 are valid FIX numbers (issue 16)", frame("FIX.4.4", hdr("D", 4) + [(11, "LZ-1"), (55, "INTC"), (54, 1), (38, "002000.00"), (40, 2), (44, "0020.150"), (60, "20260210-12:00:04")]), ["new-order", "numbers"])
assert m["new_order"]["order_qty"] == 2000 and m["esf_order"]["price"] == 2015000000 and "\x0138=2000\x01" in wire and "\x0144=20.15\x01" in wire
m, wire = vec("new-order-trailing-point", "Price 150. (a trailing decimal point) is 150 (issue 16)", frame("FIX.4.4", hdr("D", 5) + [(11, "TP-1"), (55, "AAPL"), (54, 2), (38, "100."), (40, 2), (44, "150."), (60, "20260210-12:00:05")]), ["new-order", "numbers"])
assert m["new_order"]["price"] == 150.0 and m["esf_order"]["price"] == 15000000000 and "\x0144=150\x01" in wire
m, _ = vec("new-order-leading-point", "Price .25 (no integer digits) is 0.25", frame("FIX.4.4", hdr("D", 6) + [(11, "LP-1"), (55, "PENNY"), (54, 1), (38, 4000), (40, 2), (44, ".25"), (60, "20260210-12:00:06")]), ["new-order", "numbers"])
assert m["esf_order"]["price"] == 25000000
m, _ = vec("quickfix-14e-new-order", "QuickFIX acceptance test 14e: market order with OrderQty 002000.00 and SecurityType 167 (ignored)", frame("FIX.4.4", [(35, "D"), (34, 4), (49, "ISLD"), (52, "20020619-16:14:10"), (56, "TW"), (11, "ID"), (21, 1), (38, "002000.00"), (40, 1), (54, 1), (55, "INTC"), (60, "20020619-16:14:10"), (167, "CS")]), ["new-order", "quickfix", "numbers"])
assert m["new_order"]["order_qty"] == 2000 and m["new_order"]["handl_inst"] == "AutomatedPrivate"
ER = hdr("8", 2, "BROKER", "BUYSIDE", "20260210-12:00:03.000") + [(37, "BRK-1"), (17, "EX-1"), (11, "ORD001"), (150, "F"), (39, 2), (55, "AAPL"), (54, 1), (32, 100), (31, "150.50"), (14, 100), (151, 0), (6, "150.50"), (12, "0.35"), (30, "XNAS"), (60, "20260210-12:00:03.000")]
fill, _ = vec("execution-report-fill", "FIX 4.4 full fill maps to EStreamFill with the order's id", frame("FIX.4.4", ER, "|"), ["basic", "execution-report", "fix-4.4"])
assert fill["esf_fill"]["order_id"] == order["esf_order"]["order_id"]
ERC = [(t, "150.5" if t in (31, 6) else v) for t, v in ER]
vec("execution-report-fill-canonical", "The same fill in canonical form", frame("FIX.4.4", ERC), ["execution-report", "fix-4.4", "canonical"])
vec("execution-report-partial-42", "FIX 4.2 partial fill (ExecType 1); ExecTransType (20) is not mapped", frame("FIX.4.2", hdr("8", 5, "BROKER", "BUYSIDE") + [(37, "BRK-9"), (17, "EX-9"), (20, 0), (11, "M-42"), (150, 1), (39, 1), (55, "MSFT"), (54, 2), (32, 50), (31, "411.2"), (14, 50), (151, 200), (6, "411.2")], "|"), ["execution-report", "fix-4.2"])
vec("execution-report-new", "An acknowledgement (ExecType 0) has no fill", frame("FIX.4.4", hdr("8", 3, "BROKER", "BUYSIDE") + [(37, "BRK-2"), (17, "EX-2"), (11, "ORD002"), (150, 0), (39, 0), (55, "AAPL"), (54, 1), (14, 0), (151, 100), (6, "0")], "|"), ["execution-report", "fix-4.4"])
W = hdr("W", 4, "FEED", "BUYSIDE", "20260210-21:00:00") + [(55, "AAPL"), (262, "REQ-1"), (268, 5), (269, 4), (270, "149.00"), (269, 7), (270, "151.25"), (269, 8), (270, "148.50"), (269, 5), (270, "150.75"), (269, "B"), (271, 1200000)]
vec("market-data-ohlcv", "W snapshot with session statistics maps to EStreamMarketData", frame("FIX.4.4", W, "|"), ["basic", "market-data", "repeating-group"])
vec("market-data-book", "W snapshot with a two-level book (no OHLCV)", frame("FIX.4.4", hdr("W", 5, "FEED", "BUYSIDE") + [(55, "MSFT"), (268, 3), (269, 0), (270, "410.1"), (271, 500), (269, 1), (270, "410.2"), (271, 300), (269, 0), (270, "410"), (271, 900)]), ["market-data", "repeating-group", "canonical"])
vec("order-cancel", "OrderCancelRequest", frame("FIX.4.4", hdr("F", 6) + [(41, "ORD001"), (11, "CXL001"), (55, "AAPL"), (54, 1), (38, 100), (60, "20260210-12:00:04")], "|"), ["order-cancel", "fix-4.4"])
vec("order-cancel-reject", "OrderCancelReject with reason and text", frame("FIX.4.4", hdr("9", 7, "BROKER", "BUYSIDE") + [(37, "BRK-1"), (11, "CXL001"), (41, "ORD001"), (39, 2), (434, 1), (102, 0), (58, "Too late to cancel")], "|"), ["order-cancel-reject", "fix-4.4"])
PIPE = hdr("9", 8, "BROKER", "BUYSIDE") + [(37, "BRK-1"), (11, "CXL002"), (41, "ORD001"), (39, 2), (434, 1), (102, 1), (58, "Unknown order | see venue log | ref A|B")]
m, wire = vec("soh-message-with-pipes-in-text", "SOH-delimited message whose Text (58) contains `|`: each counts as 0x7C in the CheckSum (issue 16)", frame("FIX.4.4", PIPE), ["order-cancel-reject", "checksum", "soh", "canonical"])
assert m["order_cancel_reject"]["text"] == "Unknown order | see venue log | ref A|B" and wire == frame("FIX.4.4", PIPE)

# --- ingress, malformed or hostile --------------------------------------------------------------
E = ["error-handling", "negative"]
vec("malformed-bad-checksum", "CheckSum off by one", frame("FIX.4.4", D44, "|", checksum_delta=1), E + ["checksum"], "error", "BadChecksum")
vec("malformed-pipe-checksum-as-soh", "SOH message with `|` in Text whose CheckSum counted `|` as SOH (the 1.x bug) is refused", frame("FIX.4.4", PIPE, pipe_as_soh=True), E + ["checksum", "soh"], "error", "BadChecksum")
vec("malformed-bad-length", "BodyLength two bytes short", frame("FIX.4.4", D44, "|", length_delta=-2), E + ["length"], "error", "BadBodyLength")
vec("malformed-missing-symbol", "NewOrderSingle without Symbol (55)", frame("FIX.4.4", [f for f in D44 if f[0] != 55], "|"), E + ["new-order"], "error", "MissingTag")
vec("malformed-unknown-msgtype", "MsgType Z is not supported", frame("FIX.4.4", hdr("Z") + [(58, "x")], "|"), E, "error", "UnknownMsgType")
full = frame("FIX.4.4", D44, "|")
vec("malformed-truncated", "Message cut off before the trailer", full[: full.index("|60=")], E, "error", "Truncated")
vec("malformed-unsupported-version", "FIX.4.0 is not supported", frame("FIX.4.0", D44, "|"), E, "error", "UnsupportedVersion")
vec("malformed-bad-side", "Side (54) 9 is not Buy or Sell", frame("FIX.4.4", [(t, 9 if t == 54 else v) for t, v in D44], "|"), E + ["new-order"], "error", "BadValue")
vec("malformed-group-count", "NoMDEntries says 3 but 2 entries follow", frame("FIX.4.4", hdr("W", 5) + [(55, "MSFT"), (268, 3), (269, 0), (270, "1"), (271, 1), (269, 1), (270, "2"), (271, 1)], "|"), E + ["repeating-group"], "error", "Malformed")
vec("malformed-duplicate-tag", "Symbol (55) twice", frame("FIX.4.4", D44 + [(55, "MSFT")], "|"), E, "error", "Malformed")
vec("malformed-limit-without-price", "A limit order needs Price (44)", frame("FIX.4.4", [f for f in D44 if f[0] != 44], "|"), E + ["new-order"], "error", "MissingTag")
vec("malformed-fractional-qty", "OrderQty 100.5: fractional quantities are not supported by the u64 record", frame("FIX.4.4", [(t, "100.5" if t == 38 else v) for t, v in D44]), E + ["numbers"], "error", "BadValue")
vec("malformed-price-nine-decimals", "Price with 9 decimals does not fit the 8-decimal eStream price", frame("FIX.4.4", [(t, "1.123456789" if t == 44 else v) for t, v in D44]), E + ["numbers"], "error", "BadValue")
vec("malformed-price-too-precise", "Price 1234567890.12345678 has more digits than the f64 record keeps", frame("FIX.4.4", [(t, "1234567890.12345678" if t == 44 else v) for t, v in D44]), E + ["numbers"], "error", "LimitExceeded")
QF = [(35, "D"), (34, 2), (49, "TW44"), (52, "20020619-16:14:10.000"), (56, "ISLD"), (11, "ID"), (21, 1), (40, 1), (54, 1)]
vec("quickfix-14f-plus-sign", "QuickFIX acceptance test 14f: OrderQty +200.00 has a leading + sign", frame("FIX.4.4", QF + [(38, "+200.00"), (55, "INTC"), (60, "20020619-16:14:10.000")]), E + ["quickfix", "numbers"], "error", "BadValue")
vec("quickfix-14h-repeated-tag", "QuickFIX acceptance test 14h: OrdType (40) repeated outside a group", frame("FIX.4.4", QF[:7] + [(40, 1), (40, 2), (54, 1), (38, "200.00"), (55, "INTC"), (60, "20020619-16:14:10.000")]), E + ["quickfix"], "error", "Malformed")
vec("quickfix-14e-bad-handlinst", "QuickFIX acceptance test 14e: HandlInst (21) = 4 is not a valid value", frame("FIX.4.4", [(t, 4 if t == 21 else v) for t, v in QF] + [(38, "002000.00"), (55, "INTC"), (60, "20020619-16:14:10.000")]), E + ["quickfix"], "error", "BadValue")
H = E + ["hostile"]
vec("hostile-nul-in-value", "A NUL byte inside Symbol (55)", frame("FIX.4.4", [(t, "AA\x00PL" if t == 55 else v) for t, v in D44]), H, "error", "HostileInput")
vec("hostile-invalid-utf8", "A lone surrogate in the text is not valid UTF-8 on the wire", frame("FIX.4.4", [(t, "ORD\ud800" if t == 11 else v) for t, v in D44]), H, "error", "HostileInput")
vec("hostile-oversized", "A 70 000-byte Text field: messages are limited to 64 KiB", frame("FIX.4.4", hdr("9", 9, "BROKER", "BUYSIDE") + [(37, "B"), (11, "C"), (41, "O"), (39, 2), (434, 1), (58, "x" * 70000)]), H + ["limits"], "error", "LimitExceeded")
vec("hostile-huge-number", "A 41-digit OrderQty is refused before any arithmetic", frame("FIX.4.4", [(t, "1" + "0" * 40 if t == 38 else v) for t, v in D44]), H + ["limits", "numbers"], "error", "LimitExceeded")
vec("hostile-group-count", "NoMDEntries 1000000: the count is refused before reading entries", frame("FIX.4.4", hdr("W", 5) + [(55, "MSFT"), (268, 1000000), (269, 0), (270, "1"), (271, 1)]), H + ["limits", "repeating-group"], "error", "LimitExceeded")
vec("hostile-body-length-overflow", "An 11-digit BodyLength", re.sub("\x019=[0-9]+\x01", "\x019=99999999999\x01", frame("FIX.4.4", D44), count=1), H + ["length"], "error", "BadBodyLength")

# --- egress -------------------------------------------------------------------------------------
nos = {"message_type": "NewOrderSingle", "header": dict(order["header"]), "new_order": dict(order["new_order"])}
egress_vec("egress-new-order-single", "NewOrderSingle from its FIX record (no eStream record given)", nos, ["egress", "new-order", "basic"], wire=order_canonical)
egress_vec("egress-new-order-with-esf", "NewOrderSingle with its EStreamOrder, which must match", order, ["egress", "new-order"], wire=order_canonical)
nos50 = {"message_type": "NewOrderSingle", "header": {"begin_string": "FIXT.1.1", "fix_version": "5.0SP2", "msg_type": "D", "sender_comp_id": "ALGO", "target_comp_id": "VENUE", "msg_seq_num": 77, "sending_time": "2026-02-10T13:00:00.123456Z"},
         "new_order": {"cl_ord_id": "A-77", "handl_inst": "AutomatedPrivate", "symbol": "ESH7", "side": "Sell", "order_qty": 5, "ord_type": "Limit", "price": 5012.25, "time_in_force": "IOC", "transact_time": "2026-02-10T13:00:00.123456Z"}}
egress_vec("egress-new-order-fix50sp2", "FIX 5.0 SP2 order: FIXT.1.1 with ApplVerID 9, microsecond timestamps", nos50, ["egress", "new-order", "fix-5.0"],
           wire=frame("FIXT.1.1", [(35, "D"), (49, "ALGO"), (56, "VENUE"), (34, 77), (52, "20260210-13:00:00.123456"), (1128, 9), (11, "A-77"), (21, 1), (55, "ESH7"), (54, 2), (38, 5), (40, 2), (44, "5012.25"), (59, 3), (60, "20260210-13:00:00.123456")]))
er = {"message_type": "ExecutionReport", "header": dict(fill["header"]), "execution_report": dict(fill["execution_report"]), "esf_fill": dict(fill["esf_fill"])}
egress_vec("egress-execution-report-fill", "ExecutionReport with its EStreamFill", er, ["egress", "execution-report", "basic"], wire=frame("FIX.4.4", ERC))
ack = {"message_type": "ExecutionReport", "header": {"begin_string": "FIX.4.2", "fix_version": "4.2", "msg_type": "8", "sender_comp_id": "BROKER", "target_comp_id": "BUYSIDE", "msg_seq_num": 9, "sending_time": "2026-02-10T12:00:09Z"},
       "execution_report": {"order_id": "BRK-3", "exec_id": "EX-3", "cl_ord_id": "M-43", "exec_type": "New", "ord_status": "New", "symbol": "MSFT", "side": "Buy", "cum_qty": 0, "leaves_qty": 250, "avg_px": 0}}
egress_vec("egress-execution-report-ack-42", "FIX 4.2 acknowledgement (ExecType New): no fill, no eStream record", ack, ["egress", "execution-report", "fix-4.2"],
           wire=frame("FIX.4.2", [(35, "8"), (49, "BROKER"), (56, "BUYSIDE"), (34, 9), (52, "20260210-12:00:09"), (37, "BRK-3"), (17, "EX-3"), (11, "M-43"), (150, 0), (39, 0), (55, "MSFT"), (54, 1), (14, 0), (151, 250), (6, 0)]))
bad = json.loads(json.dumps(nos)); bad["new_order"]["cl_ord_id"] = "X\u000155=EVIL"
egress_vec("egress-soh-injection", "A ClOrdID holding SOH would inject a Symbol field", bad, E + ["egress", "hostile"], "error", "HostileInput")
bad = json.loads(json.dumps(nos)); del bad["new_order"]["price"]
egress_vec("egress-limit-without-price", "A limit order without a price is refused like on ingress", bad, E + ["egress"], "error", "MissingTag")
bad = json.loads(json.dumps(order)); bad["esf_order"]["price"] = 15060000000
egress_vec("egress-esf-order-mismatch", "An EStreamOrder whose price differs from the FIX record", bad, E + ["egress"], "error", "BadValue")
egress_vec("egress-missing-record", "NewOrderSingle without its new_order record", {"message_type": "NewOrderSingle", "header": nos["header"]}, E + ["egress"], "error", "MissingTag")
bad = json.loads(json.dumps(er)); bad["header"]["msg_seq_num"] = 0
egress_vec("egress-zero-seqnum", "MsgSeqNum 0 is refused like on ingress (sequence numbers start at 1)", bad, E + ["egress"], "error", "BadValue")

with open(OUT + "manifest.toml", "w") as f:
    f.write(f'[test_suite]\nname = "fix-wire-golden"\ncircuit = "fix-ingress"\nversion = "{VERSION}"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error": f.write('expected_error = "error"\n')
errors = sum(1 for t in tests if t[2] == "error")
assert errors * 3 >= len(tests), (errors, len(tests))
print("ok", len(tests), "vectors,", errors, "errors")
