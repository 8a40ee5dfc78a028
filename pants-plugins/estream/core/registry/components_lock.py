"""The lock of registry components a monorepo consumes (`3rdparty/estream/components.lock`).

JSON, deterministic (sorted keys, 2-space indent). Each component records the exact version,
the archive's SHA3-256 (the registry's checksum) and SHA-256 + size (the pin Pants' downloader
checks before it stores a byte), where to download it, its dependencies and the requirement that
selected it, so a changed requirement is detected as a stale lock, and the fingerprint of the key
that signed it (`key_fingerprint`): fetching refuses an archive signed by another key (issue 13;
locks written before it was recorded are still read and checked without it):

    {"format_version": 1, "components": {"esf-iot": {"version": "1.0.0",
      "requirement": "^1.0", "checksum": "sha3-256:...", "sha256": "...", "size": 9283,
      "url": "https://.../archives/esf-iot/esf-iot-1.0.0.tar.gz", "deps": {"esf-core": "^1.0"},
      "key_fingerprint": "sha3-256:..."}}}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from estream.core.errors import Diagnostic, EstreamError
from estream.core.format_version import format_version_problem
from estream.core.json_loader import load_json
from estream.core.registry.index import name_problem
from estream.core.semver import SemverError, Version, VersionReq

LOCK_FORMAT = 1
_SHA3 = re.compile(r"sha3-256:[0-9a-f]{64}\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_FIELDS = {"version", "requirement", "checksum", "sha256", "size", "url", "deps"}
_OPTIONAL_FIELDS = {"key_fingerprint"}


@dataclass(frozen=True)
class LockedComponent:
    name: str
    version: str
    requirement: Optional[str]  # None for components only needed as dependencies
    checksum: str
    sha256: str
    size: int
    url: str
    deps: Tuple[Tuple[str, str], ...]
    #: The signing key's fingerprint (None: a lock written before it was recorded).
    key_fingerprint: Optional[str] = None

    def to_dict(self) -> Dict[str, object]:
        extra: Dict[str, object] = {"key_fingerprint": self.key_fingerprint} if self.key_fingerprint else {}
        return {
            **extra,
            "version": self.version,
            "requirement": self.requirement,
            "checksum": self.checksum,
            "sha256": self.sha256,
            "size": self.size,
            "url": self.url,
            "deps": dict(self.deps),
        }


def render_lock(components: Mapping[str, LockedComponent]) -> bytes:
    doc = {
        "format_version": LOCK_FORMAT,
        "components": {n: components[n].to_dict() for n in sorted(components)},
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def parse_lock(content: bytes, source: str) -> Dict[str, LockedComponent]:
    try:
        doc = load_json(content, source, what="the lock file")
    except EstreamError as exc:
        raise EstreamError.single(
            source,
            f"not a valid JSON lock file: {exc.diagnostics[0].message}",
            line=exc.diagnostics[0].line,
            help="regenerate it with `./pants estream-lock ::`",
        ) from None
    if (
        not isinstance(doc, dict)
        or format_version_problem(doc.get("format_version"), LOCK_FORMAT)
        or not isinstance(doc.get("components"), dict)
    ):
        raise EstreamError.single(
            source,
            f'expected {{"format_version": {LOCK_FORMAT}, "components": {{...}}}}',
            help="regenerate it with `./pants estream-lock ::`",
        )
    errors: List[Diagnostic] = []
    out: Dict[str, LockedComponent] = {}
    for name, e in doc["components"].items():
        key = f"components.{name}"
        if (
            name_problem(name)
            or not isinstance(e, dict)
            or not _FIELDS <= set(e) <= _FIELDS | _OPTIONAL_FIELDS
        ):
            errors.append(
                Diagnostic(source, f"expected a component entry with fields {sorted(_FIELDS)}", key=key)
            )
            continue
        try:
            Version.parse(e["version"])
            if e["requirement"] is not None:
                VersionReq.parse(e["requirement"])
            for dep_req in e["deps"].values():
                VersionReq.parse(dep_req)
            deps = tuple(sorted((str(k), v) for k, v in e["deps"].items()))
        except (SemverError, TypeError, AttributeError) as err:
            errors.append(Diagnostic(source, f"invalid version or requirement: {err}", key=key))
            continue
        size = e["size"]
        if not (isinstance(e["checksum"], str) and _SHA3.match(e["checksum"])) or not (
            isinstance(e["sha256"], str) and _SHA256.match(e["sha256"])
        ):
            errors.append(
                Diagnostic(source, "expected checksum = sha3-256:<64 hex> and sha256 = <64 hex>", key=key)
            )
            continue
        if (
            isinstance(size, bool)
            or not isinstance(size, int)
            or size <= 0
            or not isinstance(e["url"], str)
            or not e["url"]
        ):
            errors.append(Diagnostic(source, "expected a positive size and a url", key=key))
            continue
        key_fp = e.get("key_fingerprint")
        if key_fp is not None and not (isinstance(key_fp, str) and _SHA3.match(key_fp)):
            errors.append(
                Diagnostic(
                    source, "expected key_fingerprint = sha3-256:<64 hex>", key=key + ".key_fingerprint"
                )
            )
            continue
        out[name] = LockedComponent(
            name, e["version"], e["requirement"], e["checksum"], e["sha256"], size, e["url"], deps, key_fp
        )
    if errors:
        raise EstreamError(errors)
    return out


def archive_url(template: str, path: str, name: str, version: str) -> str:
    """Fill `{path}` (e.g. archives/esf-iot/esf-iot-1.0.0.tar.gz), `{name}`, `{version}`."""
    try:
        return template.format(path=path, name=name, version=version)
    except (KeyError, IndexError, ValueError) as e:
        raise EstreamError.single(
            "[estream-components].archive_url_template",
            f"invalid template {template!r}: {e}",
            help="use {path}, {name} and {version}",
        ) from None


__all__ = ["LOCK_FORMAT", "LockedComponent", "archive_url", "parse_lock", "render_lock"]
