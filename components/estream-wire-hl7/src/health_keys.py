"""Record keys shared by the HL7 v2 and FHIR adapters, so one patient gets one key in both.

`sha3_key(domain, *parts) = SHA3-256(domain 0x00 part1 0x00 part2 ...)` (UTF-8), hex.
`patient_key(system, value)` keys a patient by an identifier and the system that assigned it
(HL7 v2: PID-3 CX-4 assigning authority; FHIR: `identifier.system`). The key is a pseudonym, not
a secret: identifier spaces are small, so whoever knows the scheme can test a guessed identifier
against it. Deployments that must prevent that re-key records with a keyed hash downstream.
"""

import hashlib


def sha3_key(domain, *parts):
    h = hashlib.sha3_256(domain.encode("utf-8"))
    for part in parts:
        h.update(b"\x00" + part.encode("utf-8"))
    return h.hexdigest()


def patient_key(system, value):
    return sha3_key("estream.health.patient.v1", system or "", value)
