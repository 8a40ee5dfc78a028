from __future__ import annotations

import pytest

from estream.core.esf_types import (
    ArrayType,
    MapType,
    NamedType,
    ObjectType,
    PrimitiveType,
    StringType,
    TypeParser,
    TypeSyntaxError,
)


def parse(text: str, local_names: frozenset = frozenset(), local_schemas: frozenset = frozenset()):
    return TypeParser(text, local_names, local_schemas).parse()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("u64", PrimitiveType("u64")),
        ("string", StringType()),
        ("string( 32 )", StringType(32)),
        ("array(map(string, OrderSide))", ArrayType(MapType(StringType(), NamedType("OrderSide")))),
        ("map(bytes32, array(f64))", MapType(PrimitiveType("bytes32"), ArrayType(PrimitiveType("f64")))),
    ],
)
def test_parses_to_structured_types_that_render_canonically(text: str, expected: object) -> None:
    parsed = parse(text)
    assert parsed == expected
    assert parse(str(parsed)) == parsed
    assert str(parsed) == text.replace("( ", "(").replace(" )", ")")


def test_object_and_referenced_names() -> None:
    assert isinstance(parse("object"), ObjectType)
    assert parse("map(Currency, array(Order))").referenced_names() == ("Currency", "Order")


@pytest.mark.parametrize(
    "text, message, help",
    [
        ("", "must not be empty", None),
        ("u64 u8", "unexpected `u8`", None),
        ("string(0)", "between 1 and", None),
        ("string(x)", "positive integer", "string(64)"),
        ("u8(3)", "takes no arguments", None),
        ("array", "needs an element type", "array(T)"),
        ("map(string)", "key and a value type", "map(K, V)"),
        ("map(f64, u8)", "map keys must be a scalar type", "an enum"),
        ("array(object)", "cannot be used inside `array(...)`", "named schema"),
        ("U64", "unknown type `U64`", "built-in types are lowercase"),
        ("strng", "unknown type `strng`", "did you mean `string`?"),
        ("u8$", "invalid character `$`", None),
    ],
)
def test_syntax_errors_say_what_to_write(text: str, message: str, help: object) -> None:
    with pytest.raises(TypeSyntaxError) as info:
        parse(text)
    assert message in info.value.message
    if help is not None:
        assert info.value.help is not None and str(help) in info.value.help


def test_a_local_record_is_not_a_map_key_but_an_enum_is() -> None:
    with pytest.raises(TypeSyntaxError):
        parse("map(Reading, u8)", frozenset({"Reading"}), frozenset({"Reading"}))
    assert parse("map(Side, u8)", frozenset({"Side"}), frozenset()) == MapType(
        NamedType("Side"), PrimitiveType("u8")
    )
