"""Benchmark: wire adapters' CPU reference (ingress, egress) next to the field's library, per adapter.

Usage: python bench/wire_adapters.py [--adapter fix] [--messages 5000] [--repeat 3]
(any Python >= 3.9 that imports the adapters' field libraries, e.g. the venv of
`./pants export --resolve=pants-plugins`). Prints one Markdown table row per adapter and operation.

For each adapter in `ADAPTERS`: a seeded corpus of valid wire messages is generated; then, best of
`--repeat` runs, each message is timed on its own (`time.perf_counter_ns` around one call):

* ours ingress: `translate_ingress(wire_bytes)` of the package's `src/` module (loaded by path);
* ours egress: `translate_egress(message)` on the messages ingress produced;
* library decode / encode: the field library on the same bytes (decode), and re-encoding what it
  decoded (encode).

Reported: messages/s (messages / sum of per-message times) and p50/p99 latency in microseconds.

Adding an adapter: write a section `# --- <protocol>` below with a corpus function (n, seed) ->
list of wire bytes and the library's decode/encode functions, and add one
`ADAPTERS["<protocol>"] = Adapter(...)` line at the end of that section.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Adapter:
    """One wire adapter package and the field library it is measured against."""

    package: str  # package directory, repository-relative
    module: str  # its src/ module (file stem) with translate_ingress / translate_egress
    library: str  # the field library's name, for the report
    corpus: Callable[[int, int], List[bytes]]  # (n, seed) -> valid wire messages
    library_decode: Callable[[bytes], Any]
    library_encode: Callable[[Any], bytes]  # re-encodes what library_decode returned


ADAPTERS: Dict[str, Adapter] = {}


def load_module(adapter: Adapter) -> ModuleType:
    path = REPO / adapter.package / "src" / f"{adapter.module}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{adapter.module}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- fix ---------------------------------------------------------------------------------------


def fix_corpus(n: int, seed: int) -> List[bytes]:
    """NewOrderSingle and ExecutionReport (fill) messages, FIX 4.4, SOH, canonical numbers."""
    import simplefix

    rng = random.Random(seed)
    out = []
    for i in range(n):
        m = simplefix.FixMessage()
        m.append_pair(8, "FIX.4.4")
        m.append_pair(35, "D" if i % 2 == 0 else "8")
        for tag, value in ((49, f"FIRM{rng.randrange(100)}"), (56, "BROKER"), (34, i + 1), (52, "20260210-12:00:00.000")):
            m.append_pair(tag, value)
        qty, price = rng.randrange(1, 10**6), f"{rng.randrange(1, 10**5)}.{rng.randrange(1, 100):02d}".rstrip("0")
        if i % 2 == 0:
            body = [(11, f"ORD{i:07d}"), (55, "AAPL"), (54, rng.choice("12")), (38, qty), (40, 2), (44, price), (59, 0), (60, "20260210-12:00:00.000")]
        else:
            body = [(37, f"B{i}"), (17, f"E{i}"), (11, f"ORD{i:07d}"), (150, "F"), (39, 2), (55, "MSFT"), (54, 2), (32, qty), (31, price),
                    (14, qty), (151, 0), (6, price), (12, "0.1"), (30, "XNAS"), (60, "20260210-12:00:00.000")]
        for tag, value in body:
            m.append_pair(tag, value)
        out.append(m.encode())
    return out


def fix_decode(wire: bytes) -> Any:
    import simplefix

    parser = simplefix.FixParser()
    parser.append_buffer(wire)
    return parser.get_message()


def fix_encode(message: Any) -> bytes:
    return message.encode()


ADAPTERS["fix"] = Adapter("components/estream-wire-fix", "fix_wire", "simplefix", fix_corpus, fix_decode, fix_encode)


# --- mqtt --------------------------------------------------------------------------------------


def _paho_publisher(version: str) -> Any:
    """A paho client whose PUBLISH encoder hands back the packet instead of queueing it on a socket."""
    from paho.mqtt.client import CallbackAPIVersion, Client, MQTTv5, MQTTv311

    class Connected:  # _send_publish only checks that there is a connection
        def close(self) -> None:
            pass

    client = Client(CallbackAPIVersion.VERSION2, protocol=MQTTv5 if version == "5.0" else MQTTv311)
    client._sock = Connected()
    captured: List[bytes] = []
    client._packet_queue = lambda command, packet, mid, qos, info=None: captured.append(bytes(packet))
    client.captured = captured
    return client


_PAHO: Dict[str, Any] = {}


def _publisher(version: str) -> Any:
    if version not in _PAHO:
        _PAHO[version] = _paho_publisher(version)
    return _PAHO[version]


def mqtt_corpus(n: int, seed: int) -> List[bytes]:
    """Server-to-client streams: CONNACK then one telemetry PUBLISH (QoS 0/1; 5.0 ones with properties), built by paho."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    rng = random.Random(seed)
    out = []
    for i in range(n):
        version = "5.0" if i % 2 else "3.1.1"
        client = _publisher(version)
        props = None
        if version == "5.0":
            props = Properties(PacketTypes.PUBLISH)
            props.MessageExpiryInterval = rng.randrange(1, 3600)
            props.ContentType = "application/json"
            props.UserProperty = ("site", f"plant-{rng.randrange(10)}")
        qos = rng.randrange(2)
        payload = f'{{"timestamp":"2026-02-10T12:00:{i % 60:02d}Z","value":{rng.uniform(-40, 120):.3f},"unit":"Cel"}}'.encode()
        client._send_publish(i % 65535 + 1 if qos else 0, f"devices/sensor-{i % 500}/telemetry/temperature".encode(), payload, qos, False, False,
                             properties=props)
        connack = b"\x20\x02\x00\x00" if version == "3.1.1" else b"\x20\x03\x00\x00\x00"
        out.append(connack + client.captured.pop())
    return out


def mqtt_decode(wire: bytes) -> Any:
    from paho.mqtt import _packet
    from paho.mqtt.client import MQTTv5, MQTTv311
    from paho.mqtt.properties import VariableByteIntegers

    protocol = MQTTv311 if wire[1] == 2 else MQTTv5
    packets = []
    pos = 0
    while pos < len(wire):
        length, used = VariableByteIntegers.decode(wire[pos + 1:pos + 5])
        start = pos + 1 + used
        decoder = _packet.decode_connack if wire[pos] >> 4 == 2 else _packet.decode_publish
        packets.append(decoder(wire[pos], wire[start:start + length], protocol))
        pos = start + length
    return protocol, packets


def mqtt_encode(decoded: Any) -> bytes:
    from paho.mqtt.client import MQTTv5

    protocol, packets = decoded
    version = "5.0" if protocol == MQTTv5 else "3.1.1"
    client = _publisher(version)
    out = b""
    for p in packets:
        if hasattr(p, "topic"):
            client._send_publish(p.mid, p.topic, p.payload, p.qos, p.retain, p.dup, properties=p.properties if version == "5.0" else None)
            out += client.captured.pop()
        else:  # paho has no CONNACK encoder (a client never sends one): its reason code and properties packers
            body = bytes([p.flags]) + (p.reason.pack() + p.properties.pack() if version == "5.0" else bytes([int(p.rc)]))
            out += bytes([0x20, len(body)]) + body
    return out


ADAPTERS["mqtt"] = Adapter("components/estream-wire-mqtt", "mqtt_wire", "paho-mqtt", mqtt_corpus, mqtt_decode, mqtt_encode)


# --- modbus ------------------------------------------------------------------------------------


def modbus_corpus(n: int, seed: int) -> List[bytes]:
    """Poll transactions built by pymodbus: FC 3/4 reads of 1-125 registers with responses, FC 16 writes, TCP and RTU alternately."""
    from pymodbus.framer.rtu import FramerRTU
    from pymodbus.framer.socket import FramerSocket
    from pymodbus.pdu.decoders import DecodePDU
    from pymodbus.pdu.register_message import (
        ReadHoldingRegistersRequest,
        ReadHoldingRegistersResponse,
        ReadInputRegistersRequest,
        ReadInputRegistersResponse,
        WriteMultipleRegistersRequest,
        WriteMultipleRegistersResponse,
    )

    rng = random.Random(seed)
    out = []
    for i in range(n):
        framer = FramerSocket(DecodePDU(True)) if i % 2 else FramerRTU(DecodePDU(True))
        unit, tid = rng.randrange(1, 248), i % 65536
        kind = rng.randrange(3)
        if kind < 2:
            q = rng.randrange(1, 126)
            address = rng.randrange(0, 65536 - q)
            req_cls, resp_cls = ((ReadHoldingRegistersRequest, ReadHoldingRegistersResponse), (ReadInputRegistersRequest, ReadInputRegistersResponse))[kind]
            pdus = [req_cls(address=address, count=q, dev_id=unit, transaction_id=tid),
                    resp_cls(registers=[rng.randrange(65536) for _ in range(q)], dev_id=unit, transaction_id=tid)]
        else:
            q = rng.randrange(1, 124)
            address = rng.randrange(0, 65536 - q)
            pdus = [WriteMultipleRegistersRequest(address=address, registers=[rng.randrange(65536) for _ in range(q)], dev_id=unit, transaction_id=tid),
                    WriteMultipleRegistersResponse(address=address, count=q, dev_id=unit, transaction_id=tid)]
        out.append(b"".join(framer.buildFrame(p) for p in pdus))
    return out


def modbus_decode(wire: bytes) -> Any:
    """pymodbus' framer and PDU decoders; RTU frames cut where its PDU class says they end."""
    from pymodbus.framer.rtu import FramerRTU
    from pymodbus.framer.socket import FramerSocket
    from pymodbus.pdu.decoders import DecodePDU

    rtu = wire[2:4] != b"\0\0"  # the corpus' TCP frames have protocol id 0; its RTU reads never start at address 0
    pdus, used = [], 0
    for is_server in (True, False):
        rest = wire[used:]
        framer = FramerRTU(DecodePDU(is_server)) if rtu else FramerSocket(DecodePDU(is_server))
        if rtu:
            rest = rest[:framer.decoder.lookupPduClass(rest).calculateRtuFrameSize(rest)]
        n, pdu = framer.processIncomingFrame(rest)
        pdus.append(pdu)
        used += n
    return rtu, pdus


def modbus_encode(decoded: Any) -> bytes:
    from pymodbus.framer.rtu import FramerRTU
    from pymodbus.framer.socket import FramerSocket
    from pymodbus.pdu.decoders import DecodePDU

    rtu, pdus = decoded
    framer = FramerRTU(DecodePDU(True)) if rtu else FramerSocket(DecodePDU(True))
    return b"".join(framer.buildFrame(p) for p in pdus)


ADAPTERS["modbus"] = Adapter("components/estream-wire-modbus", "modbus_wire", "pymodbus", modbus_corpus, modbus_decode, modbus_encode)
# --- hl7 (estream-wire-hl7, HL7 v2) ------------------------------------------------------------


def hl7_corpus(n: int, seed: int) -> List[bytes]:
    """ADT^A01 and ORU^R01 messages in canonical form (CR after each segment, canonical escapes)."""
    rng = random.Random(seed)
    families = ["DOE", "ROE", "MÜLLER", "O'BRIEN", "SMITH\\T\\JONES", "GARCÍA"]
    out = []
    for i in range(n):
        family, given = rng.choice(families), rng.choice(["JOHN", "JANE", "ANA", "LI"])
        pid = f"PID|1||{rng.randrange(10**7)}^^^GENHOSP^MR~{rng.randrange(10**9)}^^^SSA^SS||{family}^{given}^Q||19{rng.randrange(40, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}|{rng.choice('MFU')}|||{rng.randrange(1, 999)} MAIN ST\\F\\APT {rng.randrange(1, 9)}^^SPRINGFIELD^IL^62701"
        if i % 2 == 0:
            segs = [f"MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|M{i:07d}|P|2.5.1", "EVN|A01|20260210120000", pid,
                    f"PV1|1|I|4W^{rng.randrange(100, 500)}^A||||1234^SMITH^JANE"]
        else:
            segs = [f"MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210143000||ORU^R01^ORU_R01|M{i:07d}|P|2.5.1", pid, "OBR|1|ORD1|LAB1|58410-2^CBC^LN"]
            for k in range(rng.randrange(1, 6)):
                segs.append(f"OBX|{k + 1}|NM|718-7^Hemoglobin^LN||{rng.randrange(80, 180) / 10}|g/dL^^UCUM|13.5-17.5|N|||F|||20260210133000")
        out.append(("\r".join(segs) + "\r").encode("utf-8"))
    return out


def hl7_decode(wire: bytes) -> Any:
    import hl7

    return hl7.parse(wire.decode("utf-8"))


def hl7_encode(message: Any) -> bytes:
    return str(message).encode("utf-8")  # python-hl7 keeps the final CR


ADAPTERS["hl7"] = Adapter("components/estream-wire-hl7", "hl7_v2", "hl7 (python-hl7)", hl7_corpus, hl7_decode, hl7_encode)


# --- fhir (estream-wire-hl7, FHIR R4 JSON) -----------------------------------------------------------


def fhir_corpus(n: int, seed: int) -> List[bytes]:
    """Patient and Observation resources as compact JSON in FHIR element order (the canonical form)."""
    import json

    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2 == 0:
            doc = {"resourceType": "Patient", "id": f"p{i}", "identifier": [{"system": "urn:oid:1.2.3", "value": str(rng.randrange(10**9))}],
                   "name": [{"family": rng.choice(["Doe", "Müller", "Roe"]), "given": ["Jan", "Q"]}], "gender": rng.choice(["male", "female"]),
                   "birthDate": f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"}
        else:
            doc = {"resourceType": "Observation", "id": f"o{i}", "status": "final",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"}]},
                   "subject": {"identifier": {"system": "urn:oid:1.2.3", "value": str(rng.randrange(10**9))}},
                   "effectiveDateTime": "2026-02-10T13:30:00Z",
                   "valueQuantity": {"value": rng.randrange(801, 1800, 2) / 10, "unit": "g/dL", "system": "http://unitsofmeasure.org", "code": "g/dL"}}
        out.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return out


def fhir_decode(wire: bytes) -> Any:
    import json

    return json.loads(wire)


def fhir_encode(resource: Any) -> bytes:
    import json

    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# No FHIR library is in the lockfile: the baseline is the standard json module (parse only, no FHIR checks).
ADAPTERS["fhir"] = Adapter("components/estream-wire-hl7", "fhir_r4", "json (stdlib)", fhir_corpus, fhir_decode, fhir_encode)


# --- iso20022 (estream-wire-iso20022) -------------------------------------------------------------

_ISO_XSD = REPO / "tests" / "wire" / "iso20022_xsd"
_ISO_SCHEMAS: Dict[str, Any] = {}


def _iso_schema(definition: str) -> Any:
    import xmlschema

    if definition not in _ISO_SCHEMAS:
        _ISO_SCHEMAS[definition] = xmlschema.XMLSchema(str(_ISO_XSD / f"{definition}.xsd"))
    return _ISO_SCHEMAS[definition]


def _iban(rng: random.Random) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # DE
    return f"DE{check:02d}{bban}"


def iso20022_corpus(n: int, seed: int) -> List[bytes]:
    """pacs.008.001.09 messages with 1-3 EUR transfers, in canonical XML (2-space indentation)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randrange(1, 4)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09">', "  <FIToFICstmrCdtTrf>",
                 "    <GrpHdr>", f"      <MsgId>MSG-{i}</MsgId>", "      <CreDtTm>2026-02-10T12:00:00Z</CreDtTm>", f"      <NbOfTxs>{k}</NbOfTxs>",
                 "      <SttlmInf>", "        <SttlmMtd>CLRG</SttlmMtd>", "      </SttlmInf>", "    </GrpHdr>"]
        for t in range(k):
            lines += ["    <CdtTrfTxInf>", "      <PmtId>", f"        <EndToEndId>E2E-{i}-{t}</EndToEndId>", "      </PmtId>",
                      f'      <IntrBkSttlmAmt Ccy="EUR">{rng.randrange(1, 10**6)}.{rng.randrange(10, 99)}</IntrBkSttlmAmt>', "      <ChrgBr>SLEV</ChrgBr>",
                      "      <Dbtr>", "        <Nm>Acme &amp; Co</Nm>", "      </Dbtr>", "      <DbtrAcct>", "        <Id>", f"          <IBAN>{_iban(rng)}</IBAN>",
                      "        </Id>", "      </DbtrAcct>", "      <DbtrAgt>", "        <FinInstnId>", "          <BICFI>COBADEFFXXX</BICFI>", "        </FinInstnId>",
                      "      </DbtrAgt>", "      <CdtrAgt>", "        <FinInstnId>", "          <BICFI>BNPAFRPP</BICFI>", "        </FinInstnId>", "      </CdtrAgt>",
                      "      <Cdtr>", "        <Nm>Jean Dupont</Nm>", "      </Cdtr>", "      <CdtrAcct>", "        <Id>", f"          <IBAN>{_iban(rng)}</IBAN>",
                      "        </Id>", "      </CdtrAcct>", "    </CdtTrfTxInf>"]
        lines += ["  </FIToFICstmrCdtTrf>", "</Document>"]
        out.append(("\n".join(lines) + "\n").encode("utf-8"))
    return out


def iso20022_decode(wire: bytes) -> Any:
    """xmlschema: parse and validate against the official XSD, decode to a dict."""
    return _iso_schema("pacs.008.001.09").to_dict(wire.decode("utf-8"))


def iso20022_encode(data: Any) -> bytes:
    """xmlschema encodes the dict to an element tree; ElementTree writes it in the same layout."""
    import xml.etree.ElementTree as ET

    schema = _iso_schema("pacs.008.001.09")
    elem = schema.encode(data)
    ET.register_namespace("", schema.target_namespace)
    ET.indent(elem, "  ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(elem, encoding="unicode") + "\n").encode("utf-8")


ADAPTERS["iso20022"] = Adapter("components/estream-wire-iso20022", "iso20022", "xmlschema (official XSD)", iso20022_corpus, iso20022_decode, iso20022_encode)


# --- measurement -------------------------------------------------------------------------------


def timed(fn: Callable[[Any], Any], items: List[Any]) -> Tuple[List[int], List[Any]]:
    times, results = [], []
    clock = time.perf_counter_ns
    for item in items:
        start = clock()
        result = fn(item)
        times.append(clock() - start)
        results.append(result)
    return times, results


def summary(times: List[int]) -> Tuple[float, float, float]:
    """(messages/s, p50 µs, p99 µs)."""
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(times) / (sum(times) / 1e9), statistics.median(ordered) / 1000, p99 / 1000


def best(fn: Callable[[Any], Any], items: List[Any], repeat: int) -> Tuple[Tuple[float, float, float], List[Any]]:
    runs = [timed(fn, items) for _ in range(repeat)]
    stats = [summary(t) for t, _ in runs]
    return max(stats, key=lambda s: s[0]), runs[0][1]


def measure(name: str, adapter: Adapter, n: int, repeat: int) -> List[str]:
    ours = load_module(adapter)
    corpus = adapter.corpus(n, 16)
    ingress, messages = best(ours.translate_ingress, corpus, repeat)
    egress, written = best(ours.translate_egress, messages, repeat)
    assert written == corpus, f"{name}: egress(ingress(wire)) != wire on the benchmark corpus"
    decode, decoded = best(adapter.library_decode, corpus, repeat)
    encode, reencoded = best(adapter.library_encode, decoded, repeat)
    assert reencoded == corpus, f"{name}: {adapter.library} does not re-encode the corpus identically"
    rows = []
    for what, (rate, p50, p99) in (
        ("ours: ingress", ingress), ("ours: egress", egress),
        (f"{adapter.library}: decode", decode), (f"{adapter.library}: encode", encode),
    ):
        rows.append(f"| {name} | {what} | {rate:,.0f} | {p50:.1f} | {p99:.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--adapter", action="append", choices=sorted(ADAPTERS), help="default: all")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {cpu}, {os.cpu_count()} cores, load {load:.1f}, Python {platform.python_version()}")
    print(f"{args.messages} messages per adapter, best of {args.repeat}\n")
    print("| adapter | operation | messages/s | p50 µs | p99 µs |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in args.adapter or sorted(ADAPTERS):
        for row in measure(name, ADAPTERS[name], args.messages, args.repeat):
            print(row)


if __name__ == "__main__":
    main()
