"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

Frames are built here by hand (MBAP headers, RTU addresses and a table-driven CRC-16 written
separately from the code under test, anchored on the specification's example frame); expected
outputs come from the reference implementation in src/, after asserting that every pass vector
round-trips (egress(ingress(wire)) == wire) and every error vector lands on `error` with the
intended code. tests/wire/modbus_oracle_test.py then checks every vector against pymodbus.
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import modbus_wire as mw  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "golden", "")


def _table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _table()


def crc(data):
    c = 0xFFFF
    for b in data:
        c = (c >> 8) ^ TABLE[(c ^ b) & 0xFF]
    return struct.pack("<H", c)


# The Modbus over serial line guide's example: read 2 holding registers from device 1.
assert bytes([1, 3, 0, 0, 0, 2]) + crc(bytes([1, 3, 0, 0, 0, 2])) == bytes.fromhex("010300000002c40b")


def rtu(unit, pdu, bad_crc=False):
    frame = bytes([unit]) + pdu
    c = crc(frame)
    return frame + (bytes([c[0] ^ 0xFF, c[1]]) if bad_crc else c)


def tcp(tid, unit, pdu, pid=0, length=None):
    return struct.pack(">HHHB", tid, pid, len(pdu) + 1 if length is None else length, unit) + pdu


def read_req(fc, addr, qty):
    return struct.pack(">BHH", fc, addr, qty)


def regs_resp(fc, values):
    return bytes([fc, 2 * len(values)]) + struct.pack(f">{len(values)}H", *values)


def bits(values):
    out = bytearray((len(values) + 7) // 8)
    for i, v in enumerate(values):
        out[i // 8] |= (1 if v else 0) << (i % 8)
    return bytes(out)


def coils_resp(fc, values):
    raw = bits(values)
    return bytes([fc, len(raw)]) + raw


def write_regs(addr, values):
    return struct.pack(">BHHB", 16, addr, len(values), 2 * len(values)) + struct.pack(f">{len(values)}H", *values)


def write_coils(addr, values):
    raw = bits(values)
    return struct.pack(">BHHB", 15, addr, len(values), len(raw)) + raw


# The default map's meter: 230.5 V, 12.34 A, -1500 W, 12345.6 kWh, 50.0 Hz.
METER = [2305, 1234, 0xFFFF, 0xFA24, 0x0001, 0xE240, 0x4248, 0x0000]
COILS10 = [True, False, True, True, False, False, False, True, True, False]

tests = []
DESCRIPTIONS = {}


def write(name, circuit, port, value, out, tags, expected):
    doc = {"test_vector": {"name": name, "description": DESCRIPTIONS.pop(name), "circuit": circuit, "version": "1.0.0"},
           "input": {port: value}, "expected_output": out, "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}}
    with open(OUT + name + ".json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    tests.append((name, tags, expected))


def ok(name, desc, wire, tags):
    DESCRIPTIONS[name] = desc
    out = mw.ingress({"wire": {"hex": wire.hex()}})
    assert list(out) == ["message"], (name, out)
    assert mw.translate_egress(out["message"]) == wire, name
    write(name, "modbus_ingress", "wire", {"hex": wire.hex()}, out, tags, "pass")
    return out["message"]


def bad(name, desc, wire, code, tags):
    DESCRIPTIONS[name] = desc
    out = mw.ingress({"wire": {"hex": wire.hex()}})
    assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
    write(name, "modbus_ingress", "wire", {"hex": wire.hex()}, out, ["error-handling", "negative"] + tags, "error")


def egress_ok(name, desc, message, wire, tags):
    DESCRIPTIONS[name] = desc
    out = mw.egress({"message": message})
    assert out == {"wire": {"hex": wire.hex()}}, (name, out)
    write(name, "modbus_egress", "message", message, out, ["egress"] + tags, "pass")


def egress_bad(name, desc, message, code, tags):
    DESCRIPTIONS[name] = desc
    out = mw.egress({"message": message})
    assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
    write(name, "modbus_egress", "message", message, out, ["egress", "error-handling", "negative"] + tags, "error")


def telemetry(name, desc, poll, tags, code=None):
    DESCRIPTIONS[name] = desc
    out = mw.to_telemetry({"poll": poll})
    if code:
        assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
        tags = ["error-handling", "negative"] + tags
    else:
        assert list(out) == ["telemetry"], (name, out)
    write(name, "modbus_telemetry", "poll", poll, out, ["telemetry"] + tags, "error" if code else "pass")
    return out


# --- TCP -------------------------------------------------------------------------------------
ok("tcp-read-holding-request", "FC 3 request alone: read 8 holding registers from unit 1", tcp(1, 1, read_req(3, 0, 8)), ["basic", "tcp", "fc3", "request"])
meter = ok("tcp-read-holding-transaction", "FC 3 request and response: the meter's 8 holding registers", tcp(2, 1, read_req(3, 0, 8)) + tcp(2, 1, regs_resp(3, METER)), ["basic", "tcp", "fc3"])
ok("tcp-read-coils", "FC 1: 10 coils, two data bytes with zero padding", tcp(3, 17, read_req(1, 0, 10)) + tcp(3, 17, coils_resp(1, COILS10)), ["tcp", "fc1", "coils"])
inputs = ok("tcp-read-discrete-inputs", "FC 2: 3 discrete inputs", tcp(4, 17, read_req(2, 0, 3)) + tcp(4, 17, coils_resp(2, [True, False, True])), ["tcp", "fc2"])
ok("tcp-read-input-registers", "FC 4: temperature -12.5 (I16) and humidity 45.0", tcp(5, 2, read_req(4, 0, 2)) + tcp(5, 2, regs_resp(4, [0xFF83, 450])), ["tcp", "fc4"])
ok("tcp-write-single-coil", "FC 5: switch coil 0x00AC on, echoed", tcp(6, 1, struct.pack(">BHH", 5, 0xAC, 0xFF00)) * 2, ["tcp", "fc5", "write"])
ok("tcp-write-single-register", "FC 6: write 0x0003 to register 1, echoed", tcp(7, 1, struct.pack(">BHH", 6, 1, 3)) * 2, ["tcp", "fc6", "write"])
ok("tcp-write-multiple-coils", "FC 15: 10 coils from address 19, confirmed", tcp(8, 1, write_coils(19, COILS10)) + tcp(8, 1, struct.pack(">BHH", 15, 19, 10)), ["tcp", "fc15", "write"])
ok("tcp-write-multiple-registers", "FC 16: 3 registers from address 100, confirmed", tcp(9, 1, write_regs(100, [10, 258, 65535])) + tcp(9, 1, struct.pack(">BHH", 16, 100, 3)), ["tcp", "fc16", "write"])
ok("tcp-exception-illegal-address", "FC 3 answered with exception 2 (illegal data address)", tcp(10, 1, read_req(3, 9000, 4)) + tcp(10, 1, b"\x83\x02"), ["tcp", "exception"])
ok("tcp-exception-busy", "FC 16 answered with exception 6 (server device busy)", tcp(11, 1, write_regs(0, [1])) + tcp(11, 1, b"\x90\x06"), ["tcp", "exception"])
ok("tcp-read-125-registers", "The largest register read: 125 registers, a 252-byte response PDU, unit 255", tcp(0xFFFF, 255, read_req(3, 1000, 125)) + tcp(0xFFFF, 255, regs_resp(3, list(range(0, 125 * 521, 521)))), ["tcp", "fc3", "limits"])
ok("tcp-read-2000-coils", "The largest coil read request: 2000 coils", tcp(12, 1, read_req(1, 0, 2000)), ["tcp", "fc1", "limits", "request"])
# --- RTU -------------------------------------------------------------------------------------
ok("rtu-read-holding-classic", "The serial line guide's example (CRC c4 0b) and its response", rtu(1, read_req(3, 0, 2)) + rtu(1, regs_resp(3, [0x1234, 0x5678])), ["basic", "rtu", "fc3"])
ok("rtu-read-coils", "RTU FC 1: 10 coils from device 17", rtu(17, read_req(1, 0x13, 10)) + rtu(17, coils_resp(1, COILS10)), ["rtu", "fc1"])
ok("rtu-write-single-coil-off", "RTU FC 5: coil 7 off, echoed", rtu(4, struct.pack(">BHH", 5, 7, 0)) * 2, ["rtu", "fc5", "write"])
ok("rtu-write-multiple-registers", "RTU FC 16: 2 registers at 0x0001, confirmed", rtu(17, write_regs(1, [0x000A, 0x0102])) + rtu(17, struct.pack(">BHH", 16, 1, 2)), ["rtu", "fc16", "write"])
ok("rtu-write-multiple-coils", "RTU FC 15: 3 coils, confirmed", rtu(9, write_coils(0, [True, True, False])) + rtu(9, struct.pack(">BHH", 15, 0, 3)), ["rtu", "fc15", "write"])
ok("rtu-exception-illegal-function", "RTU FC 2 answered with exception 1", rtu(2, read_req(2, 0, 8)) + rtu(2, b"\x82\x01"), ["rtu", "exception"])
ok("rtu-broadcast-write", "RTU broadcast (address 0) FC 6: no response", rtu(0, struct.pack(">BHH", 6, 40, 1)), ["rtu", "fc6", "broadcast"])
ok("rtu-gateway-exception", "RTU FC 4 answered by a gateway: target device failed to respond (0x0B)", rtu(247, read_req(4, 0, 1)) + rtu(247, b"\x84\x0b"), ["rtu", "exception", "gateway"])
ok("rtu-read-top-address", "RTU FC 4 at the top of the address space: 65534 + 2", rtu(3, read_req(4, 65534, 2)) + rtu(3, regs_resp(4, [1, 2])), ["rtu", "fc4", "limits"])
# --- malformed and hostile -------------------------------------------------------------------
bad("error-rtu-bad-crc", "RTU frame with a corrupted CRC", rtu(1, read_req(3, 0x6B, 3), bad_crc=True), "BadChecksum", ["rtu", "crc"])
bad("error-rtu-bad-crc-zero-address", "RTU frame with a corrupted CRC whose address bytes look like an MBAP protocol id", rtu(1, read_req(3, 0, 10), bad_crc=True), "BadChecksum", ["rtu", "crc"])
bad("error-tcp-protocol-id", "MBAP protocol identifier 1 (not Modbus)", tcp(1, 1, read_req(3, 0, 1), pid=1), "MalformedFrame", ["tcp"])
bad("error-tcp-length-over-limit", "MBAP length 0xFFFF (hostile: a 64 KB PDU)", tcp(1, 1, read_req(3, 0, 1), length=0xFFFF), "LimitExceeded", ["tcp", "hostile", "limits"])
bad("error-tcp-truncated", "MBAP length 6 but only 5 bytes follow", tcp(1, 1, read_req(3, 0, 1))[:-1], "Truncated", ["tcp", "truncated"])
bad("error-tcp-length-one", "MBAP length 1: a unit id and no function code", tcp(0x0100, 1, b"", length=1) + b"\x00", "MalformedFrame", ["tcp"])
bad("error-read-quantity-zero", "FC 3 reading 0 registers", tcp(1, 1, read_req(3, 0, 0)), "InvalidValue", ["tcp", "limits"])
bad("error-read-126-registers", "FC 3 reading 126 registers (max 125)", tcp(1, 1, read_req(3, 0, 126)), "InvalidValue", ["tcp", "limits"])
bad("error-read-2001-coils", "FC 1 reading 2001 coils (max 2000)", rtu(1, read_req(1, 0, 2001)), "InvalidValue", ["rtu", "limits"])
bad("error-address-overflow", "FC 3 from 65535 for 2 registers runs past the address space", tcp(1, 1, read_req(3, 65535, 2)), "InvalidValue", ["tcp", "limits"])
bad("error-unsupported-function", "FC 43 (encapsulated interface) is not supported", tcp(1, 1, b"\x2b\x0e\x01\x00"), "UnsupportedFunction", ["tcp"])
bad("error-coil-value", "FC 5 with value 0x1234 (only 0xFF00 or 0x0000)", tcp(1, 1, struct.pack(">BHH", 5, 1, 0x1234)), "InvalidValue", ["tcp", "fc5"])
bad("error-byte-count-mismatch", "FC 16 for 2 registers with byte count 3", tcp(1, 1, struct.pack(">BHHB", 16, 0, 2, 3) + b"\x00\x01\x00"), "MalformedFrame", ["tcp", "fc16"])
bad("error-response-transaction-mismatch", "Response with another transaction id", tcp(1, 1, read_req(3, 0, 1)) + tcp(2, 1, regs_resp(3, [5])), "ProtocolViolation", ["tcp", "transaction"])
bad("error-response-function-mismatch", "FC 3 answered with FC 4", tcp(1, 1, read_req(3, 0, 1)) + tcp(1, 1, regs_resp(4, [5])), "ProtocolViolation", ["tcp", "transaction"])
bad("error-response-byte-count", "A read of 2 registers answered with 1", tcp(1, 1, read_req(3, 0, 2)) + tcp(1, 1, regs_resp(3, [5])), "ProtocolViolation", ["tcp", "transaction"])
bad("error-write-echo-differs", "FC 6 answered with a different value", tcp(1, 1, struct.pack(">BHH", 6, 1, 3)) + tcp(1, 1, struct.pack(">BHH", 6, 1, 4)), "ProtocolViolation", ["tcp", "fc6"])
bad("error-undefined-exception", "Exception code 0x0C is not defined", tcp(1, 1, read_req(3, 0, 1)) + tcp(1, 1, b"\x83\x0c"), "MalformedFrame", ["tcp", "exception"])
bad("error-broadcast-response", "A response to an RTU broadcast", rtu(0, struct.pack(">BHH", 6, 1, 1)) * 2, "ProtocolViolation", ["rtu", "broadcast"])
bad("error-coil-padding", "FC 1 response whose unused coil bits are set", tcp(1, 1, read_req(1, 0, 3)) + tcp(1, 1, b"\x01\x01\xff"), "MalformedFrame", ["tcp", "fc1"])
bad("error-trailing-bytes", "Bytes after the response", tcp(1, 1, read_req(3, 0, 1)) + tcp(1, 1, regs_resp(3, [5])) + b"\x00", "MalformedFrame", ["tcp"])
bad("error-too-short", "Three bytes are no frame", b"\x01\x03\x00", "Truncated", ["truncated"])
bad("error-oversized-wire", "600 bytes: more than a request and a response can hold (hostile)", tcp(1, 1, read_req(3, 0, 1)) + b"\x00" * 588, "LimitExceeded", ["hostile", "limits"])
bad("error-rtu-reserved-address", "RTU address 250 is reserved", rtu(250, read_req(3, 0, 1)), "MalformedFrame", ["rtu"])
bad("error-rtu-response-other-device", "RTU response from device 2 to a request for device 1", rtu(1, read_req(3, 0, 1)) + rtu(2, regs_resp(3, [1])), "ProtocolViolation", ["rtu", "transaction"])
bad("error-rtu-response-bad-crc", "RTU response with a corrupted CRC", rtu(1, read_req(3, 0, 1)) + rtu(1, regs_resp(3, [1]), bad_crc=True), "BadChecksum", ["rtu", "crc"])
# --- egress ----------------------------------------------------------------------------------
egress_ok("egress-tcp-write-registers", "A TCP FC 16 transaction from a message",
          {"framing": "Tcp", "transaction_id": 42, "unit_id": 1, "function": "WriteMultipleRegisters",
           "request": {"address": 10, "quantity": 2, "registers": [1, 2]}, "response": {"address": 10, "quantity": 2}},
          tcp(42, 1, write_regs(10, [1, 2])) + tcp(42, 1, struct.pack(">BHH", 16, 10, 2)), ["tcp", "fc16"])
egress_ok("egress-rtu-read-holding", "An RTU FC 3 transaction from a message",
          {"framing": "Rtu", "unit_id": 1, "function": "ReadHoldingRegisters", "request": {"address": 0, "quantity": 2},
           "response": {"registers": [0x1234, 0x5678]}},
          rtu(1, read_req(3, 0, 2)) + rtu(1, regs_resp(3, [0x1234, 0x5678])), ["rtu", "fc3"])
egress_ok("egress-rtu-exception", "An RTU exception response from a message",
          {"framing": "Rtu", "unit_id": 5, "function": "ReadCoils", "request": {"address": 0, "quantity": 1}, "response": {"exception": "ServerDeviceFailure"}},
          rtu(5, read_req(1, 0, 1)) + rtu(5, b"\x81\x04"), ["rtu", "exception"])
egress_bad("egress-error-quantity-mismatch", "FC 16 whose quantity disagrees with its values",
           {"framing": "Tcp", "transaction_id": 1, "unit_id": 1, "function": "WriteMultipleRegisters", "request": {"address": 0, "quantity": 3, "registers": [1, 2]}},
           "InvalidValue", ["fc16"])
egress_bad("egress-error-response-count", "A read of 2 registers answered with 3 values",
           {"framing": "Tcp", "transaction_id": 1, "unit_id": 1, "function": "ReadHoldingRegisters", "request": {"address": 0, "quantity": 2}, "response": {"registers": [1, 2, 3]}},
           "ProtocolViolation", ["fc3"])
egress_bad("egress-error-exception-with-values", "An exception response that also carries values",
           {"framing": "Rtu", "unit_id": 1, "function": "ReadCoils", "request": {"address": 0, "quantity": 1}, "response": {"exception": "IllegalDataAddress", "coils": [True]}},
           "MalformedMessage", ["exception"])
egress_bad("egress-error-rtu-reserved-unit", "RTU address 248 is reserved",
           {"framing": "Rtu", "unit_id": 248, "function": "ReadCoils", "request": {"address": 0, "quantity": 1}}, "MalformedMessage", ["rtu"])
# --- register map -> telemetry ----------------------------------------------------------------
telemetry("telemetry-meter-default-map", "The meter's holding registers through the default map: U16, I32, U32, F32 with scales",
          {"message": meter, "polled_at": "2026-02-10T12:00:00Z"}, ["basic", "register-map"])
temps = ok("rtu-read-input-registers-sensor", "RTU FC 4: a sensor's 4 input registers", rtu(12, read_req(4, 0, 4)) + rtu(12, regs_resp(4, [0xFF83, 450, 7, 8])), ["rtu", "fc4"])
telemetry("telemetry-custom-map", "A poller's own map and device id; registers it does not name come out raw (register_30003, register_30004)",
          {"message": temps, "polled_at": "2026-02-10T12:00:05.5Z", "device_id": "greenhouse-3",
           "register_map": [{"table": "InputRegisters", "address": 0, "metric_name": "soil_temperature", "data_type": "I16", "scale": 0.1, "unit": "Cel"},
                            {"table": "InputRegisters", "address": 1, "metric_name": "soil_moisture", "data_type": "U16", "scale": 0.1, "unit": "%"}]},
          ["register-map"])
telemetry("telemetry-discrete-inputs", "Discrete inputs as 0/1 readings (door_open from the default map)",
          {"message": inputs, "polled_at": "2026-02-10T12:00:00Z"}, ["register-map", "fc2"])
write_msg = mw.translate_ingress(tcp(7, 1, struct.pack(">BHH", 6, 1, 3)) * 2)
telemetry("telemetry-error-write", "A write transaction carries no readings", {"message": write_msg, "polled_at": "2026-02-10T12:00:00Z"}, ["register-map"], "InvalidValue")
exc_msg = mw.translate_ingress(tcp(10, 1, read_req(3, 9000, 4)) + tcp(10, 1, b"\x83\x02"))
telemetry("telemetry-error-exception", "An exception response carries no readings", {"message": exc_msg, "polled_at": "2026-02-10T12:00:00Z"}, ["register-map"], "InvalidValue")
nan_msg = mw.translate_ingress(tcp(2, 1, read_req(3, 6, 2)) + tcp(2, 1, regs_resp(3, [0x7FC0, 0x0000])))
telemetry("telemetry-error-nan", "A float register pair holding NaN is refused, not published", {"message": nan_msg, "polled_at": "2026-02-10T12:00:00Z"}, ["register-map", "f32"], "InvalidValue")

assert not DESCRIPTIONS
with open(OUT + "manifest.toml", "w") as f:
    f.write('[test_suite]\nname = "modbus-wire-golden"\ncircuit = "modbus_ingress"\nversion = "1.0.0"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error":
            f.write('expected_error = "error"\n')
errors = sum(1 for t in tests if t[2] == "error")
print("ok", len(tests), "vectors,", errors, "errors")
