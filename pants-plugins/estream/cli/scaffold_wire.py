"""`estream marketplace scaffold wire-adapter NAME`: a new package following the WireAdapter contract.

The package is complete and passes its own tests as created (`estream marketplace test DIR` and
`./pants test DIR/circuits:`): a manifest with `[component.wire_adapter]`, the ingress and egress
circuits, the message and typed-error schemas, a standard-library reference implementation of
`translate_ingress`/`translate_egress`, golden vectors in both directions (one with a
`canonical_wire`, so the automatic round trips are shown), error vectors and a journey.

Decisions: the example protocol is deliberately tiny so that it is obvious what to replace, and
it exists in both encodings of the contract: `text` (`key=value`, the value in decimal, leading
zeros accepted and not written back) and `binary` (a length-prefixed key and a big-endian u32,
carried as lowercase hex). The contract itself is checked by `estream.core.wire_adapter`; this
module only writes files.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

from estream.core.manifest import WIRE_ENCODINGS

__all__ = ["WIRE_ENCODINGS", "protocol_id", "wire_adapter_files"]


def protocol_id(name: str) -> str:
    """`estream-wire-acme` -> `acme`; the package name when nothing sensible is left."""
    for prefix in ("estream-wire-", "wire-"):
        rest = name[len(prefix) :] if name.startswith(prefix) else ""
        if rest and rest[0].isalpha():
            return rest
    return name


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


_SRC = '''"""Reference implementation of the `{name}` wire adapter (WireAdapter contract), standard library only.

TODO: replace the example protocol with yours. {protocol_doc}

`translate_ingress(wire_bytes)` returns the message or raises `WireError`; `translate_egress(message)`
returns the canonical bytes. The circuit functions `ingress` and `egress` wrap them and never raise
for bad input: malformed or hostile input becomes `{{"error": {{code, message, offset?}}}}`.
"""
import re
import struct

MAX_WIRE_BYTES = 4096
U32_MAX = 2**32 - 1
_KEY = re.compile(r"[a-z][a-z0-9_]{{0,63}}\\Z")
_HEX = re.compile(r"(?:[0-9a-f]{{2}})*\\Z")


class WireError(Exception):
    def __init__(self, code, message, offset=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset

    def record(self):
        out = {{"code": self.code, "message": self.message}}
        if self.offset is not None:
            out["offset"] = self.offset
        return out


def _check_key(key, offset):
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise WireError("HostileInput", "the key contains a control character", offset)
    if not _KEY.match(key):
        raise WireError("MalformedPacket", f"the key must be lowercase letters, digits and _, found {{key[:40]!r}}", offset)
    return key

{codec}

def ingress(inputs):
    """Circuit `{ident}_ingress`: {{wire}} -> {{message}} | {{error}}."""
    try:
        return {{"message": translate_ingress({wire_in})}}
    except WireError as e:
        return {{"error": e.record()}}


def egress(inputs):
    """Circuit `{ident}_egress`: {{message}} -> {{wire}} | {{error}}."""
    try:
        return {{"wire": {{"{field}": {wire_out}}}}}
    except WireError as e:
        return {{"error": e.record()}}
'''

_TEXT_CODEC = """
def translate_ingress(wire_bytes):
    if len(wire_bytes) > MAX_WIRE_BYTES:
        raise WireError("LimitExceeded", f"the message is {len(wire_bytes)} bytes; the limit is {MAX_WIRE_BYTES}")
    try:
        text = wire_bytes.decode("ascii")
    except UnicodeDecodeError as e:
        raise WireError("HostileInput", "the message is not ASCII", e.start) from None
    key, eq, value = text.partition("=")
    if not eq:
        raise WireError("MalformedPacket", "expected key=value", len(text))
    _check_key(key, 0)
    if not value.isdigit() or not value.isascii():
        raise WireError("MalformedPacket", f"the value must be decimal digits, found {value[:40]!r}", len(key) + 1)
    if len(value) > 20 or int(value) > U32_MAX:
        raise WireError("LimitExceeded", "the value does not fit a u32", len(key) + 1)
    return {"key": key, "value": int(value)}


def translate_egress(message):
    key, value = message["key"], message["value"]
    _check_key(key, None)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U32_MAX:
        raise WireError("LimitExceeded", f"the value must be a u32, found {value!r}")
    return f"{key}={value}".encode("ascii")
"""

_BINARY_CODEC = """
def translate_ingress(wire_bytes):
    if len(wire_bytes) > MAX_WIRE_BYTES:
        raise WireError("LimitExceeded", f"the message is {len(wire_bytes)} bytes; the limit is {MAX_WIRE_BYTES}")
    if not wire_bytes:
        raise WireError("MalformedPacket", "the message is empty", 0)
    size = wire_bytes[0]
    if len(wire_bytes) != 1 + size + 4:
        raise WireError("MalformedPacket", f"a key of {size} bytes needs a message of {1 + size + 4} bytes, found {len(wire_bytes)}", len(wire_bytes))
    key = _check_key(wire_bytes[1 : 1 + size].decode("latin-1"), 1)
    (value,) = struct.unpack(">I", wire_bytes[1 + size :])
    return {"key": key, "value": value}


def translate_egress(message):
    key, value = message["key"], message["value"]
    _check_key(key, None)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U32_MAX:
        raise WireError("LimitExceeded", f"the value must be a u32, found {value!r}")
    return bytes([len(key)]) + key.encode("ascii") + struct.pack(">I", value)


def wire_bytes_from_hex(text):
    if not _HEX.match(text):
        raise WireError("MalformedPacket", "wire.hex must be lowercase hex digits, two per byte")
    return bytes.fromhex(text)
"""


def _circuit(name: str, ident: str, role: str, wire_type: str, field: str, message: str, error: str) -> str:
    if role == "ingress":
        ports = f"""inputs:
  - {{ name: wire, type: {wire_type} }}

outputs:
  - {{ name: message, type: {message} }}
  - {{ name: error, type: {error} }}"""
        flows = "  - wire -> decoder -> message\n  - decoder.error -> error"
        node = "decoder"
    else:
        ports = f"""inputs:
  - {{ name: message, type: {message} }}

outputs:
  - {{ name: wire, type: {wire_type} }}
  - {{ name: error, type: {error} }}"""
        flows = "  - message -> encoder -> wire\n  - encoder.error -> error"
        node = "encoder"
    return f"""escir_version: "0.8.0"
name: {ident}_{role}
version: "0.1.0"
description: "TODO: {'wire bytes to' if role == 'ingress' else 'write'} {message}{'' if role == 'ingress' else ' as wire bytes'}"

types:
  - name: {wire_type}
    fields:
      - {{ name: {field}, type: string }}

{ports}

annotations:
  witness_tier: 0
  hardware_target: [cpu]
  marketplace:
    category: wire-adapter

implementation:
  cpu: "{ident}:{role}"

compute:
  - {{ id: {node}, type: transform }}

flows:
{flows}
"""


def _vector(
    name: str,
    circuit: str,
    description: str,
    inputs: Dict[str, Any],
    outputs: Dict[str, Any],
    tags: List[str],
    **extra: Any,
) -> str:
    doc = {
        "test_vector": {"name": name, "description": description, "circuit": circuit, "version": "0.1.0"},
        "input": inputs,
        "expected_output": outputs,
        **extra,
        "metadata": {"tags": tags},
    }
    return json.dumps(doc, indent=2) + "\n"


def _vectors(ident: str, encoding: str) -> List[Tuple[str, str, str]]:
    """(file stem, expected, JSON) of the example vectors."""
    # Long because: a data table, per encoding, of the example wire messages and the errors they must give.
    ing, eg = f"{ident}-ingress", f"{ident}-egress"
    msg = {"key": "temperature", "value": 21}
    if encoding == "text":
        wire = lambda t: {"text": t}  # noqa: E731
        good, noncanonical = "temperature=21", "temperature=0021"
        bad = [
            (
                "malformed-no-equals",
                "No `=` between key and value",
                "temperature",
                "MalformedPacket",
                "expected key=value",
                11,
            ),
            (
                "too-large-value",
                "The value does not fit a u32",
                "temperature=4294967296",
                "LimitExceeded",
                "the value does not fit a u32",
                12,
            ),
            (
                "hostile-control-character",
                "A control character in the key",
                "temp\u0007=1",
                "HostileInput",
                "the key contains a control character",
                0,
            ),
        ]
    else:
        wire = lambda t: {"hex": t}  # noqa: E731
        good = (bytes([11]) + b"temperature" + (21).to_bytes(4, "big")).hex()
        noncanonical = ""
        bad = [
            (
                "malformed-truncated",
                "The value is cut short",
                good[:-2],
                "MalformedPacket",
                "a key of 11 bytes needs a message of 16 bytes, found 15",
                15,
            ),
            ("malformed-empty", "An empty message", "", "MalformedPacket", "the message is empty", 0),
            (
                "hostile-control-character",
                "A control character in the key",
                (bytes([4, 116, 7, 109, 112]) + (1).to_bytes(4, "big")).hex(),
                "HostileInput",
                "the key contains a control character",
                1,
            ),
        ]
    out = [
        (
            "example-message",
            "pass",
            _vector(
                "example-message",
                ing,
                "A message in canonical form",
                {"wire": wire(good)},
                {"message": msg},
                ["basic"],
            ),
        ),
        (
            "example-write",
            "pass",
            _vector(
                "example-write",
                eg,
                "Egress writes the canonical bytes",
                {"message": msg},
                {"wire": wire(good)},
                ["basic", "egress"],
            ),
        ),
    ]
    if noncanonical:
        out.append(
            (
                "example-leading-zeros",
                "pass",
                _vector(
                    "example-leading-zeros",
                    ing,
                    "Leading zeros are read; egress writes the canonical form",
                    {"wire": wire(noncanonical)},
                    {"message": msg},
                    ["canonical"],
                    canonical_wire=wire(good),
                ),
            )
        )
    for stem, description, text, code, message, offset in bad:
        error = {"code": code, "message": message, "offset": offset}
        out.append(
            (
                stem,
                "error",
                _vector(stem, ing, description, {"wire": wire(text)}, {"error": error}, ["negative"]),
            )
        )
    return out


def wire_adapter_files(name: str, encoding: str = "text") -> Dict[str, str]:
    """The files of a new wire-adapter package NAME, plus BUILD files."""
    # Long because: a flat table of one template per generated file, read top to bottom.
    if encoding not in WIRE_ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}")
    ident = name.replace("-", "_")
    camel = _camel(name)
    protocol = protocol_id(name)
    message, error, code = f"{camel}Message", f"{camel}Error", f"{camel}ErrorCode"
    field = "text" if encoding == "text" else "hex"
    wire_type = f"{camel}Wire"
    if encoding == "text":
        protocol_doc = "The example: the ASCII text `key=value`, the value a decimal u32 (leading zeros are read, never written)."
        codec, wire_in, wire_out = (
            _TEXT_CODEC,
            'inputs["wire"]["text"].encode("utf-8", "surrogatepass")',
            'translate_egress(inputs["message"]).decode("ascii")',
        )
    else:
        protocol_doc = "The example: one byte key length, the ASCII key, the value as a big-endian u32."
        codec, wire_in, wire_out = (
            _BINARY_CODEC,
            'wire_bytes_from_hex(inputs["wire"]["hex"])',
            'translate_egress(inputs["message"]).hex()',
        )
    vectors = _vectors(ident, encoding)
    golden = f'[test_suite]\nname = "{name}-golden"\ncircuit = "{ident}-ingress"\nversion = "0.1.0"\n'
    for stem, expected, _ in vectors:
        golden += f'\n[[tests]]\nfile = "{stem}.json"\nexpected = "{expected}"\n' + (
            'expected_error = "error"\n' if expected == "error" else ""
        )
    files = {
        "estream-component.toml": f"""[component]
name = "{name}"
version = "0.1.0"
category = "wire-adapter"
description = "TODO: describe the {protocol} protocol adapter"
license = "Apache-2.0"
keywords = ["wire-adapter", "{protocol}"]

[component.author]
name = "TODO: your name"

[component.schemas]
provides = ["{message}", "{error}"]

[component.include]
schemas = ["schemas/*.esf.yaml"]
circuits = ["circuits/*.circuit.yaml"]
src = ["src/*.py"]
tests = ["tests/golden/*.json", "tests/golden/manifest.toml", "tests/journeys/*.toml"]

[component.circuit]
entry = "circuits/{name}-ingress.circuit.yaml"
circuits = ["circuits/{name}-ingress.circuit.yaml", "circuits/{name}-egress.circuit.yaml"]
targets = ["cpu"]
witness_tier = 0

[component.wire_adapter]
protocol = "{protocol}"
protocol_versions = ["1"]
encoding = "{encoding}"
ingress = "circuits/{name}-ingress.circuit.yaml"
egress = "circuits/{name}-egress.circuit.yaml"
""",
        "README.md": f"""# {name}

TODO: what the {protocol} protocol is, which messages this adapter reads and writes.

A wire adapter (WireAdapter contract): `circuits/{name}-ingress.circuit.yaml` reads the wire
(`wire.{field}`{', lowercase hex of the bytes' if encoding == 'binary' else ', the message text'}) into `{message}` or a typed `{error}`;
`circuits/{name}-egress.circuit.yaml` writes a `{message}` back. The code is in `src/{ident}.py`
(standard library only). Every passing ingress vector is also run as a round trip: egress of its
message must give its wire back, or its `canonical_wire`.

    estream marketplace test ./{name}
    ./pants test <path>/{name}/circuits:

Before publishing: at least 30 golden vectors, a third of them malformed or hostile input, and an
oracle test against the protocol's field library under `tests/wire/`.
""",
        "LICENSE": f"""Copyright the {name} authors.

Licensed under the Apache License, Version 2.0 (the "License"); you may not use this package except
in compliance with the License. You may obtain a copy of the License at
https://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software distributed under the License
is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or
implied. See the License for the specific language governing permissions and limitations under the
License.
""",
        f"schemas/{name}.esf.yaml": f"""version: "1.0"
namespace: estream.wire.{ident}

schemas:
  {message}:
    description: "TODO: the decoded message"
    fields:
      key:
        type: string(64)
      value:
        type: u32

  {error}:
    description: "Why a message could not be read or written"
    fields:
      code:
        type: {code}
      message:
        type: string
      offset:
        type: u32
        optional: true

enums:
  {code}:
    values: [MalformedPacket, LimitExceeded, HostileInput]
""",
        f"circuits/{name}-ingress.circuit.yaml": _circuit(
            name, ident, "ingress", wire_type, field, message, error
        ),
        f"circuits/{name}-egress.circuit.yaml": _circuit(
            name, ident, "egress", wire_type, field, message, error
        ),
        f"src/{ident}.py": _SRC.format(
            name=name,
            ident=ident,
            protocol_doc=protocol_doc,
            codec=codec,
            wire_in=wire_in,
            wire_out=wire_out,
            field=field,
        ),
        "tests/golden/manifest.toml": golden,
        f"tests/journeys/{name}-journey.toml": f"""# Read a message, write it back, read that again: the same message.
[journey]
name = "{ident}_round_trip"
tags = ["journey"]

[[steps]]
name = "read"
input_file = "../golden/example-message.json"

[[steps]]
name = "write"
circuit = "{ident}-egress"
[steps.bind]
"message" = "read.message"

[[steps]]
name = "read_again"
[steps.bind]
"wire" = "write.wire"
[steps.expect_equal]
"message" = "read.message"
""",
        "BUILD": 'marketplace_package()\n\nfiles(name="package_files", sources=["src/**/*", "tests/**/*"])\n',
        "circuits/BUILD": "smart_circuits()\n",
        "schemas/BUILD": "esf_schemas()\n",
    }
    for stem, _, text in vectors:
        files[f"tests/golden/{stem}.json"] = text
    return files
