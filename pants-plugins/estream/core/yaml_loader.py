"""A strict YAML loader that keeps source line numbers.

Built on PyYAML's `SafeLoader` (no arbitrary object construction). `load_yaml` returns plain
Python data in which every mapping is a `YamlMap` (a `dict`) and every sequence a `YamlList`
(a `list`); both remember the 1-based line of each key / value / item, so a validator can point
at the exact line of a problem. Scalars are ordinary Python values (`str`, `int`, `float`,
`bool`, `None`, ...).

Because the input comes from third-party packages, the loader rejects rather than tolerates:

* input larger than `MAX_INPUT_BYTES` (checked before parsing);
* anchors and aliases (`&a` / `*a`): they are how a few hundred bytes expand into gigabytes
  ("billion laughs"), and nothing in our formats needs them; merge keys (`<<`) go with them;
* nesting deeper than `MAX_DEPTH` (PyYAML composes recursively);
* duplicate keys in a mapping (PyYAML silently keeps the last one);
* non-string mapping keys (`1:`, `~:`, or YAML 1.1 booleans such as `on:`);
* explicit tags on collections (`!!set`, `!!omap`, custom tags), which would change meaning;
* more than one document, or a top level that is not a mapping;
* scalars the constructor cannot read (`2026-02-30`, `!!int x`, `!!bool maybe`, `!!timestamp x`)
  and integers longer than `MAX_INT_DIGITS` (Python refuses to convert more than 4,300 digits,
  and no field of ours needs more than 20), each reported with its line and key;
* binary scalars (`!!binary`): every value of our formats is text, a number, a boolean or null.

Every problem, including YAML syntax errors and undecodable bytes, becomes an `EstreamError`
naming the file and line; no PyYAML exception escapes.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Union

import yaml
from yaml.events import AliasEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from estream.core.errors import Diagnostic, DiagnosticCollector, EstreamError

MAX_INPUT_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 64  # u64/i64 need 20; room for readable underscores and signs, far below Python's 4,300

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
_SCALAR_KINDS = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:timestamp": "a date or timestamp",
    "tag:yaml.org,2002:null": "null",
}


class YamlMap(dict):
    """A mapping from a YAML file: a plain `dict` that also knows where its entries are.

    `line` is the line the mapping starts on; `key_line(k)` / `value_line(k)` give the line of
    key `k` and of its value (they differ for block values that start on the next line).
    """

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self._key_lines: Dict[str, int] = {}
        self._value_lines: Dict[str, int] = {}

    def key_line(self, key: str) -> int:
        """Line of `key`; falls back to the mapping's own line for keys that are absent."""
        return self._key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        """Line of the value of `key`; falls back to the mapping's own line for absent keys."""
        return self._value_lines.get(key, self.line)

    def _set(self, key: str, value: Any, key_line: int, value_line: int) -> None:
        self[key] = value
        self._key_lines[key] = key_line
        self._value_lines[key] = value_line


class YamlList(list):
    """A sequence from a YAML file: a plain `list` that knows the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self._item_lines: List[int] = []

    def item_line(self, index: int) -> int:
        """Line of item `index`; falls back to the sequence's own line if out of range."""
        if 0 <= index < len(self._item_lines):
            return self._item_lines[index]
        return self.line

    def _add(self, value: Any, line: int) -> None:
        self.append(value)
        self._item_lines.append(line)


class _Rejected(Exception):
    """Internal: a structural problem that stops parsing (reported at `line`)."""

    def __init__(
        self,
        message: str,
        line: Optional[int],
        help: Optional[str] = None,
        key: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.help = help
        self.key = key


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and deep nesting while composing nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Optional[Node], index: Any) -> Optional[Node]:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            raise _Rejected(
                f"YAML aliases are not allowed (`*{event.anchor}`)",
                line,
                help="write the value out in full; aliases let a tiny file expand into a huge one",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Rejected(
                f"YAML anchors are not allowed (`&{anchor}`)",
                line,
                help="write the value out in full; anchors and aliases are not supported",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Rejected(f"YAML nesting is deeper than {MAX_DEPTH} levels", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _join(key_path: str, key: str) -> str:
    return f"{key_path}.{key}" if key_path else key


def describe_value(value: Any) -> str:
    """Name a loaded value's YAML kind for messages: "an integer", "a list", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


class _Builder:
    """Turns a composed node tree into YamlMap/YamlList/scalars, collecting key problems."""

    def __init__(self, loader: _StrictLoader, diagnostics: DiagnosticCollector) -> None:
        self._loader = loader
        self._diagnostics = diagnostics

    def build(self, node: Node, key_path: str) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node, key_path)
        if isinstance(node, SequenceNode):
            self._check_tag(node, _SEQ_TAG, key_path)
            seq = YamlList(_line(node))
            for index, item in enumerate(node.value):
                seq._add(self.build(item, f"{key_path}[{index}]"), _line(item))
            return seq
        if isinstance(node, MappingNode):
            self._check_tag(node, _MAP_TAG, key_path)
            return self._build_mapping(node, key_path)
        raise _Rejected(f"unsupported YAML node {type(node).__name__}", _line(node))

    def _scalar(self, node: ScalarNode, key_path: str) -> Any:
        # SafeConstructor resolves plain scalars (ints, bools, dates, ...) and rejects unknown
        # tags such as `!!python/object` with a ConstructorError (a YAMLError, reported by the
        # caller). Values it cannot convert raise plain Python errors: report those here.
        kind = _SCALAR_KINDS.get(node.tag, f"a `{node.tag}` value")
        text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        shown = json.dumps(text)  # quoted, control and non-ASCII characters escaped: safe on a terminal
        # Hexadecimal digits count too (`0xfff...`); the `0x` prefix counts too, harmlessly.
        digits = sum(c.isalnum() for c in node.value) if node.tag == _INT_TAG else 0
        if digits > MAX_INT_DIGITS:
            raise _Rejected(
                f"integer with {digits} digits; the limit is {MAX_INT_DIGITS}",
                _line(node),
                key=key_path or None,
            )
        try:
            value = self._loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as e:
            # Only ValueError carries a message worth showing ("day is out of range for month").
            reason = f" ({e})" if isinstance(e, ValueError) and str(e) else ""
            raise _Rejected(
                f"cannot read {shown} as {kind}{reason}",
                _line(node),
                key=key_path or None,
                help=(
                    f"if it is meant as text, write it in quotes: {shown}"
                    if node.style is None
                    and self._loader.resolve(ScalarNode, node.value, (True, False)) == node.tag
                    else "fix the value or remove its `!!` tag"
                ),
            ) from None
        if isinstance(value, (bytes, bytearray)):
            raise _Rejected(
                "binary (`!!binary`) values are not allowed here",
                _line(node),
                key=key_path or None,
                help="write binary data as a hex string",
            )
        return value

    def _check_tag(self, node: Node, expected: str, key_path: str) -> None:
        if node.tag != expected:
            raise _Rejected(
                f"YAML tag `{node.tag}` is not supported",
                _line(node),
                help="remove the explicit tag",
                key=key_path or None,
            )

    def _build_mapping(self, node: MappingNode, key_path: str) -> YamlMap:
        mapping = YamlMap(_line(node))
        for key_node, value_node in node.value:
            key_line = _line(key_node)
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE_TAG:
                raise _Rejected(
                    "YAML merge keys (`<<`) are not allowed",
                    key_line,
                    help="write the keys out in full",
                )
            if not isinstance(key_node, ScalarNode):
                self._diagnostics.error(
                    "mapping keys must be strings, found a "
                    + ("list" if isinstance(key_node, SequenceNode) else "mapping"),
                    line=key_line,
                    key=key_path or None,
                )
                continue
            key = self._loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self._diagnostics.error(
                    f"mapping keys must be strings, found {describe_value(key)} `{key_node.value}`",
                    line=key_line,
                    key=key_path or None,
                    help=f'quote the key: "{key_node.value}"',
                )
                continue
            if key in mapping:
                self._diagnostics.error(
                    f"duplicate key `{key}` (first defined on line {mapping.key_line(key)},"
                    f" again on line {key_line})",
                    line=key_line,
                    key=_join(key_path, key),
                    help="remove one of the two entries; YAML would silently keep only the last",
                )
                continue
            value = self.build(value_node, _join(key_path, key))
            mapping._set(key, value, key_line, _line(value_node))
        return mapping


def _error_line(text: str, error: yaml.YAMLError) -> Optional[int]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(error, "position", None)  # ReaderError: a character offset
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return None


def _error_message(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):
        return f"invalid character in YAML input: {error.reason}"
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"invalid YAML: {problem}"
        if context:
            text += f" ({context})"
        return text
    return f"invalid YAML: {error}"


def _decode(content: Union[bytes, str], path: str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = content.count(b"\n", 0, e.start) + 1
        raise EstreamError.single(
            path, f"file is not valid UTF-8 (byte offset {e.start})", line=line
        ) from None


def load_yaml(content: Union[bytes, str], path: str, *, max_bytes: int = MAX_INPUT_BYTES) -> YamlMap:
    """Parse one YAML document whose top level is a mapping.

    `path` is only used in diagnostics. Raises `EstreamError` for anything unacceptable (see the
    module docstring); duplicate and non-string keys are all reported together.
    """
    size = len(content.encode("utf-8")) if isinstance(content, str) else len(content)
    if size > max_bytes:
        raise EstreamError.single(
            path,
            f"file is too large to parse ({size} bytes; the limit is {max_bytes} bytes)",
        )
    text = _decode(content, path)
    diagnostics = DiagnosticCollector(path)
    loader: Optional[_StrictLoader] = None
    try:
        try:
            loader = _StrictLoader(text)  # the Reader checks for unprintable characters here
            loader.get_event()  # StreamStartEvent
            if loader.check_event(StreamEndEvent):
                raise _Rejected("file is empty; expected a YAML mapping", 1)
            root = loader.compose_document()
            if not loader.check_event(StreamEndEvent):
                raise _Rejected(
                    "expected a single YAML document, found more than one",
                    loader.peek_event().start_mark.line + 1,
                    help="remove the `---` separator and the documents after it",
                )
            if root is None:  # pragma: no cover - compose_document always yields a node
                raise _Rejected("file is empty; expected a YAML mapping", 1)
            if not isinstance(root, MappingNode):
                kind = "a list" if isinstance(root, SequenceNode) else "a scalar"
                if isinstance(root, ScalarNode) and root.value == "" and root.tag != _STR_TAG:
                    raise _Rejected("file is empty; expected a YAML mapping", 1)
                raise _Rejected(
                    f"expected a mapping (`key: value` lines) at the top level, found {kind}",
                    _line(root),
                )
            data = _Builder(loader, diagnostics).build(root, "")
        finally:
            if loader is not None:
                loader.dispose()
    except _Rejected as e:
        raise EstreamError(Diagnostic(path, e.message, line=e.line, key=e.key, help=e.help)) from None
    except yaml.YAMLError as e:
        raise EstreamError.single(path, _error_message(e), line=_error_line(text, e)) from None
    except RecursionError:
        # Defence in depth: MAX_DEPTH should make this unreachable.
        raise EstreamError.single(path, "YAML nesting is too deep") from None
    diagnostics.raise_if_any()
    assert isinstance(data, YamlMap)
    return data
