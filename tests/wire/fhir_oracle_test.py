"""Cross-check estream-wire-hl7's FHIR R4 adapter against HL7's FHIR R4 JSON schema (`jsonschema`).

* Every passing `fhir-ingress` vector and every `fhir-egress` output is valid against the
  Patient / Observation part of HL7's fhir.schema.json (tests/wire/fhir_schema/, see SOURCE.md),
  and the values the standard `json` module reads from the wire equal our records.
* Every refusal is either the schema's too, or a named rule the schema cannot express.
* A seeded random corpus of Patients and Observations (within the elements the adapter supports)
  is schema-valid, decodes to the values it was built from and comes back byte for byte.

The schema is the field's own validation artefact; there is no FHIR parsing library in the
lockfile, so values are compared with what `json` reads.
"""

import copy
import glob
import importlib.util
import json
import os
import random
import sys

import jsonschema
import pytest

PKG = os.path.join("components", "estream-wire-hl7")
SRC = os.path.join(PKG, "src")
SCHEMA_PATH = os.path.join("tests", "wire", "fhir_schema", "fhir-r4-patient-observation.schema.json")


def _load(name):
    if SRC not in sys.path:
        sys.path.insert(0, SRC)
    spec = importlib.util.spec_from_file_location(name, os.path.join(SRC, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FHIR = _load("fhir_r4")
with open(SCHEMA_PATH, encoding="utf-8") as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft6Validator(SCHEMA)


def _vectors(circuit):
    out = []
    for path in sorted(glob.glob(os.path.join(PKG, "tests", "golden", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc["test_vector"].get("circuit") == circuit:
            out.append((os.path.basename(path), doc))
    return out


INGRESS = _vectors("fhir-ingress")
PASSING = [(n, d) for n, d in INGRESS if "message" in d["expected_output"]]
FAILING = [(n, d) for n, d in INGRESS if "error" in d["expected_output"]]
EGRESS = [(n, d) for n, d in _vectors("fhir-egress") if "wire" in d["expected_output"]]

BEYOND_SCHEMA = {
    "fhir-err-unsupported-resource.json": "only Patient and Observation (Encounter is valid FHIR)",
    "fhir-err-unknown-element.json": "supported elements only (meta is valid FHIR but would be dropped)",
    "fhir-err-duplicate-key.json": "no duplicate keys (JSON parsers disagree on which wins; a schema sees one)",
    "fhir-err-deep-nesting.json": "nesting depth limit",
    "fhir-err-invalid-json.json": "not JSON at all",
    "fhir-err-nan.json": "NaN is not JSON (Python's json accepts it)",
    "fhir-err-huge-integer.json": "integer size limit",
    "fhir-err-missing-status.json": "Observation.status is 1..1 in the R4 StructureDefinition (the JSON schema cannot require it: it may come as _status)",
    "fhir-err-empty-array.json": "no empty arrays (FHIR JSON rule, https://hl7.org/fhir/R4/json.html, not in the schema)",
}


def _errors(doc):
    return sorted(e.message for e in VALIDATOR.iter_errors(doc))


def _values(resource):
    """What the wire says, read with `json`, in our record's terms."""
    if resource["resourceType"] == "Patient":
        return {
            "identifiers": [(i.get("system"), i["value"]) for i in resource.get("identifier", [])],
            "names": [(n.get("family"), n.get("given", [])) for n in resource.get("name", [])],
            "gender": resource.get("gender", "unknown"),
            "birth_date": resource.get("birthDate"),
            "addresses": [
                (a.get("line", []), a.get("city"), a.get("postalCode")) for a in resource.get("address", [])
            ],
        }
    q = resource.get("valueQuantity", {})
    return {
        "status": resource["status"],
        "code": resource["code"]["coding"][0]["code"],
        "value": q.get("value"),
        "unit": q.get("unit"),
        "text": resource.get("valueString"),
    }


def _our_values(message):
    if message["resource_type"] == "Patient":
        p = message["patient"]
        return {
            "identifiers": [(i.get("system"), i["value"]) for i in p["identifiers"]],
            "names": [(n.get("family"), n.get("given", [])) for n in p["names"]],
            "gender": p["sex"].lower(),
            "birth_date": p.get("birth_date"),
            "addresses": [(a.get("lines", []), a.get("city"), a.get("postal_code")) for a in p["addresses"]],
        }
    o = message["observation"]
    status = {v: k for k, v in FHIR.STATUS.items()}[o["status"]]
    return {
        "status": status,
        "code": o["code"],
        "value": o.get("value_numeric"),
        "unit": o.get("unit"),
        "text": o.get("value_text"),
    }


@pytest.mark.parametrize("name,doc", PASSING, ids=[n for n, _ in PASSING])
def test_vector_is_schema_valid_and_decodes_like_json(name, doc):
    wire = json.loads(doc["input"]["wire"]["text"])
    assert _errors(wire) == []
    message = doc["expected_output"]["message"]
    assert _values(wire) == _our_values(message)
    written = FHIR.translate_egress(copy.deepcopy(message))
    assert _errors(json.loads(written)) == []
    assert _values(json.loads(written)) == _values(wire)


@pytest.mark.parametrize("name,doc", EGRESS, ids=[n for n, _ in EGRESS])
def test_egress_output_is_schema_valid(name, doc):
    assert _errors(json.loads(doc["expected_output"]["wire"]["text"])) == []


@pytest.mark.parametrize("name,doc", FAILING, ids=[n for n, _ in FAILING])
def test_every_refusal_is_the_schemas_or_a_named_rule(name, doc):
    assert FHIR.ingress(copy.deepcopy(doc["input"])) == doc["expected_output"]
    if name in BEYOND_SCHEMA:
        return
    assert (
        _errors(json.loads(doc["input"]["wire"]["text"])) != []
    ), f"{name}: the schema accepts it but we refuse it, and no rule is named"


# --- generated corpus ------------------------------------------------------------------------------

TEXT = "AbcXyz éüß-'. 山田"


def _s(rng, n=12):
    return "".join(rng.choice(TEXT) for _ in range(rng.randint(1, n))).strip() or "x"


def _patient(rng, i):
    doc = {"resourceType": "Patient", "id": f"p{i}"}
    doc["identifier"] = [
        {"system": f"urn:oid:1.2.{rng.randint(1, 999)}", "value": f"{rng.randint(1, 10**9)}"}
        for _ in range(rng.randint(1, 3))
    ]
    if rng.random() < 0.5:
        doc["active"] = rng.random() < 0.5
    doc["name"] = [
        {"family": _s(rng), "given": [_s(rng) for _ in range(rng.randint(1, 2))]}
        for _ in range(rng.randint(1, 2))
    ]
    doc["gender"] = rng.choice(["male", "female", "other", "unknown"])
    doc["birthDate"] = f"{rng.randint(1900, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.5:
        doc["address"] = [
            {
                "line": [_s(rng, 30)],
                "city": _s(rng),
                "postalCode": str(rng.randint(10000, 99999)),
                "country": "DEU",
            }
        ]
    return doc


def _observation(rng, i):
    doc = {
        "resourceType": "Observation",
        "id": f"o{i}",
        "status": rng.choice(sorted(FHIR.STATUS)),
        "code": {
            "coding": [
                {
                    "system": "http://loinc.org",
                    "code": f"{rng.randint(1000, 99999)}-{rng.randint(0, 9)}",
                    "display": _s(rng),
                }
            ]
        },
        "subject": {"identifier": {"system": "urn:oid:1.2.3", "value": str(rng.randint(1, 10**6))}}
        if rng.random() < 0.5
        else {"reference": f"Patient/p{rng.randint(1, 999)}"},
        "effectiveDateTime": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00:00Z",
    }
    if rng.random() < 0.6:
        doc["valueQuantity"] = {
            "value": rng.choice([rng.randint(0, 500), round(rng.uniform(0, 500), 2)]),
            "unit": "mg/dL",
            "system": "http://unitsofmeasure.org",
            "code": "mg/dL",
        }
    else:
        doc["valueString"] = _s(rng, 40)
    return doc


def test_generated_corpus_against_the_fhir_schema():
    rng = random.Random(20260210)
    for i in range(200):
        resource = _patient(rng, i) if i % 2 else _observation(rng, i)
        assert _errors(resource) == [], resource
        wire = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
        message = FHIR.translate_ingress(wire.encode("utf-8"))
        assert _our_values(message) == _values(resource)
        assert FHIR.translate_egress(copy.deepcopy(message)).decode("utf-8") == wire
