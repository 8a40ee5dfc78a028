"""The shapes of names shared by manifests and the registry index.

A module of its own (two regular expressions, no other imports) so that reading the registry
index does not import the whole manifest parser: the CLI's `search` must start fast (issue 18).
`estream.core.manifest` re-exports both.
"""

from __future__ import annotations

import re

#: A package name (`esf-iot`); shared with the registry index, which must accept exactly these.
PACKAGE_NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
#: A schema or enum name (`IoTTelemetry`), as `provides`/`requires` list them.
SCHEMA_NAME_RE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")

__all__ = ["PACKAGE_NAME_RE", "SCHEMA_NAME_RE"]
