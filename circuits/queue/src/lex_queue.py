"""Reference implementation of the lex stream circuits: append, compact, replicate.

Pure functions over an explicit model (no I/O, no clock): each takes the circuit's input ports as a
dict and returns the output ports, or exactly one error port (`*_error`) for a bad input.

Hash chain. A record's `hash` is SHA3-256 over its canonical bytes:

    b"estream.lex.stream.v1\\x00"
    || seq as 8 bytes, big-endian
    || prev_hash as 32 raw bytes
    || len(payload_utf8) as 4 bytes, big-endian
    || payload encoded as UTF-8

`prev_hash` of the first record ever appended is 32 zero bytes; `head_hash` of a stream is the
hash of the last record ever appended (32 zero bytes for a new stream). A stream is valid when its
records have consecutive `seq`, each record's `prev_hash` equals the previous record's `hash`, each
`hash` is recomputed equal, and `head_hash` is the last record's hash. After compaction the first
retained record's `prev_hash` is the anchor: the removed prefix is witnessed, not kept.
"""

import hashlib

ZERO_HASH = "0" * 64
DOMAIN = b"estream.lex.stream.v1\x00"
MAX_PAYLOAD_BYTES = 64 * 1024


def entry_hash(seq, prev_hash, payload):
    data = payload.encode("utf-8")
    h = hashlib.sha3_256()
    h.update(DOMAIN)
    h.update(seq.to_bytes(8, "big"))
    h.update(bytes.fromhex(prev_hash))
    h.update(len(data).to_bytes(4, "big"))
    h.update(data)
    return h.hexdigest()


def _error(port, code, message, seq=None):
    err = {"code": code, "message": message}
    if seq is not None:
        err["seq"] = seq
    return {port: err}


def verify_stream(stream):
    """None if `stream` is a valid (possibly compacted) chain, else (code, message, seq)."""
    entries = stream["entries"]
    for i, entry in enumerate(entries):
        if i > 0:
            prev = entries[i - 1]
            if entry["seq"] != prev["seq"] + 1:
                return ("BrokenChain", f"seq {entry['seq']} follows seq {prev['seq']}", entry["seq"])
            if entry["prev_hash"] != prev["hash"]:
                return ("BrokenChain", f"record {entry['seq']} does not link to record {prev['seq']}", entry["seq"])
        elif entry["seq"] < 1:
            return ("BrokenChain", "sequence numbers start at 1", entry["seq"])
        elif entry["seq"] == 1 and entry["prev_hash"] != ZERO_HASH:
            return ("BrokenChain", "the first record must have an all-zero prev_hash", 1)
        if entry_hash(entry["seq"], entry["prev_hash"], entry["payload"]) != entry["hash"]:
            return ("BrokenChain", f"record {entry['seq']} does not hash to its recorded hash", entry["seq"])
    expected_head = entries[-1]["hash"] if entries else None
    if expected_head is not None and stream["head_hash"] != expected_head:
        return ("BadHead", "head_hash is not the hash of the last record", None)
    return None


def _next_seq(stream):
    entries = stream["entries"]
    if entries:
        return entries[-1]["seq"] + 1
    return 1 if stream["head_hash"] == ZERO_HASH else None


def append(inputs):
    """Ports: stream, record -> appended, receipt | append_error."""
    stream = inputs["stream"]
    payload = inputs["record"]["payload"]
    problem = verify_stream(stream)
    if problem:
        return _error("append_error", *problem)
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        return _error("append_error", "PayloadTooLarge", f"payloads are limited to {MAX_PAYLOAD_BYTES} bytes")
    seq = _next_seq(stream)
    if seq is None:
        return _error("append_error", "BadHead", "a stream compacted to nothing cannot be appended to without its last record")
    prev = stream["head_hash"]
    digest = entry_hash(seq, prev, payload)
    entries = list(stream["entries"]) + [{"seq": seq, "payload": payload, "prev_hash": prev, "hash": digest}]
    return {
        "appended": {"entries": entries, "head_hash": digest},
        "receipt": {"seq": seq, "hash": digest, "prev_hash": prev},
    }


def compact(inputs):
    """Ports: stream, request -> compacted, witness | compact_error.

    Drops the records with seq < retain_from_seq. The last record is always retained so that the
    stream can still be appended to; the witness lets a verifier check the prefix was a chain."""
    stream = inputs["stream"]
    keep_from = inputs["request"]["retain_from_seq"]
    problem = verify_stream(stream)
    if problem:
        return _error("compact_error", *problem)
    entries = stream["entries"]
    if not entries:
        return _error("compact_error", "BadCompaction", "the stream has no records to compact")
    last = entries[-1]["seq"]
    if keep_from > last:
        return _error("compact_error", "BadCompaction", f"retain_from_seq {keep_from} would drop the last record (seq {last})", keep_from)
    removed = [e for e in entries if e["seq"] < keep_from]
    kept = [e for e in entries if e["seq"] >= keep_from]
    h = hashlib.sha3_256(b"estream.lex.compaction.v1\x00")
    for e in removed:
        h.update(bytes.fromhex(e["hash"]))
    return {
        "compacted": {"entries": kept, "head_hash": stream["head_hash"]},
        "witness": {
            "removed_count": len(removed),
            "anchor_hash": kept[0]["prev_hash"],
            "removed_digest": h.hexdigest(),
            "head_hash": stream["head_hash"],
        },
    }


def replicate(inputs):
    """Ports: leader, follower -> replica, report | replicate_error.

    The follower receives the leader's records it lacks. Where both hold a sequence number the
    hashes must agree (else Diverged). An empty follower adopts the leader's retained records
    from their anchor, so a compacted leader can seed a new replica."""
    leader, follower = inputs["leader"], inputs["follower"]
    for name, stream in (("leader", leader), ("follower", follower)):
        problem = verify_stream(stream)
        if problem:
            code, message, seq = problem
            return _error("replicate_error", code, f"{name}: {message}", seq)
    by_seq = {e["seq"]: e for e in leader["entries"]}
    for e in follower["entries"]:
        mine = by_seq.get(e["seq"])
        if mine is not None and mine["hash"] != e["hash"]:
            return _error("replicate_error", "Diverged", f"record {e['seq']} differs between leader and follower", e["seq"])
    f_entries = list(follower["entries"])
    if not f_entries and follower["head_hash"] != ZERO_HASH:
        return _error("replicate_error", "BadHead", "follower: compacted to nothing; it cannot be extended safely")
    last = f_entries[-1]["seq"] if f_entries else 0
    if last > (leader["entries"][-1]["seq"] if leader["entries"] else 0):
        return _error("replicate_error", "Diverged", "the follower is ahead of the leader", last)
    missing = [e for e in leader["entries"] if e["seq"] > last]
    if f_entries and missing and missing[0]["seq"] != last + 1:
        return _error("replicate_error", "Diverged", f"the leader compacted past the follower's last record {last}", last)
    new_entries = f_entries + missing
    head = new_entries[-1]["hash"] if new_entries else follower["head_hash"]
    replica = {"entries": new_entries, "head_hash": head}
    return {
        "replica": replica,
        "report": {"applied": len(missing), "head_hash": head, "in_sync": head == leader["head_hash"]},
    }
