"""The esf-health pack meets the spec's privacy rule for health data (marketplace spec §7.2):
every patient-identifying field is `encrypted` by default with explicit `provider` and `auditor`
grants, clinical content is never public by default, and the raw HL7 segments are protected like
identifying fields. Checked on the parsed schema files with the ESF validator's own model."""

from pathlib import Path

from estream.core.esf import parse_esf

HEALTH = Path("schemas/esf-health/schemas/health.esf.yaml")
HL7 = Path("components/estream-wire-hl7/schemas/hl7.esf.yaml")

IDENTIFYING = {
    "HealthIdentifier": ["value"],
    "HealthName": ["family", "given"],
    "HealthAddress": ["lines", "city", "state", "postal_code"],
    "HealthTelecom": ["value"],
    "HealthPatient": ["identifiers", "names", "telecoms", "birth_date", "addresses"],
    "HealthEncounter": ["patient_key", "visit_number"],
    "HealthObservation": ["patient_key"],
}
CLINICAL = {
    "HealthObservation": [
        "code",
        "display",
        "value_numeric",
        "value_text",
        "reference_range",
        "interpretation",
    ],
    "HealthEncounter": ["location"],
}


def _fields(path, schema):
    doc = parse_esf(path.read_text(encoding="utf-8"), str(path))
    return dict(doc.schemas[schema].fields)


def _grants(field):
    return dict(field.privacy.audiences)


def test_identifying_fields_are_encrypted_with_provider_and_auditor_grants():
    for schema, names in IDENTIFYING.items():
        fields = _fields(HEALTH, schema)
        for name in names:
            f = fields[name]
            assert f.privacy is not None, f"{schema}.{name} has no privacy"
            assert f.privacy.default_level == "encrypted", f"{schema}.{name}"
            assert _grants(f) == {"provider": "public", "auditor": "public"}, f"{schema}.{name}"


def test_clinical_content_is_encrypted_and_only_the_provider_reads_it():
    for schema, names in CLINICAL.items():
        fields = _fields(HEALTH, schema)
        for name in names:
            f = fields[name]
            assert f.privacy.default_level == "encrypted", f"{schema}.{name}"
            assert f.privacy.level_for("provider") == "public"
            assert f.privacy.level_for("auditor") == "hashed"
            assert f.privacy.level_for("anyone_else") == "encrypted"


def test_raw_hl7_segments_and_fhir_references_are_protected():
    assert _fields(HL7, "Hl7Message")["segments"].privacy.default_level == "encrypted"
    assert _grants(_fields(HL7, "Hl7Message")["segments"]) == {"provider": "public", "auditor": "public"}
    assert _fields(HL7, "FhirResource")["subject_reference"].privacy.default_level == "encrypted"


def test_every_public_field_is_a_key_or_metadata():
    allowed_public = {
        "patient_key",
        "encounter_key",
        "observation_key",
        "system",
        "type_code",
        "use",
        "country",
        "active",
        "sex",
        "patient_class",
        "attending_id",
        "admitted_at",
        "status",
        "code_system",
        "unit",
        "effective_at",
    }
    doc = parse_esf(HEALTH.read_text(encoding="utf-8"), str(HEALTH))
    for schema in doc.schemas.values():
        for f in schema.fields.values():
            if f.privacy is None:
                assert f.name in allowed_public, f"{schema.name}.{f.name} is public: justify it or protect it"
