"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The expected outputs come from the reference implementation in src/, after independent checks
(hash encodings and FIX framing are computed here, separately from the code under test), and every
error vector is asserted to land on its error port. Review the diff before committing.
"""
import json, os, sys, copy
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import fix_parser as fp
OUT = os.path.join(HERE, "..", "tests", "golden", "")

def frame(begin, body_fields, sep="\x01", length_delta=0, checksum_delta=0):
    """Independent FIX framing: BodyLength and CheckSum computed here, not by the parser."""
    body = "".join(f"{t}={v}\x01" for t, v in body_fields)
    head = f"8={begin}\x019={len(body.encode()) + length_delta}\x01"
    cs = (sum((head + body).encode()) + checksum_delta) % 256
    msg = f"{head}{body}10={cs:03d}\x01"
    return msg.replace("\x01", sep)

def hdr(mt, seq=1, sender="BUYSIDE", target="BROKER", t="20260210-12:00:00.000"):
    return [(35, mt), (49, sender), (56, target), (34, seq), (52, t)]

tests = []
def vec(name, desc, msg, tags, expected="pass", code=None):
    out = fp.parse({"raw_fix": {"tag_value_pairs": msg}})
    if expected == "error":
        assert list(out) == ["parse_error"], (name, out)
        assert out["parse_error"]["code"] == code, (name, out)
    else:
        assert list(out) == ["parsed_esf"], (name, out)
    doc = {"test_vector": {"name": name, "description": desc, "circuit": "fix-parser", "version": "1.0.0"},
           "input": {"raw_fix": {"tag_value_pairs": msg}}, "expected_output": out,
           "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}}
    with open(OUT + name + ".json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False); f.write("\n")
    tests.append((name, tags, expected))
    return out

D44 = hdr("D") + [(11, "ORD001"), (55, "AAPL"), (54, 1), (38, 100), (40, 2), (44, "150.50"), (59, 0), (60, "20260210-12:00:00.000")]
o = vec("new-order-basic", "FIX 4.4 limit NewOrderSingle with required fields", frame("FIX.4.4", D44, "|"), ["basic", "new-order", "fix-4.4"])
# hand-checked anchors (independent of the generator's framing)
assert o["parsed_esf"]["esf_order"]["price"] == 15050000000
vec("new-order-soh", "The same order with real SOH separators", frame("FIX.4.4", D44), ["basic", "new-order", "fix-4.4", "soh"])
vec("new-order-market-42", "FIX 4.2 market order without TransactTime", frame("FIX.4.2", hdr("D", 7) + [(11, "M-42"), (21, 1), (55, "MSFT"), (54, 2), (38, 250), (40, 1)], "|"), ["new-order", "fix-4.2"])
vec("new-order-stop-limit-50", "FIX 5.0 SP2 stop-limit GTC order with an account", frame("FIXT.1.1", hdr("D", 12) + [(1128, 9), (1, "ACC-7"), (11, "SL-1"), (55, "ES"), (54, 2), (38, 3), (40, 4), (44, "4999.25"), (99, "5000"), (59, 1), (60, "20260210-12:00:01.500")], "|"), ["new-order", "fix-5.0", "optional-fields"])
vec("new-order-ioc-utf8", "IOC order whose ClOrdID has non-ASCII characters", frame("FIX.4.4", hdr("D", 3) + [(11, "ÄPFEL-1"), (55, "SAP"), (54, 1), (38, 10), (40, 2), (44, "120.1"), (59, 3), (60, "20260210-12:00:02")], "|"), ["new-order", "fix-4.4", "unicode"])
ER = hdr("8", 2, "BROKER", "BUYSIDE", "20260210-12:00:03.000") + [(37, "BRK-1"), (17, "EX-1"), (11, "ORD001"), (150, "F"), (39, 2), (55, "AAPL"), (54, 1), (32, 100), (31, "150.50"), (14, 100), (151, 0), (6, "150.50"), (12, "0.35"), (30, "XNAS"), (60, "20260210-12:00:03.000")]
vec("execution-report-fill", "FIX 4.4 full fill maps to EStreamFill with the order's id", frame("FIX.4.4", ER, "|"), ["basic", "execution-report", "fix-4.4"])
vec("execution-report-partial-42", "FIX 4.2 partial fill (ExecType 1)", frame("FIX.4.2", hdr("8", 5, "BROKER", "BUYSIDE") + [(37, "BRK-9"), (17, "EX-9"), (20, 0), (11, "M-42"), (150, 1), (39, 1), (55, "MSFT"), (54, 2), (32, 50), (31, "411.2"), (14, 50), (151, 200), (6, "411.2")], "|"), ["execution-report", "fix-4.2"])
vec("execution-report-new", "An acknowledgement (ExecType 0) has no fill", frame("FIX.4.4", hdr("8", 3, "BROKER", "BUYSIDE") + [(37, "BRK-2"), (17, "EX-2"), (11, "ORD002"), (150, 0), (39, 0), (55, "AAPL"), (54, 1), (14, 0), (151, 100), (6, "0")], "|"), ["execution-report", "fix-4.4"])
W = hdr("W", 4, "FEED", "BUYSIDE", "20260210-21:00:00") + [(55, "AAPL"), (262, "REQ-1"), (268, 5), (269, 4), (270, "149.00"), (269, 7), (270, "151.25"), (269, 8), (270, "148.50"), (269, 5), (270, "150.75"), (269, "B"), (271, 1200000)]
vec("market-data-ohlcv", "W snapshot with session statistics maps to EStreamMarketData", frame("FIX.4.4", W, "|"), ["basic", "market-data", "repeating-group"])
vec("market-data-book", "W snapshot with a two-level book (no OHLCV)", frame("FIX.4.4", hdr("W", 5, "FEED", "BUYSIDE") + [(55, "MSFT"), (268, 3), (269, 0), (270, "410.10"), (271, 500), (269, 1), (270, "410.20"), (271, 300), (269, 0), (270, "410.00"), (271, 900)], "|"), ["market-data", "repeating-group"])
vec("order-cancel", "OrderCancelRequest", frame("FIX.4.4", hdr("F", 6) + [(41, "ORD001"), (11, "CXL001"), (55, "AAPL"), (54, 1), (38, 100), (60, "20260210-12:00:04")], "|"), ["order-cancel", "fix-4.4"])
vec("order-cancel-reject", "OrderCancelReject with reason and text", frame("FIX.4.4", hdr("9", 7, "BROKER", "BUYSIDE") + [(37, "BRK-1"), (11, "CXL001"), (41, "ORD001"), (39, 2), (434, 1), (102, 0), (58, "Too late to cancel")], "|"), ["order-cancel-reject", "fix-4.4"])
# malformed
vec("malformed-bad-checksum", "CheckSum off by one", frame("FIX.4.4", D44, "|", checksum_delta=1), ["error-handling", "negative", "checksum"], "error", "BadChecksum")
vec("malformed-bad-length", "BodyLength two bytes short", frame("FIX.4.4", D44, "|", length_delta=-2), ["error-handling", "negative", "length"], "error", "BadBodyLength")
vec("malformed-missing-symbol", "NewOrderSingle without Symbol (55)", frame("FIX.4.4", [f for f in D44 if f[0] != 55], "|"), ["error-handling", "negative", "new-order"], "error", "MissingTag")
vec("malformed-unknown-msgtype", "MsgType Z is not supported", frame("FIX.4.4", hdr("Z") + [(58, "x")], "|"), ["error-handling", "negative"], "error", "UnknownMsgType")
full = frame("FIX.4.4", D44, "|")
vec("malformed-truncated", "Message cut off before the trailer", full[: full.index("|60=")], ["error-handling", "negative"], "error", "Truncated")
vec("malformed-unsupported-version", "FIX.4.0 is not supported", frame("FIX.4.0", D44, "|"), ["error-handling", "negative"], "error", "UnsupportedVersion")
vec("malformed-bad-side", "Side (54) 9 is not Buy or Sell", frame("FIX.4.4", [(t, 9 if t == 54 else v) for t, v in D44], "|"), ["error-handling", "negative", "new-order"], "error", "BadValue")
vec("malformed-group-count", "NoMDEntries says 3 but 2 entries follow", frame("FIX.4.4", hdr("W", 5) + [(55, "MSFT"), (268, 3), (269, 0), (270, "1"), (271, 1), (269, 1), (270, "2"), (271, 1)], "|"), ["error-handling", "negative", "repeating-group"], "error", "Malformed")
vec("malformed-duplicate-tag", "Symbol (55) twice", frame("FIX.4.4", D44 + [(55, "MSFT")], "|"), ["error-handling", "negative"], "error", "Malformed")
vec("malformed-limit-without-price", "A limit order needs Price (44)", frame("FIX.4.4", [f for f in D44 if f[0] != 44], "|"), ["error-handling", "negative", "new-order"], "error", "MissingTag")
with open(OUT + "manifest.toml", "w") as f:
    f.write('[test_suite]\nname = "fix-parser-golden"\ncircuit = "fix-parser"\nversion = "1.0.0"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error": f.write('expected_error = "parse_error"\n')
print("ok", len(tests))
