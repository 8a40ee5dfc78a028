"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

Expected outputs come from the CPU reference in src/, checked here against an independent
bit-serial CRC-32 (the algorithm the RTL implements, not zlib) and against the error port each
negative vector must land on. Review the diff before committing.
"""
import copy
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import queue_append as q  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "golden")


def bitwise_crc_bytes(data):
    crc = 0xFFFFFFFF
    for byte in data:
        for i in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if (crc ^ (byte >> i)) & 1 else 0)
    return crc ^ 0xFFFFFFFF


def bitwise_crc(entries):
    return bitwise_crc_bytes(b"".join(e.to_bytes(4, "little") for e in entries))


def state(entries):
    return {"entries": list(entries), "witness": bitwise_crc(entries)}


# The CRC-32 check value (IEEE 802.3 / zlib), and the byte order of an entry.
assert bitwise_crc_bytes(b"123456789") == 0xCBF43926 and bitwise_crc([]) == 0
assert bitwise_crc([0x64636261]) == bitwise_crc_bytes(b"abcd")
rng = random.Random(20260210)
EMPTY = state([])
FEW = [0x00000001, 0xDEADBEEF, 0x80000000]
NEARLY_FULL = [rng.getrandbits(32) for _ in range(q.CAPACITY - 2)]
tests = []


def vec(name, desc, inputs, tags, error=None):
    out = q.append(copy.deepcopy(inputs))
    if error:
        assert list(out) == ["append_error"] and out["append_error"]["code"] == error, (name, out)
    else:
        entries = inputs["queue"]["entries"] + inputs["batch"]["entries"]
        assert out["appended"] == state(entries), name
        assert [a["seq"] for a in out["acks"]["acks"]] == list(range(len(inputs["queue"]["entries"]), len(entries)))
        for a in out["acks"]["acks"]:
            assert a["witness"] == bitwise_crc(entries[: a["seq"] + 1]), name
    doc = {
        "test_vector": {"name": name, "description": desc, "circuit": "queue_append_pipeline", "version": "1.0.0"},
        "input": inputs,
        "expected_output": out,
        "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    tests.append((name, tags, "error" if error else "pass"))


vec("append-one", "One entry into an empty queue: seq 0, witness = CRC-32 of its 4 bytes", {"queue": EMPTY, "batch": {"entries": [0x64636261]}}, ["basic"])
vec("append-batch", "Three entries: seq 0..2, each ack's witness covers the prefix", {"queue": EMPTY, "batch": {"entries": FEW}}, ["basic"])
vec("append-continues", "A stored queue is continued: seq and witness pick up where it stopped", {"queue": state(FEW), "batch": {"entries": [0x12345678, 0]}}, ["basic", "state"])
vec("append-extremes", "All-zero and all-one entries, and bytes in little-endian order", {"queue": EMPTY, "batch": {"entries": [0, 0xFFFFFFFF, 0x000000FF, 0xFF000000]}}, ["edge"])
vec("append-empty-batch", "An empty batch changes nothing and acks nothing", {"queue": state(FEW), "batch": {"entries": []}}, ["edge"])
vec("append-to-capacity", "The last two slots of block RAM fill; the queue is then full", {"queue": state(NEARLY_FULL), "batch": {"entries": [7, 8]}}, ["capacity"])
vec("append-queue-full", "Three entries where two fit: QueueFull, and how many would be accepted", {"queue": state(NEARLY_FULL), "batch": {"entries": [7, 8, 9]}}, ["capacity", "negative"], "QueueFull")
bad = state(FEW)
bad["witness"] ^= 0x00010000
vec("append-witness-mismatch", "A stored queue whose witness does not match its entries is refused", {"queue": bad, "batch": {"entries": [1]}}, ["negative"], "WitnessMismatch")
vec("append-overfull", "A stored queue larger than the block RAM is refused", {"queue": state(NEARLY_FULL + [1, 2, 3]), "batch": {"entries": [4]}}, ["capacity", "negative"], "Overfull")

with open(os.path.join(OUT, "manifest.toml"), "w") as f:
    f.write('[test_suite]\nname = "queue-append-golden"\ncircuit = "queue_append_pipeline"\nversion = "1.0.0"\n')
    for name, tags, expected in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if expected == "error":
            f.write('expected_error = "append_error"\n')
print("ok", len(tests))
