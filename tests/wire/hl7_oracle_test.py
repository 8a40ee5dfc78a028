"""Cross-check estream-wire-hl7's HL7 v2 adapter against the field's libraries, `hl7` and `hl7apy`.

Every golden vector of the `hl7-ingress` circuit and a seeded random corpus go through our
reference implementation (loaded by path from the package's `src/`) and through both libraries:

* `hl7` (python-hl7) splits the message into segments, fields, repetitions, components and
  subcomponents and unescapes each value: the result must equal our decoded `segments`.
* `hl7apy` parses the message and writes it back (`to_er7`): its text must equal our egress, so
  the bytes we emit are the bytes the field's serializer emits.
* For the random corpus the wire text itself is built with the `hl7` library's own escaper, so
  our egress must reproduce a message we did not write.

Known library differences, handled explicitly rather than hidden (each is counted):
* hl7apy 1.3.5 drops some trailing empty fields and components when it writes ER7 (HL7 treats
  them as absent) and strips spaces at the ends of values: both texts are compared with trailing
  empty parts and those spaces removed.
* hl7apy does not decode `\\Xhh\\` or the v2.7 `\\P\\` escape and escapes them again on output;
  vectors using them are not compared with hl7apy's text (the `hl7` library still checks them,
  except `\\P\\`, which it does not know either).
* hl7apy 1.3.5 writes the repetitions of a field that is not repeatable in its HL7 tables (or
  unknown, as in Z segments) back with the field separator, so hl7apy's text is compared on the
  half of the corpus generated without repetitions, in the versions hl7apy has tables for
  (the `hl7` library checks all of it).
* The `hl7` library escapes non-ASCII as Latin-1 `\\Xhh\\`, so the corpus is ASCII (the golden
  vectors carry UTF-8 text).
* The `hl7` library decodes `\\Xhh\\` bytes one character per byte (Latin-1); HL7 leaves the
  character set to MSH-18 and we decode UTF-8, so its result is re-decoded as UTF-8 bytes.
"""

import copy
import glob
import importlib.util
import json
import os
import random
import sys

import hl7
import pytest
from hl7apy import SUPPORTED_LIBRARIES
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

PKG = os.path.join("components", "estream-wire-hl7")
SRC = os.path.join(PKG, "src")


def _load(name):
    if SRC not in sys.path:
        sys.path.insert(0, SRC)
    spec = importlib.util.spec_from_file_location(name, os.path.join(SRC, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HL7 = _load("hl7_v2")


def _vectors(circuit):
    out = []
    for path in sorted(glob.glob(os.path.join(PKG, "tests", "golden", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc["test_vector"].get("circuit") == circuit:
            out.append((os.path.basename(path), doc))
    return out


INGRESS = _vectors("hl7-ingress")
PASSING = [(n, d) for n, d in INGRESS if "message" in d["expected_output"]]
FAILING = [(n, d) for n, d in INGRESS if "error" in d["expected_output"]]


# --- the hl7 library's view, normalized to our shape ---------------------------------------------


def _expand(node, levels):
    if levels == 0:
        return node
    if isinstance(node, str):
        return [_expand(node, levels - 1)]
    return [_expand(child, levels - 1) for child in node]


def _library_segments(text):
    """Segments as [id, fields] from the `hl7` library, values unescaped by it."""
    msg = hl7.parse(text)
    out = []
    for seg in msg:
        seg_id = str(seg[0])
        first = 3 if seg_id == "MSH" else 1
        fields = []
        for field in seg[first:]:
            reps = _expand(field, 3)
            if reps == [[[""]]]:
                fields.append([])
                continue
            fields.append([[[_unescape(msg, leaf) for leaf in comp] for comp in rep] for rep in reps])
        out.append({"id": seg_id, "fields": fields})
    return msg, out


def _unescape(msg, leaf):
    esc = msg.esc
    if esc not in leaf:
        return leaf
    value = msg.unescape(leaf)
    if esc + "X" in leaf:
        value = value.encode("latin-1").decode("utf-8")
    return value


def _uses(text, esc, letters):
    return any(esc + x in text for x in letters)


def _trim(parts):
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _without_trailing_delimiters(text, enc):
    """HL7 treats trailing empty fields, repetitions, components and subcomponents as absent;
    hl7apy drops some of them when it writes. Normalize both sides the same way."""
    fs, cs, rs, ss = enc["field"], enc["component"], enc["repetition"], enc["subcomponent"]
    out = []
    for line in text.split("\r"):
        if not line:
            continue
        head, fields = (
            (line[: 8 + 1], line[9:].split(fs)) if line.startswith("MSH") else (None, line.split(fs))
        )
        norm = []
        for field in fields:
            reps = [
                cs.join(_trim([ss.join(_trim([x.strip(" ") for x in c.split(ss)])) for c in r.split(cs)]))
                for r in field.split(rs)
            ]
            norm.append(rs.join(_trim(reps)))
        norm = fs.join(_trim(norm))
        out.append(head + norm if head else norm)
    return "\r".join(out)


def _wire(doc):
    return doc.get("canonical_wire", doc["input"]["wire"])["text"]


# --- golden vectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name,doc", PASSING, ids=[n for n, _ in PASSING])
def test_vector_decodes_like_the_hl7_library(name, doc):
    text = _wire(doc)
    ours = HL7.translate_ingress(text.encode("utf-8"))
    assert ours == doc["expected_output"]["message"]
    esc = ours["encoding"]["escape"]
    if _uses(text, esc, "P"):
        pytest.skip("the hl7 library does not know the v2.7 \\P\\ escape")
    msg, theirs = _library_segments(text)
    assert theirs == ours["segments"]
    assert msg.separators[:2] == "\r" + ours["encoding"]["field"]


@pytest.mark.parametrize("name,doc", PASSING, ids=[n for n, _ in PASSING])
def test_vector_egress_is_hl7apy_er7(name, doc):
    ours = HL7.translate_ingress(_wire(doc).encode("utf-8"))
    written = HL7.translate_egress(copy.deepcopy(ours)).decode("utf-8")
    assert written == _wire(doc)
    esc = ours["encoding"]["escape"]
    if _uses(written, esc, "XP"):
        pytest.skip("hl7apy 1.3.5 does not decode \\Xhh\\ or \\P\\ and escapes them again")
    theirs = parse_message(written, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT)
    enc = ours["encoding"]
    assert _without_trailing_delimiters(theirs.to_er7(), enc) == _without_trailing_delimiters(written, enc)
    # and hl7apy reads the same header values
    assert theirs.msh.msh_10.to_er7() == ours["control_id"]
    assert theirs.msh.msh_12.to_er7() == ours["version"]
    assert theirs.msh.msh_9.msh_9_1.to_er7() == ours["message_type"]


@pytest.mark.parametrize("name,doc", FAILING, ids=[n for n, _ in FAILING])
def test_error_vector_is_a_typed_error(name, doc):
    out = HL7.ingress(copy.deepcopy(doc["input"]))
    assert out == doc["expected_output"]
    with pytest.raises(HL7.Hl7Error):
        HL7.translate_ingress(doc["input"]["wire"]["text"].encode("utf-8"))


def test_patient_fields_agree_with_hl7apy():
    (doc,) = [d for n, d in PASSING if n == "hl7-adt-a01-admit.json"]
    text = _wire(doc)
    ours = HL7.translate_ingress(text.encode("utf-8"))["patient"]
    theirs = parse_message(text, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT)
    pid = theirs.pid
    assert [r.cx_1.to_er7() for r in pid.pid_3] == [i["value"] for i in ours["identifiers"]]
    assert [r.cx_4.to_er7() for r in pid.pid_3] == [i["system"] for i in ours["identifiers"]]
    assert pid.pid_5[0].xpn_1.to_er7() == ours["names"][0]["family"]
    assert pid.pid_5[0].xpn_2.to_er7() == ours["names"][0]["given"][0]
    assert pid.pid_7.to_er7() == ours["birth_date"].replace("-", "")
    assert pid.pid_11.xad_3.to_er7() == ours["addresses"][0]["city"]


# --- generated corpus -------------------------------------------------------------------------------

HL7APY_VERSIONS = set(SUPPORTED_LIBRARIES)
DELIMITER_POOL = "|^~\\&#$*!%@+;:?/<>="
ALPHABET = "ABCxyz0129 .,-_'\"()"  # ASCII: the hl7 library escapes non-ASCII as Latin-1 \\Xhh\\ (golden vectors cover UTF-8)


def _delimiters(rng):
    if rng.random() < 0.4:
        return "|", "^", "~", "\\", "&"
    return tuple(rng.sample(DELIMITER_POOL, 5))


def _leaf(rng, specials):
    n = rng.randint(0, 8)
    return "".join(
        rng.choice(ALPHABET + specials) if rng.random() < 0.8 else rng.choice(specials) for _ in range(n)
    )


def _field(rng, specials, max_reps):
    if rng.random() < 0.2:
        return []
    reps = [
        [[_leaf(rng, specials) for _ in range(rng.randint(1, 3))] for _ in range(rng.randint(1, 4))]
        for _ in range(rng.randint(1, max_reps))
    ]
    return [] if reps == [[[""]]] else reps


def _library_escape(msg, value):
    return msg.escape(value) if value else value


def _corpus(seed, count):
    rng = random.Random(seed)
    for i in range(count):
        fs, cs, rs, es, ss = _delimiters(rng)
        specials = fs + cs + rs + es + ss
        version = rng.choice(HL7.VERSIONS)
        header = f"MSH{fs}{cs}{rs}{es}{ss}{fs}APP{fs}FAC{fs}RCV{fs}FAC2{fs}20260210120000{fs}{fs}ADT{cs}A08{fs}C{i:05d}{fs}P{fs}{version}"
        lib = hl7.parse(header)
        max_reps = 1 if i % 2 == 0 else 3
        segments = []
        for _ in range(rng.randint(1, 5)):
            seg_id = rng.choice(["NTE", "ZXA", "ZB1"])
            # NTE has 4 fields in every version's tables; hl7apy drops empty fields past them.
            count = rng.randint(0, 4 if seg_id == "NTE" else 6)
            segments.append({"id": seg_id, "fields": [_field(rng, specials, max_reps) for _ in range(count)]})
        lines = [header]
        for seg in segments:
            parts = [seg["id"]]
            for field in seg["fields"]:
                parts.append(
                    rs.join(
                        cs.join(ss.join(_library_escape(lib, leaf) for leaf in comp) for comp in rep)
                        for rep in field
                    )
                )
            lines.append(fs.join(parts))
        # hl7.parse() strips whitespace at the end of the message: end on a fixed segment.
        lines.append(f"ZZZ{fs}END")
        segments.append({"id": "ZZZ", "fields": [[[["END"]]]]})
        yield "\r".join(lines) + "\r", segments, max_reps == 1


def test_generated_corpus_against_both_libraries():
    compared_hl7apy = 0
    for wire, segments, single in _corpus(seed=20260210, count=300):
        ours = HL7.translate_ingress(wire.encode("utf-8"))
        assert ours["segments"][1:] == segments, wire
        assert HL7.translate_egress(copy.deepcopy(ours)).decode("utf-8") == wire
        _, theirs = _library_segments(wire)
        assert theirs == ours["segments"], wire
        esc = ours["encoding"]["escape"]
        if single and not _uses(wire, esc, "XP") and ours["version"] in HL7APY_VERSIONS:
            er7 = parse_message(wire, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT).to_er7()
            enc = ours["encoding"]
            mine, theirs_text = (_without_trailing_delimiters(t, enc) for t in (wire, er7))
            assert theirs_text == mine, wire
            compared_hl7apy += 1
    assert compared_hl7apy >= 100
