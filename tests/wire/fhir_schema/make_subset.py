"""Write fhir-r4-patient-observation.schema.json: the Patient and Observation part of the FHIR R4
JSON schema (fhir.schema.json, "id": "http://hl7.org/fhir/json-schema/4.0").

    python3 make_subset.py PATH/TO/fhir.schema.json

Keeps every definition reachable from Patient and Observation, verbatim, and replaces only
`ResourceList` (the union of all 145 resources, reachable only through `contained`) with a
description, so the subset stays small. See SOURCE.md.
"""
import json
import sys


def refs(node, acc):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v.rsplit("/", 1)[-1])
            else:
                refs(v, acc)
    elif isinstance(node, list):
        for x in node:
            refs(x, acc)


full = json.load(open(sys.argv[1], encoding="utf-8"))
defs = full["definitions"]
seen, todo = set(), ["Patient", "Observation"]
while todo:
    name = todo.pop()
    if name in seen or name == "ResourceList":
        continue
    seen.add(name)
    acc = set()
    refs(defs[name], acc)
    todo.extend(sorted(acc))
subset = {
    "$schema": full["$schema"],
    "id": full["id"],
    "description": full["description"] + " (subset: Patient and Observation, see SOURCE.md)",
    "oneOf": [{"$ref": "#/definitions/Patient"}, {"$ref": "#/definitions/Observation"}],
    "definitions": dict(sorted({k: defs[k] for k in seen}.items())),
}
subset["definitions"]["ResourceList"] = {"description": "pruned from this subset: contained resources are not validated"}
with open("fhir-r4-patient-observation.schema.json", "w", encoding="utf-8") as f:
    json.dump(subset, f, indent=1, ensure_ascii=False, sort_keys=False)
    f.write("\n")
print(len(seen), "definitions")
