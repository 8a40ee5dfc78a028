"""User-facing errors in the style of Cargo: what is wrong, where, and what was expected.

Limits (issue 13, hostile input): an error shows at most `MAX_DIAGNOSTICS` (50) diagnostics and
then "... and N more" — a hostile file can have a million problems, and nobody reads past the
first screens; a `DiagnosticCollector` keeps no more than that, only a count of the rest. Every
field of a diagnostic (path, key, message, help) may carry text from an untrusted file, so
`Diagnostic.render` passes each through `estream.core.terminal_text.for_terminal` (control
characters escaped, 1,000 characters at most).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from estream.core.terminal_text import for_terminal

#: At most this many diagnostics are kept and shown per error; the rest are counted.
MAX_DIAGNOSTICS = 50


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
        path = for_terminal(self.path)
        location = path if self.line is None else f"{path}:{self.line}"
        where = f"{location}: `{for_terminal(self.key)}`" if self.key else location
        text = f"error: {where}: {for_terminal(self.message)}"
        if self.help:
            text += f"\n  help: {for_terminal(self.help)}"
        return text


class EstreamError(Exception):
    """A problem with user input, carrying one or more diagnostics.

    Never raised for programming errors; every instance renders to a message a user can act on.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic] | Diagnostic, *, total: int = 0) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        if not diagnostics:
            raise ValueError("EstreamError needs at least one diagnostic")
        #: The first MAX_DIAGNOSTICS diagnostics; `total` counts all that were found.
        self.diagnostics: Tuple[Diagnostic, ...] = tuple(diagnostics[:MAX_DIAGNOSTICS])
        self.total = max(total, len(diagnostics))
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

    @property
    def omitted(self) -> int:
        """How many diagnostics were found beyond those kept (see MAX_DIAGNOSTICS)."""
        return self.total - len(self.diagnostics)

    def render(self) -> str:
        body = "\n".join(d.render() for d in self.diagnostics)
        if self.omitted:
            body += f"\n... and {self.omitted} more"
        if self.total > 1:
            body += f"\n\n{self.total} errors found"
        return body

    def __str__(self) -> str:
        return self.render()


class DiagnosticCollector:
    """Accumulates diagnostics so a validator can report every problem at once, like a compiler."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._items: list[Diagnostic] = []
        self._total = 0

    def error(
        self,
        message: str,
        *,
        line: Optional[int] = None,
        key: Optional[str] = None,
        help: Optional[str] = None,
    ) -> None:
        self.add(Diagnostic(self.path, message, line=line, key=key, help=help))

    def add(self, diagnostic: Diagnostic) -> None:
        self._total += 1
        if len(self._items) < MAX_DIAGNOSTICS:
            self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """The diagnostics kept so far (at most MAX_DIAGNOSTICS), in the order reported."""
        return list(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise EstreamError(sorted(self._items, key=lambda d: (d.path, d.line or 0)), total=self._total)
