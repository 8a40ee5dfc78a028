"""Modbus TCP (MBAP) and RTU (CRC-16) transactions <-> the `ModbusMessage` ESF record.

Standard library only: this module runs in the circuit sandbox and on gateways.

Decisions:

* The wire is one transaction: the request ADU, optionally followed by its response ADU (normal
  or exception). A response on its own cannot be read: its layout depends on the request (a read
  response carries no address, and FC 1/2 byte counts do not say how many coils), and a register
  value without its address maps to nothing. The response must answer the request: same
  transaction and unit id (TCP) or address (RTU), same function (or it | 0x80 with an exception
  code), the byte count the request implies, the echo of a write.
* TCP or RTU is read from the bytes: RTU when the first frame, sized from its function code,
  ends in a valid CRC-16; otherwise TCP (MBAP protocol id 0). A frame that is neither, but has an
  RTU size, is `BadChecksum`. A TCP frame whose CRC happens to match has probability 2^-16 per
  frame and would need a plausible RTU layout as well.
* Every accepted transaction has one encoding (coil padding bits zero, coil values 0xFF00/0x0000,
  byte counts exact), so egress(ingress(wire)) == wire.
* Limits (Modbus Application Protocol V1.1b3): PDU <= 253 bytes (MBAP length <= 254, RTU frame
  <= 256), read coils/inputs 1..2000, read registers 1..125, write coils 1..1968, write
  registers 1..123, address + quantity <= 65536. Anything beyond is `LimitExceeded` or
  `InvalidValue`, never an over-read.
* Register maps: `telemetry(message, polled_at, register_map, device_id)` turns a read
  transaction into `esf-iot` `IoTTelemetry` records. The map says which table and address holds
  which metric, its data type (Bool, U16, I16, U32, I32, F32; 32-bit values high word first), a
  scale and a unit; registers the map does not name are reported raw as `register_4xxxx`-style
  metrics (Modbus reference numbers). Modbus carries no time, so the poller supplies
  `polled_at`: that is why telemetry is its own circuit and not part of ingress.
"""

import math
import re
import struct

FUNCTIONS = {1: "ReadCoils", 2: "ReadDiscreteInputs", 3: "ReadHoldingRegisters", 4: "ReadInputRegisters",
             5: "WriteSingleCoil", 6: "WriteSingleRegister", 15: "WriteMultipleCoils", 16: "WriteMultipleRegisters"}
FUNCTION_CODES = {v: k for k, v in FUNCTIONS.items()}
EXCEPTIONS = {1: "IllegalFunction", 2: "IllegalDataAddress", 3: "IllegalDataValue", 4: "ServerDeviceFailure", 5: "Acknowledge",
              6: "ServerDeviceBusy", 8: "MemoryParityError", 10: "GatewayPathUnavailable", 11: "GatewayTargetDeviceFailedToRespond"}
EXCEPTION_CODES = {v: k for k, v in EXCEPTIONS.items()}
READ_LIMITS = {1: 2000, 2: 2000, 3: 125, 4: 125}
WRITE_LIMITS = {15: 1968, 16: 123}
MAX_PDU = 253
TABLES = {1: "Coils", 2: "DiscreteInputs", 3: "HoldingRegisters", 4: "InputRegisters"}
REFERENCE_BASE = {"Coils": 1, "DiscreteInputs": 10001, "InputRegisters": 30001, "HoldingRegisters": 40001}
DATA_TYPES = {"Bool": 1, "U16": 1, "I16": 1, "U32": 2, "I32": 2, "F32": 2}

# A three-phase energy meter's map (the default; a poller passes its device's own map).
DEFAULT_REGISTER_MAP = [
    {"table": "HoldingRegisters", "address": 0, "metric_name": "voltage_l1", "data_type": "U16", "scale": 0.1, "unit": "V"},
    {"table": "HoldingRegisters", "address": 1, "metric_name": "current_l1", "data_type": "U16", "scale": 0.01, "unit": "A"},
    {"table": "HoldingRegisters", "address": 2, "metric_name": "active_power", "data_type": "I32", "scale": 1.0, "unit": "W"},
    {"table": "HoldingRegisters", "address": 4, "metric_name": "energy_import", "data_type": "U32", "scale": 0.1, "unit": "kWh"},
    {"table": "HoldingRegisters", "address": 6, "metric_name": "frequency", "data_type": "F32", "scale": 1.0, "unit": "Hz"},
    {"table": "InputRegisters", "address": 0, "metric_name": "temperature", "data_type": "I16", "scale": 0.1, "unit": "Cel"},
    {"table": "InputRegisters", "address": 1, "metric_name": "humidity", "data_type": "U16", "scale": 0.1, "unit": "%RH"},
    {"table": "Coils", "address": 0, "metric_name": "relay_1", "data_type": "Bool"},
    {"table": "DiscreteInputs", "address": 0, "metric_name": "door_open", "data_type": "Bool"},
]
_TIMESTAMP = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z\Z")


class ModbusWireError(Exception):
    """A typed translation error: `code` is a `ModbusErrorCode` name."""

    def __init__(self, code, message, offset=None, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.field = field

    def to_record(self):
        record = {"code": self.code, "message": self.message}
        if self.offset is not None:
            record["offset"] = self.offset
        if self.field is not None:
            record["field"] = self.field
        return record


def crc16(data):
    """Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


# --- ingress -----------------------------------------------------------------------------------


def _rtu_size(data, start, is_request):
    """The RTU frame size implied by the function code at data[start+1], or None if unknowable."""
    if len(data) < start + 2:
        return None
    fc = data[start + 1]
    if fc & 0x80:
        return None if is_request else 5
    if fc not in FUNCTIONS:
        return None
    if is_request:
        if fc in (15, 16):
            return 9 + data[start + 6] if len(data) > start + 6 else None
        return 8
    if fc in (1, 2, 3, 4):
        return 5 + data[start + 2] if len(data) > start + 2 else None
    return 8


def _rtu_frame(data, start, is_request, what):
    size = _rtu_size(data, start, is_request)
    if size is None:
        fc = data[start + 1] if len(data) > start + 1 else None
        if fc is not None and (fc & 0x7F) not in FUNCTIONS and not (fc & 0x80 and not is_request):
            raise ModbusWireError("UnsupportedFunction", f"{what}: function code {fc} is not supported (1, 2, 3, 4, 5, 6, 15, 16)", start + 1, "function")
        raise ModbusWireError("Truncated", f"{what}: the RTU frame ends before its length is known", start, "frame")
    if size > 256:
        raise ModbusWireError("LimitExceeded", f"{what}: an RTU frame of {size} bytes exceeds 256", start, "frame")
    if start + size > len(data):
        raise ModbusWireError("Truncated", f"{what}: the RTU frame needs {size} bytes, {len(data) - start} remain", start, "frame")
    body = data[start:start + size - 2]
    got = data[start + size - 2] | (data[start + size - 1] << 8)
    want = crc16(body)
    if got != want:
        raise ModbusWireError("BadChecksum", f"{what}: CRC-16 is 0x{got:04x}, the frame sums to 0x{want:04x}", start + size - 2, "crc")
    unit = data[start]
    if 248 <= unit:
        raise ModbusWireError("MalformedFrame", f"{what}: RTU address {unit} is reserved (0 = broadcast, 1..247 = devices)", start, "unit_id")
    return {"unit_id": unit, "pdu": bytes(body[1:]), "pdu_offset": start + 1, "size": size}


def _rtu_shaped(data, size):
    """True when RTU frame sizes (request, then optionally response) tile the data exactly."""
    if size is None or size > len(data):
        return False
    if size == len(data):
        return True
    second = _rtu_size(data, size, False)
    return second is not None and size + second == len(data)


def _tcp_frame(data, start, what):
    if len(data) - start < 8:
        raise ModbusWireError("Truncated", f"{what}: an MBAP header and function code need 8 bytes, {len(data) - start} remain", start, "frame")
    tid, pid, length = struct.unpack_from(">HHH", data, start)
    if pid != 0:
        raise ModbusWireError("MalformedFrame", f"{what}: MBAP protocol identifier is {pid}, Modbus is 0", start + 2, "protocol_id")
    if length > MAX_PDU + 1:
        raise ModbusWireError("LimitExceeded", f"{what}: MBAP length {length} exceeds {MAX_PDU + 1} (unit id + a 253-byte PDU)", start + 4, "length")
    if length < 2:
        raise ModbusWireError("MalformedFrame", f"{what}: MBAP length {length} leaves no room for a function code", start + 4, "length")
    if start + 6 + length > len(data):
        raise ModbusWireError("Truncated", f"{what}: MBAP length {length} but {len(data) - start - 6} byte(s) follow", start + 4, "length")
    return {"transaction_id": tid, "unit_id": data[start + 6], "pdu": bytes(data[start + 7:start + 6 + length]), "pdu_offset": start + 7, "size": 6 + length}


def _need(pdu, n, off, what, field):
    if len(pdu) != n:
        raise ModbusWireError("MalformedFrame", f"{what}: expected a {n}-byte PDU for this function, found {len(pdu)} bytes", off, field)


def _bits(raw, count, off, what):
    bits = [bool(raw[i // 8] >> (i % 8) & 1) for i in range(count)]
    if count % 8 and raw[-1] >> (count % 8):
        raise ModbusWireError("MalformedFrame", f"{what}: the unused high bits of the last coil byte must be 0", off + len(raw) - 1, "coils")
    return bits


def _pack_bits(bits):
    out = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        if b:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def _check_range(fc, address, quantity, off, what, limit):
    if not 1 <= quantity <= limit:
        raise ModbusWireError("InvalidValue", f"{what}: quantity {quantity} is outside 1..{limit} for function {fc}", off + 3, "quantity")
    if address + quantity > 0x10000:
        raise ModbusWireError("InvalidValue", f"{what}: address {address} + quantity {quantity} runs past 65535", off + 1, "address")


def _decode_request(pdu, off, what):
    fc = pdu[0]
    if fc not in FUNCTIONS:
        raise ModbusWireError("UnsupportedFunction", f"{what}: function code {fc} is not supported (1, 2, 3, 4, 5, 6, 15, 16)", off, "function")
    req = {}
    if fc in (1, 2, 3, 4):
        _need(pdu, 5, off, what, "request")
        req["address"], req["quantity"] = struct.unpack_from(">HH", pdu, 1)
        _check_range(fc, req["address"], req["quantity"], off, what, READ_LIMITS[fc])
    elif fc in (5, 6):
        _need(pdu, 5, off, what, "request")
        address, value = struct.unpack_from(">HH", pdu, 1)
        req["address"] = address
        if fc == 5:
            if value not in (0xFF00, 0x0000):
                raise ModbusWireError("InvalidValue", f"{what}: a coil is written with 0xFF00 (on) or 0x0000 (off), found 0x{value:04x}", off + 3, "coils")
            req["coils"] = [value == 0xFF00]
        else:
            req["registers"] = [value]
    else:
        if len(pdu) < 6:
            raise ModbusWireError("MalformedFrame", f"{what}: a function {fc} request needs at least 6 bytes, found {len(pdu)}", off, "request")
        address, quantity, count = struct.unpack_from(">HHB", pdu, 1)
        _check_range(fc, address, quantity, off, what, WRITE_LIMITS[fc])
        want = (quantity + 7) // 8 if fc == 15 else 2 * quantity
        if count != want:
            raise ModbusWireError("MalformedFrame", f"{what}: byte count {count} does not match quantity {quantity} (expected {want})", off + 5, "byte_count")
        _need(pdu, 6 + count, off, what, "request")
        req["address"], req["quantity"] = address, quantity
        if fc == 15:
            req["coils"] = _bits(pdu[6:], quantity, off + 6, what)
        else:
            req["registers"] = list(struct.unpack_from(f">{quantity}H", pdu, 6))
    return fc, req


def _decode_response(pdu, off, fc, req, what):
    got = pdu[0]
    if got == fc | 0x80:
        _need(pdu, 2, off, what, "exception")
        if pdu[1] not in EXCEPTIONS:
            raise ModbusWireError("MalformedFrame", f"{what}: exception code {pdu[1]} is not defined", off + 1, "exception")
        return {"exception": EXCEPTIONS[pdu[1]]}
    if got != fc:
        raise ModbusWireError("ProtocolViolation", f"{what}: function {got} does not answer a function {fc} request", off, "function")
    if fc in (1, 2, 3, 4):
        if len(pdu) < 2:
            raise ModbusWireError("MalformedFrame", f"{what}: a read response needs a byte count", off, "byte_count")
        q = req["quantity"]
        want = (q + 7) // 8 if fc in (1, 2) else 2 * q
        if pdu[1] != want:
            raise ModbusWireError("ProtocolViolation", f"{what}: byte count {pdu[1]} does not answer a read of {q} (expected {want})", off + 1, "byte_count")
        _need(pdu, 2 + want, off, what, "response")
        if fc in (1, 2):
            return {"coils": _bits(pdu[2:], q, off + 2, what)}
        return {"registers": list(struct.unpack_from(f">{q}H", pdu, 2))}
    _need(pdu, 5, off, what, "response")
    address, value = struct.unpack_from(">HH", pdu, 1)
    if fc in (5, 6):
        echo = {"address": address, "coils": [value == 0xFF00]} if fc == 5 else {"address": address, "registers": [value]}
        if (fc == 5 and value not in (0xFF00, 0)) or echo != req:
            raise ModbusWireError("ProtocolViolation", f"{what}: a function {fc} response echoes the request, this one differs", off + 1, "response")
        return echo
    if address != req["address"] or value != req["quantity"]:
        raise ModbusWireError("ProtocolViolation", f"{what}: the response confirms address {address}, quantity {value}; the request wrote {req['address']}, {req['quantity']}", off + 1, "response")
    return {"address": address, "quantity": value}


def translate_ingress(wire_bytes):
    """Decode one Modbus transaction (request [+ response]) into a `ModbusMessage` dict."""
    data = bytes(wire_bytes)
    if len(data) > 2 * 260:
        raise ModbusWireError("LimitExceeded", f"the wire holds {len(data)} bytes; a request and its response fit in 520", 0)
    if len(data) < 4:
        raise ModbusWireError("Truncated", f"the wire holds {len(data)} bytes; the shortest Modbus frame has 4", 0)
    size = _rtu_size(data, 0, True)
    rtu_fits = size is not None and size <= min(len(data), 256)
    if rtu_fits and crc16(data[:size - 2]) == data[size - 2] | (data[size - 1] << 8):
        framing = "Rtu"
    elif len(data) >= 8 and (data[2:4] == b"\0\0" or 6 + struct.unpack_from(">H", data, 4)[0] <= len(data)):
        # MBAP-shaped: protocol id 0, or a length field that fits the data
        try:
            _tcp_frame(data, 0, "request")
        except ModbusWireError:
            if _rtu_shaped(data, size):  # a damaged RTU frame that only looks like an MBAP header
                _rtu_frame(data, 0, True, "request")
            raise
        framing = "Tcp"
    elif rtu_fits:
        _rtu_frame(data, 0, True, "request")  # raises BadChecksum
        raise AssertionError("unreachable")
    elif size is None and (data[1] & 0x7F) not in FUNCTIONS:
        raise ModbusWireError("UnsupportedFunction", f"request: not an MBAP header (protocol id 0), and as an RTU frame its function code {data[1]} is not supported (1, 2, 3, 4, 5, 6, 15, 16)", 1, "function")
    elif size is not None:
        raise ModbusWireError("Truncated", f"request: the RTU frame needs {size} bytes, {len(data)} remain", 0, "frame")
    else:
        raise ModbusWireError("MalformedFrame", "neither a Modbus TCP ADU (MBAP protocol id 0) nor an RTU frame with a valid CRC", 0, "frame")
    read = (lambda start, req, what: _rtu_frame(data, start, req, what)) if framing == "Rtu" else (lambda start, req, what: _tcp_frame(data, start, what))
    first = read(0, True, "request")
    fc, req = _decode_request(first["pdu"], first["pdu_offset"], "request")
    message = {"framing": framing}
    if framing == "Tcp":
        message["transaction_id"] = first["transaction_id"]
    message.update(unit_id=first["unit_id"], function=FUNCTIONS[fc], request=req)
    pos = first["size"]
    if pos < len(data):
        if framing == "Rtu" and first["unit_id"] == 0:
            raise ModbusWireError("ProtocolViolation", "a broadcast request (address 0) gets no response", pos, "response")
        second = read(pos, False, "response")
        if framing == "Tcp" and (second["transaction_id"], second["unit_id"]) != (first["transaction_id"], first["unit_id"]):
            raise ModbusWireError("ProtocolViolation", f"response: transaction {second['transaction_id']} unit {second['unit_id']} does not answer transaction {first['transaction_id']} unit {first['unit_id']}", pos, "transaction_id")
        if framing == "Rtu" and second["unit_id"] != first["unit_id"]:
            raise ModbusWireError("ProtocolViolation", f"response: address {second['unit_id']} does not answer a request to {first['unit_id']}", pos, "unit_id")
        message["response"] = _decode_response(second["pdu"], second["pdu_offset"], fc, req, "response")
        pos += second["size"]
        if pos < len(data):
            raise ModbusWireError("MalformedFrame", f"{len(data) - pos} byte(s) after the response", pos, "frame")
    return message


# --- egress ------------------------------------------------------------------------------------


def _fail(code, field, message):
    raise ModbusWireError(code, f"{field}: {message}", None, field)


def _int(obj, key, field, lo, hi):
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        _fail("MalformedMessage", f"{field}.{key}" if field else key, f"expected an integer {lo}..{hi}, found {value!r}")
    return value


def _list(obj, key, field, kind):
    value = obj.get(key)
    path = f"{field}.{key}"
    if not isinstance(value, list) or not value:
        _fail("MalformedMessage", path, "expected a non-empty array")
    for i, v in enumerate(value):
        if kind == "bool" and not isinstance(v, bool):
            _fail("MalformedMessage", f"{path}[{i}]", f"expected true or false, found {v!r}")
        if kind == "u16" and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 0xFFFF):
            _fail("MalformedMessage", f"{path}[{i}]", f"expected a register value 0..65535, found {v!r}")
    return value


def _encode_request(fc, req):
    f = "request"
    if not isinstance(req, dict):
        _fail("MalformedMessage", f, "required object is missing")
    address = _int(req, "address", f, 0, 0xFFFF)
    if fc in (1, 2, 3, 4):
        q = _int(req, "quantity", f, 0, 0xFFFF)
        if not 1 <= q <= READ_LIMITS[fc] or address + q > 0x10000:
            _fail("InvalidValue", f + ".quantity", f"quantity {q} at address {address} is outside 1..{READ_LIMITS[fc]} or past 65535")
        return struct.pack(">BHH", fc, address, q)
    if fc == 5:
        coils = _list(req, "coils", f, "bool")
        if len(coils) != 1:
            _fail("InvalidValue", f + ".coils", "a single-coil write has exactly one value")
        return struct.pack(">BHH", fc, address, 0xFF00 if coils[0] else 0)
    if fc == 6:
        regs = _list(req, "registers", f, "u16")
        if len(regs) != 1:
            _fail("InvalidValue", f + ".registers", "a single-register write has exactly one value")
        return struct.pack(">BHH", fc, address, regs[0])
    values = _list(req, "coils" if fc == 15 else "registers", f, "bool" if fc == 15 else "u16")
    q = _int(req, "quantity", f, 0, 0xFFFF)
    if q != len(values):
        _fail("InvalidValue", f + ".quantity", f"quantity {q} but {len(values)} values")
    if not 1 <= q <= WRITE_LIMITS[fc] or address + q > 0x10000:
        _fail("InvalidValue", f + ".quantity", f"quantity {q} at address {address} is outside 1..{WRITE_LIMITS[fc]} or past 65535")
    payload = _pack_bits(values) if fc == 15 else struct.pack(f">{q}H", *values)
    return struct.pack(">BHHB", fc, address, q, len(payload)) + payload


def _encode_response(fc, req, resp):
    f = "response"
    if not isinstance(resp, dict):
        _fail("MalformedMessage", f, "expected an object")
    if "exception" in resp:
        name = resp["exception"]
        if not isinstance(name, str) or name not in EXCEPTION_CODES:
            _fail("MalformedMessage", f + ".exception", f"unknown exception {name!r} (one of {', '.join(EXCEPTION_CODES)})")
        if len(resp) != 1:
            _fail("MalformedMessage", f, "an exception response carries only `exception`")
        return bytes([fc | 0x80, EXCEPTION_CODES[name]])
    if fc in (1, 2):
        coils = _list(resp, "coils", f, "bool")
        if len(coils) != req["quantity"]:
            _fail("ProtocolViolation", f + ".coils", f"{len(coils)} values do not answer a read of {req['quantity']}")
        raw = _pack_bits(coils)
        return bytes([fc, len(raw)]) + raw
    if fc in (3, 4):
        regs = _list(resp, "registers", f, "u16")
        if len(regs) != req["quantity"]:
            _fail("ProtocolViolation", f + ".registers", f"{len(regs)} values do not answer a read of {req['quantity']}")
        return bytes([fc, 2 * len(regs)]) + struct.pack(f">{len(regs)}H", *regs)
    echo = _encode_request(fc, resp) if fc in (5, 6) else struct.pack(">BHH", fc, _int(resp, "address", f, 0, 0xFFFF), _int(resp, "quantity", f, 0, 0xFFFF))
    expected = _encode_request(fc, req)
    if echo[:5] != expected[:5]:
        _fail("ProtocolViolation", f, "a write response echoes the request's address and value/quantity")
    return echo


def translate_egress(message):
    """Encode a `ModbusMessage` dict as the transaction's wire bytes."""
    if not isinstance(message, dict):
        _fail("MalformedMessage", "message", "expected an object")
    framing = message.get("framing")
    if not isinstance(framing, str) or framing not in ("Tcp", "Rtu"):
        _fail("MalformedMessage", "framing", f"expected Tcp or Rtu, found {framing!r}")
    name = message.get("function")
    if not isinstance(name, str) or name not in FUNCTION_CODES:
        _fail("UnsupportedFunction", "function", f"expected one of {', '.join(FUNCTION_CODES)}, found {name!r}")
    fc = FUNCTION_CODES[name]
    unit = _int(message, "unit_id", "", 0, 247 if framing == "Rtu" else 255)
    req = message.get("request")
    pdus = [_encode_request(fc, req)]
    if message.get("response") is not None:
        if framing == "Rtu" and unit == 0:
            _fail("ProtocolViolation", "response", "a broadcast request (address 0) gets no response")
        pdus.append(_encode_response(fc, req, message["response"]))
    out = b""
    if framing == "Tcp":
        tid = _int(message, "transaction_id", "", 0, 0xFFFF)
        for pdu in pdus:
            out += struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu
    else:
        if message.get("transaction_id") is not None:
            _fail("MalformedMessage", "transaction_id", "RTU frames have no transaction id")
        for pdu in pdus:
            frame = bytes([unit]) + pdu
            crc = crc16(frame)
            out += frame + bytes([crc & 0xFF, crc >> 8])
    return out


# --- register map -> esf-iot telemetry --------------------------------------------------------


def telemetry(message, polled_at, register_map=None, device_id=None):
    """IoTTelemetry records for a read transaction's values (see the module docstring)."""
    if not isinstance(polled_at, str) or not _TIMESTAMP.match(polled_at):
        _fail("MalformedMessage", "polled_at", f"expected an RFC 3339 UTC timestamp like \"2026-02-10T12:00:00Z\", found {polled_at!r}")
    try:
        translate_egress(message)  # one validation of a transaction: the encoder's
    except ModbusWireError as e:
        where = f"message.{e.field}" if e.field else "message"
        raise ModbusWireError(e.code, f"message.{e.message}", None, where) from None
    if device_id is not None and (not isinstance(device_id, str) or not 1 <= len(device_id) <= 64):
        _fail("MalformedMessage", "device_id", "expected a string of 1 to 64 characters")
    fc = FUNCTION_CODES.get(message["function"])
    if fc not in TABLES:
        _fail("InvalidValue", "message.function", f"telemetry comes from read transactions (functions 1-4), not {message.get('function')!r}")
    resp = message.get("response")
    if not isinstance(resp, dict) or "exception" in resp:
        _fail("InvalidValue", "message.response", "the transaction has no values (no response, or an exception)")
    table = TABLES[fc]
    start = message["request"]["address"]
    values = resp["coils"] if fc in (1, 2) else resp["registers"]
    unit = message["unit_id"]
    device = device_id if device_id is not None else f"modbus-unit-{unit}"
    covered = set()
    readings = []
    entries = DEFAULT_REGISTER_MAP if register_map is None else register_map
    if not isinstance(entries, list):
        _fail("MalformedMessage", "register_map", "expected an array of register mappings")
    for i, m in enumerate(entries):
        f = f"register_map[{i}]"
        if (not isinstance(m, dict) or not isinstance(m.get("data_type"), str) or m["data_type"] not in DATA_TYPES
                or not isinstance(m.get("table"), str) or m["table"] not in REFERENCE_BASE
                or isinstance(m.get("address"), bool) or not isinstance(m.get("address"), int) or not 0 <= m["address"] <= 0xFFFF
                or not isinstance(m.get("metric_name"), str) or not 1 <= len(m["metric_name"]) <= 128):
            _fail("MalformedMessage", f, "expected table (Coils, DiscreteInputs, HoldingRegisters, InputRegisters), address (0..65535), metric_name (1-128 characters), data_type (Bool, U16, I16, U32, I32, F32)")
        scale, metric_unit = m.get("scale"), m.get("unit")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale)):
            _fail("MalformedMessage", f + ".scale", f"expected a finite number, found {scale!r}")
        if metric_unit is not None and (not isinstance(metric_unit, str) or len(metric_unit) > 32):
            _fail("MalformedMessage", f + ".unit", "expected a string of at most 32 characters")
        if m["table"] != table:
            continue
        width = DATA_TYPES[m["data_type"]]
        if (m["data_type"] == "Bool") != (fc in (1, 2)):
            _fail("MalformedMessage", f + ".data_type", f"{m['data_type']} does not fit the {table} table")
        offset = m["address"] - start
        if offset < 0 or offset + width > len(values):
            continue
        words = values[offset:offset + width]
        if m["data_type"] == "Bool":
            raw = 1.0 if words[0] else 0.0
        elif m["data_type"] == "U16":
            raw = float(words[0])
        elif m["data_type"] == "I16":
            raw = float(struct.unpack(">h", struct.pack(">H", words[0]))[0])
        else:
            packed = struct.pack(">HH", words[0], words[1])
            raw = float(struct.unpack({"U32": ">I", "I32": ">i", "F32": ">f"}[m["data_type"]], packed)[0])
        value = raw * (m.get("scale") if m.get("scale") is not None else 1.0)
        if not math.isfinite(value):
            raise ModbusWireError("InvalidValue", f"message.response: {m['metric_name']} at {m['table']} {m['address']} is not a finite number ({raw})", None, "message.response.registers")
        rec = {"device_id": device, "timestamp": polled_at, "metric_name": m["metric_name"], "value": value}
        if m.get("unit") is not None:
            rec["unit"] = m["unit"]
        rec["metadata"] = {"modbus_table": table, "modbus_address": str(m["address"]), "modbus_unit": str(unit)}
        readings.append(rec)
        covered.update(range(m["address"], m["address"] + width))
    for i, v in enumerate(values):
        address = start + i
        if address in covered:
            continue
        readings.append({"device_id": device, "timestamp": polled_at, "metric_name": f"register_{REFERENCE_BASE[table] + address}",
                         "value": float(v), "metadata": {"modbus_table": table, "modbus_address": str(address), "modbus_unit": str(unit)}})
    return readings


# --- circuit entry points ---------------------------------------------------------------------


def ingress(inputs):
    wire = (inputs or {}).get("wire") or {}
    text = wire.get("hex")
    if not isinstance(text, str) or len(text) % 2 or not re.fullmatch(r"[0-9a-f]*", text):
        return {"error": {"code": "MalformedFrame", "message": "wire.hex must be lowercase hex of even length", "field": "wire.hex"}}
    if len(text) > 2 * 520:
        return {"error": {"code": "LimitExceeded", "message": f"the wire holds {len(text) // 2} bytes; a request and its response fit in 520", "offset": 0}}
    try:
        return {"message": translate_ingress(bytes.fromhex(text))}
    except ModbusWireError as e:
        return {"error": e.to_record()}


def egress(inputs):
    try:
        return {"wire": {"hex": translate_egress((inputs or {}).get("message")).hex()}}
    except ModbusWireError as e:
        return {"error": e.to_record()}


def to_telemetry(inputs):
    poll = (inputs or {}).get("poll") or {}
    try:
        readings = telemetry(poll.get("message") or {}, poll.get("polled_at"), poll.get("register_map"), poll.get("device_id"))
    except ModbusWireError as e:
        return {"error": e.to_record()}
    except (KeyError, TypeError):
        return {"error": {"code": "MalformedMessage", "message": "poll.message is not a decoded Modbus transaction", "field": "poll.message"}}
    return {"telemetry": {"readings": readings}}
