"""RTL codec of `map_get`, `map_put` and `map_cas`: golden-vector ports <-> the testbench's
operations.

Used by the RTL vector run (`implementation.rtl` in circuits/get.circuit.yaml, put.circuit.yaml
and cas.circuit.yaml): `encode` turns a vector's input ports into stimulus operations for
`rtl/lex_map_vectors_tb.v` (whose header documents them), `decode` turns the testbench's
responses back into output ports, compared with the vector's expected output exactly like the
CPU reference's.

What the hardware does: the map itself. The stored state is replayed into the register map
(LOAD), the write is one PUT or CAS (the CAM lookup, version + 1, the TTL's expiry and the CAS
comparison against the live version all happen in the design), the new entry is read back with a
GET, and the whole map is read out slot by slot; the updated entries come from that read-out.
A `map_get` is one GET on the loaded map: the lookup and the TTL check against `now` are the
design's, and its answer (hit, value, live version, expiry) is the output entry.

What stays on the CPU, said plainly: the SHA3-256 state root (the design has no hash core; the
root of the given state is checked and the new one computed here with the reference's own
`state_root`), the key/value validity checks, and the strings themselves: each distinct key and
value of one operation gets an 8-bit handle. Capacity of the design: CAPACITY (8) entries,
32-bit versions and logical times; a vector beyond that fails with a message saying so.
"""

from lex_map import check_kv, check_state, state_root

#: Slots of `lex_map_cam` as `lex_map_top` instantiates it.
CAPACITY = 8
#: The operations the testbench times (its `T` lines), by the stimulus letter.
OPERATIONS = {"P": "map.put", "C": "map.cas", "G": "map.get"}
_WORD = 1 << 32
_HAS_TTL = 1 << 32


class CodecError(Exception):
    """The responses do not follow the protocol, or the vector is beyond the design's capacity."""


def _request(inputs):
    if "get" in inputs:
        return "get", inputs["get"], "get_error"
    if "put" in inputs:
        return "put", inputs["put"], "put_error"
    return "cas", inputs["cas"], "cas_conflict"


def _handles(values):
    ordered = sorted(set(values), key=lambda s: s.encode("utf-8"))
    if len(ordered) > 255:
        raise CodecError("more than 255 distinct keys or values in one vector (8-bit handles)")
    return {s: i + 1 for i, s in enumerate(ordered)}


def _word(value, what):
    if not 0 <= value < _WORD:
        raise CodecError("%s %d does not fit the design's 32 bits" % (what, value))
    return value


def _tables(inputs):
    kind, req, _ = _request(inputs)
    entries = inputs["state"]["entries"]
    keys = _handles(list(entries) + [req["key"]])
    values = _handles([e["value"] for e in entries.values()] + ([] if kind == "get" else [req["value"]]))
    return kind, req, entries, keys, values


def _problem(inputs):
    kind, req, port = _request(inputs)
    return check_state(inputs["state"], port) or check_kv(req["key"], req.get("value", ""), port)


def encode(inputs):
    if _problem(inputs):
        return []  # refused before the map is touched, like the CPU reference
    kind, req, entries, keys, values = _tables(inputs)
    if len(entries) > CAPACITY:
        raise CodecError("the state has %d entries; the RTL map holds %d" % (len(entries), CAPACITY))
    ops = []
    for key, entry in entries.items():
        expiry = entry.get("expires_at")
        ops += [("K", keys[key]), ("U", values[entry["value"]]), ("E", _word(entry["version"], "version")),
                ("X", 0 if expiry is None else _HAS_TTL | _word(expiry, "expires_at")), ("L", 0)]
    if kind == "get":
        return ops + [("K", keys[req["key"]]), ("N", _word(req["now"], "now")), ("G", 0)]
    ttl = req.get("ttl_seconds")
    now = _word(req["now"], "now")
    if ttl is not None:
        _word(now + ttl, "now + ttl_seconds")
    ops += [("K", keys[req["key"]]), ("U", values[req["value"]]), ("N", now),
            ("X", 0 if ttl is None else _HAS_TTL | ttl)]
    if kind == "cas":
        ops += [("E", _word(req["expected_version"], "expected_version")), ("C", 0)]
    else:
        ops.append(("P", 0))
    ops.append(("G", 0))
    for slot in range(CAPACITY):
        ops += [("S", slot), ("D", 0)]
    return ops


def _response(responses, what):
    if not responses or responses[0][0] != "R" or len(responses[0][1]) != 8:
        found = " ".join([responses[0][0]] + ["%x" % v for v in responses[0][1]]) if responses else "the end"
        raise CodecError("expected %s (`R` and 8 fields), found `%s`" % (what, found))
    ok, full, hit, has_ttl, key, value, version, expires = responses.pop(0)[1]
    return {"ok": ok, "full": full, "hit": hit, "has_ttl": has_ttl, "key": key, "value": value,
            "version": version, "expires": expires}


def decode(inputs, responses):
    problem = _problem(inputs)
    if problem:
        if responses:
            raise CodecError("responses to a refused request: %r" % (responses[:3],))
        return problem
    responses = list(responses)
    kind, req, entries, keys, values = _tables(inputs)
    key_of = {h: k for k, h in keys.items()}
    value_of = {h: v for v, h in values.items()}
    for key in entries:
        if not _response(responses, "the load of `%s`" % key)["ok"]:
            raise CodecError("the map refused the stored entry `%s` (full)" % key)
    if kind == "get":
        return {"entry": _get_answer(req["key"], _response(responses, "the GET's answer"), value_of, responses)}
    write = _response(responses, "the %s's answer" % kind)
    read = _response(responses, "the read-back GET")
    out = {}
    for slot in range(CAPACITY):
        r = _response(responses, "slot %d" % slot)
        if r["hit"]:
            entry = {"value": value_of[r["value"]], "version": r["version"]}
            if r["has_ttl"]:
                entry["expires_at"] = r["expires"]
            out[key_of[r["key"]]] = entry
    if responses:
        raise CodecError("unexpected responses after the read-out: %r" % (responses[:3],))
    port = "put_error" if kind == "put" else "cas_conflict"
    if write["full"]:
        raise CodecError("the map is full (%d entries): the RTL map holds %d" % (len(entries), CAPACITY))
    if not write["ok"]:
        expected, actual = req["expected_version"], write["version"]
        return {port: {"code": "VersionMismatch", "message": "expected version %d, the key is at %d" % (expected, actual),
                       "key": req["key"], "expected_version": expected, "actual_version": actual}}
    written = out.get(req["key"])
    if written is None or written["version"] != write["version"]:
        raise CodecError("the read-out does not hold the written version %d of `%s`" % (write["version"], req["key"]))
    live = read["hit"] and (written.get("expires_at") is None or written["expires_at"] > req["now"])
    if bool(read["hit"]) != bool(live) or (read["hit"] and (read["version"], value_of.get(read["value"])) != (written["version"], written["value"])):
        raise CodecError("the read-back GET (hit %d, version %d) disagrees with the read-out" % (read["hit"], read["version"]))
    root = state_root(out)
    return {"updated": {"entries": out, "root": root}, "result": {"key": req["key"], "version": write["version"], "root": root}}


def _get_answer(key, r, value_of, rest):
    if rest:
        raise CodecError("unexpected responses after the GET: %r" % (rest[:3],))
    if not r["hit"]:
        if r["version"] != 0:
            raise CodecError("the GET missed but answered version %d (expected 0)" % r["version"])
        return {"key": key, "found": False, "version": 0}
    if r["value"] not in value_of:
        raise CodecError("the GET answered value handle %d, which no stored entry has" % r["value"])
    entry = {"key": key, "found": True, "value": value_of[r["value"]], "version": r["version"]}
    if r["has_ttl"]:
        entry["expires_at"] = r["expires"]
    return entry
