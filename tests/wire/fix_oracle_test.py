"""estream-wire-fix checked against simplefix, a FIX library of the field (not against our own code).

For every golden vector and a seeded random corpus:

* decoding: simplefix splits the wire into tag=value pairs; each pair our adapter maps must
  decode to the same value (numbers compared as decimals, enums through the FIX code tables
  written out below from the FIX specification, timestamps through `datetime`);
* framing: simplefix re-encodes the same pairs, computing BodyLength (9) and CheckSum (10)
  itself, and must produce exactly the bytes our egress writes (and the canonical wire of each
  vector); for messages sent with `|` separators, simplefix's CheckSum of the SOH form must be the
  declared one;
* errors: BadChecksum vectors really carry a CheckSum other than simplefix's.

The package's module is loaded from components/estream-wire-fix/src by path: it is not importable
code of this repository, and simplefix is a test dependency only.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import simplefix

PKG = Path("components/estream-wire-fix")


def _root() -> Path:
    for candidate in [Path.cwd(), *Path(__file__).resolve().parents]:
        if (candidate / PKG / "src/fix_wire.py").is_file():
            return candidate
    raise RuntimeError("components/estream-wire-fix not found")


ROOT = _root()
_spec = importlib.util.spec_from_file_location("estream_wire_fix_under_test", ROOT / PKG / "src/fix_wire.py")
fw = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fw)  # type: ignore[union-attr]

# FIX code tables (FIX 4.4 specification, fields 21, 39, 40, 54, 59, 150, 269, 434), written here
# independently of the adapter's tables.
CODES: Dict[int, Dict[str, str]] = {
    21: {"1": "AutomatedPrivate", "2": "AutomatedPublic", "3": "Manual"},
    39: {
        "0": "New",
        "1": "PartiallyFilled",
        "2": "Filled",
        "4": "Canceled",
        "6": "PendingCancel",
        "8": "Rejected",
        "A": "PendingNew",
        "E": "PendingReplace",
    },
    40: {"1": "Market", "2": "Limit", "3": "Stop", "4": "StopLimit"},
    54: {"1": "Buy", "2": "Sell"},
    59: {"0": "DAY", "1": "GTC", "3": "IOC", "4": "FOK"},
    150: {
        "0": "New",
        "1": "PartialFill",
        "2": "Fill",
        "4": "Canceled",
        "5": "Replaced",
        "8": "Rejected",
        "F": "Trade",
        "I": "OrderStatus",
    },
    269: {
        "0": "Bid",
        "1": "Offer",
        "2": "Trade",
        "4": "Open",
        "5": "Close",
        "7": "High",
        "8": "Low",
        "B": "TradeVolume",
    },
    434: {"1": "OrderCancelRequest", "2": "OrderCancelReplaceRequest"},
}
NUMBERS = {6, 12, 14, 31, 32, 38, 44, 99, 151, 270, 271, 34, 102}
TIMES = {52, 60}
RECORDS = {
    "D": "new_order",
    "8": "execution_report",
    "W": "market_data",
    "F": "order_cancel",
    "9": "order_cancel_reject",
}
# tag -> record field, as the adapter's README documents them.
FIELDS = {
    1: "account",
    6: "avg_px",
    11: "cl_ord_id",
    12: "commission",
    14: "cum_qty",
    17: "exec_id",
    21: "handl_inst",
    30: "last_mkt",
    31: "last_px",
    32: "last_qty",
    37: "order_id",
    38: "order_qty",
    39: "ord_status",
    40: "ord_type",
    41: "orig_cl_ord_id",
    44: "price",
    54: "side",
    55: "symbol",
    58: "text",
    59: "time_in_force",
    60: "transact_time",
    99: "stop_px",
    102: "cxl_rej_reason",
    150: "exec_type",
    151: "leaves_qty",
    262: "md_req_id",
    434: "cxl_rej_response_to",
}
HEADER = {49: "sender_comp_id", 56: "target_comp_id", 34: "msg_seq_num", 52: "sending_time"}
GROUP_FIELDS = {269: "entry_type", 270: "price", 271: "size"}


def oracle_pairs(wire: bytes) -> List[Tuple[int, str]]:
    """simplefix's view of a message: its tag=value pairs (SOH form)."""
    parser = simplefix.FixParser()
    parser.append_buffer(wire.replace(b"|", b"\x01") if b"\x01" not in wire else wire)
    message = parser.get_message()
    assert message is not None, wire
    return [(int(tag), value.decode("utf-8")) for tag, value in message.pairs]


def oracle_encode(pairs: List[Tuple[int, str]]) -> bytes:
    """simplefix's encoding of the pairs (it computes BodyLength and CheckSum)."""
    message = simplefix.FixMessage()
    for tag, value in pairs:
        if tag not in (9, 10):
            message.append_pair(tag, value.encode("utf-8"))
    return message.encode()


def oracle_value(tag: int, text: str) -> Any:
    if tag in CODES:
        return CODES[tag][text]
    if tag in NUMBERS:
        return Decimal(text)
    if tag in TIMES:
        fmt = "%Y%m%d-%H:%M:%S.%f" if "." in text else "%Y%m%d-%H:%M:%S"
        return datetime.datetime.strptime(text[:24], fmt)
    return text


def ours(tag: int, value: Any) -> Any:
    if tag in NUMBERS:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if tag in TIMES:
        text = value.rstrip("Z")
        return datetime.datetime.strptime(
            text[:26], "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
        )
    return value


def assert_same_values(wire: bytes, message: Dict[str, Any]) -> int:
    """Every pair simplefix sees that the adapter maps decodes to the adapter's value; returns the count."""
    pairs = oracle_pairs(wire)
    header = message["header"]
    assert header["begin_string"] == pairs[0][1] and header["msg_type"] == dict(pairs)[35]
    record = message[RECORDS[header["msg_type"]]]
    checked = 0
    entries = iter(record.get("entries", []))
    entry: Dict[str, Any] = {}
    for tag, text in pairs:
        if tag in HEADER:
            assert ours(tag, header[HEADER[tag]]) == oracle_value(tag, text), (tag, text)
        elif tag in GROUP_FIELDS and header["msg_type"] == "W":
            if tag == 269:
                entry = next(entries)
            assert ours(tag, entry[GROUP_FIELDS[tag]]) == oracle_value(tag, text), (tag, text)
        elif tag in FIELDS:
            assert ours(tag, record[FIELDS[tag]]) == oracle_value(tag, text), (tag, text, record)
        else:
            continue
        checked += 1
    return checked


def golden() -> List[Dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / PKG / "tests/golden").glob("*.json"))
    ]


VECTORS = golden()


def test_every_vector_is_covered() -> None:
    assert len(VECTORS) >= 30
    assert sum(1 for v in VECTORS if "error" in v["expected_output"]) * 3 >= len(VECTORS)


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS if "message" in v["expected_output"]],
    ids=lambda v: v["test_vector"]["name"],
)
def test_ingress_decodes_like_simplefix_and_egress_frames_like_simplefix(vector: Dict[str, Any]) -> None:
    wire = vector["input"]["wire"]["text"].encode("utf-8")
    message = vector["expected_output"]["message"]
    assert fw.translate_ingress(wire) == message
    assert assert_same_values(wire, message) >= 5
    pairs = oracle_pairs(wire)
    declared = dict(pairs)[10]
    # simplefix's CheckSum of the message (|-separated: of its SOH form) is the declared one.
    assert oracle_encode(pairs).endswith(f"10={declared}\x01".encode())
    written = fw.translate_egress(message)
    canonical = vector.get("canonical_wire", vector["input"]["wire"])["text"].encode("utf-8")
    assert written == canonical
    assert oracle_encode(oracle_pairs(written)) == written  # simplefix frames our output identically
    assert assert_same_values(written, message) >= 5


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "wire" in v["expected_output"]], ids=lambda v: v["test_vector"]["name"]
)
def test_egress_vectors_frame_like_simplefix(vector: Dict[str, Any]) -> None:
    written = vector["expected_output"]["wire"]["text"].encode("utf-8")
    assert fw.translate_egress(vector["input"]["message"]) == written
    assert oracle_encode(oracle_pairs(written)) == written
    assert assert_same_values(written, vector["input"]["message"]) >= 5


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS if v["expected_output"].get("error", {}).get("code") == "BadChecksum"],
    ids=lambda v: v["test_vector"]["name"],
)
def test_bad_checksum_vectors_differ_from_simplefix(vector: Dict[str, Any]) -> None:
    wire = vector["input"]["wire"]["text"].encode("utf-8")
    pairs = oracle_pairs(wire)
    assert not oracle_encode(pairs).endswith(f"10={dict(pairs)[10]}\x01".encode())


# --- generated corpus -------------------------------------------------------------------------


def number_forms(rng: random.Random, value: Decimal) -> Tuple[str, str]:
    """(a valid FIX spelling with random leading/trailing zeros or point, the canonical one)."""
    canonical = format(value.normalize(), "f")
    integer, _, fraction = canonical.partition(".")
    spelled = "0" * rng.choice([0, 0, 1, 3]) + integer
    tail = fraction + "0" * rng.choice([0, 0, 2])
    spelled += ("." + tail) if tail else rng.choice(["", "", ".", ".00"])
    return spelled, canonical


def random_message(rng: random.Random, i: int) -> Tuple[List[Tuple[int, str]], List[Tuple[int, str]]]:
    """(pairs as sent, the same pairs in the adapter's canonical form), FIX 4.4."""
    text = rng.choice(["ORD", "Ä-", "x|y", "A B", "ü€", "id=7"]) + str(i)
    header = [
        (8, "FIX.4.4"),
        (35, "D" if i % 2 == 0 else "8"),
        (49, "S" + str(rng.randrange(100))),
        (56, "BROKER"),
        (34, str(i + 1)),
        (
            52,
            f"2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}-{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            + rng.choice(["", ".123", ".123456"]),
        ),
    ]
    sent, canon = list(header), list(header)

    def add(tag: int, value: str, canonical: str = "") -> None:
        sent.append((tag, value))
        canon.append((tag, canonical or value))

    qty, qty_c = number_forms(rng, Decimal(rng.randrange(1, 10**6)))
    price, price_c = number_forms(
        rng, Decimal(rng.randrange(1, 10**7)) / Decimal(10) ** rng.randrange(0, 5)
    )
    if i % 2 == 0:
        add(11, text)
        add(55, rng.choice(["AAPL", "MSFT", "ESH7"]))
        add(54, rng.choice("12"))
        add(38, qty, qty_c)
        add(40, "2")
        add(44, price, price_c)
        add(59, rng.choice("0134"))
        add(60, header[-1][1])
    else:
        cum, cum_c = number_forms(rng, Decimal(rng.randrange(10**6)))
        add(37, "B" + str(i))
        add(17, "E" + str(i))
        add(11, text)
        add(150, "F")
        add(39, "2")
        add(55, "INTC")
        add(54, "2")
        add(32, qty, qty_c)
        add(31, price, price_c)
        add(14, cum, cum_c)
        add(151, "0")
        add(6, price, price_c)
    return sent, canon


def test_generated_corpus_agrees_with_simplefix() -> None:
    rng = random.Random(16)
    checked = 0
    for i in range(400):
        sent, canon = random_message(rng, i)
        wire = oracle_encode(sent)  # simplefix frames the message as sent
        message = fw.translate_ingress(wire)
        checked += assert_same_values(wire, message)
        written = fw.translate_egress(message)
        assert written == oracle_encode(canon), (wire, written)
        assert fw.translate_ingress(written) == message
    assert checked > 400 * 10


# --- robustness (no oracle needed): bad input is a typed error, never an exception ---------------


ERROR_CODES = re.search(r"FixErrorCode:\s*values: \[([^\]]*)\]", (ROOT / PKG / "schemas/fix.esf.yaml").read_text()).group(1).split(", ")  # type: ignore[union-attr]


def test_mutated_wires_and_messages_give_typed_errors_never_exceptions() -> None:
    rng = random.Random(1616)
    wires = [
        v["input"]["wire"]["text"].encode("utf-8", "surrogatepass") for v in VECTORS if "wire" in v["input"]
    ]
    messages = [v["expected_output"]["message"] for v in VECTORS if "message" in v["expected_output"]]
    junk: List[Any] = [
        None,
        [],
        {},
        "",
        "\x01",
        1.5,
        -1,
        True,
        "x" * 300,
        float("nan"),
        float("inf"),
        2**70,
        ["a"],
        {"a": 1},
        1e300,
    ]

    def mutate(value: Any) -> Any:
        if isinstance(value, dict):
            value = dict(value)
            if value and rng.random() < 0.3:
                value[rng.choice(list(value))] = rng.choice(junk)
            return {k: mutate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mutate(v) for v in value]
        return value

    errors = 0
    for _ in range(3000):
        wire = bytearray(rng.choice(wires))
        for _ in range(rng.randrange(1, 4)):
            op = rng.randrange(3)
            if op == 0 and wire:
                wire[rng.randrange(len(wire))] = rng.randrange(256)
            elif op == 1 and wire:
                del wire[rng.randrange(len(wire))]
            else:
                wire.insert(rng.randrange(len(wire) + 1), rng.choice(b"=|\x01019.-+"))
        for call, arg in (
            (fw.translate_ingress, bytes(wire)),
            (fw.translate_egress, mutate(rng.choice(messages))),
        ):
            try:
                call(arg)
            except fw.FixError as e:
                assert e.code in ERROR_CODES, e.code
                errors += 1
    assert errors > 3000  # most mutations are refused, each with a typed error
