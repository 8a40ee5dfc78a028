"""estream-wire-mqtt against paho-mqtt, the field's reference client library.

paho decodes what a client receives (PUBLISH, CONNACK, SUBACK, UNSUBACK, the acks, DISCONNECT)
with `paho.mqtt._packet`, and encodes what a client sends (CONNECT, PUBLISH, SUBSCRIBE,
UNSUBSCRIBE, acks, PINGREQ, DISCONNECT) with `Client._send_*` over a real socket pair. For every golden vector and a seeded
generated corpus:

* ingress: every packet paho can decode must give the same values as ours (flags, topic, packet
  id, payload, reason codes, every 5.0 property);
* egress: every packet paho can encode, built by paho from our decoded values, must give exactly
  the wire bytes (this is also how CONNECT, SUBSCRIBE and UNSUBSCRIBE, which paho never decodes,
  are checked). Server-side packets paho has no encoder for (CONNACK, SUBACK, UNSUBACK, 5.0 acks
  with reason codes) are
  rebuilt from paho's `ReasonCode.pack` / `Properties.pack`.

One documented difference: paho refuses a Maximum Packet Size above 268,435,455, which MQTT 5.0
allows (`paho_is_stricter`). Mutated vectors check the other side: whatever bytes come in, `ingress` returns `message` or a
typed `error`, never raises.
"""

from __future__ import annotations

import importlib.util
import json
import random
import socket
import struct
import sys
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
from paho.mqtt import _packet
from paho.mqtt.client import CallbackAPIVersion, Client, MQTTMessageInfo, MQTTv5, MQTTv311
from paho.mqtt.exception import MQTTException
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties, VariableByteIntegers
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

PACKAGE = Path(__file__).resolve().parents[2] / "components" / "estream-wire-mqtt"


def _load():
    spec = importlib.util.spec_from_file_location("mqtt_wire_under_test", PACKAGE / "src" / "mqtt_wire.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mw = _load()

PAHO_TYPES = {
    "Connect": PacketTypes.CONNECT,
    "Connack": PacketTypes.CONNACK,
    "Publish": PacketTypes.PUBLISH,
    "Puback": PacketTypes.PUBACK,
    "Pubrec": PacketTypes.PUBREC,
    "Pubrel": PacketTypes.PUBREL,
    "Pubcomp": PacketTypes.PUBCOMP,
    "Subscribe": PacketTypes.SUBSCRIBE,
    "Suback": PacketTypes.SUBACK,
    "Unsubscribe": PacketTypes.UNSUBSCRIBE,
    "Unsuback": PacketTypes.UNSUBACK,
    "Disconnect": PacketTypes.DISCONNECT,
    "will": PacketTypes.WILLMESSAGE,
}
MULTI = {"UserProperty", "SubscriptionIdentifier"}


def golden(circuit: str) -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted((PACKAGE / "tests" / "golden").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["test_vector"]["circuit"] == circuit:
            out.append((path.stem, doc))
    return out


# --- conversions between our property lists and paho's Properties ------------------------------


def ours_to_paho(props: List[Dict[str, Any]], owner: str) -> Properties:
    p = Properties(PAHO_TYPES[owner])
    for prop in props:
        name = prop["name"]
        if "key" in prop:
            value: Any = (prop["key"], prop["value_text"])
        elif "value_hex" in prop:
            value = bytes.fromhex(prop["value_hex"])
        elif "value_text" in prop:
            value = prop["value_text"]
        else:
            value = prop["value_int"]
        setattr(p, name, value)
    return p


def normalize_ours(props: List[Dict[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for prop in props:
        if "key" in prop:
            value: Any = (prop["key"], prop["value_text"])
        elif "value_hex" in prop:
            value = bytes.fromhex(prop["value_hex"])
        elif "value_text" in prop:
            value = prop["value_text"]
        else:
            value = prop["value_int"]
        if prop["name"] in MULTI:
            out.setdefault(prop["name"], []).append(value)
        else:
            out[prop["name"]] = value
    return out


def normalize_paho(props: Any) -> Dict[str, Any]:
    if props is None:
        return {}
    out: Dict[str, Any] = {}
    for long_name in props.names:
        name = long_name.replace(" ", "")
        if hasattr(props, name):
            value = getattr(props, name)
            if name in MULTI:
                value = [tuple(v) if isinstance(v, (list, tuple)) else v for v in value]
            elif isinstance(value, (list, tuple)):
                value = tuple(value)
            out[name] = value
    return out


# --- splitting a stream with paho's varint decoder -----------------------------------------------


def split(wire: bytes) -> List[Tuple[int, bytes, bytes]]:
    """(first byte, body, whole packet) per packet; lengths decoded by paho."""
    out = []
    pos = 0
    while pos < len(wire):
        length, used = VariableByteIntegers.decode(wire[pos + 1 : pos + 5])
        start = pos + 1 + used
        out.append((wire[pos], wire[start : start + length], wire[pos : start + length]))
        pos = start + length
    return out


# --- paho as encoder, over a real socket pair ---------------------------------------------------


class PahoWire:
    def __init__(self, version: str):
        self.client = Client(
            CallbackAPIVersion.VERSION2, client_id="", protocol=MQTTv5 if version == "5.0" else MQTTv311
        )
        self.mine, theirs = socket.socketpair()
        self.client._sock = theirs
        self.theirs = theirs

    def take(self) -> bytes:
        self.mine.setblocking(False)
        chunks = []
        while True:
            try:
                chunk = self.mine.recv(1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self):
        self.client._sock = None
        self.mine.close()
        self.theirs.close()


def paho_encode(packet: Dict[str, Any], version: str) -> bytes:
    v5 = version == "5.0"
    t = packet["type"]
    pw = PahoWire(version)
    c = pw.client
    try:
        if t == "Connect":
            con = packet["connect"]
            c._client_id = con["client_id"].encode()
            if v5:
                c._clean_start = con["clean_start"]
                c._connect_properties = (
                    ours_to_paho(con["properties"], "Connect") if con["properties"] else None
                )
            else:
                c._clean_session = con["clean_start"]
            will = con.get("will")
            if will:
                c.will_set(
                    will["topic"],
                    bytes.fromhex(will["payload_hex"]),
                    will["qos"],
                    will["retain"],
                    properties=ours_to_paho(will["properties"], "will")
                    if v5 and will["properties"]
                    else None,
                )
            if "username" in con:
                c._username = con["username"].encode()
            if "password_hex" in con:
                c._password = bytes.fromhex(con["password_hex"])
            c._send_connect(con["keep_alive"])
        elif t == "Publish":
            props = ours_to_paho(packet["properties"], "Publish") if v5 and packet["properties"] else None
            c._send_publish(
                packet.get("packet_id", 0),
                packet["topic"].encode(),
                bytes.fromhex(packet["payload_hex"]),
                packet["qos"],
                packet["retain"],
                packet["dup"],
                info=MQTTMessageInfo(packet.get("packet_id", 0)),
                properties=props,
            )
        elif t == "Subscribe":
            c._last_mid = packet["packet_id"] - 1
            props = ours_to_paho(packet["properties"], "Subscribe") if v5 and packet["properties"] else None
            topics = []
            for sub in packet["subscriptions"]:
                opts: Any = sub["qos"]
                if v5:
                    opts = SubscribeOptions(
                        sub["qos"], sub["no_local"], sub["retain_as_published"], sub["retain_handling"]
                    )
                topics.append((sub["topic_filter"].encode(), opts))
            c._send_subscribe(False, topics, properties=props)
        elif t == "Unsubscribe":
            c._last_mid = packet["packet_id"] - 1
            props = ours_to_paho(packet["properties"], "Unsubscribe") if v5 and packet["properties"] else None
            c._send_unsubscribe(False, [f.encode() for f in packet["topic_filters"]], properties=props)
        elif t in ("Puback", "Pubrec", "Pubrel", "Pubcomp") and "reason_code" not in packet:
            {
                "Puback": c._send_puback,
                "Pubrec": c._send_pubrec,
                "Pubrel": c._send_pubrel,
                "Pubcomp": c._send_pubcomp,
            }[t](packet["packet_id"])
        elif t in ("Pingreq", "Pingresp"):
            c._send_pingreq() if t == "Pingreq" else c._send_pingresp()
        elif t == "Disconnect":
            if "reason_code" in packet:
                props = ours_to_paho(packet["properties"], "Disconnect") if "properties" in packet else None
                c._send_disconnect(
                    ReasonCode(PacketTypes.DISCONNECT, identifier=packet["reason_code"]), props
                )
            else:
                c._send_disconnect()
        else:
            return server_side(packet, version)
        return pw.take()
    finally:
        pw.close()


def server_side(packet: Dict[str, Any], version: str) -> bytes:
    """Packets a client never sends, from paho's reason-code and property encoders."""
    v5 = version == "5.0"
    t = packet["type"]
    ptype = PAHO_TYPES[t]
    if t == "Connack":
        body = bytes([1 if packet["session_present"] else 0])
        body += (
            ReasonCode(ptype, identifier=packet["reason_code"]).pack()
            if v5
            else bytes([packet["reason_code"]])
        )
        if v5:
            body += ours_to_paho(packet["properties"], t).pack()
    elif t == "Unsuback":
        body = struct.pack("!H", packet["packet_id"])
        if v5:
            body += ours_to_paho(packet["properties"], t).pack()
            body += b"".join(ReasonCode(ptype, identifier=c).pack() for c in packet["reason_codes"])
    elif t == "Suback":
        body = struct.pack("!H", packet["packet_id"])
        if v5:
            body += ours_to_paho(packet["properties"], t).pack()
        body += (
            b"".join(ReasonCode(ptype, identifier=c).pack() for c in packet["reason_codes"])
            if v5
            else bytes(packet["reason_codes"])
        )
    else:  # 5.0 ack with a reason code
        body = (
            struct.pack("!H", packet["packet_id"])
            + ReasonCode(ptype, identifier=packet["reason_code"]).pack()
        )
        if "properties" in packet:
            body += ours_to_paho(packet["properties"], t).pack()
    first = {
        "Connack": 0x20,
        "Suback": 0x90,
        "Unsuback": 0xB0,
        "Puback": 0x40,
        "Pubrec": 0x50,
        "Pubrel": 0x62,
        "Pubcomp": 0x70,
    }[t]
    return bytes([first]) + VariableByteIntegers.encode(len(body)) + body


# --- paho as decoder ----------------------------------------------------------------------------


def check_decoded(first: int, body: bytes, ours: Dict[str, Any], version: str) -> None:
    proto = MQTTv5 if version == "5.0" else MQTTv311
    r: Any  # paho decodes each packet type into its own class
    t = ours["type"]
    if t == "Publish":
        r = _packet.decode_publish(first, body, proto)
        assert (r.dup, r.qos, r.retain) == (ours["dup"], ours["qos"], ours["retain"])
        assert r.topic == ours["topic"].encode()
        assert r.mid == ours.get("packet_id", 0)
        assert bytes(r.payload) == bytes.fromhex(ours["payload_hex"])
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))
    elif t == "Connack":
        r = _packet.decode_connack(first, body, proto)
        assert r.flags == (1 if ours["session_present"] else 0)
        assert (r.reason.value if version == "5.0" else int(r.rc)) == ours["reason_code"]
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))
    elif t == "Suback":
        r = _packet.decode_suback(first, body, proto)
        assert r.mid == ours["packet_id"]
        if version == "5.0":
            assert [rc.value for rc in r.reason_codes] == ours["reason_codes"]
        else:
            assert list(r.granted_qos) == ours["reason_codes"]
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))
    elif t == "Unsuback":
        r = _packet.decode_unsuback(first, body, proto)
        assert r.mid == ours["packet_id"]
        assert [rc.value for rc in r.reason_codes] == ours.get("reason_codes", [])
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))
    elif t in ("Puback", "Pubrec", "Pubrel", "Pubcomp"):
        r = getattr(_packet, f"decode_{t.lower()}")(first, body, proto)
        assert r.mid == ours["packet_id"]
        assert r.reason.value == ours.get("reason_code", 0)
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))
    elif t == "Disconnect" and version == "5.0":
        r = _packet.decode_disconnect(first, body, proto)
        assert (r.reason.value if r.reason is not None else 0) == ours.get("reason_code", 0)
        assert normalize_paho(r.properties) == normalize_ours(ours.get("properties", []))


def paho_is_stricter(packet: Dict[str, Any]) -> bool:
    """paho refuses a Maximum Packet Size above 268,435,455; MQTT 5.0 §3.1.2.11.4 allows any
    non-zero Four Byte Integer (a larger limit simply never binds)."""
    props = list(packet.get("properties", [])) + list((packet.get("connect") or {}).get("properties", []))
    return any(p["name"] == "MaximumPacketSize" and p["value_int"] > mw.MAX_REMAINING_LENGTH for p in props)


def check_against_paho(wire: bytes) -> Dict[str, Any]:
    message = mw.translate_ingress(wire)
    version = message["protocol_version"]
    parts = split(wire)
    assert len(parts) == len(message["packets"])
    for (first, body, whole), packet in zip(parts, message["packets"]):
        if paho_is_stricter(packet):
            with pytest.raises(MQTTException, match="MaximumPacketSize"):
                Properties(PacketTypes.CONNACK).MaximumPacketSize = mw.MAX_REMAINING_LENGTH + 1
            continue
        check_decoded(first, body, packet, version)
        if (
            packet["type"] == "Connect"
            and "password_hex" in packet["connect"]
            and "username" not in packet["connect"]
        ):
            continue  # 5.0 allows it, paho's client cannot send a password without a user name
        assert paho_encode(packet, version) == whole, packet["type"]
    assert mw.translate_egress(message) == wire
    return message


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name,doc", golden("mqtt_ingress"), ids=[n for n, _ in golden("mqtt_ingress")])
def test_golden_ingress_vectors_agree_with_paho(name: str, doc: Dict[str, Any]) -> None:
    wire = bytes.fromhex(doc["input"]["wire"]["hex"])
    expected = doc["expected_output"]
    if "error" in expected:
        assert mw.ingress({"wire": {"hex": wire.hex()}}) == expected
        return
    assert check_against_paho(wire) == expected["message"]


@pytest.mark.parametrize("name,doc", golden("mqtt_egress"), ids=[n for n, _ in golden("mqtt_egress")])
def test_golden_egress_vectors_agree_with_paho(name: str, doc: Dict[str, Any]) -> None:
    expected = doc["expected_output"]
    if "error" in expected:
        assert mw.egress(doc["input"]) == expected
        return
    wire = bytes.fromhex(expected["wire"]["hex"])
    message = doc["input"]["message"]
    for (_, _, whole), packet in zip(split(wire), message["packets"]):
        assert paho_encode(packet, message["protocol_version"]) == whole
    check_against_paho(wire)


def test_paho_rejects_what_we_reject_in_remaining_length() -> None:
    # paho's own encoder refuses a remaining length over the 4-byte limit, as our decoder does.
    with pytest.raises(ValueError):
        PahoWire("3.1.1").client._pack_remaining_length(bytearray(), mw.MAX_REMAINING_LENGTH + 1)
    assert VariableByteIntegers.encode(mw.MAX_REMAINING_LENGTH) == mw.encode_varint(mw.MAX_REMAINING_LENGTH)
    assert mw.decode_varint(VariableByteIntegers.encode(mw.MAX_REMAINING_LENGTH), 0, 0, "x") == (
        mw.MAX_REMAINING_LENGTH,
        4,
    )


# --- a generated corpus, encoded by paho ----------------------------------------------------------

TEXT = ["a", "b/c", "devices/d1/state", "ü/ß", "x" * 70, "$SYS/broker/load", "plant/line-1/temp"]
FILTERS = ["#", "+", "a/+", "a/#", "+/+/c", "sensors/+/temp/#", "$SYS/#", "x/y/z"]


def random_properties(rng: random.Random, owner: str) -> Properties | None:
    p = Properties(PAHO_TYPES[owner])
    by_owner: Dict[str, List[Tuple[str, Any]]] = {
        "Publish": [
            ("PayloadFormatIndicator", lambda: rng.randint(0, 1)),
            ("MessageExpiryInterval", lambda: rng.randint(0, 2**32 - 1)),
            ("ContentType", lambda: rng.choice(TEXT)),
            ("ResponseTopic", lambda: rng.choice(TEXT)),
            ("CorrelationData", lambda: rng.randbytes(rng.randint(0, 20))),
            ("TopicAlias", lambda: rng.randint(1, 65535)),
        ],
        "Connect": [
            ("SessionExpiryInterval", lambda: rng.randint(0, 2**32 - 1)),
            ("ReceiveMaximum", lambda: rng.randint(1, 65535)),
            ("MaximumPacketSize", lambda: rng.randint(1, mw.MAX_REMAINING_LENGTH)),
            ("TopicAliasMaximum", lambda: rng.randint(0, 65535)),
            ("RequestProblemInformation", lambda: rng.randint(0, 1)),
            ("AuthenticationMethod", lambda: rng.choice(TEXT)),
        ],
        "Subscribe": [("SubscriptionIdentifier", lambda: rng.randint(1, mw.MAX_REMAINING_LENGTH))],
        "Unsubscribe": [],
        "will": [
            ("WillDelayInterval", lambda: rng.randint(0, 2**32 - 1)),
            ("ContentType", lambda: rng.choice(TEXT)),
        ],
    }
    choices = by_owner[owner]
    for name, make in choices:
        if rng.random() < 0.4:
            setattr(p, name, make())
    for _ in range(rng.randint(0, 2)):
        p.UserProperty = (rng.choice(TEXT), rng.choice(TEXT))
    return p if rng.random() < 0.8 else None


def random_client_stream(rng: random.Random) -> bytes:
    version = rng.choice(["3.1.1", "5.0"])
    v5 = version == "5.0"
    pw = PahoWire(version)
    c = pw.client
    try:
        c._client_id = rng.choice(["", "sensor-1", "ümlaut-client", "c" * 23]).encode()
        c._clean_start = rng.random() < 0.5
        c._clean_session = c._clean_start
        if v5:
            c._connect_properties = random_properties(rng, "Connect")
        if rng.random() < 0.3:
            c.will_set(
                rng.choice(TEXT),
                rng.randbytes(rng.randint(0, 10)),
                rng.randint(0, 2),
                rng.random() < 0.5,
                properties=random_properties(rng, "will") if v5 else None,
            )
        if rng.random() < 0.4:
            c._username = rng.choice(TEXT).encode()
            if rng.random() < 0.5:
                c._password = rng.randbytes(rng.randint(0, 12))
        c._send_connect(rng.randint(0, 65535))
        for _ in range(rng.randint(0, 4)):
            kind = rng.random()
            if kind < 0.5:
                qos = rng.randint(0, 2)
                props = random_properties(rng, "Publish") if v5 else None
                c._send_publish(
                    rng.randint(1, 65535) if qos else 0,
                    rng.choice(TEXT).encode(),
                    rng.randbytes(rng.choice([0, 5, 130, 20000])),
                    qos,
                    rng.random() < 0.5,
                    qos > 0 and rng.random() < 0.3,
                    info=MQTTMessageInfo(0),
                    properties=props,
                )
            elif kind < 0.7:
                c._last_mid = rng.randint(0, 65534)
                topics: List[Tuple[bytes, Any]] = []
                for _ in range(rng.randint(1, 3)):
                    q = rng.randint(0, 2)
                    topics.append(
                        (
                            rng.choice(FILTERS).encode(),
                            SubscribeOptions(q, rng.random() < 0.5, rng.random() < 0.5, rng.randint(0, 2))
                            if v5
                            else q,
                        )
                    )
                c._send_subscribe(
                    False, topics, properties=random_properties(rng, "Subscribe") if v5 else None
                )
            elif kind < 0.8:
                c._last_mid = rng.randint(0, 65534)
                c._send_unsubscribe(
                    False,
                    [rng.choice(FILTERS).encode() for _ in range(rng.randint(1, 3))],
                    properties=random_properties(rng, "Unsubscribe") if v5 else None,
                )
            elif kind < 0.9:
                rng.choice([c._send_puback, c._send_pubrec, c._send_pubrel, c._send_pubcomp])(
                    rng.randint(1, 65535)
                )
            else:
                c._send_pingreq()
        return pw.take()
    finally:
        pw.close()


def test_generated_corpus_agrees_with_paho() -> None:
    rng = random.Random(20261202)
    kinds: Set[str] = set()
    for _ in range(300):
        wire = random_client_stream(rng)
        message = check_against_paho(wire)
        kinds.update(p["type"] for p in message["packets"])
        kinds.add(message["protocol_version"])
    assert kinds >= {
        "Connect",
        "Publish",
        "Subscribe",
        "Unsubscribe",
        "Puback",
        "Pubrec",
        "Pubrel",
        "Pubcomp",
        "Pingreq",
        "3.1.1",
        "5.0",
    }


def test_mutated_wires_never_raise() -> None:
    rng = random.Random(7)
    seeds = [bytes.fromhex(doc["input"]["wire"]["hex"]) for _, doc in golden("mqtt_ingress")]
    seeds = [s for s in seeds if len(s) < 4096]
    outcomes = {"message": 0, "error": 0}
    for _ in range(3000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            if op < 0.5 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif op < 0.75 and data:
                del data[rng.randrange(len(data)) :]
            else:
                data[rng.randrange(len(data) + 1) : 0] = rng.randbytes(rng.randint(1, 5))
        out = mw.ingress({"wire": {"hex": bytes(data).hex()}})
        assert list(out) in (["message"], ["error"])
        if "error" in out:
            assert out["error"]["code"] in {
                "MalformedPacket",
                "Truncated",
                "LimitExceeded",
                "UnsupportedVersion",
                "UnsupportedPacket",
                "MissingSession",
                "ProtocolViolation",
                "InvalidTopic",
                "BadPayload",
                "HostileInput",
            }
        else:
            check_against_paho(bytes(data))  # anything accepted round-trips and paho reads it the same way
        outcomes[list(out)[0]] += 1
    assert outcomes["message"] > 50 and outcomes["error"] > 1000


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
        for _, doc in golden("mqtt_ingress")
        if "message" in doc["expected_output"]
    ]
    seeds += [doc["input"]["message"] for _, doc in golden("mqtt_egress")]
    outcomes = {"wire": 0, "error": 0}
    for _ in range(5000):
        out = mw.egress({"message": _mutate(rng.choice(seeds), rng)})
        assert list(out) in (["wire"], ["error"]), out
        if "wire" in out:  # whatever egress writes, ingress reads back
            assert "message" in mw.ingress({"wire": out["wire"]})
        outcomes[list(out)[0]] += 1
    assert outcomes["wire"] > 100 and outcomes["error"] > 2000
