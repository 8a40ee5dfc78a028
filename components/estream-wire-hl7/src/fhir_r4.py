"""FHIR R4 JSON wire adapter (Patient, Observation) <-> `FhirResource` ESF records.

Reference implementation of the `fhir_ingress` and `fhir_egress` circuits (standard library only).
`translate_ingress(wire: bytes) -> dict` / `translate_egress(message: dict) -> bytes` raise
`FhirError`; the circuit functions `ingress(inputs)` / `egress(inputs)` return
`{"error": {...}}` instead, never raise for bad input.

Decisions:

* Supported elements only, never silently dropped. Patient: `id identifier(use system value)
  active name(use family given) telecom(system value use) gender birthDate address(use line city
  state postalCode country)`. Observation: `id status code.coding[1](system code display)
  subject(reference | identifier(system value)) effectiveDateTime valueQuantity(value unit system
  code) | valueString referenceRange[1].text interpretation[1].coding[1].code`. Any other element
  is refused with `UnsupportedElement` and its JSON path, so what ingress accepts, egress writes
  back entirely.
* Canonical JSON: the elements in the order above (FHIR's own order), `resourceType` first,
  compact separators, UTF-8 without `\\u` escapes except where JSON requires them. Input in any
  other layout is accepted and written back canonically (golden vectors give `canonical_wire`).
* Safety: at most 1 MiB, nesting depth 32, duplicate keys, NaN/Infinity and integers longer than
  20 digits are refused (`LimitExceeded`, `HostileInput`, `MalformedPacket`). FHIR forbids empty
  arrays, empty strings and nulls; they are `InvalidValue`.
* Keys (health_keys): `patient_key` from the first identifier (the HL7 v2 adapter derives the
  same key from PID-3), so an Observation whose `subject` is a logical identifier reference joins
  the HL7 patient; a literal `subject.reference` is keyed as ("urn:fhir:reference", reference).
* Egress re-reads what it wrote and requires the result to equal the message
  (`InconsistentMessage` otherwise): derived keys cannot be forged or go stale.
"""

import json
import re

try:
    from health_keys import patient_key, sha3_key
except ImportError:  # loaded by path (oracle tests, benchmarks): the sibling module is next to this file
    import os
    import sys

    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from health_keys import patient_key, sha3_key

MAX_BYTES = 1 << 20
MAX_DEPTH = 32
UCUM = "http://unitsofmeasure.org"
GENDER = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Unknown"}
STATUS = {
    "registered": "Registered",
    "preliminary": "Preliminary",
    "final": "Final",
    "amended": "Amended",
    "corrected": "Corrected",
    "cancelled": "Cancelled",
    "entered-in-error": "EnteredInError",
    "unknown": "Unknown",
}
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}\Z")
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\Z")
_DATETIME = re.compile(
    r"(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d{1,9})?(Z|[+-](?:0\d|1[0-4]):[0-5]\d)\Z"
)


class FhirError(Exception):
    def __init__(self, code, message, field=None, offset=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.offset = offset

    def to_dict(self):
        out = {"code": self.code, "message": self.message}
        if self.offset is not None:
            out["offset"] = self.offset
        if self.field is not None:
            out["field"] = self.field
        return out


# --- bounded JSON ---------------------------------------------------------------------------------


def _depth_check(text):
    depth = 0
    in_str = False
    esc = False
    for i, c in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FhirError("LimitExceeded", f"JSON nesting deeper than {MAX_DEPTH}", offset=i)
        elif c in "]}":
            depth -= 1


def _pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise FhirError("HostileInput", f"duplicate JSON key {k!r} (parsers disagree on which one wins)", field=k)
        out[k] = v
    return out


def _constant(name):
    raise FhirError("MalformedPacket", f"{name} is not JSON")


def _int(text):
    if len(text.lstrip("-")) > 20:
        raise FhirError("LimitExceeded", f"integer with {len(text)} digits")
    return int(text)


def load_json(wire_bytes):
    if len(wire_bytes) > MAX_BYTES:
        raise FhirError("LimitExceeded", f"the resource is longer than {MAX_BYTES} bytes", offset=MAX_BYTES)
    try:
        text = wire_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FhirError("MalformedPacket", f"the resource is not UTF-8: {e.reason}", offset=e.start) from None
    if text.startswith("\ufeff"):
        raise FhirError("MalformedPacket", "a byte order mark before the JSON", offset=0)
    _depth_check(text)
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int)
    except json.JSONDecodeError as e:
        raise FhirError("MalformedPacket", f"invalid JSON: {e.msg}", offset=e.pos) from None
    except RecursionError:
        raise FhirError("LimitExceeded", "JSON nesting too deep") from None


# --- element readers --------------------------------------------------------------------------------


def _check_keys(obj, allowed, path):
    if not isinstance(obj, dict):
        raise FhirError("InvalidValue", f"{path or 'the resource'} must be a JSON object", field=path or "$")
    for k in obj:
        if k not in allowed:
            where = f"{path}.{k}" if path else k
            raise FhirError(
                "UnsupportedElement",
                f"element {where} is not supported by this adapter (supported here: {', '.join(allowed)})",
                field=where,
            )


def _str(obj, key, path, required=False, limit=None):
    where = f"{path}.{key}" if path else key
    if key not in obj:
        if required:
            raise FhirError("MissingField", f"{where} is required", field=where)
        return None
    v = obj[key]
    if not isinstance(v, str) or v == "" or v.strip() != v:
        raise FhirError("InvalidValue", f"{where} must be a non-empty string without surrounding spaces, found {json.dumps(v)[:40]}", field=where)
    if limit and len(v) > limit:
        raise FhirError("LimitExceeded", f"{where} is longer than {limit} characters", field=where)
    return v


def _checked(v, where, limit):
    if not isinstance(v, str) or v == "" or v.strip() != v:
        raise FhirError("InvalidValue", f"{where} must be a non-empty string without surrounding spaces, found {json.dumps(v)[:40]}", field=where)
    if len(v) > limit:
        raise FhirError("LimitExceeded", f"{where} is longer than {limit} characters", field=where)
    return v


def _list(obj, key, path):
    where = f"{path}.{key}" if path else key
    if key not in obj:
        return []
    v = obj[key]
    if not isinstance(v, list) or not v:
        raise FhirError("InvalidValue", f"{where} must be a non-empty array (FHIR has no empty arrays)", field=where)
    return v


def _opt(record):
    return {k: v for k, v in record.items() if v is not None}


def _patient(res):
    _check_keys(res, ("resourceType", "id", "identifier", "active", "name", "telecom", "gender", "birthDate", "address"), "")
    identifiers = []
    for i, ident in enumerate(_list(res, "identifier", "")):
        p = f"identifier[{i}]"
        _check_keys(ident, ("use", "system", "value"), p)
        identifiers.append(_opt({"value": _str(ident, "value", p, True, 128), "system": _str(ident, "system", p, limit=256), "use": _str(ident, "use", p, limit=16)}))
    names = []
    for i, name in enumerate(_list(res, "name", "")):
        p = f"name[{i}]"
        _check_keys(name, ("use", "family", "given"), p)
        given = [_checked(g, f"{p}.given[{j}]", 128) for j, g in enumerate(_list(name, "given", p))]
        names.append(_opt({"family": _str(name, "family", p, limit=128), "given": given, "use": _str(name, "use", p, limit=16)}))
    telecoms = []
    for i, tel in enumerate(_list(res, "telecom", "")):
        p = f"telecom[{i}]"
        _check_keys(tel, ("system", "value", "use"), p)
        telecoms.append(_opt({"system": _str(tel, "system", p, True, 16), "value": _str(tel, "value", p, True, 256), "use": _str(tel, "use", p, limit=16)}))
    addresses = []
    for i, addr in enumerate(_list(res, "address", "")):
        p = f"address[{i}]"
        _check_keys(addr, ("use", "line", "city", "state", "postalCode", "country"), p)
        lines = [_checked(x, f"{p}.line[{j}]", 256) for j, x in enumerate(_list(addr, "line", p))]
        addresses.append(
            _opt(
                {
                    "lines": lines,
                    "city": _str(addr, "city", p, limit=128),
                    "state": _str(addr, "state", p, limit=64),
                    "postal_code": _str(addr, "postalCode", p, limit=32),
                    "country": _str(addr, "country", p, limit=64),
                    "use": _str(addr, "use", p, limit=16),
                }
            )
        )
    gender = _str(res, "gender", "")
    if gender is not None and gender not in GENDER:
        raise FhirError("InvalidValue", f"gender must be one of {', '.join(GENDER)}, found {gender!r}", field="gender")
    birth = _str(res, "birthDate", "")
    if birth is not None and not _DATE.match(birth):
        raise FhirError("InvalidValue", f"birthDate must be YYYY-MM-DD (partial dates are not supported), found {birth!r}", field="birthDate")
    active = res.get("active")
    if "active" in res and not isinstance(active, bool):
        raise FhirError("InvalidValue", "active must be true or false", field="active")
    if identifiers:
        key = patient_key(identifiers[0].get("system", ""), identifiers[0]["value"])
    elif "id" in res:
        key = patient_key("urn:fhir:reference", "Patient/" + res["id"])
    else:
        raise FhirError("MissingField", "a Patient needs an identifier or an id to be keyed", field="identifier")
    return _opt(
        {
            "patient_key": key,
            "identifiers": identifiers,
            "active": active,
            "names": names,
            "telecoms": telecoms,
            "sex": GENDER[gender] if gender else "Unknown",
            "birth_date": birth,
            "addresses": addresses,
        }
    )


def _timestamp(value, where):
    import datetime

    m = _DATETIME.match(value)
    if not m:
        raise FhirError(
            "InvalidValue", f"{where} must be a full dateTime with seconds and a zone (2026-02-10T12:00:00Z), found {value!r}", field=where
        )
    day, hh, mm, ss, frac, tz = m.groups()
    dt = datetime.datetime.strptime(f"{day}T{hh}:{mm}:{min(int(ss), 59):02d}", "%Y-%m-%dT%H:%M:%S")
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        dt -= sign * datetime.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (frac or "") + "Z"


def _observation(res, extras):
    _check_keys(
        res,
        ("resourceType", "id", "status", "code", "subject", "effectiveDateTime", "valueQuantity", "valueString", "interpretation", "referenceRange"),
        "",
    )
    status = _str(res, "status", "", True)
    if status not in STATUS:
        raise FhirError("InvalidValue", f"status must be one of {', '.join(STATUS)}, found {status!r}", field="status")
    if "code" not in res:
        raise FhirError("MissingField", "code is required", field="code")
    _check_keys(res["code"], ("coding",), "code")
    codings = _list(res["code"], "coding", "code")
    if len(codings) != 1:
        raise FhirError("UnsupportedElement", "code.coding must have exactly one entry", field="code.coding")
    _check_keys(codings[0], ("system", "code", "display"), "code.coding[0]")
    obs = {
        "status": STATUS[status],
        "code": _str(codings[0], "code", "code.coding[0]", True, 64),
        "code_system": _str(codings[0], "system", "code.coding[0]", limit=256),
        "display": _str(codings[0], "display", "code.coding[0]", limit=256),
    }
    if "subject" not in res:
        raise FhirError("MissingField", "subject is required (the patient the observation is about)", field="subject")
    subject = res["subject"]
    _check_keys(subject, ("reference", "identifier"), "subject")
    if ("reference" in subject) == ("identifier" in subject):
        raise FhirError("InvalidValue", "subject needs exactly one of reference and identifier", field="subject")
    if "reference" in subject:
        ref = _str(subject, "reference", "subject", True, 256)
        extras["subject_reference"] = ref
        obs["patient_key"] = patient_key("urn:fhir:reference", ref)
    else:
        ident = subject["identifier"]
        _check_keys(ident, ("system", "value"), "subject.identifier")
        sid = _opt({"value": _str(ident, "value", "subject.identifier", True, 128), "system": _str(ident, "system", "subject.identifier", limit=256)})
        extras["subject_identifier"] = sid
        obs["patient_key"] = patient_key(sid.get("system", ""), sid["value"])
    if "effectiveDateTime" in res:
        obs["effective_at"] = _timestamp(_str(res, "effectiveDateTime", "", True), "effectiveDateTime")
    if "valueQuantity" in res and "valueString" in res:
        raise FhirError("InvalidValue", "value[x] appears twice (valueQuantity and valueString)", field="valueString")
    if "valueQuantity" in res:
        q = res["valueQuantity"]
        _check_keys(q, ("value", "unit", "system", "code"), "valueQuantity")
        v = q.get("value")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise FhirError("InvalidValue", "valueQuantity.value must be a number", field="valueQuantity.value")
        obs["value_numeric"] = float(v)
        obs["unit"] = _str(q, "unit", "valueQuantity", limit=64)
        extras["unit_system"] = _str(q, "system", "valueQuantity", limit=256)
        extras["unit_code"] = _str(q, "code", "valueQuantity", limit=64)
    if "valueString" in res:
        obs["value_text"] = _str(res, "valueString", "", True)
    if "interpretation" in res:
        items = _list(res, "interpretation", "")
        if len(items) != 1:
            raise FhirError("UnsupportedElement", "interpretation must have exactly one entry", field="interpretation")
        _check_keys(items[0], ("coding",), "interpretation[0]")
        c = _list(items[0], "coding", "interpretation[0]")
        if len(c) != 1:
            raise FhirError("UnsupportedElement", "interpretation[0].coding must have exactly one entry", field="interpretation[0].coding")
        _check_keys(c[0], ("code",), "interpretation[0].coding[0]")
        obs["interpretation"] = _str(c[0], "code", "interpretation[0].coding[0]", True, 16)
    if "referenceRange" in res:
        items = _list(res, "referenceRange", "")
        if len(items) != 1:
            raise FhirError("UnsupportedElement", "referenceRange must have exactly one entry", field="referenceRange")
        _check_keys(items[0], ("text",), "referenceRange[0]")
        obs["reference_range"] = _str(items[0], "text", "referenceRange[0]", True, 64)
    obs["observation_key"] = sha3_key("estream.health.observation.v1", "fhir", res.get("id", ""), obs["patient_key"], obs["code"])
    return _opt(obs)


def translate_ingress(wire_bytes):
    res = load_json(wire_bytes)
    if not isinstance(res, dict):
        raise FhirError("InvalidValue", "a FHIR resource is a JSON object", field="$")
    rtype = res.get("resourceType")
    if rtype is None:
        raise FhirError("MissingField", "resourceType is required", field="resourceType")
    if rtype not in ("Patient", "Observation"):
        raise FhirError("UnsupportedElement", f"resourceType {json.dumps(rtype)[:40]} is not supported (Patient, Observation)", field="resourceType")
    out = {"resource_type": rtype}
    if "id" in res:
        rid = res["id"]
        if not isinstance(rid, str) or not _ID.match(rid):
            raise FhirError("InvalidValue", "id must be 1-64 characters of A-Z a-z 0-9 - .", field="id")
        out["id"] = rid
    if rtype == "Patient":
        out["patient"] = _patient(res)
    else:
        extras = {}
        out["observation"] = _observation(res, extras)
        out.update(_opt(extras))
    return out


# --- egress ----------------------------------------------------------------------------------------

_GENDER_OUT = {v: k for k, v in GENDER.items()}
_STATUS_OUT = {v: k for k, v in STATUS.items()}


def _patient_json(rid, p):
    out = {"resourceType": "Patient"}
    if rid is not None:
        out["id"] = rid
    if p.get("identifiers"):
        out["identifier"] = [_opt({"use": i.get("use"), "system": i.get("system"), "value": i["value"]}) for i in p["identifiers"]]
    if p.get("active") is not None:
        out["active"] = p["active"]
    if p.get("names"):
        out["name"] = [_opt({"use": n.get("use"), "family": n.get("family"), "given": n.get("given") or None}) for n in p["names"]]
    if p.get("telecoms"):
        out["telecom"] = [_opt({"system": t["system"], "value": t["value"], "use": t.get("use")}) for t in p["telecoms"]]
    out["gender"] = _GENDER_OUT[p["sex"]]
    if p.get("birth_date"):
        out["birthDate"] = p["birth_date"]
    if p.get("addresses"):
        out["address"] = [
            _opt(
                {
                    "use": a.get("use"),
                    "line": a.get("lines") or None,
                    "city": a.get("city"),
                    "state": a.get("state"),
                    "postalCode": a.get("postal_code"),
                    "country": a.get("country"),
                }
            )
            for a in p["addresses"]
        ]
    return out


def _number(v):
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v


def _observation_json(message, o):
    out = {"resourceType": "Observation"}
    if message.get("id") is not None:
        out["id"] = message["id"]
    out["status"] = _STATUS_OUT[o["status"]]
    out["code"] = {"coding": [_opt({"system": o.get("code_system"), "code": o["code"], "display": o.get("display")})]}
    if message.get("subject_reference") is not None:
        out["subject"] = {"reference": message["subject_reference"]}
    elif message.get("subject_identifier") is not None:
        sid = message["subject_identifier"]
        out["subject"] = {"identifier": _opt({"system": sid.get("system"), "value": sid["value"]})}
    else:
        raise FhirError("MissingField", "an Observation needs subject_reference or subject_identifier", field="subject_reference")
    if o.get("effective_at") is not None:
        out["effectiveDateTime"] = o["effective_at"]
    if o.get("value_numeric") is not None:
        out["valueQuantity"] = _opt(
            {"value": _number(o["value_numeric"]), "unit": o.get("unit"), "system": message.get("unit_system"), "code": message.get("unit_code")}
        )
    if o.get("value_text") is not None:
        out["valueString"] = o["value_text"]
    if o.get("interpretation") is not None:
        out["interpretation"] = [{"coding": [{"code": o["interpretation"]}]}]
    if o.get("reference_range") is not None:
        out["referenceRange"] = [{"text": o["reference_range"]}]
    return out


def _strip_nulls(v):
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def translate_egress(message):
    message = _strip_nulls(message)
    rtype = message.get("resource_type")
    if rtype == "Patient":
        if "patient" not in message:
            raise FhirError("MissingField", "a Patient resource needs `patient`", field="patient")
        doc = _patient_json(message.get("id"), message["patient"])
    elif rtype == "Observation":
        if "observation" not in message:
            raise FhirError("MissingField", "an Observation resource needs `observation`", field="observation")
        doc = _observation_json(message, message["observation"])
    else:
        raise FhirError("InvalidValue", f"resource_type must be Patient or Observation, found {rtype!r}", field="resource_type")
    wire = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    again = translate_ingress(wire)
    if again != message:
        diff = sorted(k for k in set(again) | set(message) if again.get(k) != message.get(k))
        inner = ""
        for k in diff:
            if isinstance(again.get(k), dict) and isinstance(message.get(k), dict):
                sub = sorted(x for x in set(again[k]) | set(message[k]) if again[k].get(x) != message[k].get(x))
                inner = f"{k}.{sub[0]}" if sub else k
                break
        where = inner or diff[0]
        raise FhirError(
            "InconsistentMessage", f"{where} is not what the resource derives (keys are derived; unsupported content cannot be written)", field=where
        )
    return wire


def ingress(inputs):
    try:
        try:
            wire = inputs["wire"]["text"].encode("utf-8")
        except UnicodeEncodeError as e:
            raise FhirError("HostileInput", f"the text holds an unpaired surrogate at {e.start}", offset=e.start) from None
        return {"message": translate_ingress(wire)}
    except FhirError as e:
        return {"error": e.to_dict()}


def egress(inputs):
    try:
        try:
            return {"wire": {"text": translate_egress(inputs["message"]).decode("utf-8")}}
        except UnicodeEncodeError as e:
            raise FhirError("InvalidValue", f"a value holds an unpaired surrogate at {e.start}") from None
    except FhirError as e:
        return {"error": e.to_dict()}
