"""Rules that parse and validate ESF schema files."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.fs import Digest, DigestContents, DigestSubset, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.util.logging import LogLevel

from estream.core.errors import EstreamError
from estream.core.esf import EsfDocument, parse_esf
from estream.target_types import ESF_SUFFIX

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EsfFileRequest(EngineAwareParameter):
    """One `*.esf.yaml` file, as a digest holding just that file."""

    path: str
    digest: Digest

    def debug_hint(self) -> str:
        return self.path


@dataclass(frozen=True)
class ParsedEsfFile:
    document: EsfDocument


@rule(desc="Validate ESF schema", level=LogLevel.DEBUG)
async def parse_esf_file(request: EsfFileRequest) -> ParsedEsfFile:
    if not request.path.endswith(ESF_SUFFIX):
        raise EstreamError.single(request.path, f"ESF schema files must be named `*{ESF_SUFFIX}`")
    contents = await Get(DigestContents, Digest, request.digest)
    logger.debug("estream: validated ESF schema %s", request.path)
    return ParsedEsfFile(parse_esf(contents[0].content, request.path))


@dataclass(frozen=True)
class EsfFilesRequest(EngineAwareParameter):
    digest: Digest
    paths: tuple[str, ...]

    def debug_hint(self) -> str:
        return ", ".join(self.paths)


@dataclass(frozen=True)
class ParsedEsfFiles:
    documents: tuple[EsfDocument, ...]


@rule(desc="Validate ESF schemas", level=LogLevel.DEBUG)
async def parse_esf_files(request: EsfFilesRequest) -> ParsedEsfFiles:
    """Validate each file separately, so editing one schema re-parses only that file."""
    subsets = await MultiGet(
        Get(Digest, DigestSubset(request.digest, PathGlobs([path]))) for path in request.paths
    )
    parsed = await MultiGet(
        Get(ParsedEsfFile, EsfFileRequest(path, subset)) for path, subset in zip(request.paths, subsets)
    )
    return ParsedEsfFiles(tuple(p.document for p in parsed))


def rules():
    return collect_rules()
