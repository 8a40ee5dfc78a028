"""MQTT 3.1.1 / 5.0 control packets <-> the `MqttMessage` ESF record (WireAdapter contract).

Standard library only: this module runs in the circuit sandbox and on devices.

Decisions:

* The wire is the byte stream of one direction of one MQTT connection: one or more control
  packets back to back. Several packets' layouts (PUBLISH, SUBSCRIBE, SUBACK, the acks) depend on
  the protocol version negotiated by CONNECT, which they do not repeat, so the stream must begin
  with the connection's CONNECT (client to server; its protocol level says 3.1.1 or 5.0) or CONNACK
  (server to client; a 3.1.1 CONNACK is exactly 2 bytes long, a 5.0 one is longer). Anything else
  first is `MissingSession`: guessing would silently misread a 5.0 PUBLISH's properties as payload.
* The direction fixes which packets may follow (a SUBACK in a client's stream is a
  `ProtocolViolation`), and a second CONNECT is one too (MQTT-3.1.0-2).
* Every accepted stream has exactly one encoding, so egress(ingress(wire)) == wire: varints must
  be minimal (MQTT 5.0 §1.5.5), reserved flag bits must have their fixed values, properties keep
  their order, and the optional tails of 5.0 acks and DISCONNECT (reason code, properties) are
  present in the record exactly when present on the wire.
* Limits (hostile input): a remaining length of more than 4 bytes is `LimitExceeded`, as is a
  stream over `MAX_WIRE_BYTES` or with more than `MAX_PACKETS` packets; a declared length longer
  than the data is `Truncated`, never a read past the end.
* PUBLISH to `devices/<device_id>/telemetry/<metric_name>` with a JSON object payload
  `{"timestamp": RFC 3339 UTC, "value": number, "unit"?: string, "quality"?: 0..100}` is mapped to an
  `esf-iot` `IoTTelemetry` record in `telemetry`. A payload on such a topic that does not fit is
  `BadPayload`, in both directions: that topic space is a contract, a silent drop would lose
  readings. `telemetry` is derived from the packets; egress ignores it.
"""

import json
import re
import struct

MAX_WIRE_BYTES = 1 << 20
MAX_PACKETS = 4096
MAX_REMAINING_LENGTH = 268_435_455

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK = 1, 2, 3, 4, 5, 6, 7, 8, 9
UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 10, 11, 12, 13, 14
TYPE_NAMES = {
    CONNECT: "Connect", CONNACK: "Connack", PUBLISH: "Publish", PUBACK: "Puback", PUBREC: "Pubrec",
    PUBREL: "Pubrel", PUBCOMP: "Pubcomp", SUBSCRIBE: "Subscribe", SUBACK: "Suback",
    UNSUBSCRIBE: "Unsubscribe", UNSUBACK: "Unsuback", PINGREQ: "Pingreq", PINGRESP: "Pingresp", DISCONNECT: "Disconnect",
}
TYPE_IDS = {v: k for k, v in TYPE_NAMES.items()}
# Fixed-header flag bits each packet type must carry (PUBLISH has its own).
FIXED_FLAGS = {CONNECT: 0, CONNACK: 0, PUBACK: 0, PUBREC: 0, PUBREL: 2, PUBCOMP: 0, SUBSCRIBE: 2, SUBACK: 0,
               UNSUBSCRIBE: 2, UNSUBACK: 0,
               PINGREQ: 0, PINGRESP: 0, DISCONNECT: 0}
CLIENT_TO_SERVER = {CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT}
SERVER_TO_CLIENT = {CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, DISCONNECT}
VERSIONS = {4: "3.1.1", 5: "5.0"}
LEVELS = {v: k for k, v in VERSIONS.items()}

# MQTT 5.0 §2.2.2.2: id -> (name, kind, packet types it may appear in; "will" = Will Properties)
BYTE, U16, U32, VARINT, BINARY, UTF8, PAIR = "byte", "u16", "u32", "varint", "binary", "utf8", "pair"
_ALL = "all"
PROPERTIES = {
    1: ("PayloadFormatIndicator", BYTE, {PUBLISH, "will"}),
    2: ("MessageExpiryInterval", U32, {PUBLISH, "will"}),
    3: ("ContentType", UTF8, {PUBLISH, "will"}),
    8: ("ResponseTopic", UTF8, {PUBLISH, "will"}),
    9: ("CorrelationData", BINARY, {PUBLISH, "will"}),
    11: ("SubscriptionIdentifier", VARINT, {PUBLISH, SUBSCRIBE}),
    17: ("SessionExpiryInterval", U32, {CONNECT, CONNACK, DISCONNECT}),
    18: ("AssignedClientIdentifier", UTF8, {CONNACK}),
    19: ("ServerKeepAlive", U16, {CONNACK}),
    21: ("AuthenticationMethod", UTF8, {CONNECT, CONNACK}),
    22: ("AuthenticationData", BINARY, {CONNECT, CONNACK}),
    23: ("RequestProblemInformation", BYTE, {CONNECT}),
    24: ("WillDelayInterval", U32, {"will"}),
    25: ("RequestResponseInformation", BYTE, {CONNECT}),
    26: ("ResponseInformation", UTF8, {CONNACK}),
    28: ("ServerReference", UTF8, {CONNACK, DISCONNECT}),
    31: ("ReasonString", UTF8, {CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT}),
    33: ("ReceiveMaximum", U16, {CONNECT, CONNACK}),
    34: ("TopicAliasMaximum", U16, {CONNECT, CONNACK}),
    35: ("TopicAlias", U16, {PUBLISH}),
    36: ("MaximumQoS", BYTE, {CONNACK}),
    37: ("RetainAvailable", BYTE, {CONNACK}),
    38: ("UserProperty", PAIR, _ALL),
    39: ("MaximumPacketSize", U32, {CONNECT, CONNACK}),
    40: ("WildcardSubscriptionAvailable", BYTE, {CONNACK}),
    41: ("SubscriptionIdentifierAvailable", BYTE, {CONNACK}),
    42: ("SharedSubscriptionAvailable", BYTE, {CONNACK}),
}
PROPERTY_IDS = {v[0]: k for k, v in PROPERTIES.items()}
_REPEATABLE = {"UserProperty", "SubscriptionIdentifier"}
_BOOLEAN_BYTES = {"PayloadFormatIndicator", "RequestProblemInformation", "RequestResponseInformation", "MaximumQoS",
                  "RetainAvailable", "WildcardSubscriptionAvailable", "SubscriptionIdentifierAvailable",
                  "SharedSubscriptionAvailable"}
# MQTT 5.0 §2.4: the reason codes each packet type may carry.
REASON_CODES = {
    CONNACK: {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B,
              0x9C, 0x9D, 0x9F},
    PUBACK: {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99},
    PUBREC: {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99},
    PUBREL: {0x00, 0x92},
    PUBCOMP: {0x00, 0x92},
    SUBACK: {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2},
    UNSUBACK: {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91},
    DISCONNECT: {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
                 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2},
}
_NONZERO = {"ReceiveMaximum", "MaximumPacketSize", "TopicAlias", "SubscriptionIdentifier"}

TELEMETRY_TOPIC = re.compile(r"devices/([^/]{1,64})/telemetry/([^/]{1,128})\Z")
_TIMESTAMP = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z\Z")


class MqttWireError(Exception):
    """A typed translation error: `code` is an `MqttErrorCode` name."""

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


# --- ingress -----------------------------------------------------------------------------------


class _Reader:
    """Bounded reads over one packet's variable header and payload; `base` is its wire offset."""

    def __init__(self, data, base, what):
        self.data = data
        self.pos = 0
        self.base = base
        self.what = what

    def left(self):
        return len(self.data) - self.pos

    def need(self, n, field):
        if self.left() < n:
            raise MqttWireError("MalformedPacket", f"{self.what}: {field} needs {n} bytes, the remaining length leaves {self.left()}",
                                self.base + self.pos, field)

    def byte(self, field):
        self.need(1, field)
        self.pos += 1
        return self.data[self.pos - 1]

    def u16(self, field):
        self.need(2, field)
        self.pos += 2
        return struct.unpack_from("!H", self.data, self.pos - 2)[0]

    def u32(self, field):
        self.need(4, field)
        self.pos += 4
        return struct.unpack_from("!I", self.data, self.pos - 4)[0]

    def varint(self, field):
        value, used = decode_varint(self.data, self.pos, self.base, field)
        self.pos += used
        return value

    def binary(self, field):
        n = self.u16(field + " length")
        self.need(n, field)
        self.pos += n
        return bytes(self.data[self.pos - n:self.pos])

    def utf8(self, field):
        start = self.base + self.pos
        raw = self.binary(field)
        return check_utf8(raw, start, field, self.what)


def check_utf8(raw, offset, field, what):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MqttWireError("MalformedPacket", f"{what}: {field} is not well-formed UTF-8 (byte {e.start})", offset, field) from None
    if "\x00" in text:
        raise MqttWireError("MalformedPacket", f"{what}: {field} contains U+0000, which MQTT strings must not (MQTT-1.5.4-2)", offset, field)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise MqttWireError("MalformedPacket", f"{what}: {field} contains a surrogate code point", offset, field)
    return text


def decode_varint(data, pos, base, field):
    """(value, bytes used) of the Variable Byte Integer at data[pos]: at most 4 bytes, minimal."""
    value = 0
    for i in range(4):
        if pos + i >= len(data):
            raise MqttWireError("Truncated", f"{field}: the variable byte integer ends after {i} byte(s)", base + pos, field)
        b = data[pos + i]
        value |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            if i > 0 and b == 0:
                raise MqttWireError("MalformedPacket", f"{field}: variable byte integer {value} is not in its shortest form (MQTT 5.0 §1.5.5)",
                                    base + pos, field)
            return value, i + 1
    raise MqttWireError("LimitExceeded", f"{field}: a variable byte integer has at most 4 bytes (max {MAX_REMAINING_LENGTH}); this one continues past the fourth",
                        base + pos, field)


def encode_varint(value):
    out = bytearray()
    while True:
        b = value % 128
        value //= 128
        out.append(b | 0x80 if value else b)
        if not value:
            return bytes(out)


def _properties(r, owner, field="properties"):
    """Decode a 5.0 property list; `owner` is a packet type or "will"."""
    start = r.base + r.pos
    length = r.varint(field + " length")
    r.need(length, field)
    end = r.pos + length
    seen = set()
    out = []
    what = r.what
    while r.pos < end:
        at = r.base + r.pos
        pid = r.varint(field + " identifier")
        if pid not in PROPERTIES:
            raise MqttWireError("MalformedPacket", f"{what}: unknown property identifier {pid}", at, field)
        name, kind, allowed = PROPERTIES[pid]
        if allowed != _ALL and owner not in allowed:
            raise MqttWireError("MalformedPacket", f"{what}: property {name} ({pid}) is not allowed in {_owner(owner)}", at, f"{field}.{name}")
        if name in seen and name not in _REPEATABLE:
            raise MqttWireError("MalformedPacket", f"{what}: property {name} appears twice", at, f"{field}.{name}")
        seen.add(name)
        sub = _Reader(r.data[:end], r.base, what)
        sub.pos = r.pos
        prop = {"name": name}
        if kind == BYTE:
            prop["value_int"] = sub.byte(name)
        elif kind == U16:
            prop["value_int"] = sub.u16(name)
        elif kind == U32:
            prop["value_int"] = sub.u32(name)
        elif kind == VARINT:
            prop["value_int"] = sub.varint(name)
        elif kind == BINARY:
            prop["value_hex"] = sub.binary(name).hex()
        elif kind == UTF8:
            prop["value_text"] = sub.utf8(name)
        else:
            prop["key"] = sub.utf8(name + " key")
            prop["value_text"] = sub.utf8(name + " value")
        r.pos = sub.pos
        _check_property_value(prop, what, at, field)
        out.append(prop)
    del start
    return out


def _check_property_value(prop, what, at, field):
    name, value = prop["name"], prop.get("value_int")
    if name in _BOOLEAN_BYTES and value not in (0, 1):
        raise MqttWireError("MalformedPacket", f"{what}: property {name} must be 0 or 1, found {value}", at, f"{field}.{name}")
    if name in _NONZERO and value == 0:
        raise MqttWireError("MalformedPacket", f"{what}: property {name} must not be 0", at, f"{field}.{name}")


def _owner(owner):
    return "Will Properties" if owner == "will" else TYPE_NAMES[owner].upper()


def check_topic_name(topic, offset, field, what):
    if "+" in topic or "#" in topic:
        raise MqttWireError("InvalidTopic", f"{what}: topic name {topic!r} contains a wildcard (+ or #), allowed only in topic filters", offset, field)


def check_topic_filter(flt, offset, field, what):
    if flt == "":
        raise MqttWireError("InvalidTopic", f"{what}: an empty topic filter is not allowed (MQTT-4.7.3-1)", offset, field)
    levels = flt.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise MqttWireError("InvalidTopic", f"{what}: in topic filter {flt!r}, '#' must be a whole level and the last one", offset, field)
        if "+" in level and level != "+":
            raise MqttWireError("InvalidTopic", f"{what}: in topic filter {flt!r}, '+' must be a whole level", offset, field)
    if flt.startswith("$share/"):
        if len(levels) < 3 or levels[1] == "" or "+" in levels[1] or "#" in levels[1]:
            raise MqttWireError("InvalidTopic", f"{what}: shared subscription {flt!r} needs $share/<ShareName>/<filter>", offset, field)


def _decode_packet(ptype, flags, body, base, version, index):
    what = f"packet {index} ({TYPE_NAMES[ptype].upper()})"
    r = _Reader(body, base, what)
    v5 = version == "5.0"
    p = {"type": TYPE_NAMES[ptype]}
    if ptype == PUBLISH:
        qos = (flags >> 1) & 3
        if qos == 3:
            raise MqttWireError("MalformedPacket", f"{what}: QoS bits are 3, which is reserved (MQTT-3.3.1-4)", base - 1, "qos")
        dup = bool(flags & 8)
        if dup and qos == 0:
            raise MqttWireError("MalformedPacket", f"{what}: DUP is set on a QoS 0 message (MQTT-3.3.1-2)", base - 1, "dup")
        p.update(dup=dup, qos=qos, retain=bool(flags & 1))
        at = base + r.pos
        topic = r.utf8("topic")
        check_topic_name(topic, at, "topic", what)
        p["topic"] = topic
        if qos:
            p["packet_id"] = _packet_id(r, what)
        if v5:
            p["properties"] = _properties(r, PUBLISH)
            if topic == "" and not any(x["name"] == "TopicAlias" for x in p["properties"]):
                raise MqttWireError("InvalidTopic", f"{what}: an empty topic name needs a TopicAlias property", at, "topic")
        elif topic == "":
            raise MqttWireError("InvalidTopic", f"{what}: the topic name is empty (MQTT-4.7.3-1)", at, "topic")
        p["payload_hex"] = bytes(body[r.pos:]).hex()
        r.pos = len(body)
    elif ptype == CONNECT:
        p["connect"] = _decode_connect(r, what, version)
    elif ptype == CONNACK:
        ack = r.byte("acknowledge flags")
        if ack & 0xFE:
            raise MqttWireError("MalformedPacket", f"{what}: reserved bits of the acknowledge flags are set (0x{ack:02x})", base, "session_present")
        p["session_present"] = bool(ack & 1)
        p["reason_code"] = r.byte("reason_code")
        if not v5 and p["reason_code"] > 5:
            raise MqttWireError("MalformedPacket", f"{what}: 3.1.1 return code {p['reason_code']} is reserved", base + 1, "reason_code")
        if v5:
            p["properties"] = _properties(r, CONNACK)
    elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        p["packet_id"] = _packet_id(r, what)
        if v5 and r.left():
            p["reason_code"] = r.byte("reason_code")
            if r.left():
                p["properties"] = _properties(r, ptype)
    elif ptype == SUBSCRIBE:
        p["packet_id"] = _packet_id(r, what)
        if v5:
            p["properties"] = _properties(r, SUBSCRIBE)
        subs = []
        while r.left():
            at = base + r.pos
            flt = r.utf8("topic_filter")
            check_topic_filter(flt, at, f"subscriptions[{len(subs)}].topic_filter", what)
            opt_at = base + r.pos
            opts = r.byte("subscription options")
            sub = {"topic_filter": flt, "qos": opts & 3}
            if sub["qos"] == 3:
                raise MqttWireError("MalformedPacket", f"{what}: requested QoS 3 for {flt!r}", opt_at, f"subscriptions[{len(subs)}].qos")
            if v5:
                if opts & 0xC0 or (opts >> 4) & 3 == 3:
                    raise MqttWireError("MalformedPacket", f"{what}: reserved subscription option bits set (0x{opts:02x})", opt_at, f"subscriptions[{len(subs)}]")
                sub.update(no_local=bool(opts & 4), retain_as_published=bool(opts & 8), retain_handling=(opts >> 4) & 3)
                if sub["no_local"] and flt.startswith("$share/"):
                    raise MqttWireError("ProtocolViolation", f"{what}: No Local on a shared subscription (MQTT-3.8.3-4)", opt_at, f"subscriptions[{len(subs)}].no_local")
            elif opts & 0xFC:
                raise MqttWireError("MalformedPacket", f"{what}: reserved bits of the requested QoS byte are set (0x{opts:02x})", opt_at, f"subscriptions[{len(subs)}]")
            subs.append(sub)
        if not subs:
            raise MqttWireError("ProtocolViolation", f"{what}: a SUBSCRIBE must name at least one topic filter (MQTT-3.8.3-3)", base + r.pos, "subscriptions")
        p["subscriptions"] = subs
    elif ptype == SUBACK:
        p["packet_id"] = _packet_id(r, what)
        if v5:
            p["properties"] = _properties(r, SUBACK)
        codes = list(body[r.pos:])
        allowed = REASON_CODES[SUBACK] if v5 else {0, 1, 2, 0x80}
        for i, c in enumerate(codes):
            if c not in allowed:
                raise MqttWireError("MalformedPacket", f"{what}: 0x{c:02x} is not a SUBACK {'reason' if v5 else 'return'} code", base + r.pos + i, f"reason_codes[{i}]")
        if not codes:
            raise MqttWireError("MalformedPacket", f"{what}: a SUBACK has one code per requested filter, found none", base + r.pos, "reason_codes")
        p["reason_codes"] = codes
        r.pos = len(body)
    elif ptype == UNSUBSCRIBE:
        p["packet_id"] = _packet_id(r, what)
        if v5:
            p["properties"] = _properties(r, UNSUBSCRIBE)
        filters = []
        while r.left():
            at = base + r.pos
            flt = r.utf8("topic_filter")
            check_topic_filter(flt, at, f"topic_filters[{len(filters)}]", what)
            filters.append(flt)
        if not filters:
            raise MqttWireError("ProtocolViolation", f"{what}: an UNSUBSCRIBE must name at least one topic filter (MQTT-3.10.3-2)", base + r.pos, "topic_filters")
        p["topic_filters"] = filters
    elif ptype == UNSUBACK:
        p["packet_id"] = _packet_id(r, what)
        if v5:
            p["properties"] = _properties(r, UNSUBACK)
            codes = list(body[r.pos:])
            for i, c in enumerate(codes):
                if c not in REASON_CODES[UNSUBACK]:
                    raise MqttWireError("MalformedPacket", f"{what}: 0x{c:02x} is not an UNSUBACK reason code", base + r.pos + i, f"reason_codes[{i}]")
            if not codes:
                raise MqttWireError("MalformedPacket", f"{what}: a 5.0 UNSUBACK has one reason code per filter, found none", base + r.pos, "reason_codes")
            p["reason_codes"] = codes
            r.pos = len(body)
    elif ptype == DISCONNECT:
        if v5 and r.left():
            p["reason_code"] = r.byte("reason_code")
            if r.left():
                p["properties"] = _properties(r, DISCONNECT)
    if v5 and "reason_code" in p and p["reason_code"] not in REASON_CODES[ptype]:
        raise MqttWireError("MalformedPacket", f"{what}: 0x{p['reason_code']:02x} is not a {TYPE_NAMES[ptype].upper()} reason code", base + (2 if ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP) else 1 if ptype == CONNACK else 0), "reason_code")
    if r.left():
        raise MqttWireError("MalformedPacket", f"{what}: {r.left()} byte(s) left over after the packet's fields", base + r.pos, "remaining_length")
    return p


def _packet_id(r, what):
    at = r.base + r.pos
    pid = r.u16("packet_id")
    if pid == 0:
        raise MqttWireError("MalformedPacket", f"{what}: packet identifier 0 is not allowed (MQTT-2.2.1-3)", at, "packet_id")
    return pid


def _decode_connect(r, what, version):
    at = r.base + r.pos
    name = r.utf8("protocol name")
    level = r.byte("protocol level")
    if name == "MQIsdp" or (name == "MQTT" and level not in VERSIONS):
        raise MqttWireError("UnsupportedVersion", f"{what}: protocol {name} level {level} is not supported (3.1.1 = level 4, 5.0 = level 5)", at, "protocol_level")
    if name != "MQTT":
        raise MqttWireError("UnsupportedVersion", f"{what}: protocol name {name!r} is not \"MQTT\"", at, "protocol_name")
    v5 = level == 5
    flags_at = r.base + r.pos
    flags = r.byte("connect flags")
    if flags & 1:
        raise MqttWireError("MalformedPacket", f"{what}: the reserved connect flag bit 0 is set (MQTT-3.1.2-3)", flags_at, "connect_flags")
    will, will_qos, will_retain = bool(flags & 4), (flags >> 3) & 3, bool(flags & 0x20)
    has_user, has_pass = bool(flags & 0x80), bool(flags & 0x40)
    if not will and (will_qos or will_retain):
        raise MqttWireError("MalformedPacket", f"{what}: Will QoS/Retain set without the Will flag (MQTT-3.1.2-11/13)", flags_at, "connect_flags")
    if will_qos == 3:
        raise MqttWireError("MalformedPacket", f"{what}: Will QoS 3 is reserved (MQTT-3.1.2-14)", flags_at, "will.qos")
    if not v5 and has_pass and not has_user:
        raise MqttWireError("MalformedPacket", f"{what}: the password flag is set without the user name flag (MQTT-3.1.2-22)", flags_at, "connect_flags")
    c = {"protocol_version": VERSIONS[level], "clean_start": bool(flags & 2), "keep_alive": r.u16("keep_alive")}
    if v5:
        c["properties"] = _properties(r, CONNECT)
    c["client_id"] = r.utf8("client_id")
    if will:
        w = {"qos": will_qos, "retain": will_retain}
        if v5:
            w["properties"] = _properties(r, "will", "will.properties")
        at = r.base + r.pos
        w["topic"] = r.utf8("will.topic")
        check_topic_name(w["topic"], at, "will.topic", what)
        if w["topic"] == "":
            raise MqttWireError("InvalidTopic", f"{what}: the will topic is empty", at, "will.topic")
        w["payload_hex"] = r.binary("will.payload").hex()
        c["will"] = w
    if has_user:
        c["username"] = r.utf8("username")
    if has_pass:
        c["password_hex"] = r.binary("password").hex()
    return c


def translate_ingress(wire_bytes):
    """Decode a stream of MQTT control packets into an `MqttMessage` dict, or raise MqttWireError."""
    data = bytes(wire_bytes)
    if len(data) > MAX_WIRE_BYTES:
        raise MqttWireError("LimitExceeded", f"the wire holds {len(data)} bytes; the adapter accepts at most {MAX_WIRE_BYTES} per message", 0)
    if not data:
        raise MqttWireError("Truncated", "the wire is empty: expected at least one control packet", 0)
    version = None
    direction = None
    packets = []
    pos = 0
    while pos < len(data):
        if len(packets) >= MAX_PACKETS:
            raise MqttWireError("LimitExceeded", f"more than {MAX_PACKETS} control packets in one wire message", pos)
        first = data[pos]
        ptype, flags = first >> 4, first & 0x0F
        index = len(packets)
        if ptype not in TYPE_NAMES:
            kind = "reserved (0)" if ptype == 0 else "AUTH (15)"
            raise MqttWireError("UnsupportedPacket", f"packet {index}: control packet type {kind} is not supported by this adapter", pos, "type")
        if ptype != PUBLISH and flags != FIXED_FLAGS[ptype]:
            raise MqttWireError("MalformedPacket", f"packet {index} ({TYPE_NAMES[ptype].upper()}): fixed header flags are 0x{flags:x}, must be 0x{FIXED_FLAGS[ptype]:x} (MQTT-2.2.2-1)", pos, "flags")
        length, used = decode_varint(data, pos + 1, 0, "remaining_length")
        start = pos + 1 + used
        if start + length > len(data):
            raise MqttWireError("Truncated", f"packet {index} ({TYPE_NAMES[ptype].upper()}): remaining length {length} but only {len(data) - start} byte(s) follow", pos + 1, "remaining_length")
        body = data[start:start + length]
        if index == 0:
            if ptype == CONNECT:
                direction = "ClientToServer"
            elif ptype == CONNACK:
                direction = "ServerToClient"
                version = "3.1.1" if length == 2 else "5.0"
            else:
                raise MqttWireError("MissingSession", f"packet 0 is {TYPE_NAMES[ptype].upper()}: the wire must start with the connection's CONNECT or CONNACK, which fixes the protocol version the other packets are laid out in", pos, "type")
        else:
            allowed = CLIENT_TO_SERVER if direction == "ClientToServer" else SERVER_TO_CLIENT
            if ptype in (CONNECT, CONNACK) or ptype not in allowed:
                raise MqttWireError("ProtocolViolation", f"packet {index}: {TYPE_NAMES[ptype].upper()} cannot follow in a {'client-to-server' if direction == 'ClientToServer' else 'server-to-client'} stream", pos, "type")
        if ptype == DISCONNECT and version == "3.1.1" and direction == "ServerToClient":
            raise MqttWireError("ProtocolViolation", f"packet {index}: a 3.1.1 server never sends DISCONNECT", pos, "type")
        if ptype in (PINGREQ, PINGRESP) and length:
            raise MqttWireError("MalformedPacket", f"packet {index} ({TYPE_NAMES[ptype].upper()}): remaining length must be 0, found {length}", pos + 1, "remaining_length")
        packet = _decode_packet(ptype, flags, body, start, version, index)
        if ptype == CONNECT:
            version = packet["connect"]["protocol_version"]
        packets.append(packet)
        pos = start + length
    message = {"protocol_version": version, "direction": direction, "packets": packets}
    message["telemetry"] = telemetry_of(packets)
    return message


def telemetry_of(packets):
    out = []
    for i, p in enumerate(packets):
        if p["type"] != "Publish":
            continue
        m = TELEMETRY_TOPIC.match(p["topic"])
        if not m:
            continue
        where = f"packet {i} (PUBLISH to {p['topic']})"
        try:
            doc = json.loads(bytes.fromhex(p["payload_hex"]).decode("utf-8"), parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError):
            raise MqttWireError("BadPayload", f"{where}: a telemetry topic needs a UTF-8 JSON object payload", None, f"packets[{i}].payload_hex") from None
        except RecursionError:
            raise MqttWireError("HostileInput", f"{where}: the JSON payload nests too deeply", None, f"packets[{i}].payload_hex") from None
        if not isinstance(doc, dict) or set(doc) - {"timestamp", "value", "unit", "quality"}:
            raise MqttWireError("BadPayload", f"{where}: expected a JSON object with timestamp, value and optional unit, quality", None, f"packets[{i}].payload_hex")
        ts, value = doc.get("timestamp"), doc.get("value")
        if not isinstance(ts, str) or not _TIMESTAMP.match(ts):
            raise MqttWireError("BadPayload", f"{where}: `timestamp` must be an RFC 3339 UTC time like \"2026-02-10T12:00:00Z\", found {ts!r}", None, f"packets[{i}].payload_hex")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MqttWireError("BadPayload", f"{where}: `value` must be a number, found {value!r}", None, f"packets[{i}].payload_hex")
        rec = {"device_id": m.group(1), "timestamp": ts, "metric_name": m.group(2), "value": float(value)}
        if "unit" in doc:
            if not isinstance(doc["unit"], str) or len(doc["unit"]) > 32:
                raise MqttWireError("BadPayload", f"{where}: `unit` must be a string of at most 32 characters", None, f"packets[{i}].payload_hex")
            rec["unit"] = doc["unit"]
        if "quality" in doc:
            q = doc["quality"]
            if isinstance(q, bool) or not isinstance(q, int) or not 0 <= q <= 100:
                raise MqttWireError("BadPayload", f"{where}: `quality` must be an integer 0..100, found {q!r}", None, f"packets[{i}].payload_hex")
            rec["quality"] = q
        rec["metadata"] = {"mqtt_topic": p["topic"], "mqtt_qos": str(p["qos"])}
        out.append(rec)
    return out


def _no_constant(name):
    raise ValueError(name)


# --- egress ------------------------------------------------------------------------------------


def _fail(code, field, message):
    raise MqttWireError(code, f"{field}: {message}", None, field)


def _get(obj, key, field, kind, optional=False, lo=None, hi=None):
    if not isinstance(obj, dict):
        _fail("MalformedMessage", field, "expected an object")
    value = obj.get(key)
    path = f"{field}.{key}" if field else key
    if value is None:
        if optional:
            return None
        _fail("MalformedMessage", path, "required field is missing")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or (lo is not None and value < lo) or (hi is not None and value > hi):
            _fail("MalformedMessage", path, f"expected an integer {lo}..{hi}, found {value!r}")
    elif kind == "bool" and not isinstance(value, bool):
        _fail("MalformedMessage", path, f"expected true or false, found {value!r}")
    elif kind == "str" and not isinstance(value, str):
        _fail("MalformedMessage", path, f"expected a string, found {value!r}")
    elif kind == "list" and not isinstance(value, list):
        _fail("MalformedMessage", path, f"expected an array, found {value!r}")
    elif kind == "hex":
        if not isinstance(value, str) or len(value) % 2 or not re.fullmatch(r"[0-9a-f]*", value):
            _fail("MalformedMessage", path, "expected lowercase hex of even length")
        return bytes.fromhex(value)
    return value


def _utf8(text, field):
    raw = text.encode("utf-8", "strict") if not any(0xD800 <= ord(c) <= 0xDFFF for c in text) else None
    if raw is None or "\x00" in text:
        _fail("MalformedMessage", field, "MQTT strings must not contain U+0000 or surrogates")
    if len(raw) > 0xFFFF:
        _fail("LimitExceeded", field, f"{len(raw)} bytes is longer than an MQTT string's 65,535")
    return struct.pack("!H", len(raw)) + raw


def _binary(raw, field):
    if len(raw) > 0xFFFF:
        _fail("LimitExceeded", field, f"{len(raw)} bytes is longer than MQTT binary data's 65,535")
    return struct.pack("!H", len(raw)) + raw


def _encode_properties(props, owner, field):
    if not isinstance(props, list):
        _fail("MalformedMessage", field, "expected an array of properties")
    out = bytearray()
    seen = set()
    for i, prop in enumerate(props):
        f = f"{field}[{i}]"
        name = _get(prop, "name", f, "str")
        if name not in PROPERTY_IDS:
            _fail("MalformedMessage", f + ".name", f"unknown property {name!r}")
        pid = PROPERTY_IDS[name]
        _, kind, allowed = PROPERTIES[pid]
        if allowed != _ALL and owner not in allowed:
            _fail("ProtocolViolation", f + ".name", f"property {name} is not allowed in {_owner(owner)}")
        if name in seen and name not in _REPEATABLE:
            _fail("ProtocolViolation", f + ".name", f"property {name} appears twice")
        seen.add(name)
        out += encode_varint(pid)
        if kind in (BYTE, U16, U32, VARINT):
            hi = {BYTE: 0xFF, U16: 0xFFFF, U32: 0xFFFFFFFF, VARINT: MAX_REMAINING_LENGTH}[kind]
            value = _get(prop, "value_int", f, "int", lo=0, hi=hi)
            _check_property_value(prop, "property", None, field)
            out += bytes([value]) if kind == BYTE else struct.pack("!H", value) if kind == U16 else struct.pack("!I", value) if kind == U32 else encode_varint(value)
        elif kind == BINARY:
            out += _binary(_get(prop, "value_hex", f, "hex"), f + ".value_hex")
        elif kind == UTF8:
            out += _utf8(_get(prop, "value_text", f, "str"), f + ".value_text")
        else:
            out += _utf8(_get(prop, "key", f, "str"), f + ".key") + _utf8(_get(prop, "value_text", f, "str"), f + ".value_text")
    return encode_varint(len(out)) + bytes(out)


def _topic_name(topic, field, v5, props):
    if "+" in topic or "#" in topic:
        _fail("InvalidTopic", field, f"topic name {topic!r} contains a wildcard")
    if topic == "" and not (v5 and any(isinstance(x, dict) and x.get("name") == "TopicAlias" for x in props or [])):
        _fail("InvalidTopic", field, "the topic name is empty")
    return _utf8(topic, field)


def _encode_packet(p, f, version):
    v5 = version == "5.0"
    tname = _get(p, "type", f, "str")
    if tname not in TYPE_IDS:
        _fail("MalformedMessage", f + ".type", f"unknown packet type {tname!r} (one of {', '.join(TYPE_IDS)})")
    ptype = TYPE_IDS[tname]
    flags = FIXED_FLAGS.get(ptype, 0)
    body = bytearray()
    if ptype == PUBLISH:
        qos = _get(p, "qos", f, "int", lo=0, hi=2)
        dup = _get(p, "dup", f, "bool")
        retain = _get(p, "retain", f, "bool")
        if dup and qos == 0:
            _fail("ProtocolViolation", f + ".dup", "DUP must be false for QoS 0")
        flags = (8 if dup else 0) | (qos << 1) | (1 if retain else 0)
        props = _get(p, "properties", f, "list", optional=not v5)
        if not v5 and props is not None:
            _fail("ProtocolViolation", f + ".properties", "3.1.1 packets have no properties")
        body += _topic_name(_get(p, "topic", f, "str"), f + ".topic", v5, props)
        if qos:
            body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        elif p.get("packet_id") is not None:
            _fail("ProtocolViolation", f + ".packet_id", "a QoS 0 PUBLISH has no packet identifier")
        if v5:
            body += _encode_properties(props, PUBLISH, f + ".properties")
        body += _get(p, "payload_hex", f, "hex")
    elif ptype == CONNECT:
        c = p.get("connect")
        cf = f + ".connect"
        if not isinstance(c, dict):
            _fail("MalformedMessage", cf, "required object is missing")
        ver = _get(c, "protocol_version", cf, "str")
        if ver not in LEVELS:
            _fail("UnsupportedVersion", cf + ".protocol_version", f"expected 3.1.1 or 5.0, found {ver!r}")
        cv5 = ver == "5.0"
        will = c.get("will")
        user = _get(c, "username", cf, "str", optional=True)
        password = _get(c, "password_hex", cf, "hex", optional=True)
        if password is not None and user is None and not cv5:
            _fail("ProtocolViolation", cf + ".password_hex", "3.1.1 allows a password only with a user name")
        cflags = (2 if _get(c, "clean_start", cf, "bool") else 0) | (0x80 if user is not None else 0) | (0x40 if password is not None else 0)
        wbytes = b""
        if will is not None:
            wf = cf + ".will"
            wq = _get(will, "qos", wf, "int", lo=0, hi=2)
            cflags |= 4 | (wq << 3) | (0x20 if _get(will, "retain", wf, "bool") else 0)
            if cv5:
                wbytes += _encode_properties(_get(will, "properties", wf, "list"), "will", wf + ".properties")
            wt = _get(will, "topic", wf, "str")
            if wt == "":
                _fail("InvalidTopic", wf + ".topic", "the will topic is empty")
            wbytes += _topic_name(wt, wf + ".topic", False, None) + _binary(_get(will, "payload_hex", wf, "hex"), wf + ".payload_hex")
        body += _utf8("MQTT", cf) + bytes([LEVELS[ver], cflags]) + struct.pack("!H", _get(c, "keep_alive", cf, "int", lo=0, hi=0xFFFF))
        if cv5:
            body += _encode_properties(_get(c, "properties", cf, "list"), CONNECT, cf + ".properties")
        body += _utf8(_get(c, "client_id", cf, "str"), cf + ".client_id") + wbytes
        if user is not None:
            body += _utf8(user, cf + ".username")
        if password is not None:
            body += _binary(password, cf + ".password_hex")
    elif ptype == CONNACK:
        body += bytes([1 if _get(p, "session_present", f, "bool") else 0])
        rc = _get(p, "reason_code", f, "int", lo=0, hi=0xFF if v5 else 5)
        body.append(rc)
        if v5:
            body += _encode_properties(_get(p, "properties", f, "list"), CONNACK, f + ".properties")
    elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        rc = _get(p, "reason_code", f, "int", optional=True, lo=0, hi=0xFF)
        props = p.get("properties")
        if not v5 and (rc is not None or props is not None):
            _fail("ProtocolViolation", f, "3.1.1 acknowledgements carry only the packet identifier")
        if props is not None and rc is None:
            _fail("MalformedMessage", f + ".reason_code", "properties need a reason code before them")
        if rc is not None:
            body.append(rc)
        if props is not None:
            body += _encode_properties(props, ptype, f + ".properties")
    elif ptype == SUBSCRIBE:
        body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        if v5:
            body += _encode_properties(_get(p, "properties", f, "list"), SUBSCRIBE, f + ".properties")
        subs = _get(p, "subscriptions", f, "list")
        if not subs:
            _fail("ProtocolViolation", f + ".subscriptions", "a SUBSCRIBE needs at least one topic filter")
        for i, s in enumerate(subs):
            sf = f"{f}.subscriptions[{i}]"
            flt = _get(s, "topic_filter", sf, "str")
            try:
                check_topic_filter(flt, None, sf + ".topic_filter", "SUBSCRIBE")
            except MqttWireError as e:
                raise MqttWireError(e.code, f"{sf}.topic_filter: {e.message}", None, sf + ".topic_filter") from None
            opts = _get(s, "qos", sf, "int", lo=0, hi=2)
            if v5:
                opts |= (4 if _get(s, "no_local", sf, "bool") else 0) | (8 if _get(s, "retain_as_published", sf, "bool") else 0)
                opts |= _get(s, "retain_handling", sf, "int", lo=0, hi=2) << 4
            body += _utf8(flt, sf + ".topic_filter") + bytes([opts])
    elif ptype == SUBACK:
        body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        if v5:
            body += _encode_properties(_get(p, "properties", f, "list"), SUBACK, f + ".properties")
        codes = _get(p, "reason_codes", f, "list")
        if not codes:
            _fail("ProtocolViolation", f + ".reason_codes", "a SUBACK needs one code per filter")
        for i, c in enumerate(codes):
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= 255:
                _fail("MalformedMessage", f"{f}.reason_codes[{i}]", f"expected a byte, found {c!r}")
        body += bytes(codes)
    elif ptype == UNSUBSCRIBE:
        body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        if v5:
            body += _encode_properties(_get(p, "properties", f, "list"), UNSUBSCRIBE, f + ".properties")
        filters = _get(p, "topic_filters", f, "list")
        if not filters:
            _fail("ProtocolViolation", f + ".topic_filters", "an UNSUBSCRIBE needs at least one topic filter")
        for i, flt in enumerate(filters):
            ff = f"{f}.topic_filters[{i}]"
            if not isinstance(flt, str):
                _fail("MalformedMessage", ff, f"expected a string, found {flt!r}")
            try:
                check_topic_filter(flt, None, ff, "UNSUBSCRIBE")
            except MqttWireError as e:
                raise MqttWireError(e.code, f"{ff}: {e.message}", None, ff) from None
            body += _utf8(flt, ff)
    elif ptype == UNSUBACK:
        body += struct.pack("!H", _get(p, "packet_id", f, "int", lo=1, hi=0xFFFF))
        if v5:
            body += _encode_properties(_get(p, "properties", f, "list"), UNSUBACK, f + ".properties")
            codes = _get(p, "reason_codes", f, "list")
            bad = [c for c in codes if isinstance(c, bool) or not isinstance(c, int) or c not in REASON_CODES[UNSUBACK]]
            if not codes or bad:
                _fail("ProtocolViolation", f + ".reason_codes", "a 5.0 UNSUBACK needs one valid reason code per filter")
            body += bytes(codes)
        elif p.get("reason_codes") is not None or p.get("properties") is not None:
            _fail("ProtocolViolation", f, "a 3.1.1 UNSUBACK carries only the packet identifier")
    elif ptype == DISCONNECT:
        rc = _get(p, "reason_code", f, "int", optional=True, lo=0, hi=0xFF)
        props = p.get("properties")
        if not v5 and (rc is not None or props is not None):
            _fail("ProtocolViolation", f, "a 3.1.1 DISCONNECT has no reason code or properties")
        if props is not None and rc is None:
            _fail("MalformedMessage", f + ".reason_code", "properties need a reason code before them")
        if rc is not None:
            body.append(rc)
        if props is not None:
            body += _encode_properties(props, DISCONNECT, f + ".properties")
    rc = p.get("reason_code")
    if v5 and ptype in REASON_CODES and ptype != SUBACK and rc is not None and rc not in REASON_CODES[ptype]:
        _fail("ProtocolViolation", f + ".reason_code", f"0x{rc:02x} is not a {tname.upper()} reason code")
    if ptype == SUBACK:
        bad = [c for c in p["reason_codes"] if c not in (REASON_CODES[SUBACK] if v5 else {0, 1, 2, 0x80})]
        if bad:
            _fail("ProtocolViolation", f + ".reason_codes", f"0x{bad[0]:02x} is not a SUBACK code")
    if len(body) > MAX_REMAINING_LENGTH:
        _fail("LimitExceeded", f, f"the packet's remaining length {len(body)} exceeds {MAX_REMAINING_LENGTH}")
    return ptype, bytes([(ptype << 4) | flags]) + encode_varint(len(body)) + bytes(body)


def translate_egress(message):
    """Encode an `MqttMessage` dict as wire bytes, or raise MqttWireError."""
    version = _get(message, "protocol_version", "", "str")
    if version not in LEVELS:
        _fail("UnsupportedVersion", "protocol_version", f"expected 3.1.1 or 5.0, found {version!r}")
    direction = _get(message, "direction", "", "str")
    if direction not in ("ClientToServer", "ServerToClient"):
        _fail("MalformedMessage", "direction", f"expected ClientToServer or ServerToClient, found {direction!r}")
    packets = _get(message, "packets", "", "list")
    if not packets:
        _fail("MalformedMessage", "packets", "expected at least one packet")
    if len(packets) > MAX_PACKETS:
        _fail("LimitExceeded", "packets", f"more than {MAX_PACKETS} packets")
    out = bytearray()
    allowed = CLIENT_TO_SERVER if direction == "ClientToServer" else SERVER_TO_CLIENT
    for i, p in enumerate(packets):
        f = f"packets[{i}]"
        ptype, raw = _encode_packet(p, f, version)
        first = CONNECT if direction == "ClientToServer" else CONNACK
        if (i == 0) != (ptype == first) or ptype not in allowed:
            _fail("ProtocolViolation", f + ".type", f"a {direction} stream starts with {TYPE_NAMES[first].upper()} and then carries only {', '.join(sorted(TYPE_NAMES[t].upper() for t in allowed - {first}))}")
        if ptype == CONNECT and p["connect"]["protocol_version"] != version:
            _fail("ProtocolViolation", f + ".connect.protocol_version", f"differs from the message's protocol_version {version}")
        if ptype == CONNACK and (version == "3.1.1") != (len(raw) == 4):
            _fail("ProtocolViolation", f + ".properties", "a 5.0 CONNACK carries properties, a 3.1.1 one does not")
        if ptype == DISCONNECT and version == "3.1.1" and direction == "ServerToClient":
            _fail("ProtocolViolation", f + ".type", "a 3.1.1 server never sends DISCONNECT")
        out += raw
    if len(out) > MAX_WIRE_BYTES:
        _fail("LimitExceeded", "packets", f"the encoded wire is {len(out)} bytes, over the {MAX_WIRE_BYTES} limit")
    telemetry_of(packets)  # a telemetry topic's payload follows its contract in both directions
    return bytes(out)


# --- circuit entry points ---------------------------------------------------------------------


def ingress(inputs):
    wire = (inputs or {}).get("wire") or {}
    text = wire.get("hex")
    if not isinstance(text, str) or len(text) % 2 or not re.fullmatch(r"[0-9a-f]*", text):
        return {"error": {"code": "MalformedPacket", "message": "wire.hex must be lowercase hex of even length", "field": "wire.hex"}}
    if len(text) > 2 * MAX_WIRE_BYTES:
        return {"error": {"code": "LimitExceeded", "message": f"the wire holds {len(text) // 2} bytes; the adapter accepts at most {MAX_WIRE_BYTES}", "offset": 0}}
    try:
        return {"message": translate_ingress(bytes.fromhex(text))}
    except MqttWireError as e:
        return {"error": e.to_record()}
    except RecursionError:
        return {"error": {"code": "HostileInput", "message": "input nests too deeply"}}


def egress(inputs):
    try:
        return {"wire": {"hex": translate_egress((inputs or {}).get("message")).hex()}}
    except MqttWireError as e:
        return {"error": e.to_record()}
