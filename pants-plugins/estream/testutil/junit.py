"""Keep the wall clock and host name out of pytest's JUnit XML, a cached (and shared) output.

Pants runs every test file with `--junit-xml=...` and keeps the XML as a process output, so it is
stored in the local and remote caches and handed to every machine that hits them. pytest writes the
time the run started and the machine's host name into it: a cached result would then claim a
time and a host it was not produced at, and the cache would carry machine identity. The
`pytest_unconfigure` hook below (re-exported by the `conftest.py` at each source root) rewrites
those two attributes after pytest has written the file; durations (`time="..."`) are measurements,
not timestamps, and stay.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# The epoch, in the same ISO format pytest uses.
FIXED_TIMESTAMP = "1970-01-01T00:00:00"

_TIMESTAMP = re.compile(r'(<testsuite\b[^>]*?\btimestamp=)"[^"]*"')
_HOSTNAME = re.compile(r'(<testsuite\b[^>]*?\bhostname=)"[^"]*"')


def normalize_junit_xml(text: str) -> str:
    """Replace every `<testsuite>`'s start timestamp and host name with fixed values."""
    text = _TIMESTAMP.sub(rf'\1"{FIXED_TIMESTAMP}"', text)
    return _HOSTNAME.sub(r'\1""', text)


def normalize_junit_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fixed = normalize_junit_xml(text)
    if fixed != text:
        path.write_text(fixed, encoding="utf-8")


def pytest_unconfigure(config: Any) -> None:
    # pytest's junitxml plugin writes the file at session finish, before unconfigure.
    xmlpath = getattr(config.option, "xmlpath", None)
    if xmlpath and Path(xmlpath).is_file():
        normalize_junit_file(Path(xmlpath))
