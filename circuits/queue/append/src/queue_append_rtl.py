"""RTL codec of `queue_append_pipeline`: golden-vector ports <-> the testbench's operations.

Used by the RTL vector run (`implementation.rtl` in circuits/append.circuit.yaml): `encode`
turns a vector's input ports into stimulus operations for `rtl/queue_append_vectors_tb.v`
(whose header documents them), `decode` turns the testbench's responses back into output ports,
which are then compared with the vector's expected output exactly like the CPU reference's.

The hardware does the work: the stored queue is replayed into the design (so a journey can carry
state from step to step), the witness it computes over that replay is compared with the one the
input claims, and the acks, the witness and the read-back entries all come from the simulation.
"""


#: The operations the testbench times (its `T` lines), by the stimulus letter.
OPERATIONS = {"W": "queue.append"}


class CodecError(Exception):
    """The responses do not follow the protocol (a testbench or design bug)."""


def encode(inputs):
    ops = [("W", e) for e in inputs["queue"]["entries"]]
    ops.append(("H", 0))
    ops.extend(("W", e) for e in inputs["batch"]["entries"])
    ops.append(("H", 0))
    ops.append(("D", 0))
    return ops


def _take(responses, op, what):
    if not responses or responses[0][0] != op:
        found = " ".join([responses[0][0]] + ["%x" % v for v in responses[0][1]]) if responses else "the end"
        raise CodecError("expected %s (`%s ...`), found `%s`" % (what, op, found))
    return responses.pop(0)[1]


def _appends(responses, count):
    acks, refused = [], 0
    for _ in range(count):
        if responses and responses[0][0] == "R":
            responses.pop(0)
            refused += 1
        else:
            seq, witness = _take(responses, "A", "an ack or a refusal")
            acks.append({"seq": seq, "witness": witness})
    return acks, refused


def decode(inputs, responses):
    responses = list(responses)
    stored = inputs["queue"]["entries"]
    batch = inputs["batch"]["entries"]
    preload, refused = _appends(responses, len(stored))
    (replayed_witness,) = _take(responses, "H", "the witness after the replay")
    acks, full = _appends(responses, len(batch))
    (witness,) = _take(responses, "H", "the witness after the batch")
    entries = [e for (e,) in (_take(responses, "E", "a read-back entry") for _ in range(len(preload) + len(acks)))]
    if responses:
        raise CodecError("unexpected responses after the read-back: %r" % (responses[:3],))
    if refused:
        return {"append_error": {"code": "Overfull", "capacity": len(preload)}}
    if replayed_witness != inputs["queue"]["witness"]:
        return {"append_error": {"code": "WitnessMismatch", "expected": inputs["queue"]["witness"], "actual": replayed_witness}}
    if full:
        return {"append_error": {"code": "QueueFull", "capacity": len(preload) + len(acks), "accepted": len(acks)}}
    return {"appended": {"entries": entries, "witness": witness}, "acks": {"acks": acks}}
