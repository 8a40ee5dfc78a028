"""The ESF type grammar: field type expressions such as `map(string, array(u64))`.

Shared by ESF schema files (`esf.py`, field `type:`) and SmartCircuit files (`circuit.py`, port
and local record types). `TypeParser(text, local_names, local_schemas).parse()` returns a
structured `FieldType` or raises `TypeSyntaxError` with a message and a help line.

Grammar (ESF; see `esf.py` for where types appear):

    type := "string" ["(" N ")"] | primitive | "array(" type ")" | "map(" key "," type ")"
          | "object" | Name
    primitive := u8 u16 u32 u64 i8 i16 i32 i64 f64 bool bytes bytes32 timestamp pq_signature

Decisions:
- Names (UpperCamelCase, `TYPE_NAME_RE`) are not resolved here: a file's own names, its
  package's and its dependencies' are known only to the caller (`esf.unresolved_references`,
  `circuit.port_type_diagnostics`). The parser is told the local names only to refuse a map
  keyed by a local record (`local_schemas`) and to suggest fixes.
- Map keys must compare exactly: a string, integer, `bytes32` or an enum, never a float, a
  bytes blob or a record.
- `object` is an inline record whose members the caller reads from a sibling `fields:` key; it
  cannot appear inside `array()` or `map()` (name a schema there).
- The parser is recursive; it refuses text over `MAX_TYPE_TEXT` characters before tokenising.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Tuple

from estream.core.suggestions import did_you_mean

if TYPE_CHECKING:
    from estream.core.esf import Field

__all__ = [
    "INTEGER_RANGES",
    "MAX_STRING_LENGTH",
    "MAX_TYPE_TEXT",
    "PRIMITIVE_TYPES",
    "TYPE_KEYWORDS",
    "TYPE_NAME_RE",
    "ArrayType",
    "FieldType",
    "MapType",
    "NamedType",
    "ObjectType",
    "PrimitiveType",
    "StringType",
    "TypeParser",
    "TypeSyntaxError",
]

# --- vocabulary -------------------------------------------------------------------------------

INTEGER_RANGES: Dict[str, Tuple[int, int]] = {
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "i8": (-(2**7), 2**7 - 1),
    "i16": (-(2**15), 2**15 - 1),
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
}
PRIMITIVE_TYPES: Tuple[str, ...] = tuple(INTEGER_RANGES) + (
    "f64",
    "bool",
    "bytes",
    "bytes32",
    "timestamp",
    "pq_signature",
)
# Every lowercase type keyword, for "did you mean" suggestions.
TYPE_KEYWORDS: Tuple[str, ...] = ("string",) + PRIMITIVE_TYPES + ("object", "array", "map")
MAX_STRING_LENGTH = 2**32 - 1
#: Bounds the text given to the recursive parser.
MAX_TYPE_TEXT = 256
#: Schema, enum and local record type names: UpperCamelCase.
TYPE_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# Map keys must compare exactly.
_MAP_KEY_PRIMITIVES = frozenset(INTEGER_RANGES) | {"bytes32"}

# --- the structured types ---------------------------------------------------------------------


class FieldType:
    """Base of the structured field types; `str()` gives the canonical ESF text."""

    def render(self) -> str:
        raise NotImplementedError

    def referenced_names(self) -> Tuple[str, ...]:
        """Names of schemas/enums this type refers to, in order, walking into containers."""
        return ()

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class PrimitiveType(FieldType):
    """A built-in fixed type: integers, `f64`, `bool`, `bytes`, `bytes32`, `timestamp`, ..."""

    name: str

    def render(self) -> str:
        return self.name


@dataclass(frozen=True)
class StringType(FieldType):
    """`string` (unbounded) or `string(N)` (at most N characters)."""

    max_length: Optional[int] = None

    def render(self) -> str:
        return "string" if self.max_length is None else f"string({self.max_length})"


@dataclass(frozen=True)
class ArrayType(FieldType):
    """`array(T)`."""

    element: FieldType

    def render(self) -> str:
        return f"array({self.element.render()})"

    def referenced_names(self) -> Tuple[str, ...]:
        return self.element.referenced_names()


@dataclass(frozen=True)
class MapType(FieldType):
    """`map(K, V)`."""

    key: FieldType
    value: FieldType

    def render(self) -> str:
        return f"map({self.key.render()}, {self.value.render()})"

    def referenced_names(self) -> Tuple[str, ...]:
        return self.key.referenced_names() + self.value.referenced_names()


@dataclass(frozen=True)
class ObjectType(FieldType):
    """An inline record (`type: object` with nested `fields:`)."""

    fields: Dict[str, "Field"] = dataclasses.field(hash=False)

    def render(self) -> str:
        return "object"

    def referenced_names(self) -> Tuple[str, ...]:
        return tuple(n for f in self.fields.values() for n in f.type.referenced_names())


@dataclass(frozen=True)
class NamedType(FieldType):
    """A reference to a schema or enum by name."""

    name: str

    def render(self) -> str:
        return self.name

    def referenced_names(self) -> Tuple[str, ...]:
        return (self.name,)


# --- the parser ------------------------------------------------------------------------------


class TypeSyntaxError(Exception):
    def __init__(self, message: str, help: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


_TOKEN_RE = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|([(),])|(\S))")


class TypeParser:
    """Recursive-descent parser for type expressions such as `map(string, array(u64))`."""

    def __init__(self, text: str, local_names: FrozenSet[str], local_schemas: FrozenSet[str]):
        # The bound lives here so that every caller (ESF fields, circuit ports) gets it: the
        # parser is recursive, and a deeply nested type must not reach Python's stack limit.
        if len(text) > MAX_TYPE_TEXT:
            raise TypeSyntaxError(
                f"type is too long ({len(text)} characters; at most {MAX_TYPE_TEXT})",
                help="name a nested type in `types:` and refer to it by name",
            )
        self.text = text
        self.local_names = local_names
        self.local_schemas = local_schemas
        self.tokens: List[Tuple[str, str]] = []
        for match in _TOKEN_RE.finditer(text):
            name, number, punct, other = match.groups()
            if name:
                self.tokens.append(("name", name))
            elif number:
                self.tokens.append(("int", number))
            elif punct:
                self.tokens.append((punct, punct))
            elif other:
                raise TypeSyntaxError(f"invalid character `{other}` in type `{text}`")
        self.pos = 0

    def parse(self) -> FieldType:
        if not self.tokens:
            raise TypeSyntaxError("type must not be empty")
        result = self._type(container=None)
        if self.pos != len(self.tokens):
            raise TypeSyntaxError(f"unexpected `{self.tokens[self.pos][1]}` in type `{self.text}`")
        return result

    def _peek(self) -> Optional[str]:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def _expect(self, kind: str) -> str:
        if self._peek() != kind:
            found = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "end of type"
            wanted = "a type name" if kind == "name" else f"`{kind}`"
            raise TypeSyntaxError(f"expected {wanted} in type `{self.text}`, found `{found}`")
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def _type(self, container: Optional[str]) -> FieldType:
        name = self._expect("name")
        has_args = self._peek() == "("
        if name == "string":
            if not has_args:
                return StringType()
            self._expect("(")
            if self._peek() != "int":
                raise TypeSyntaxError(
                    f"string length must be a positive integer (in `{self.text}`)",
                    help="for example `string(64)`",
                )
            length = int(self._expect("int"))
            self._expect(")")
            if not 1 <= length <= MAX_STRING_LENGTH:
                raise TypeSyntaxError(
                    f"string length must be between 1 and {MAX_STRING_LENGTH}, found {length}"
                )
            return StringType(length)
        if name in PRIMITIVE_TYPES:
            if has_args:
                raise TypeSyntaxError(f"type `{name}` takes no arguments")
            return PrimitiveType(name)
        if name == "array":
            if not has_args:
                raise TypeSyntaxError("`array` needs an element type", help="write `array(T)`")
            self._expect("(")
            element = self._type(container="array")
            self._expect(")")
            return ArrayType(element)
        if name == "map":
            if not has_args:
                raise TypeSyntaxError("`map` needs a key and a value type", help="write `map(K, V)`")
            self._expect("(")
            key = self._type(container="map")
            if self._peek() != ",":
                raise TypeSyntaxError(
                    f"`map` needs a key and a value type (in `{self.text}`)",
                    help="write `map(K, V)`, e.g. `map(string, string)`",
                )
            self._expect(",")
            value = self._type(container="map")
            self._expect(")")
            self._check_map_key(key)
            return MapType(key, value)
        if name == "object":
            if container is not None:
                raise TypeSyntaxError(
                    f"`object` cannot be used inside `{container}(...)`",
                    help="define a named schema for the element and refer to it by name",
                )
            if has_args:
                raise TypeSyntaxError("type `object` takes no arguments; list members under `fields:`")
            return ObjectType(fields={})
        if name not in self.local_names and name.lower() in TYPE_KEYWORDS:
            raise TypeSyntaxError(
                f"unknown type `{name}`",
                help=f"did you mean `{name.lower()}`? built-in types are lowercase",
            )
        if TYPE_NAME_RE.match(name):
            if has_args:
                raise TypeSyntaxError(f"type `{name}` takes no arguments")
            return NamedType(name)
        raise TypeSyntaxError(
            f"unknown type `{name}`",
            help=did_you_mean(name, list(TYPE_KEYWORDS) + sorted(self.local_names))
            or "schema and enum names are UpperCamelCase; built-in types are lowercase",
        )

    def _check_map_key(self, key: FieldType) -> None:
        ok = isinstance(key, StringType) or (
            isinstance(key, PrimitiveType) and key.name in _MAP_KEY_PRIMITIVES
        )
        if isinstance(key, NamedType):
            # An enum (here or in another package) is a fine key; a record is not.
            ok = key.name not in self.local_schemas
        if not ok:
            raise TypeSyntaxError(
                f"map keys must be a scalar type, found `{key.render()}`",
                help="use `string`, `string(N)`, an integer type (`u8`..`u64`, `i8`..`i64`),"
                " `bytes32` or an enum",
            )
