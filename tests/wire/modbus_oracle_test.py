"""estream-wire-modbus against pymodbus, the field's reference Modbus library.

pymodbus frames and decodes with `FramerSocket` (MBAP) / `FramerRTU` (CRC-16) and
`DecodePDU(is_server=True)` for requests, `DecodePDU(is_server=False)` for responses, and encodes
with its PDU classes and `Framer.buildFrame`. For every golden vector and a seeded generated
corpus:

* ingress: pymodbus must find the same frames (lengths, CRC) and decode the same unit,
  transaction, function, address, quantity, registers, coils and exception code as ours;
* egress: pymodbus, given our decoded values, must build exactly the wire bytes.

Known, intended difference: pymodbus reads any non-zero FC 5 value as "on"; the specification
allows only 0xFF00 and 0x0000, and so do we (vector `error-coil-value`). Mutated wires check that
`ingress` never raises and that everything it accepts, pymodbus reads the same way.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import random
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from pymodbus.framer.rtu import FramerRTU
from pymodbus.framer.socket import FramerSocket
from pymodbus.pdu import ExceptionResponse
from pymodbus.pdu.bit_message import (
    ReadCoilsRequest,
    ReadCoilsResponse,
    ReadDiscreteInputsRequest,
    ReadDiscreteInputsResponse,
    WriteMultipleCoilsRequest,
    WriteMultipleCoilsResponse,
    WriteSingleCoilRequest,
    WriteSingleCoilResponse,
)
from pymodbus.pdu.decoders import DecodePDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersRequest,
    ReadHoldingRegistersResponse,
    ReadInputRegistersRequest,
    ReadInputRegistersResponse,
    WriteMultipleRegistersRequest,
    WriteMultipleRegistersResponse,
    WriteSingleRegisterRequest,
    WriteSingleRegisterResponse,
)

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "estream-wire-modbus"


def _load():
    spec = importlib.util.spec_from_file_location(
        "modbus_wire_under_test", PACKAGE / "src" / "modbus_wire.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mw = _load()
# pymodbus logs every ExceptionResponse it builds at ERROR level; here they are expected.
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

CLASSES = {
    1: (ReadCoilsRequest, ReadCoilsResponse),
    2: (ReadDiscreteInputsRequest, ReadDiscreteInputsResponse),
    3: (ReadHoldingRegistersRequest, ReadHoldingRegistersResponse),
    4: (ReadInputRegistersRequest, ReadInputRegistersResponse),
    5: (WriteSingleCoilRequest, WriteSingleCoilResponse),
    6: (WriteSingleRegisterRequest, WriteSingleRegisterResponse),
    15: (WriteMultipleCoilsRequest, WriteMultipleCoilsResponse),
    16: (WriteMultipleRegistersRequest, WriteMultipleRegistersResponse),
}


def golden(circuit: str) -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted((PACKAGE / "tests" / "golden").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["test_vector"]["circuit"] == circuit:
            out.append((path.stem, doc))
    return out


def framer(framing: str, is_server: bool):
    decoder = DecodePDU(is_server)
    return FramerSocket(decoder) if framing == "Tcp" else FramerRTU(decoder)


# --- pymodbus as encoder -------------------------------------------------------------------------


def build(message: Dict[str, Any]) -> bytes:
    fc = mw.FUNCTION_CODES[message["function"]]
    tid = message.get("transaction_id", 0)
    unit = message["unit_id"]
    req_cls, resp_cls = CLASSES[fc]
    req = message["request"]
    pdus = [
        req_cls(
            dev_id=unit,
            transaction_id=tid,
            address=req["address"],
            count=req.get("quantity", 0),
            bits=req.get("coils"),
            registers=req.get("registers"),
        )
    ]
    resp = message.get("response")
    if resp is not None:
        if "exception" in resp:
            pdus.append(
                ExceptionResponse(fc, mw.EXCEPTION_CODES[resp["exception"]], slave=unit, transaction=tid)
            )
        else:
            pdus.append(
                resp_cls(
                    dev_id=unit,
                    transaction_id=tid,
                    address=resp.get("address", 0),
                    count=resp.get("quantity", 0),
                    bits=resp.get("coils"),
                    registers=resp.get("registers"),
                )
            )
    f = framer(message["framing"], True)
    return b"".join(f.buildFrame(p) for p in pdus)


# --- pymodbus as decoder -------------------------------------------------------------------------


def decode(wire: bytes, framing: str) -> Tuple[Any, Optional[Any], int]:
    """(request pdu, response pdu or None, bytes used) as pymodbus frames and decodes them.

    RTU frames are cut where pymodbus' own PDU class says they end (`calculateRtuFrameSize`):
    fed a whole transaction, its stream framer scans for a CRC from the end backwards and can
    stop at a chance match inside the response (about 1 in 7,000 transactions)."""
    pdus: List[Any] = []
    used = 0
    for is_server in (True, False):
        rest = wire[used:]
        if not rest:
            break
        f = framer(framing, is_server)
        if framing == "Rtu":
            cls = f.decoder.lookupPduClass(rest)
            assert cls is not None, "pymodbus does not know this function"
            rest = rest[: cls.calculateRtuFrameSize(rest)]
        n, pdu = f.processIncomingFrame(rest)
        assert pdu is not None, f"pymodbus found no {'request' if is_server else 'response'} frame"
        pdus.append(pdu)
        used += n
    return pdus[0], (pdus[1] if len(pdus) > 1 else None), used


def check_against_pymodbus(wire: bytes) -> Dict[str, Any]:
    message = mw.translate_ingress(wire)
    request, response, used = decode(wire, message["framing"])
    assert used == len(wire)
    fc = mw.FUNCTION_CODES[message["function"]]
    req = message["request"]
    assert request.function_code == fc
    assert request.dev_id == message["unit_id"]
    if message["framing"] == "Tcp":
        assert request.transaction_id == message["transaction_id"]
    assert request.address == req["address"]
    if fc in (1, 2, 3, 4, 15, 16):
        assert (request.count if fc != 15 else len(request.bits)) == req["quantity"]
    if "registers" in req:
        assert request.registers == req["registers"]
    if "coils" in req:
        assert request.bits == req["coils"]
    resp = message.get("response")
    assert (response is None) == (resp is None)
    if resp is not None:
        assert response is not None
        assert response.dev_id == message["unit_id"]
        if "exception" in resp:
            assert response.function_code == fc | 0x80
            assert response.exception_code == mw.EXCEPTION_CODES[resp["exception"]]
        else:
            assert response.function_code == fc
            if fc in (1, 2):
                q = req["quantity"]
                assert response.bits[:q] == resp["coils"] and not any(response.bits[q:])
            elif fc in (3, 4):
                assert response.registers == resp["registers"]
            elif fc == 5:
                assert (response.address, response.bits) == (resp["address"], resp["coils"])
            elif fc == 6:
                assert (response.address, response.registers) == (resp["address"], resp["registers"])
            else:
                assert (response.address, response.count) == (resp["address"], resp["quantity"])
    assert build(message) == wire
    assert mw.translate_egress(message) == wire
    return message


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,doc", golden("modbus_ingress"), ids=[n for n, _ in golden("modbus_ingress")])
def test_golden_ingress_vectors_agree_with_pymodbus(name: str, doc: Dict[str, Any]) -> None:
    wire = bytes.fromhex(doc["input"]["wire"]["hex"])
    expected = doc["expected_output"]
    if "error" in expected:
        assert mw.ingress({"wire": {"hex": wire.hex()}}) == expected
        return
    assert check_against_pymodbus(wire) == expected["message"]


@pytest.mark.parametrize("name,doc", golden("modbus_egress"), ids=[n for n, _ in golden("modbus_egress")])
def test_golden_egress_vectors_agree_with_pymodbus(name: str, doc: Dict[str, Any]) -> None:
    expected = doc["expected_output"]
    if "error" in expected:
        assert mw.egress(doc["input"]) == expected
        return
    wire = bytes.fromhex(expected["wire"]["hex"])
    assert build(doc["input"]["message"]) == wire
    check_against_pymodbus(wire)


def test_bad_crc_vectors_are_refused_by_pymodbus_too() -> None:
    for name, doc in golden("modbus_ingress"):
        if doc["expected_output"].get("error", {}).get("code") == "BadChecksum":
            wire = bytes.fromhex(doc["input"]["wire"]["hex"])
            used, request = framer("Rtu", True).processIncomingFrame(wire)
            frames = [request]
            if request is not None and used < len(wire):
                frames.append(framer("Rtu", False).processIncomingFrame(wire[used:])[1])
            assert None in frames, name


def test_crc_matches_pymodbus() -> None:
    rng = random.Random(3)
    for _ in range(500):
        data = rng.randbytes(rng.randint(0, 64))
        assert FramerRTU.compute_CRC(data) == int.from_bytes(mw.crc16(data).to_bytes(2, "little"), "big")


# --- a generated corpus, built by pymodbus ----------------------------------------------------------


def random_message(rng: random.Random) -> Dict[str, Any]:
    fc = rng.choice(list(CLASSES))
    framing = rng.choice(["Tcp", "Rtu"])
    unit = rng.randint(1, 247) if framing == "Rtu" else rng.randint(0, 255)
    message: Dict[str, Any] = {"framing": framing}
    if framing == "Tcp":
        message["transaction_id"] = rng.randint(0, 65535)
    message.update(unit_id=unit, function=mw.FUNCTIONS[fc])
    if fc in (1, 2, 3, 4):
        q = rng.randint(1, mw.READ_LIMITS[fc])
        address = rng.randint(0, 65536 - q)
        message["request"] = {"address": address, "quantity": q}
        values: Dict[str, Any] = (
            {"coils": [rng.random() < 0.5 for _ in range(q)]}
            if fc in (1, 2)
            else {"registers": [rng.randint(0, 65535) for _ in range(q)]}
        )
        response: Any = values
    elif fc in (5, 6):
        address = rng.randint(0, 65535)
        message["request"] = (
            {"address": address, "coils": [rng.random() < 0.5]}
            if fc == 5
            else {"address": address, "registers": [rng.randint(0, 65535)]}
        )
        response = dict(message["request"])
    else:
        q = rng.randint(1, mw.WRITE_LIMITS[fc])
        address = rng.randint(0, 65536 - q)
        vals: List[Any] = (
            [rng.random() < 0.5 for _ in range(q)] if fc == 15 else [rng.randint(0, 65535) for _ in range(q)]
        )
        message["request"] = {"address": address, "quantity": q, ("coils" if fc == 15 else "registers"): vals}
        response = {"address": address, "quantity": q}
    roll = rng.random()
    if roll < 0.15:
        message["response"] = {"exception": rng.choice(list(mw.EXCEPTION_CODES))}
    elif roll < 0.85:
        message["response"] = response
    return message


def test_generated_corpus_agrees_with_pymodbus() -> None:
    rng = random.Random(20261202)
    seen = set()
    for _ in range(600):
        message = random_message(rng)
        wire = build(message)
        assert check_against_pymodbus(wire) == message
        seen.add((message["framing"], message["function"], "exception" in (message.get("response") or {})))
    assert len(seen) >= 30


def test_mutated_wires_never_raise() -> None:
    rng = random.Random(11)
    seeds = [bytes.fromhex(doc["input"]["wire"]["hex"]) for _, doc in golden("modbus_ingress")]
    outcomes = {"message": 0, "error": 0}
    for _ in range(4000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            if op < 0.5 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif op < 0.75 and data:
                del data[rng.randrange(len(data)) :]
            else:
                data[rng.randrange(len(data) + 1) : 0] = rng.randbytes(rng.randint(1, 4))
        out = mw.ingress({"wire": {"hex": bytes(data).hex()}})
        assert list(out) in (["message"], ["error"])
        if "message" in out:
            check_against_pymodbus(bytes(data))
        outcomes[list(out)[0]] += 1
    assert outcomes["message"] > 50 and outcomes["error"] > 2000


# --- mutated messages: egress answers with `wire` or a typed `error`, never an exception ----------

_ODD_VALUES: List[Any] = [
    None,
    0,
    -1,
    1,
    3,
    65536,
    2**40,
    True,
    False,
    "",
    "x",
    "#",
    "a/+",
    [],
    [1],
    [True],
    {},
    {"a": 1},
    1.5,
    "\ud800",
    "\x00",
]


def _mutate(value: Any, rng: random.Random) -> Any:
    """A deep copy of a JSON value with 1-3 nodes replaced by odd values or removed."""
    value = json.loads(json.dumps(value))
    for _ in range(rng.randint(1, 3)):
        paths: List[Tuple[Any, Any]] = []
        stack = [value]
        while stack:
            node = stack.pop()
            items = (
                node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            )
            for key, child in items:
                paths.append((node, key))
                stack.append(child)
        if not paths:
            break
        node, key = rng.choice(paths)
        if isinstance(node, dict) and rng.random() < 0.2:
            del node[key]
        else:
            node[key] = json.loads(json.dumps(rng.choice(_ODD_VALUES)))
    return value


def test_mutated_messages_never_raise() -> None:
    rng = random.Random(5)
    seeds = [
        doc["expected_output"]["message"]
        for _, doc in golden("modbus_ingress")
        if "message" in doc["expected_output"]
    ]
    seeds += [doc["input"]["message"] for _, doc in golden("modbus_egress")]
    outcomes = {"wire": 0, "error": 0}
    for _ in range(5000):
        out = mw.egress({"message": _mutate(rng.choice(seeds), rng)})
        assert list(out) in (["wire"], ["error"]), out
        if "wire" in out:  # whatever egress writes, ingress reads back
            assert "message" in mw.ingress({"wire": out["wire"]})
        outcomes[list(out)[0]] += 1
    assert outcomes["wire"] > 100 and outcomes["error"] > 2000


def test_mutated_polls_never_raise() -> None:
    """The telemetry circuit validates the transaction (with the encoder) and the register map."""
    rng = random.Random(9)
    seeds = [doc["input"]["poll"] for _, doc in golden("modbus_telemetry")]
    outcomes = {"telemetry": 0, "error": 0}
    for _ in range(4000):
        out = mw.to_telemetry({"poll": _mutate(rng.choice(seeds), rng)})
        assert list(out) in (["telemetry"], ["error"]), out
        json.dumps(out, allow_nan=False)  # finite numbers only
        outcomes[list(out)[0]] += 1
    assert outcomes["telemetry"] > 40 and outcomes["error"] > 2000
