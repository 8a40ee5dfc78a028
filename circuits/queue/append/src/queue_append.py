"""CPU reference of the queue-append pipeline (the circuit `queue_append_pipeline`).

The hardware in `rtl/queue_append.v` is specified by this function; `pants test` runs the
package's golden vectors against both. The queue holds at most `CAPACITY` 32-bit entries (the
RTL's block RAM, `ADDR_W = 8`); entry `n` (from 0) gets sequence number `n`, and the witness after
it is the CRC-32 (IEEE 802.3, as zlib computes it) over the little-endian bytes of entries 0..n.

Ports: `queue` (the entries stored so far and their witness) and `batch` (entries to append)
-> `appended` (the queue after the batch) and `acks` (one `{seq, witness}` per entry), or the
error port `append_error`:

* `Overfull`: `queue` holds more than CAPACITY entries (`capacity`);
* `WitnessMismatch`: `queue.witness` is not the CRC-32 of `queue.entries` (`expected` is the
  witness given, `actual` the one computed);
* `QueueFull`: the batch does not fit (`capacity`, and `accepted`, how many of it would).
"""

import zlib

CAPACITY = 256


def _crc(entries, start=0):
    return zlib.crc32(b"".join(e.to_bytes(4, "little") for e in entries), start)


def append(inputs):
    entries = list(inputs["queue"]["entries"])
    batch = inputs["batch"]["entries"]
    if len(entries) > CAPACITY:
        return {"append_error": {"code": "Overfull", "capacity": CAPACITY}}
    witness = _crc(entries)
    if witness != inputs["queue"]["witness"]:
        return {"append_error": {"code": "WitnessMismatch", "expected": inputs["queue"]["witness"], "actual": witness}}
    if len(entries) + len(batch) > CAPACITY:
        return {"append_error": {"code": "QueueFull", "capacity": CAPACITY, "accepted": CAPACITY - len(entries)}}
    acks = []
    for entry in batch:
        witness = _crc([entry], witness)
        acks.append({"seq": len(entries), "witness": witness})
        entries.append(entry)
    return {"appended": {"entries": entries, "witness": witness}, "acks": {"acks": acks}}
