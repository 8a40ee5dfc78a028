"""Regenerate tests/golden/ of this package: python3 tools/make_golden.py (no dependencies).

The expected outputs come from the reference implementation in src/, after independent checks
(hash encodings and FIX framing are computed here, separately from the code under test), and every
error vector is asserted to land on its error port. Review the diff before committing.
"""
import json, os, sys, copy, hashlib
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
import lex_map as m
OUT = os.path.join(HERE, "..", "tests", "golden", "")
EMPTY = {"entries": {}, "root": m.state_root({})}
assert EMPTY["root"] == hashlib.sha3_256(b"estream.lex.state.v1\x00").hexdigest()
# independent encoding check for one entry
one = {"a": {"value": "1", "version": 1}}
assert m.state_root(one) == hashlib.sha3_256(b"estream.lex.state.v1\x00" + (1).to_bytes(4,"big") + b"a" + (1).to_bytes(8,"big") + b"\x00" + (1).to_bytes(4,"big") + b"1").hexdigest()
tests = []
FN = {"map_get": m.get, "map_put": m.put, "map_cas": m.cas, "map_gc": m.gc, "map_sync": m.sync}
def vec(name, circuit, desc, inputs, tags, error=None):
    out = FN[circuit](copy.deepcopy(inputs))
    if error:
        assert list(out) == [error], (name, out)
    else:
        assert not any(k.endswith(("_error", "_conflict")) for k in out), (name, out)
    doc = {"test_vector": {"name": name, "description": desc, "circuit": circuit, "version": "1.0.0"},
           "input": inputs, "expected_output": out, "metadata": {"tags": tags}}
    with open(OUT + name + ".json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False); f.write("\n")
    tests.append((name, tags, error))
    return out
s1 = vec("put-new-key", "map_put", "First write of a key gets version 1", {"state": EMPTY, "put": {"key": "temp", "value": "21.5", "now": 100}}, ["basic", "put"])["updated"]
s2 = vec("put-overwrite", "map_put", "Overwriting bumps the version", {"state": s1, "put": {"key": "temp", "value": "22.0", "now": 110}}, ["basic", "put"])["updated"]
s3 = vec("put-with-ttl", "map_put", "A TTL sets expires_at = now + ttl", {"state": s2, "put": {"key": "session", "value": "abc", "now": 120, "ttl_seconds": 30}}, ["put", "ttl"])["updated"]
bad = copy.deepcopy(s2); bad["entries"]["temp"]["value"] = "99"
vec("put-tampered-state", "map_put", "A state whose root does not match is refused", {"state": bad, "put": {"key": "x", "value": "y", "now": 1}}, ["put", "negative"], "put_error")
vec("put-empty-key", "map_put", "Keys must not be empty", {"state": s1, "put": {"key": "", "value": "y", "now": 1}}, ["put", "negative"], "put_error")
vec("cas-match", "map_cas", "CAS at the current version writes", {"state": s2, "cas": {"key": "temp", "value": "23.0", "expected_version": 2, "now": 130}}, ["basic", "cas"])
vec("cas-create", "map_cas", "expected_version 0 creates an absent key", {"state": s2, "cas": {"key": "door", "value": "open", "expected_version": 0, "now": 130}}, ["cas"])
vec("cas-stale-version", "map_cas", "CAS with a stale version is a conflict", {"state": s2, "cas": {"key": "temp", "value": "23.0", "expected_version": 1, "now": 130}}, ["cas", "negative"], "cas_conflict")
vec("cas-expired-counts-absent", "map_cas", "An expired key can be re-created with expected_version 0", {"state": s3, "cas": {"key": "session", "value": "new", "expected_version": 0, "now": 150}}, ["cas", "ttl"])
vec("get-hit", "map_get", "A live key reads its value and version", {"state": s2, "get": {"key": "temp", "now": 130}}, ["basic", "get"])
vec("get-absent", "map_get", "An absent key is not found, at version 0", {"state": s2, "get": {"key": "door", "now": 130}}, ["basic", "get"])
vec("get-with-ttl", "map_get", "Before its expiry a TTL entry reads with expires_at", {"state": s3, "get": {"key": "session", "now": 149}}, ["get", "ttl"])
vec("get-expired", "map_get", "At expires_at the key reads as absent, at version 0", {"state": s3, "get": {"key": "session", "now": 150}}, ["get", "ttl"])
vec("get-tampered-state", "map_get", "A state whose root does not match is refused", {"state": bad, "get": {"key": "temp", "now": 1}}, ["get", "negative"], "get_error")
vec("get-empty-key", "map_get", "Keys must not be empty", {"state": s1, "get": {"key": "", "now": 1}}, ["get", "negative"], "get_error")
vec("gc-nothing-expired", "map_gc", "Before the TTL nothing is removed", {"state": s3, "gc": {"now": 149}}, ["basic", "gc", "ttl"])
vec("gc-expired", "map_gc", "At expires_at the entry is removed", {"state": s3, "gc": {"now": 150}}, ["gc", "ttl"])
vec("sync-in-sync", "map_sync", "Equal roots: nothing to do", {"local": s2, "remote": s2}, ["basic", "sync"])
vec("sync-merge", "map_sync", "Newer versions win in both directions", {"local": s3, "remote": m.put({"state": s1, "put": {"key": "other", "value": "o", "now": 5}})["updated"]}, ["sync"])
fork = m.put({"state": s1, "put": {"key": "temp", "value": "-1", "now": 111}})["updated"]
vec("sync-conflict", "map_sync", "Same version, different values: conflict", {"local": s2, "remote": fork}, ["sync", "negative"], "sync_conflict")
with open(OUT + "manifest.toml", "w") as f:
    f.write('[test_suite]\nname = "lex-map-golden"\ncircuit = "map_put"\nversion = "1.0.0"\n')
    for name, tags, error in tests:
        f.write(f'\n[[tests]]\nfile = "{name}.json"\ntags = {json.dumps(tags)}\nexpected = "{"error" if error else "pass"}"\n')
        if error: f.write(f'expected_error = "{error}"\n')
print("ok", len(tests))
