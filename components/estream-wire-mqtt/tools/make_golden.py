"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The wire bytes are built here by hand (fixed headers, varints, strings, properties), separately
from the code under test; the expected outputs come from the reference implementation in src/,
after asserting that every pass vector round-trips (egress(ingress(wire)) == wire) and every error
vector lands on `error` with the intended code. tests/wire/mqtt_oracle_test.py then checks every
vector against paho-mqtt. Review the diff before committing.
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import mqtt_wire as mw  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "golden", "")


# --- an independent encoder ------------------------------------------------------------------

def vbi(n):
    out = b""
    while True:
        d, n = n % 128, n // 128
        out += bytes([d | (0x80 if n else 0)])
        if not n:
            return out


def s(text):
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(raw)) + raw


def pkt(first, body, length=None):
    return bytes([first]) + vbi(len(body) if length is None else length) + body


def props(*items):
    """items: (id, bytes-already-encoded-value)"""
    body = b"".join(vbi(i) + v for i, v in items)
    return vbi(len(body)) + body


def u16(n):
    return struct.pack(">H", n)


def u32(n):
    return struct.pack(">I", n)


def connect(level=4, client="sensor-01", clean=True, keep=60, will=None, user=None, password=None, cprops=b"\x00", name="MQTT", extra_flags=0):
    flags = (2 if clean else 0) | extra_flags
    tail = b""
    if will:
        wtopic, wpayload, wqos, wretain, wprops = will
        flags |= 4 | (wqos << 3) | (0x20 if wretain else 0)
        tail += (wprops if level == 5 else b"") + s(wtopic) + s(wpayload)
    if user is not None:
        flags |= 0x80
        tail += s(user)
    if password is not None:
        flags |= 0x40
        tail += s(password)
    body = s(name) + bytes([level, flags]) + u16(keep) + (cprops if level == 5 else b"") + s(client) + tail
    return pkt(0x10, body)


def publish(topic, payload, qos=0, pid=None, retain=False, dup=False, v5props=None):
    body = s(topic) + (u16(pid) if qos else b"") + (v5props if v5props is not None else b"") + payload
    return pkt(0x30 | (8 if dup else 0) | (qos << 1) | (1 if retain else 0), body)


def subscribe(pid, filters, v5props=None):
    body = u16(pid) + (v5props if v5props is not None else b"") + b"".join(s(f) + bytes([o]) for f, o in filters)
    return pkt(0x82, body)


CONNACK_311 = pkt(0x20, b"\x00\x00")
CONNACK_50 = pkt(0x20, b"\x00\x00" + props())
C311 = connect()
C50 = connect(level=5)
TELEMETRY = json.dumps({"timestamp": "2026-02-10T12:00:00Z", "value": 21.5, "unit": "Cel", "quality": 98}, separators=(",", ":")).encode()

tests = []


def write(name, circuit, port, value, out, tags, expected):
    doc = {"test_vector": {"name": name, "description": DESCRIPTIONS.pop(name), "circuit": circuit, "version": "1.0.0"},
           "input": {port: value}, "expected_output": out, "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}}
    with open(OUT + name + ".json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    tests.append((name, tags, expected))


DESCRIPTIONS = {}


def ok(name, desc, wire, tags):
    DESCRIPTIONS[name] = desc
    out = mw.ingress({"wire": {"hex": wire.hex()}})
    assert list(out) == ["message"], (name, out)
    assert mw.translate_egress(out["message"]) == wire, name  # round trip
    write(name, "mqtt_ingress", "wire", {"hex": wire.hex()}, out, tags, "pass")
    return out["message"]


def bad(name, desc, wire, code, tags):
    DESCRIPTIONS[name] = desc
    out = mw.ingress({"wire": {"hex": wire.hex()}})
    assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
    write(name, "mqtt_ingress", "wire", {"hex": wire.hex()}, out, ["error-handling", "negative"] + tags, "error")


def egress_ok(name, desc, message, wire, tags):
    DESCRIPTIONS[name] = desc
    out = mw.egress({"message": message})
    assert out == {"wire": {"hex": wire.hex()}}, (name, out)
    write(name, "mqtt_egress", "message", message, out, ["egress"] + tags, "pass")


def egress_bad(name, desc, message, code, tags):
    DESCRIPTIONS[name] = desc
    out = mw.egress({"message": message})
    assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
    write(name, "mqtt_egress", "message", message, out, ["egress", "error-handling", "negative"] + tags, "error")


# --- client to server ----------------------------------------------------------------------------
ok("connect-311-basic", "3.1.1 CONNECT, clean session, keep-alive 60", C311, ["basic", "connect", "mqtt-3.1.1"])
ok("connect-311-will-auth", "3.1.1 CONNECT with a retained QoS 1 will, user name and password",
   connect(client="gw-17", keep=30, will=("devices/gw-17/status", b"offline", 1, True, None), user="gw", password=b"s3cr\xffet"),
   ["connect", "will", "auth", "mqtt-3.1.1"])
m = ok("connect-50-properties", "5.0 CONNECT with session expiry, receive maximum, a user property and a will with delay",
       connect(level=5, client="edge-5", clean=False, keep=120,
               cprops=props((17, u32(3600)), (33, u16(20)), (38, s("site") + s("plant-3"))),
               will=("devices/edge-5/lwt", b"gone", 2, False, props((1, b"\x01"), (24, u32(30)))), user="edge"),
       ["connect", "will", "properties", "mqtt-5.0"])
ok("publish-311-qos0-telemetry", "CONNECT then a QoS 0 reading on devices/thermo-7/telemetry/temperature, mapped to IoTTelemetry",
   C311 + publish("devices/thermo-7/telemetry/temperature", TELEMETRY), ["basic", "publish", "qos0", "telemetry", "mqtt-3.1.1"])
ok("publish-311-qos1-retain", "QoS 1 retained PUBLISH with a binary payload (no telemetry mapping)",
   C311 + publish("plant/line-2/raw", bytes(range(0, 256, 17)), qos=1, pid=10, retain=True), ["publish", "qos1", "retain", "mqtt-3.1.1"])
ok("publish-311-qos2-dup-pubrel", "QoS 2 PUBLISH redelivered (DUP) and the client's PUBREL",
   C311 + publish("plant/line-2/cmd", b"start", qos=2, pid=11, dup=True) + pkt(0x62, u16(11)), ["publish", "qos2", "dup", "mqtt-3.1.1"])
ok("publish-50-properties", "5.0 QoS 1 telemetry PUBLISH with every PUBLISH property kind, user properties in order",
   C50 + publish("devices/meter-2/telemetry/power", json.dumps({"timestamp": "2026-02-10T12:00:01.250Z", "value": 1532}).encode(), qos=1, pid=7,
                 v5props=props((1, b"\x01"), (2, u32(300)), (3, s("application/json")), (8, s("devices/meter-2/reply")), (9, s(b"\x00\x01corr")),
                               (38, s("b") + s("2")), (38, s("a") + s("1")))),
   ["publish", "qos1", "properties", "telemetry", "mqtt-5.0"])
ok("publish-50-topic-alias", "5.0 PUBLISH with an empty topic name and a Topic Alias",
   C50 + publish("", b"42", v5props=props((35, u16(3)))), ["publish", "topic-alias", "mqtt-5.0"])
ok("subscribe-311-wildcards", "3.1.1 SUBSCRIBE with single-level, multi-level and bare '#' filters",
   C311 + subscribe(5, [("sensors/+/temp", 1), ("alerts/#", 2), ("#", 0), ("+/+", 0)]), ["subscribe", "wildcards", "mqtt-3.1.1"])
ok("subscribe-50-options", "5.0 SUBSCRIBE with a subscription identifier, No Local, Retain As Published, Retain Handling 2 and a shared subscription",
   C50 + subscribe(6, [("devices/+/telemetry/#", 0x01 | 0x04 | 0x08 | 0x20), ("$share/g1/plant/#", 0x12)], props((11, vbi(200)))),
   ["subscribe", "wildcards", "shared", "properties", "mqtt-5.0"])
ok("publish-311-two-byte-length", "PUBLISH whose remaining length needs a 2-byte varint (200 bytes)",
   C311 + publish("bulk/a", b"\xab" * 192), ["publish", "varint", "mqtt-3.1.1"])
ok("publish-311-three-byte-length", "PUBLISH whose remaining length needs a 3-byte varint (16,400 bytes)",
   C311 + publish("bulk/b", bytes(i % 251 for i in range(16392))), ["publish", "varint", "limits", "mqtt-3.1.1"])
ok("connect-50-password-only", "5.0 allows a password without a user name",
   connect(level=5, client="", password=b"token", cprops=props((21, s("SCRAM-SHA-1")), (22, s(b"\x01\x02")))), ["connect", "auth", "mqtt-5.0"])
ok("publish-311-unicode-topic", "Topic name with non-ASCII UTF-8 levels",
   C311 + publish("café/温度/€", b"1"), ["publish", "unicode", "mqtt-3.1.1"])
ok("client-311-ping-disconnect", "PINGREQ and DISCONNECT after CONNECT",
   C311 + pkt(0xC0, b"") + pkt(0xE0, b""), ["ping", "disconnect", "mqtt-3.1.1"])
ok("client-50-qos2-flow", "5.0 QoS 2 PUBLISH, then PUBREL with reason 0x92 and a reason string, then DISCONNECT with session expiry",
   C50 + publish("orders/new", b"{}", qos=2, pid=300, v5props=props()) + pkt(0x62, u16(300) + b"\x92" + props((31, s("not found"))))
   + pkt(0xE0, b"\x04" + props((17, u32(0)))), ["publish", "qos2", "disconnect", "properties", "mqtt-5.0"])
ok("unsubscribe-311", "3.1.1 UNSUBSCRIBE of two filters", C311 + pkt(0xA2, u16(12) + s("sensors/+/temp") + s("alerts/#")), ["unsubscribe", "mqtt-3.1.1"])
ok("unsubscribe-50-user-property", "5.0 UNSUBSCRIBE with a user property", C50 + pkt(0xA2, u16(13) + props((38, s("reason") + s("shutdown"))) + s("devices/+/telemetry/#")), ["unsubscribe", "properties", "mqtt-5.0"])
# --- server to client ----------------------------------------------------------------------------
ok("server-311-session", "3.1.1 CONNACK, SUBACK with a failure code, a QoS 1 PUBLISH, PUBACK and PINGRESP",
   CONNACK_311 + pkt(0x90, u16(5) + bytes([1, 2, 0x80])) + publish("alerts/fire", b"zone 4", qos=1, pid=99) + pkt(0x40, u16(10)) + pkt(0xD0, b""),
   ["connack", "suback", "puback", "mqtt-3.1.1"])
ok("connack-311-refused", "3.1.1 CONNACK refusing bad credentials (return code 4), session present clear",
   pkt(0x20, b"\x00\x04"), ["connack", "mqtt-3.1.1"])
ok("connack-50-properties", "5.0 CONNACK with session present and server capabilities",
   pkt(0x20, b"\x01\x00" + props((18, s("auto-1f2e")), (19, u16(45)), (34, u16(10)), (36, b"\x01"), (37, b"\x00"), (39, u32(65536)))),
   ["connack", "properties", "mqtt-5.0"])
ok("server-50-suback-acks", "5.0 SUBACK with reason codes and string, then short and long PUBACK, PUBREC with a reason, PUBCOMP with properties",
   CONNACK_50 + pkt(0x90, u16(6) + props((31, s("partly"))) + bytes([0, 1, 2, 0x80, 0x97])) + pkt(0x40, u16(7)) + pkt(0x40, u16(8) + b"\x10")
   + pkt(0x50, u16(9) + b"\x00" + props()) + pkt(0x70, u16(9) + b"\x00" + props((38, s("k") + s("v")))),
   ["suback", "puback", "pubrec", "pubcomp", "properties", "mqtt-5.0"])
ok("server-311-unsuback", "3.1.1 UNSUBACK: only the packet identifier", CONNACK_311 + pkt(0xB0, u16(12)), ["unsuback", "mqtt-3.1.1"])
ok("server-50-unsuback", "5.0 UNSUBACK with a reason string and a code per filter (success, no subscription existed)", CONNACK_50 + pkt(0xB0, u16(13) + props((31, s("done"))) + b"\x00\x11"), ["unsuback", "properties", "mqtt-5.0"])
ok("server-50-disconnect", "5.0 server DISCONNECT: server shutting down (0x8B) with a server reference",
   CONNACK_50 + pkt(0xE0, b"\x8b" + props((28, s("mqtt2.example:8883")), (31, s("maintenance")))), ["disconnect", "mqtt-5.0"])

# --- malformed and hostile -----------------------------------------------------------------------
bad("error-remaining-length-5-bytes", "Remaining length continues into a fifth byte (hostile)", b"\x30\xff\xff\xff\xff\x01", "LimitExceeded", ["varint", "hostile"])
bad("error-remaining-length-not-minimal", "CONNECT length 12 written as 0x8c 0x00", b"\x10\x8c\x00" + C311[2:], "MalformedPacket", ["varint"])
bad("error-truncated-connect", "CONNECT declares 200 bytes, 21 follow", pkt(0x10, C311[2:], length=200), "Truncated", ["truncated"])
bad("error-huge-declared-length", "PUBLISH declares the maximum 268,435,455 bytes on a 10-byte wire (hostile)", C311 + b"\x30\xff\xff\xff\x7f" + b"ab", "Truncated", ["hostile", "limits"])
bad("error-missing-session", "A PUBLISH with no CONNECT or CONNACK before it", publish("a/b", b"1"), "MissingSession", ["session"])
bad("error-publish-qos3", "PUBLISH with both QoS bits set", C311 + pkt(0x36, s("a/b") + u16(1)), "MalformedPacket", ["publish", "qos"])
bad("error-publish-wildcard-topic", "PUBLISH to a topic name with '+'", C311 + publish("a/+/b", b"1"), "InvalidTopic", ["publish", "topic"])
bad("error-subscribe-hash-inside-level", "Filter sport/tennis# ('#' not a whole level)", C311 + subscribe(1, [("sport/tennis#", 0)]), "InvalidTopic", ["subscribe", "wildcards"])
bad("error-subscribe-hash-not-last", "Filter a/#/b ('#' not last)", C311 + subscribe(1, [("a/#/b", 0)]), "InvalidTopic", ["subscribe", "wildcards"])
bad("error-subscribe-plus-partial", "Filter a/b+/c ('+' not a whole level)", C311 + subscribe(1, [("a/b+/c", 0)]), "InvalidTopic", ["subscribe", "wildcards"])
bad("error-subscribe-empty", "SUBSCRIBE without any topic filter", C311 + pkt(0x82, u16(1)), "ProtocolViolation", ["subscribe"])
bad("error-subscribe-bad-flags", "SUBSCRIBE with fixed-header flags 0 instead of 2", C311 + pkt(0x80, u16(1) + s("a") + b"\x00"), "MalformedPacket", ["subscribe", "flags"])
bad("error-connect-mqisdp", "MQTT 3.1 (MQIsdp, level 3) is not supported", connect(level=3, name="MQIsdp"), "UnsupportedVersion", ["connect", "version"])
bad("error-connect-level-6", "Unknown protocol level 6", connect(level=6), "UnsupportedVersion", ["connect", "version"])
bad("error-connect-reserved-flag", "CONNECT with the reserved flag bit set", connect(extra_flags=1), "MalformedPacket", ["connect", "flags"])
bad("error-second-connect", "A second CONNECT on the same connection", C311 + C311, "ProtocolViolation", ["connect", "session"])
bad("error-suback-from-client", "A SUBACK inside a client's stream", C311 + pkt(0x90, u16(1) + b"\x00"), "ProtocolViolation", ["session"])
bad("error-topic-overlong-utf8", "Topic with an overlong UTF-8 encoding of '/' (0xC0 0xAF)", C311 + publish(b"a\xc0\xafb", b"1"), "MalformedPacket", ["utf8", "hostile"])
bad("error-topic-nul", "Topic containing U+0000", C311 + publish(b"a\x00b", b"1"), "MalformedPacket", ["utf8", "hostile"])
bad("error-duplicate-property", "5.0 PUBLISH with Message Expiry Interval twice", C50 + publish("a", b"", v5props=props((2, u32(1)), (2, u32(2)))), "MalformedPacket", ["properties"])
bad("error-property-not-allowed", "5.0 PUBLISH carrying Server Keep Alive (a CONNACK property)", C50 + publish("a", b"", v5props=props((19, u16(1)))), "MalformedPacket", ["properties"])
bad("error-property-length-overrun", "5.0 PUBLISH whose property length runs past the packet", C50 + publish("a", b"", v5props=b"\x40\x02"), "MalformedPacket", ["properties", "hostile"])
bad("error-packet-id-zero", "QoS 1 PUBLISH with packet identifier 0", C311 + publish("a", b"", qos=1, pid=0), "MalformedPacket", ["publish"])
bad("error-telemetry-not-json", "Telemetry topic with a non-JSON payload", C311 + publish("devices/x/telemetry/t", b"21.5C"), "BadPayload", ["telemetry"])
bad("error-connack-50-bad-reason", "5.0 CONNACK with reason code 0xBE, which is no CONNACK reason (found by the paho oracle)", pkt(0x20, b"\x00\xbe\x00"), "MalformedPacket", ["connack", "mqtt-5.0"])
bad("error-telemetry-nested-json", "Telemetry payload of 100,000 nested JSON arrays (hostile: recursion)", C311 + publish("devices/x/telemetry/t", b"[" * 100000), "HostileInput", ["telemetry", "hostile"])
bad("error-empty-wire", "No bytes at all", b"", "Truncated", ["truncated"])
bad("error-unsupported-auth", "AUTH (5.0 enhanced authentication) is not supported by this adapter", C50 + pkt(0xF0, b"\x18" + props((21, s("SCRAM-SHA-1")))), "UnsupportedPacket", ["unsupported", "mqtt-5.0"])
bad("error-unsubscribe-empty", "UNSUBSCRIBE without any topic filter", C311 + pkt(0xA2, u16(3)), "ProtocolViolation", ["unsubscribe"])
bad("error-unsubscribe-bad-filter", "UNSUBSCRIBE filter with '+' inside a level", C50 + pkt(0xA2, u16(3) + props() + s("a/x+")), "InvalidTopic", ["unsubscribe", "wildcards", "mqtt-5.0"])
bad("error-unsuback-bad-reason", "5.0 UNSUBACK with reason code 0x01 (a SUBACK code, not an UNSUBACK one)", CONNACK_50 + pkt(0xB0, u16(3) + props() + b"\x01"), "MalformedPacket", ["unsuback", "mqtt-5.0"])
bad("error-reserved-type-0", "Control packet type 0 is reserved", b"\x00\x00", "UnsupportedPacket", ["hostile"])

# --- egress --------------------------------------------------------------------------------------
msg = mw.translate_ingress(C311 + publish("devices/thermo-7/telemetry/temperature", TELEMETRY, qos=1, pid=2))
egress_ok("egress-311-connect-publish", "CONNECT and a QoS 1 telemetry PUBLISH from a message", msg,
          C311 + publish("devices/thermo-7/telemetry/temperature", TELEMETRY, qos=1, pid=2), ["publish", "mqtt-3.1.1"])
egress_ok("egress-50-connack", "A 5.0 CONNACK with properties from a message",
          {"protocol_version": "5.0", "direction": "ServerToClient", "packets": [{"type": "Connack", "session_present": False, "reason_code": 0x87,
           "properties": [{"name": "ReasonString", "value_text": "not authorized"}]}]},
          pkt(0x20, b"\x00\x87" + props((31, s("not authorized")))), ["connack", "mqtt-5.0"])
egress_ok("egress-50-subscribe", "A 5.0 SUBSCRIBE with options from a message",
          {"protocol_version": "5.0", "direction": "ClientToServer", "packets": [
              {"type": "Connect", "connect": {"protocol_version": "5.0", "clean_start": True, "keep_alive": 60, "properties": [], "client_id": "sensor-01"}},
              {"type": "Subscribe", "packet_id": 4, "properties": [], "subscriptions": [
                  {"topic_filter": "a/+/c", "qos": 2, "no_local": True, "retain_as_published": False, "retain_handling": 1}]}]},
          C50 + subscribe(4, [("a/+/c", 0x16)], props()), ["subscribe", "mqtt-5.0"])
base = {"protocol_version": "3.1.1", "direction": "ClientToServer", "packets": [{"type": "Connect", "connect": {"protocol_version": "3.1.1", "clean_start": True, "keep_alive": 60, "client_id": "c"}}]}


def with_packet(p, **top):
    m = json.loads(json.dumps(base))
    m["packets"].append(p)
    m.update(top)
    return m


egress_bad("egress-error-qos3", "QoS 3 cannot be encoded", with_packet({"type": "Publish", "dup": False, "qos": 3, "retain": False, "topic": "a", "packet_id": 1, "payload_hex": ""}), "MalformedMessage", ["publish"])
egress_bad("egress-error-wildcard-topic", "A topic name with '#'", with_packet({"type": "Publish", "dup": False, "qos": 0, "retain": False, "topic": "a/#", "payload_hex": ""}), "InvalidTopic", ["publish", "topic"])
egress_bad("egress-error-missing-packet-id", "QoS 1 without a packet identifier", with_packet({"type": "Publish", "dup": False, "qos": 1, "retain": False, "topic": "a", "payload_hex": ""}), "MalformedMessage", ["publish"])
egress_bad("egress-error-not-connect-first", "A client stream must start with CONNECT",
           {"protocol_version": "3.1.1", "direction": "ClientToServer", "packets": [{"type": "Pingreq"}]}, "ProtocolViolation", ["session"])
egress_bad("egress-error-properties-in-311", "3.1.1 packets carry no properties",
           with_packet({"type": "Publish", "dup": False, "qos": 0, "retain": False, "topic": "a", "payload_hex": "", "properties": []}), "ProtocolViolation", ["properties"])
egress_bad("egress-error-telemetry-payload", "A PUBLISH to a telemetry topic whose payload is not a reading (egress refuses what ingress would)",
           with_packet({"type": "Publish", "dup": False, "qos": 0, "retain": False, "topic": "devices/d1/telemetry/t", "payload_hex": "3231"}), "BadPayload", ["publish", "telemetry"])
egress_bad("egress-error-bad-filter", "SUBSCRIBE filter with '#' in the middle",
           with_packet({"type": "Subscribe", "packet_id": 1, "subscriptions": [{"topic_filter": "a/#/b", "qos": 0}]}), "InvalidTopic", ["subscribe"])

assert not DESCRIPTIONS
with open(OUT + "manifest.toml", "w") as f:
    f.write('[test_suite]\nname = "mqtt-wire-golden"\ncircuit = "mqtt_ingress"\nversion = "1.0.0"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error":
            f.write('expected_error = "error"\n')
errors = sum(1 for t in tests if t[2] == "error")
print("ok", len(tests), "vectors,", errors, "errors")
