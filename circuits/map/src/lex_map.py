"""Reference implementation of the lex state circuits: get, put, cas, gc, sync.

Pure functions over an explicit model: a versioned key-value map

    LexState = { entries: { key: { value: string, version: u64, expires_at?: u64 } }, root: bytes32 }

with a state root. `root` = SHA3-256 over the canonical encoding:

    b"estream.lex.state.v1\\x00"
    then, for each key in ascending order of its UTF-8 bytes:
      len(key) (4 bytes, big-endian) || key UTF-8
      || version (8 bytes, big-endian)
      || 0x01 || expires_at (8 bytes, big-endian)     if the entry has a TTL, else 0x00
      || len(value) (4 bytes, big-endian) || value UTF-8

Time is logical: callers pass `now` (seconds); an entry with `expires_at <= now` is expired. An
expired entry counts as absent for put and cas (its version still increases, so a version number
is never reused for a key) and is removed by gc. Every circuit verifies the root of the state it
is given (a state whose root does not match its entries is refused).
"""

import hashlib

DOMAIN = b"estream.lex.state.v1\x00"
MAX_KEY_CHARS = 256
MAX_VALUE_BYTES = 64 * 1024


def state_root(entries):
    h = hashlib.sha3_256(DOMAIN)
    for key in sorted(entries, key=lambda k: k.encode("utf-8")):
        e = entries[key]
        kb = key.encode("utf-8")
        vb = e["value"].encode("utf-8")
        h.update(len(kb).to_bytes(4, "big") + kb + e["version"].to_bytes(8, "big"))
        if e.get("expires_at") is not None:
            h.update(b"\x01" + e["expires_at"].to_bytes(8, "big"))
        else:
            h.update(b"\x00")
        h.update(len(vb).to_bytes(4, "big") + vb)
    return h.hexdigest()


def _error(port, code, message, key=None, **extra):
    err = {"code": code, "message": message}
    if key is not None:
        err["key"] = key
    err.update(extra)
    return {port: err}


def check_state(state, port, name="state"):
    if state_root(state["entries"]) != state["root"]:
        return _error(port, "BadRoot", f"{name}: root does not match its entries")
    return None


def check_kv(key, value, port):
    if not key or len(key) > MAX_KEY_CHARS:
        return _error(port, "BadKey", f"keys have 1 to {MAX_KEY_CHARS} characters", key)
    if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        return _error(port, "ValueTooLarge", f"values are limited to {MAX_VALUE_BYTES} bytes", key)
    return None


def _live(entry, now):
    return entry is not None and (entry.get("expires_at") is None or entry["expires_at"] > now)


def _write(state, key, value, ttl, now):
    entries = {k: dict(v) for k, v in state["entries"].items()}
    old = entries.get(key)
    version = (old["version"] if old else 0) + 1
    entry = {"value": value, "version": version}
    if ttl is not None:
        entry["expires_at"] = now + ttl
    entries[key] = entry
    root = state_root(entries)
    return {"entries": entries, "root": root}, {"key": key, "version": version, "root": root}


def get(inputs):
    """Ports: state, get -> entry | get_error. The live entry of a key: an absent or expired key
    is `found = false` at version 0 (the version a CAS that creates it expects)."""
    state, req = inputs["state"], inputs["get"]
    problem = check_state(state, "get_error") or check_kv(req["key"], "", "get_error")
    if problem:
        return problem
    current = state["entries"].get(req["key"])
    if not _live(current, req["now"]):
        return {"entry": {"key": req["key"], "found": False, "version": 0}}
    entry = {"key": req["key"], "found": True, "value": current["value"], "version": current["version"]}
    if current.get("expires_at") is not None:
        entry["expires_at"] = current["expires_at"]
    return {"entry": entry}


def put(inputs):
    """Ports: state, put -> updated, result | put_error. Unconditional write; version + 1."""
    state, req = inputs["state"], inputs["put"]
    problem = check_state(state, "put_error") or check_kv(req["key"], req["value"], "put_error")
    if problem:
        return problem
    new_state, result = _write(state, req["key"], req["value"], req.get("ttl_seconds"), req["now"])
    return {"updated": new_state, "result": result}


def cas(inputs):
    """Ports: state, cas -> updated, result | cas_conflict.

    Writes only if the key's live version equals expected_version (0: the key must be absent or
    expired)."""
    state, req = inputs["state"], inputs["cas"]
    problem = check_state(state, "cas_conflict") or check_kv(req["key"], req["value"], "cas_conflict")
    if problem:
        return problem
    current = state["entries"].get(req["key"])
    actual = current["version"] if _live(current, req["now"]) else 0
    if actual != req["expected_version"]:
        return _error(
            "cas_conflict",
            "VersionMismatch",
            f"expected version {req['expected_version']}, the key is at {actual}",
            req["key"],
            expected_version=req["expected_version"],
            actual_version=actual,
        )
    new_state, result = _write(state, req["key"], req["value"], req.get("ttl_seconds"), req["now"])
    return {"updated": new_state, "result": result}


def gc(inputs):
    """Ports: state, gc -> collected, report | gc_error. Removes entries with expires_at <= now."""
    state, now = inputs["state"], inputs["gc"]["now"]
    problem = check_state(state, "gc_error")
    if problem:
        return problem
    removed = sorted(k for k, e in state["entries"].items() if not _live(e, now))
    entries = {k: dict(e) for k, e in state["entries"].items() if k not in removed}
    root = state_root(entries)
    return {"collected": {"entries": entries, "root": root}, "report": {"removed": removed, "root": root}}


def sync(inputs):
    """Ports: local, remote -> merged, report | sync_conflict.

    Equal roots: nothing to do. Otherwise every key takes the entry with the higher version; the
    same version with different contents is a conflict (two writers without CAS)."""
    local, remote = inputs["local"], inputs["remote"]
    problem = check_state(local, "sync_conflict", "local") or check_state(remote, "sync_conflict", "remote")
    if problem:
        return problem
    if local["root"] == remote["root"]:
        return {"merged": local, "report": {"in_sync": True, "pulled": [], "pushed": [], "root": local["root"]}}
    merged = {}
    pulled, pushed = [], []
    for key in sorted(set(local["entries"]) | set(remote["entries"])):
        mine, theirs = local["entries"].get(key), remote["entries"].get(key)
        if mine is None or (theirs is not None and theirs["version"] > mine["version"]):
            merged[key] = dict(theirs)
            pulled.append(key)
        elif theirs is None or mine["version"] > theirs["version"]:
            merged[key] = dict(mine)
            pushed.append(key)
        elif mine != theirs:
            return _error("sync_conflict", "Conflict", f"version {mine['version']} differs between the replicas", key)
        else:
            merged[key] = dict(mine)
    root = state_root(merged)
    return {"merged": {"entries": merged, "root": root}, "report": {"in_sync": False, "pulled": pulled, "pushed": pushed, "root": root}}
