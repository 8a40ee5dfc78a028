"""User-facing errors in the style of Cargo: what is wrong, where, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in one input file.

    `path` is the file as the user knows it (relative to the build root where possible),
    `line` is 1-based when known, `key` is the dotted key or field path
    (e.g. `component.version` or `schemas.IoTTelemetry.fields.unit.type`).
    """

    path: str
    message: str
    line: Optional[int] = None
    key: Optional[str] = None
    help: Optional[str] = None

    def render(self) -> str:
        location = self.path if self.line is None else f"{self.path}:{self.line}"
        where = f"{location}: `{self.key}`" if self.key else location
        text = f"error: {where}: {self.message}"
        if self.help:
            text += f"\n  help: {self.help}"
        return text


class EstreamError(Exception):
    """A problem with user input, carrying one or more diagnostics.

    Never raised for programming errors; every instance renders to a message a user can act on.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        if not diagnostics:
            raise ValueError("EstreamError needs at least one diagnostic")
        self.diagnostics: Tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    @classmethod
    def single(
        cls,
        path: str,
        message: str,
        *,
        line: Optional[int] = None,
        key: Optional[str] = None,
        help: Optional[str] = None,
    ) -> "EstreamError":
        return cls(Diagnostic(path=path, message=message, line=line, key=key, help=help))

    def render(self) -> str:
        body = "\n".join(d.render() for d in self.diagnostics)
        if len(self.diagnostics) > 1:
            body += f"\n\n{len(self.diagnostics)} errors found"
        return body

    def __str__(self) -> str:
        return self.render()


class DiagnosticCollector:
    """Accumulates diagnostics so a validator can report every problem at once, like a compiler."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._items: list[Diagnostic] = []

    def error(
        self,
        message: str,
        *,
        line: Optional[int] = None,
        key: Optional[str] = None,
        help: Optional[str] = None,
    ) -> None:
        self._items.append(Diagnostic(self.path, message, line=line, key=key, help=help))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise EstreamError(sorted(self._items, key=lambda d: (d.path, d.line or 0)))
