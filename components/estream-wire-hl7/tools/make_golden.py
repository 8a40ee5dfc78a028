"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The wire inputs below are written by hand; the expected outputs come from the reference
implementation in src/ and are reviewed before committing. They are not trusted on that basis
alone: tests/wire/hl7_oracle_test.py checks every vector against hl7apy and hl7 (HL7 v2) and
the JSON side against the standard library's json, independently of this code. This script also
asserts the round-trip rule of the wire-adapter contract: egress(ingress(wire)) == wire, or the
vector's `canonical_wire` (and ingress(canonical) == the same message).
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import fhir_r4  # noqa: E402
import hl7_v2  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "golden")
MODULES = {"hl7": hl7_v2, "fhir": fhir_r4}
tests = []


def write(name, desc, circuit, inputs, out, tags, canonical=None):
    doc = {
        "test_vector": {"name": name, "description": desc, "circuit": circuit, "version": "1.0.0"},
        "input": inputs,
        "expected_output": out,
    }
    if canonical is not None:
        doc["canonical_wire"] = {"text": canonical}
    doc["metadata"] = {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    tests.append((name, tags, "error" if "error" in out else "pass"))


def ingress(proto, name, desc, text, tags, code=None):
    mod = MODULES[proto]
    out = mod.ingress({"wire": {"text": text}})
    if code:
        assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
        write(name, desc, f"{proto}-ingress", {"wire": {"text": text}}, out, tags + ["error-handling"])
        return out
    assert list(out) == ["message"], (name, out)
    back = mod.egress(copy.deepcopy(out))
    assert list(back) == ["wire"], (name, back)
    canonical = back["wire"]["text"]
    if canonical != text:
        again = mod.ingress({"wire": {"text": canonical}})
        assert again == out, (name, "canonical form decodes differently")
        assert mod.egress(copy.deepcopy(again))["wire"]["text"] == canonical, name
    # The contract's automatic round trips cover the declared (HL7) pair only; the FHIR pair's
    # canonical form is pinned by explicit fhir-egress vectors instead.
    canonical_key = canonical if canonical != text and proto == "hl7" else None
    write(name, desc, f"{proto}-ingress", {"wire": {"text": text}}, out, tags, canonical_key)
    return out["message"]


def egress(proto, name, desc, message, tags, code=None):
    mod = MODULES[proto]
    out = mod.egress({"message": copy.deepcopy(message)})
    if code:
        assert list(out) == ["error"] and out["error"]["code"] == code, (name, out)
        tags = tags + ["error-handling"]
    else:
        assert list(out) == ["wire"], (name, out)
        assert mod.ingress({"wire": out["wire"]})["message"] == message, name
    write(name, desc, f"{proto}-egress", {"message": message}, out, tags)
    return out


CR = "\r"


def msg(*segments):
    return CR.join(segments) + CR


MSH_ADT = "MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00001|P|2.5.1"
PID = "PID|1||12345^^^GENHOSP^MR~999-99-9999^^^SSA^SS||DOE^JOHN^Q^^^^L~DOE^JACK^^^^^N||19800101|M|||1 MAIN ST^APT 2^SPRINGFIELD^IL^62701^USA^H||555-0100^PRN^PH~^NET^Internet^john.doe@example.org"
PV1 = "PV1|1|I|4W^401^A^GENHOSP||||1234^SMITH^JANE^^^DR|||MED||||||||||V0001|||||||||||||||||||||||||20260210115500"
ADT = msg(MSH_ADT, "EVN|A01|20260210120000", PID, PV1)
adt = ingress("hl7", "hl7-adt-a01-admit", "ADT^A01 admission: PID with repeating identifiers and names, PV1 inpatient", ADT, ["basic", "adt", "v2.5.1"])

ingress("hl7", "hl7-adt-a08-update-23", "ADT^A08 patient update in v2.3 (no message structure component), NK1 segment kept structurally",
        msg("MSH|^~\\&|REG|CLINIC|EHR|GENHOSP|202602101315||ADT^A08|MSG00002|P|2.3", "EVN|A08|202602101315",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN^Q||19800101|M|||2 OAK AVE^^SPRINGFIELD^IL^62702",
            "NK1|1|DOE^JANE|SPO^Spouse|2 OAK AVE^^SPRINGFIELD^IL^62702|555-0101",
            "PV1|1|O|CLINIC^12"), ["adt", "v2.3"])

ingress("hl7", "hl7-adt-a04-outpatient", "ADT^A04 registration, outpatient class, female, no admit time",
        msg("MSH|^~\\&|REG|CLINIC|EHR|GENHOSP|20260211083000||ADT^A04^ADT_A01|MSG00003|P|2.4",
            "PID|1||77001^^^CLINIC^MR||ROE^RICHARDA||19920315|F", "PV1|1|O|DERM^3"), ["adt", "v2.4"])

ORU = msg("MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210143000||ORU^R01^ORU_R01|MSG00010|P|2.5.1",
          "PID|1||12345^^^GENHOSP^MR||DOE^JOHN^Q||19800101|M",
          "OBR|1|ORD777|LAB777|58410-2^CBC panel^LN|||20260210130000",
          "OBX|1|NM|718-7^Hemoglobin^LN||14.2|g/dL^^UCUM|13.5-17.5|N|||F|||20260210133000",
          "OBX|2|NM|6690-2^Leukocytes^LN||11.8|10*3/uL^^UCUM|4.5-11.0|H|||F|||20260210133000",
          "OBX|3|NM|777-3^Platelets^LN||250|10*3/uL^^UCUM|150-400|N|||P|||20260210133000")
oru = ingress("hl7", "hl7-oru-r01-cbc", "ORU^R01 lab result: three numeric OBX with units, ranges, flags and statuses", ORU, ["basic", "oru", "v2.5.1"])

ingress("hl7", "hl7-oru-r01-text-escapes", "ORU^R01 text result using every delimiter escape: \\F\\ \\S\\ \\T\\ \\R\\ \\E\\",
        msg("MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210150000||ORU^R01^ORU_R01|MSG00011|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN",
            "OBX|1|TX|11526-1^Pathology study^LN||Margins \\F\\ clear\\S\\ grade 2\\T\\3\\R\\see note\\E\\A||||||F"), ["oru", "escapes"])

ingress("hl7", "hl7-escape-hex-control", "\\X0D0A\\ carries a line break inside a value (the canonical escape of control characters)",
        msg("MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210150500||ORU^R01^ORU_R01|MSG00012|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN",
            "OBX|1|FT|11526-1^Pathology study^LN||Line one\\X0D0A\\Line two||||||F"), ["oru", "escapes", "hex"])

ingress("hl7", "hl7-escape-hex-printable", "\\X41\\ decodes to A; egress writes the plain character (canonical_wire)",
        msg("MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210151000||ORU^R01^ORU_R01|MSG00013|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN",
            "OBX|1|ST|8251-1^Note^LN||Grade \\X41\\||||||F"), ["escapes", "hex", "canonical"])

CUSTOM = msg("MSH#$*!&#ADMIT#GENHOSP#EHR#GENHOSP#20260210120000##ADT$A01$ADT_A01#MSG00020#P#2.5.1",
             "PID#1##555$$$GENHOSP$MR*556$$$GENHOSP$PI##PEREZ$ANA##19750707#F#####555-0199 !F! ext 2",
             "PV1#1#E#ER$1")
custom = ingress("hl7", "hl7-custom-delimiters", "Custom delimiters: field #, component $, repetition *, escape !, subcomponent &",
                 CUSTOM, ["delimiters", "custom"])

ingress("hl7", "hl7-subcomponents", "PID-3 assigning authority as HD subcomponents (namespace&OID&ISO)",
        msg("MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00021|P|2.5.1",
            "PID|1||12345^^^GENHOSP&2.16.840.1.113883.19.5&ISO^MR||DOE^JOHN||19800101|M"), ["subcomponents"])

ingress("hl7", "hl7-truncation-char-27", "v2.7 MSH-2 with the truncation character #; a literal # is written \\P\\",
        msg("MSH|^~\\&#|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00022|P|2.7",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN||19800101|M|||Unit \\P\\4^^SPRINGFIELD^IL"), ["delimiters", "v2.7"])

ingress("hl7", "hl7-trailing-empty-fields", "Empty and trailing empty fields are kept, so the wire comes back byte for byte",
        msg("MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A08^ADT_A01|MSG00023|P|2.5.1||||",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN||||||||||", "ZPI|||custom^^^|"), ["empty-fields", "z-segment"])

ingress("hl7", "hl7-lf-segment-separators", "LF between segments (common after file transfer) is accepted; egress writes CR (canonical_wire)",
        "MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00024|P|2.5.1\nPID|1||12345^^^GENHOSP^MR||DOE^JOHN\n",
        ["framing", "canonical"])

ingress("hl7", "hl7-no-final-cr", "The last segment without its CR is accepted; egress ends every segment with CR (canonical_wire)",
        "MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00025|P|2.5.1\rPID|1||12345^^^GENHOSP^MR||DOE^JOHN",
        ["framing", "canonical"])

ingress("hl7", "hl7-unicode-names", "UTF-8 names and addresses (Müller, 山田) pass through unescaped",
        msg("MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00026|P|2.6||||||UNICODE UTF-8",
            "PID|1||8800^^^GENHOSP^MR||MÜLLER^JÜRGEN~山田^太郎||19650101|M|||Königstraße 5^^Stuttgart^^70173^DEU"), ["unicode", "v2.6"])

ingress("hl7", "hl7-timestamp-offset", "MSH-7 with fractional seconds and a +0100 offset becomes UTC",
        msg("MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210130000.1234+0100||ADT^A01^ADT_A01|MSG00027|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN"), ["timestamps"])

ingress("hl7", "hl7-ack-no-patient", "ACK: a message without PID has no health records, only structure",
        msg("MSH|^~\\&|EHR|GENHOSP|ADMIT|GENHOSP|20260210120001||ACK^A01^ACK|ACK00001|P|2.5.1", "MSA|AA|MSG00001"), ["ack"])

ingress("hl7", "hl7-explicit-null", "The HL7 null \"\" is a value, kept as the two-character string",
        msg("MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A08^ADT_A01|MSG00028|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN||\"\"|U"), ["null"])

ingress("hl7", "hl7-oru-coded-values", "OBX with CWE and SN value types map to value_text; corrected status",
        msg("MSH|^~\\&|LAB|GENHOSP|EHR|GENHOSP|20260210160000||ORU^R01^ORU_R01|MSG00029|P|2.5.1",
            "PID|1||12345^^^GENHOSP^MR||DOE^JOHN",
            "OBX|1|CWE|882-1^ABO+Rh group^LN||A+^A Rh positive^LOCAL||||||C",
            "OBX|2|SN|5196-1^HBsAg^LN||<^0.5|IU/mL||N|||F"), ["oru", "coded"])

# --- malformed and hostile ----------------------------------------------------------------------
E = "MSH|^~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01^ADT_A01|MSG00099|P|2.5.1"
ingress("hl7", "hl7-err-not-msh", "A message must start with MSH", msg("PID|1||12345^^^GENHOSP^MR"), ["negative"], "MalformedPacket")
ingress("hl7", "hl7-err-short-encoding", "MSH-2 with three encoding characters", msg("MSH|^~\\|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01|X1|P|2.5.1"), ["negative", "delimiters"], "MalformedPacket")
ingress("hl7", "hl7-err-duplicate-delimiters", "MSH-2 repeats a delimiter", msg("MSH|^^\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01|X2|P|2.5.1"), ["negative", "delimiters"], "MalformedPacket")
ingress("hl7", "hl7-err-alnum-delimiter", "A letter cannot be a delimiter", msg("MSH|A~\\&|ADMIT|GENHOSP|EHR|GENHOSP|20260210120000||ADT^A01|X3|P|2.5.1"), ["negative", "delimiters"], "MalformedPacket")
ingress("hl7", "hl7-err-unsupported-version", "MSH-12 = 3.0 is not an HL7 v2 version", msg(E.replace("|2.5.1", "|3.0"), "PID|1||1^^^H^MR"), ["negative", "version"], "UnsupportedVersion")
ingress("hl7", "hl7-err-unterminated-escape", "An escape sequence without its closing escape character", msg(E, "PID|1||12345^^^GENHOSP^MR||DOE\\F"), ["negative", "escapes"], "MalformedPacket")
ingress("hl7", "hl7-err-formatting-escape", "\\H\\ (highlighting) is refused, not passed through", msg(E, "PID|1||12345^^^GENHOSP^MR||\\H\\DOE\\N\\"), ["negative", "escapes"], "UnsupportedEscape")
ingress("hl7", "hl7-err-odd-hex-escape", "\\X4\\ has an odd number of hex digits", msg(E, "PID|1||12345^^^GENHOSP^MR||DOE\\X4\\"), ["negative", "escapes"], "MalformedPacket")
ingress("hl7", "hl7-err-hex-not-utf8", "\\XFF\\ does not decode as UTF-8", msg(E, "PID|1||12345^^^GENHOSP^MR||DOE\\XFF\\"), ["negative", "escapes"], "MalformedPacket")
ingress("hl7", "hl7-err-hex-nul", "\\X00\\ smuggles a NUL into a value", msg(E, "PID|1||12345^^^GENHOSP^MR||DOE\\X00\\"), ["hostile", "escapes"], "HostileInput")
ingress("hl7", "hl7-err-nul-byte", "A raw NUL in the text", msg(E, "PID|1||12345\x00^^^GENHOSP^MR"), ["hostile"], "HostileInput")
ingress("hl7", "hl7-err-mllp-frame", "MLLP start/end bytes left on the message", "\x0b" + msg(E, "PID|1||1^^^H^MR") + "\x1c\r", ["hostile", "framing"], "HostileInput")
ingress("hl7", "hl7-err-bad-sex", "PID-8 administrative sex Z", msg(E, "PID|1||12345^^^GENHOSP^MR||DOE^JOHN||19800101|Z"), ["negative", "values"], "InvalidValue")
ingress("hl7", "hl7-err-missing-control-id", "MSH-10 message control id is empty", msg(E.replace("|MSG00099|", "||"), "PID|1||1^^^H^MR"), ["negative"], "MissingField")
ingress("hl7", "hl7-err-bad-timestamp", "MSH-7 month 13", msg(E.replace("20260210120000", "20261310120000")), ["negative", "timestamps"], "InvalidValue")
ingress("hl7", "hl7-err-nm-not-number", "OBX-2 = NM but OBX-5 is text", msg(E.replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"), "PID|1||12345^^^GENHOSP^MR", "OBX|1|NM|718-7^Hemoglobin^LN||high|g/dL"), ["negative", "values"], "InvalidValue")
ingress("hl7", "hl7-err-obx-without-pid", "Observations without a patient", msg(E.replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"), "OBX|1|NM|718-7^Hemoglobin^LN||14.2|g/dL"), ["negative"], "MissingField")
ingress("hl7", "hl7-err-bad-segment-id", "A lower-case segment id", msg(E, "pid|1||12345^^^GENHOSP^MR"), ["negative"], "MalformedPacket")
ingress("hl7", "hl7-err-batch", "A second MSH (batches are one message per wire unit)", msg(E, "PID|1||1^^^H^MR", E), ["negative"], "MalformedPacket")
ingress("hl7", "hl7-err-too-many-segments", "10 001 segments exceed the segment limit", msg(E, *(["NTE|1"] * 10001)), ["hostile", "limits"], "LimitExceeded")

# --- egress --------------------------------------------------------------------------------------
egress("hl7", "hl7-egress-adt-a01", "Egress of the admission gives the wire text back", adt, ["egress", "adt"])
egress("hl7", "hl7-egress-custom-delimiters", "Egress keeps the message's own delimiters and escapes with them", custom["message"] if "message" in custom else custom, ["egress", "delimiters"])
edited = copy.deepcopy(adt)
edited["segments"][2]["fields"][4][0][0][0] = "DOE|SMITH"
edited["patient"]["names"][0]["family"] = "DOE|SMITH"
egress("hl7", "hl7-egress-escapes-delimiters", "A value holding the field separator is written \\F\\", edited, ["egress", "escapes"])
bad = copy.deepcopy(adt)
bad["patient"]["names"][0]["family"] = "ROE"
egress("hl7", "hl7-egress-err-inconsistent", "patient edited without the segments: refused, never silently dropped", bad, ["egress", "negative"], "InconsistentMessage")
bad = copy.deepcopy(adt)
bad["encoding"]["component"] = "A"
egress("hl7", "hl7-egress-err-alnum-delimiter", "A letter as component separator cannot be written", bad, ["egress", "negative"], "MalformedPacket")
bad = copy.deepcopy(adt)
bad["segments"] = bad["segments"][1:]
egress("hl7", "hl7-egress-err-no-msh", "Segments must start with MSH", bad, ["egress", "negative"], "InvalidValue")

# --- FHIR R4 -------------------------------------------------------------------------------------
def j(doc):
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


PATIENT = {"resourceType": "Patient", "id": "pat-1", "identifier": [{"use": "usual", "system": "GENHOSP", "value": "12345"}],
           "active": True, "name": [{"use": "official", "family": "Doe", "given": ["John", "Q"]}], "gender": "male", "birthDate": "1980-01-01"}
fp = ingress("fhir", "fhir-patient-basic", "FHIR R4 Patient keyed like the HL7 PID-3 identifier (same patient_key)", j(PATIENT), ["basic", "fhir", "patient"])
FULL = {"resourceType": "Patient", "id": "pat-2",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": "77001"}, {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-88-7777"}],
        "name": [{"use": "official", "family": "Roe", "given": ["Richarda"]}, {"use": "nickname", "given": ["Rica"]}],
        "telecom": [{"system": "phone", "value": "555-0199", "use": "home"}, {"system": "email", "value": "rica@example.org"}],
        "gender": "female", "birthDate": "1992-03-15",
        "address": [{"use": "home", "line": ["3 Elm St", "Apt 4"], "city": "Springfield", "state": "IL", "postalCode": "62703", "country": "USA"}]}
ingress("fhir", "fhir-patient-full", "Patient with telecoms, two names and an address", j(FULL), ["fhir", "patient"])
fpretty = ingress("fhir", "fhir-patient-pretty", "Pretty-printed JSON in another key order: egress writes the canonical form (fhir-egress-pretty-canonical)",
        json.dumps({"gender": "male", "resourceType": "Patient", "identifier": [{"value": "12345", "system": "GENHOSP"}]}, indent=2),
        ["fhir", "patient", "canonical"])
ingress("fhir", "fhir-patient-no-gender", "No gender: sex Unknown, written back as gender unknown",
        j({"resourceType": "Patient", "identifier": [{"system": "GENHOSP", "value": "12346"}]}), ["fhir", "patient", "canonical"])
OBS = {"resourceType": "Observation", "id": "obs-1", "status": "final",
       "code": {"coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"}]},
       "subject": {"identifier": {"system": "GENHOSP", "value": "12345"}}, "effectiveDateTime": "2026-02-10T13:30:00Z",
       "valueQuantity": {"value": 14.2, "unit": "g/dL", "system": "http://unitsofmeasure.org", "code": "g/dL"},
       "interpretation": [{"coding": [{"code": "N"}]}], "referenceRange": [{"text": "13.5-17.5"}]}
fo = ingress("fhir", "fhir-observation-quantity", "Observation with a UCUM quantity; subject by identifier joins the HL7 patient", j(OBS), ["basic", "fhir", "observation"])
ingress("fhir", "fhir-observation-string-reference", "Observation with valueString and a literal subject reference",
        j({"resourceType": "Observation", "id": "obs-2", "status": "preliminary", "code": {"coding": [{"system": "http://loinc.org", "code": "8251-1"}]},
           "subject": {"reference": "Patient/pat-2"}, "valueString": "Feeling better, «sleeps» well"}), ["fhir", "observation", "unicode"])
ingress("fhir", "fhir-observation-offset-time", "effectiveDateTime with +02:00 becomes UTC",
        j({"resourceType": "Observation", "id": "obs-3", "status": "amended", "code": {"coding": [{"code": "8867-4", "display": "Heart rate"}]},
           "subject": {"identifier": {"system": "GENHOSP", "value": "12345"}}, "effectiveDateTime": "2026-02-10T15:30:00.25+02:00",
           "valueQuantity": {"value": 72, "unit": "/min"}}), ["fhir", "observation", "timestamps", "canonical"])

ingress("fhir", "fhir-err-unsupported-resource", "Encounter is not supported by this adapter", j({"resourceType": "Encounter", "id": "e1"}), ["fhir", "negative"], "UnsupportedElement")
ingress("fhir", "fhir-err-unknown-element", "meta would be dropped: refused with its path", j(dict(PATIENT, meta={"versionId": "1"})), ["fhir", "negative"], "UnsupportedElement")
ingress("fhir", "fhir-err-duplicate-key", "Two gender keys: parsers disagree on which wins", '{"resourceType":"Patient","id":"p","gender":"male","gender":"female"}', ["fhir", "hostile"], "HostileInput")
ingress("fhir", "fhir-err-deep-nesting", "Nesting 40 deep", '{"resourceType":"Patient","name":' + "[" * 40 + "]" * 40 + "}", ["fhir", "hostile", "limits"], "LimitExceeded")
ingress("fhir", "fhir-err-invalid-json", "Truncated JSON", '{"resourceType":"Patient","id":"p1"', ["fhir", "negative"], "MalformedPacket")
ingress("fhir", "fhir-err-nan", "NaN is not JSON", '{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"code":"1"}]},"subject":{"reference":"Patient/1"},"valueQuantity":{"value":NaN}}', ["fhir", "hostile"], "MalformedPacket")
ingress("fhir", "fhir-err-bad-gender", "gender M is not a FHIR code", j(dict(PATIENT, gender="M")), ["fhir", "negative"], "InvalidValue")
ingress("fhir", "fhir-err-empty-array", "FHIR forbids empty arrays", j(dict(PATIENT, name=[])), ["fhir", "negative"], "InvalidValue")
ingress("fhir", "fhir-err-missing-status", "Observation without status", j({k: v for k, v in OBS.items() if k != "status"}), ["fhir", "negative"], "MissingField")
ingress("fhir", "fhir-err-huge-integer", "A 400-digit integer", '{"resourceType":"Observation","valueQuantity":{"value":' + "9" * 400 + "}}", ["fhir", "hostile", "limits"], "LimitExceeded")

egress("fhir", "fhir-egress-patient", "Egress of the Patient gives the canonical JSON", fp, ["fhir", "egress"])
egress("fhir", "fhir-egress-pretty-canonical", "The pretty-printed Patient's message is written in canonical form", fpretty, ["fhir", "egress", "canonical"])
egress("fhir", "fhir-egress-observation", "Egress of the Observation gives the canonical JSON", fo, ["fhir", "egress"])
forged = copy.deepcopy(fp)
forged["patient"]["patient_key"] = "00" * 32
egress("fhir", "fhir-egress-err-forged-key", "A patient_key that is not the identifier's is refused", forged, ["fhir", "egress", "negative"], "InconsistentMessage")

with open(os.path.join(OUT, "manifest.toml"), "w") as f:
    f.write('[test_suite]\nname = "estream-wire-hl7-golden"\ncircuit = "hl7-ingress"\nversion = "1.0.0"\nfloat_tolerance = 1e-9\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error":
            f.write('expected_error = "error"\n')
errors = sum(1 for t in tests if t[2] == "error")
print(f"{len(tests)} vectors, {errors} error vectors")
