"""HL7 v2.x (ER7, pipe-and-hat) wire adapter: message text <-> `Hl7Message` ESF records.

Reference implementation of the `hl7_ingress` and `hl7_egress` circuits (standard library only).
`translate_ingress(wire: bytes) -> dict` and `translate_egress(message: dict) -> bytes` raise
`Hl7Error`; the circuit functions `ingress(inputs)` / `egress(inputs)` never raise for bad input:
they return `{"error": {"code", "message", "offset"?, "field"?}}`.

Decisions (why the message looks like this):

* Lossless structure first. `segments` keeps every segment as `{id, fields}` where a field is a
  list of repetitions, a repetition a list of components and a component a list of
  subcomponents (decoded text). An empty field is `[]`. For `MSH`, `fields` starts at MSH-3:
  MSH-1 (field separator) and MSH-2 (encoding characters) are `encoding`. Trailing empty fields
  are kept, so `egress(ingress(wire)) == wire` for every message already in canonical form.
* Canonical form: segments end with CR (`\\r`), including the last one; values are escaped with
  `\\F\\ \\S\\ \\T\\ \\R\\ \\E\\` (and `\\P\\` for the v2.7 truncation character) and runs of
  control characters as one `\\Xhh..\\`. Ingress also accepts LF or CRLF between segments, a
  missing final CR and `\\Xhh\\` for printable characters; egress then gives the canonical text.
* Escapes `\\H\\ \\N\\ \\.br\\ \\Cxxyy\\ \\Mxxyyzz\\ \\Zxx\\` (formatting and charset switching) are
  refused with `UnsupportedEscape` instead of being passed through: a receiver cannot tell them
  from data once decoded. `\\Xhh\\` bytes are decoded as UTF-8.
* Derived views: `patient` (first PID), `encounter` (first PV1) and `observations` (every OBX)
  map to the esf-health records `HealthPatient`, `HealthEncounter` and `HealthObservation`, and
  the MSH header to `version`, `message_type`, ... Egress renders `segments` and then checks
  that the rest of the message is what ingress derives from them (`InconsistentMessage`
  otherwise), so an edit to `patient` that was not made in `segments` is refused, never lost.
* Keys: `patient_key = SHA3-256("estream.health.patient.v1" 0 system 0 value)` over the first
  identifier (PID-3, system = assigning authority CX-4), the same derivation the FHIR adapter
  uses with `identifier.system`, so one patient gets one key across both protocols.
  `observation_key` is derived from MSH-10 and the OBX set id, `encounter_key` from the
  patient key and the visit number (PV1-19) or MSH-10.
* Timestamps (DTM) without an offset are taken as UTC; with an offset they are converted.
* Limits: 1 MiB of text, 10 000 segments, 100 000 values; NUL and control characters other
  than CR, LF and TAB are `HostileInput`.
"""

import re

try:
    from health_keys import patient_key, sha3_key
except ImportError:  # loaded by path (oracle tests, benchmarks): the sibling module is next to this file
    import os
    import sys

    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from health_keys import patient_key, sha3_key

VERSIONS = ("2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2")
MAX_BYTES = 1 << 20
MAX_SEGMENTS = 10000
MAX_VALUES = 100000
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{2}\Z")
_DTM = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?\Z")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\Z")

SEX = {"M": "Male", "F": "Female", "O": "Other", "U": "Unknown", "A": "Other", "N": "Unknown"}
PATIENT_CLASS = {
    "E": "Emergency",
    "I": "Inpatient",
    "O": "Outpatient",
    "P": "Preadmit",
    "R": "RecurringPatient",
    "B": "Obstetrics",
    "U": "Unknown",
}
RESULT_STATUS = {
    "F": "Final",
    "P": "Preliminary",
    "C": "Corrected",
    "A": "Amended",
    "X": "Cancelled",
    "R": "Registered",
    "I": "Registered",
    "S": "Preliminary",
    "D": "EnteredInError",
    "W": "EnteredInError",
    "U": "Unknown",
}


class Hl7Error(Exception):
    """A typed adapter error: `code` is one of the `Hl7ErrorCode` enum values."""

    def __init__(self, code, message, offset=None, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.field = field

    def to_dict(self):
        out = {"code": self.code, "message": self.message}
        if self.offset is not None:
            out["offset"] = self.offset
        if self.field is not None:
            out["field"] = self.field
        return out


# --- framing and escapes --------------------------------------------------------------------------


class Encoding:
    def __init__(self, field, component, repetition, escape, subcomponent, truncation=None):
        self.field = field
        self.component = component
        self.repetition = repetition
        self.escape = escape
        self.subcomponent = subcomponent
        self.truncation = truncation

    @classmethod
    def from_dict(cls, d):
        return cls(d["field"], d["component"], d["repetition"], d["escape"], d["subcomponent"], d.get("truncation"))

    def to_dict(self):
        out = {
            "field": self.field,
            "component": self.component,
            "repetition": self.repetition,
            "escape": self.escape,
            "subcomponent": self.subcomponent,
        }
        if self.truncation is not None:
            out["truncation"] = self.truncation
        return out

    def msh2(self):
        return self.component + self.repetition + self.escape + self.subcomponent + (self.truncation or "")

    def chars(self):
        return [c for c in (self.field, self.component, self.repetition, self.escape, self.subcomponent, self.truncation) if c]

    def escape_table(self):
        t = {"F": self.field, "S": self.component, "R": self.repetition, "E": self.escape, "T": self.subcomponent}
        if self.truncation:
            t["P"] = self.truncation
        return t


def check_encoding(enc, field="MSH-2"):
    chars = enc.chars()
    for c in chars:
        if not isinstance(c, str) or len(c) != 1:
            raise Hl7Error("MalformedPacket", f"encoding characters must be single characters, found {c!r}", field=field)
        if c.isalnum() or c in "\r\n \t" or ord(c) < 0x20 or ord(c) == 0x7F:
            raise Hl7Error(
                "MalformedPacket",
                f"{c!r} cannot be an HL7 delimiter (letters, digits, spaces and control characters are data)",
                field=field,
            )
    if len(set(chars)) != len(chars):
        raise Hl7Error("MalformedPacket", f"the delimiters {''.join(chars)!r} must all be different", field=field)


def unescape(text, enc, offset, where):
    """Decode the escape sequences of one subcomponent."""
    esc = enc.escape
    if esc not in text:
        return text
    table = enc.escape_table()
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != esc:
            out.append(c)
            i += 1
            continue
        end = text.find(esc, i + 1)
        if end < 0:
            raise Hl7Error("MalformedPacket", f"unterminated escape sequence in {where}", offset=offset + i, field=where)
        seq = text[i + 1 : end]
        if seq in table:
            out.append(table[seq])
        elif seq[:1] == "X" and len(seq) > 1:
            hexdigits = seq[1:]
            if len(hexdigits) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", hexdigits):
                raise Hl7Error(
                    "MalformedPacket",
                    f"\\X escape in {where} needs an even number of hex digits, found {hexdigits!r}",
                    offset=offset + i,
                    field=where,
                )
            try:
                decoded = bytes.fromhex(hexdigits).decode("utf-8")
            except UnicodeDecodeError:
                raise Hl7Error(
                    "MalformedPacket", f"\\X{hexdigits}\\ in {where} is not UTF-8", offset=offset + i, field=where
                ) from None
            if "\x00" in decoded:
                raise Hl7Error("HostileInput", f"\\X escape in {where} decodes to NUL", offset=offset + i, field=where)
            out.append(decoded)
        else:
            shown = seq if len(seq) <= 16 else seq[:16] + "..."
            raise Hl7Error(
                "UnsupportedEscape",
                f"escape sequence {esc}{shown}{esc} in {where} is not supported (only F S T R E P and Xhh)",
                offset=offset + i,
                field=where,
            )
        i = end + 1
    return "".join(out)


def _is_control(c):
    return ord(c) < 0x20 or ord(c) == 0x7F


def escape(text, enc):
    """Canonical escaping of one subcomponent value."""
    reverse = {v: k for k, v in enc.escape_table().items()}
    esc = enc.escape
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in reverse:
            out.append(esc + reverse[c] + esc)
            i += 1
        elif _is_control(c):
            j = i
            while j < n and _is_control(text[j]):
                j += 1
            out.append(esc + "X" + text[i:j].encode("utf-8").hex().upper() + esc)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


# --- parsing -------------------------------------------------------------------------------------


def _split_segments(text):
    """(segment text, offset) pairs; CR, LF and CRLF all end a segment; blank lines are skipped."""
    out = []
    start = 0
    i = 0
    n = len(text)
    while i <= n:
        if i == n or text[i] in "\r\n":
            if i > start:
                out.append((text[start:i], start))
            if i < n and text[i] == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    return out


class _Budget:
    def __init__(self):
        self.values = 0

    def take(self, n, offset):
        self.values += n
        if self.values > MAX_VALUES:
            raise Hl7Error("LimitExceeded", f"the message has more than {MAX_VALUES} values", offset=offset)


def _parse_field(raw, enc, offset, where, budget):
    if raw == "":
        return []
    reps = []
    pos = offset
    for rep in raw.split(enc.repetition):
        comps = []
        cpos = pos
        for comp in rep.split(enc.component):
            subs = []
            spos = cpos
            for sub in comp.split(enc.subcomponent):
                subs.append(unescape(sub, enc, spos, where))
                spos += len(sub) + 1
            budget.take(len(subs), cpos)
            comps.append(subs)
            cpos += len(comp) + 1
        reps.append(comps)
        pos += len(rep) + 1
    return reps


def parse_text(text):
    """Parse message text into (encoding, segments); structure only, no derived views."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise Hl7Error("LimitExceeded", f"the message is longer than {MAX_BYTES} bytes", offset=MAX_BYTES)
    for i, c in enumerate(text):
        if (ord(c) < 0x20 and c not in "\r\n\t") or ord(c) == 0x7F:
            hint = " (MLLP framing? strip the 0x0B/0x1C frame first)" if c in "\x0b\x1c" else ""
            raise Hl7Error("HostileInput", f"control character U+{ord(c):04X} in the message{hint}", offset=i)
    if not text.startswith("MSH"):
        raise Hl7Error("MalformedPacket", "an HL7 v2 message must start with an MSH segment", offset=0, field="MSH")
    if len(text) < 8:
        raise Hl7Error("MalformedPacket", "the MSH segment is truncated before its encoding characters", offset=len(text), field="MSH-2")
    fs = text[3]
    end = text.find(fs, 4)
    stop = len(text)
    for c in "\r\n":
        k = text.find(c, 4)
        if 0 <= k < stop:
            stop = k
    if end < 0 or end > stop:
        end = stop
    msh2 = text[4:end]
    if len(msh2) not in (4, 5):
        raise Hl7Error(
            "MalformedPacket",
            f"MSH-2 must hold 4 encoding characters (5 with the v2.7 truncation character), found {msh2!r}",
            offset=4,
            field="MSH-2",
        )
    enc = Encoding(fs, msh2[0], msh2[1], msh2[2], msh2[3], msh2[4] if len(msh2) == 5 else None)
    check_encoding(enc)
    segments = []
    budget = _Budget()
    pieces = _split_segments(text)
    if len(pieces) > MAX_SEGMENTS:
        raise Hl7Error("LimitExceeded", f"the message has more than {MAX_SEGMENTS} segments", offset=pieces[MAX_SEGMENTS][1])
    for index, (seg, off) in enumerate(pieces):
        seg_id = seg[:3]
        if not _SEGMENT_ID.match(seg_id) or (len(seg) > 3 and seg[3] != fs):
            raise Hl7Error(
                "MalformedPacket",
                f"segment {index + 1} does not start with a segment id (3 upper-case letters or digits) and {fs!r}: {seg[:12]!r}",
                offset=off,
                field=f"segment {index + 1}",
            )
        if index > 0 and seg_id == "MSH":
            raise Hl7Error("MalformedPacket", "a second MSH segment: one message per wire unit (batches are not supported)", offset=off, field="MSH")
        if seg_id in ("FHS", "BHS"):
            raise Hl7Error("MalformedPacket", f"{seg_id}: HL7 batches are not supported, send each message alone", offset=off, field=seg_id)
        raw_fields = seg.split(fs)[1:] if len(seg) > 3 else []
        fields = []
        pos = off + 4
        if seg_id == "MSH":
            if not raw_fields or raw_fields[0] != msh2:
                raise Hl7Error("MalformedPacket", "MSH-2 is malformed", offset=off + 4, field="MSH-2")
            pos += len(raw_fields[0]) + 1
            raw_fields = raw_fields[1:]
            first = 3
        else:
            first = 1
        for n, raw in enumerate(raw_fields):
            fields.append(_parse_field(raw, enc, pos, f"{seg_id}-{n + first}", budget))
            pos += len(raw) + 1
        segments.append({"id": seg_id, "fields": fields})
    return enc, segments


# --- field access on the structure ----------------------------------------------------------------


def _field(segment, number):
    """Field `number` (HL7 numbering) of a parsed segment, [] when absent."""
    first = 3 if segment["id"] == "MSH" else 1
    idx = number - first
    fields = segment["fields"]
    return fields[idx] if 0 <= idx < len(fields) else []


def _comp(rep, n, sub=1):
    """One value for the derived views; the HL7 null `""` counts as absent there."""
    if n - 1 < len(rep):
        subs = rep[n - 1]
        if sub - 1 < len(subs):
            return "" if subs[sub - 1] == '""' else subs[sub - 1]
    return ""


def _first(segment, number, comp=1, sub=1):
    f = _field(segment, number)
    return _comp(f[0], comp, sub) if f else ""


def parse_dtm(value, where):
    """HL7 DTM/TS (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) -> RFC 3339 UTC."""
    import datetime

    m = _DTM.match(value)
    if not m:
        raise Hl7Error("InvalidValue", f"{where} is not an HL7 date/time (YYYYMMDDHHMMSS[.SSSS][+ZZZZ]): {value!r}", field=where)
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        dt = datetime.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError as e:
        raise Hl7Error("InvalidValue", f"{where} is not a valid date/time {value!r}: {e}", field=where) from None
    if tz:
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[3:5])
        if hours > 23 or minutes > 59:
            raise Hl7Error("InvalidValue", f"{where} has an invalid UTC offset {tz!r}", field=where)
        dt -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    out = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += "." + frac
    return out + "Z"


def parse_date(value, where):
    m = _DATE.match(value)
    if not m:
        raise Hl7Error("InvalidValue", f"{where} must be a date YYYYMMDD, found {value!r}", field=where)
    import datetime

    try:
        datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as e:
        raise Hl7Error("InvalidValue", f"{where} is not a valid date {value!r}: {e}", field=where) from None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"


def _opt(record):
    return {k: v for k, v in record.items() if v is not None and v != ""}


def _patient(pid):
    identifiers = []
    for rep in _field(pid, 3):
        value = _comp(rep, 1)
        if not value:
            continue
        identifiers.append(_opt({"value": value, "system": _comp(rep, 4), "type_code": _comp(rep, 5)}))
    if not identifiers:
        raise Hl7Error("MissingField", "PID-3 (patient identifier list) has no identifier", field="PID-3")
    names = []
    for rep in _field(pid, 5):
        given = [g for g in (_comp(rep, 2), _comp(rep, 3)) if g]
        names.append(_opt({"family": _comp(rep, 1), "given": given, "use": _comp(rep, 7)}))
    birth = _first(pid, 7)
    sex = _first(pid, 8)
    if sex and sex not in SEX:
        raise Hl7Error("InvalidValue", f"PID-8 (administrative sex) must be one of {', '.join(SEX)}, found {sex!r}", field="PID-8")
    addresses = []
    for rep in _field(pid, 11):
        lines = [x for x in (_comp(rep, 1), _comp(rep, 2)) if x]
        addresses.append(
            _opt(
                {
                    "lines": lines,
                    "city": _comp(rep, 3),
                    "state": _comp(rep, 4),
                    "postal_code": _comp(rep, 5),
                    "country": _comp(rep, 6),
                    "use": _comp(rep, 7),
                }
            )
        )
    telecoms = []
    for rep in _field(pid, 13):
        email = _comp(rep, 3) == "Internet"
        value = _comp(rep, 4) if email else _comp(rep, 1)
        if value:
            telecoms.append(_opt({"system": "email" if email else "phone", "value": value, "use": _comp(rep, 2)}))
    first = identifiers[0]
    patient = {
        "patient_key": patient_key(first.get("system", ""), first["value"]),
        "identifiers": identifiers,
        "names": names,
        "telecoms": telecoms,
        "addresses": addresses,
    }
    if birth:
        patient["birth_date"] = parse_date(birth[:8], "PID-7") if len(birth) >= 8 else parse_date(birth, "PID-7")
    patient["sex"] = SEX[sex] if sex else "Unknown"
    return patient


def _encounter(pv1, pkey, control_id):
    cls = _first(pv1, 2)
    if cls not in PATIENT_CLASS:
        raise Hl7Error(
            "InvalidValue", f"PV1-2 (patient class) must be one of {', '.join(PATIENT_CLASS)}, found {cls!r}", field="PV1-2"
        )
    loc = _field(pv1, 3)
    location = " / ".join(c[0] for c in loc[0] if c and c[0]) if loc else ""
    visit = _first(pv1, 19)
    att = _field(pv1, 7)
    out = {
        "encounter_key": sha3_key("estream.health.encounter.v1", pkey, visit or control_id),
        "patient_key": pkey,
        "patient_class": PATIENT_CLASS[cls],
        "location": location,
        "visit_number": visit,
        "attending_id": _comp(att[0], 1) if att else "",
    }
    admit = _first(pv1, 44)
    if admit:
        out["admitted_at"] = parse_dtm(admit, "PV1-44")
    return _opt(out)


def _observation(obx, pkey, control_id, index):
    where = f"OBX[{index}]"
    set_id = _first(obx, 1) or str(index + 1)
    vtype = _first(obx, 2)
    code = _first(obx, 3, 1)
    if not code:
        raise Hl7Error("MissingField", f"{where}: OBX-3 (observation identifier) is empty", field="OBX-3")
    status = _first(obx, 11)
    if status and status not in RESULT_STATUS:
        raise Hl7Error("InvalidValue", f"{where}: OBX-11 (result status) {status!r} is not an HL7 result status", field="OBX-11")
    out = {
        "observation_key": sha3_key("estream.health.observation.v1", control_id, set_id),
        "patient_key": pkey,
        "code": code,
        "display": _first(obx, 3, 2),
        "code_system": _first(obx, 3, 3),
        "status": RESULT_STATUS[status] if status else "Unknown",
        "unit": _first(obx, 6, 1),
        "reference_range": _first(obx, 7),
        "interpretation": _first(obx, 8),
    }
    value = _first(obx, 5)
    if vtype == "NM":
        if value:
            if not _NUMBER.match(value):
                raise Hl7Error("InvalidValue", f"{where}: OBX-5 has value type NM but {value!r} is not a number", field="OBX-5")
            out["value_numeric"] = float(value)
    elif value:
        out["value_text"] = value
    when = _first(obx, 14)
    if when:
        out["effective_at"] = parse_dtm(when, "OBX-14")
    return _opt(out)


def message_from_structure(enc, segments):
    """The full `Hl7Message`: header fields and health views derived from the structure."""
    msh = segments[0]
    msg_type = _field(msh, 9)
    mtype = _first(msh, 9, 1)
    if not mtype:
        raise Hl7Error("MissingField", "MSH-9 (message type) is empty", field="MSH-9")
    control_id = _first(msh, 10)
    if not control_id:
        raise Hl7Error("MissingField", "MSH-10 (message control id) is empty", field="MSH-10")
    version = _first(msh, 12)
    if not version:
        raise Hl7Error("MissingField", "MSH-12 (version id) is empty", field="MSH-12")
    if version not in VERSIONS:
        raise Hl7Error(
            "UnsupportedVersion", f"HL7 version {version!r} is not supported (supported: {', '.join(VERSIONS)})", field="MSH-12"
        )
    message = {
        "encoding": enc.to_dict(),
        "version": version,
        "message_type": mtype,
        "trigger_event": _comp(msg_type[0], 2) if msg_type else "",
        "message_structure": _comp(msg_type[0], 3) if msg_type else "",
        "control_id": control_id,
        "processing_id": _first(msh, 11),
        "sending_application": _first(msh, 3),
        "sending_facility": _first(msh, 4),
        "receiving_application": _first(msh, 5),
        "receiving_facility": _first(msh, 6),
    }
    message = _opt(message)
    sent = _first(msh, 7)
    if sent:
        message["sent_at"] = parse_dtm(sent, "MSH-7")
    message["segments"] = segments
    pid = next((s for s in segments if s["id"] == "PID"), None)
    pkey = None
    if pid is not None:
        message["patient"] = _patient(pid)
        pkey = message["patient"]["patient_key"]
    pv1 = next((s for s in segments if s["id"] == "PV1"), None)
    if pv1 is not None:
        if pkey is None:
            raise Hl7Error("MissingField", "a PV1 segment needs a PID segment before it", field="PID")
        message["encounter"] = _encounter(pv1, pkey, control_id)
    obxs = [s for s in segments if s["id"] == "OBX"]
    if obxs and pkey is None:
        raise Hl7Error("MissingField", "OBX segments need a PID segment identifying the patient", field="PID")
    message["observations"] = [_observation(o, pkey, control_id, i) for i, o in enumerate(obxs)]
    return message


# --- rendering -------------------------------------------------------------------------------------


def _render_field(field, enc, where):
    if not isinstance(field, list):
        raise Hl7Error("InvalidValue", f"{where} must be a list of repetitions", field=where)
    reps = []
    for rep in field:
        if not isinstance(rep, list):
            raise Hl7Error("InvalidValue", f"{where}: a repetition must be a list of components", field=where)
        comps = []
        for comp in rep:
            if not isinstance(comp, list) or not all(isinstance(s, str) for s in comp):
                raise Hl7Error("InvalidValue", f"{where}: a component must be a list of strings", field=where)
            comps.append(enc.subcomponent.join(escape(s, enc) for s in comp))
        reps.append(enc.component.join(comps))
    return enc.repetition.join(reps)


def render(enc, segments):
    check_encoding(enc, "encoding")
    if not segments or segments[0].get("id") != "MSH":
        raise Hl7Error("InvalidValue", "segments must start with MSH", field="segments")
    lines = []
    for index, seg in enumerate(segments):
        seg_id = seg.get("id", "")
        if not _SEGMENT_ID.match(seg_id):
            raise Hl7Error("InvalidValue", f"segments[{index}].id {seg_id!r} is not a segment id", field=f"segments[{index}].id")
        first = 3 if seg_id == "MSH" else 1
        parts = [seg_id]
        if seg_id == "MSH":
            parts.append(enc.msh2())
        for n, field in enumerate(seg.get("fields", [])):
            parts.append(_render_field(field, enc, f"{seg_id}-{n + first}"))
        lines.append(enc.field.join(parts) + "\r")
    return "".join(lines)


# --- the adapter ------------------------------------------------------------------------------------


def translate_ingress(wire_bytes):
    if len(wire_bytes) > MAX_BYTES:
        raise Hl7Error("LimitExceeded", f"the message is longer than {MAX_BYTES} bytes", offset=MAX_BYTES)
    try:
        text = wire_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Hl7Error("MalformedPacket", f"the message is not UTF-8: {e.reason}", offset=e.start) from None
    enc, segments = parse_text(text)
    return message_from_structure(enc, segments)


def _first_difference(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else path


def translate_egress(message):
    if not isinstance(message, dict) or "encoding" not in message or "segments" not in message:
        raise Hl7Error("MissingField", "an Hl7Message needs `encoding` and `segments`", field="message")
    try:
        enc = Encoding.from_dict(message["encoding"])
    except (KeyError, TypeError):
        raise Hl7Error("InvalidValue", "`encoding` needs field, component, repetition, escape and subcomponent", field="encoding") from None
    text = render(enc, message["segments"])
    derived = translate_ingress(text.encode("utf-8"))
    given = {k: v for k, v in message.items() if v is not None}
    diff = _first_difference(given, derived, "message")
    if diff:
        raise Hl7Error(
            "InconsistentMessage",
            f"{diff} does not agree with what the segments say; edit `segments` (the wire truth) and derive the rest",
            field=diff[len("message.") :] if diff.startswith("message.") else diff,
        )
    return text.encode("utf-8")


def ingress(inputs):
    try:
        try:
            wire = inputs["wire"]["text"].encode("utf-8")
        except UnicodeEncodeError as e:
            raise Hl7Error("HostileInput", f"the text holds an unpaired surrogate at {e.start}", offset=e.start) from None
        return {"message": translate_ingress(wire)}
    except Hl7Error as e:
        return {"error": e.to_dict()}


def egress(inputs):
    try:
        try:
            return {"wire": {"text": translate_egress(inputs["message"]).decode("utf-8")}}
        except UnicodeEncodeError as e:
            raise Hl7Error("InvalidValue", f"a value holds an unpaired surrogate at {e.start}") from None
    except Hl7Error as e:
        return {"error": e.to_dict()}
