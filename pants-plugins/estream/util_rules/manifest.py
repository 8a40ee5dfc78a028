"""Rules that parse and validate `estream-component.toml` manifests."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pants.engine.fs import Digest, DigestContents
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import HydratedSources, HydrateSourcesRequest
from pants.util.logging import LogLevel

from estream.core.manifest import Manifest, parse_manifest
from estream.target_types import MarketplaceManifestField


@dataclass(frozen=True)
class ParsedManifest:
    """A validated manifest and the directory (relative to the build root) it roots."""

    manifest: Manifest
    path: str

    @property
    def root(self) -> str:
        return os.path.dirname(self.path)


@rule(desc="Parse estream-component.toml", level=LogLevel.DEBUG)
async def parse_manifest_field(field: MarketplaceManifestField) -> ParsedManifest:
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(field))
    contents = await Get(DigestContents, Digest, hydrated.snapshot.digest)
    if not contents:
        # SingleSourceField already fails on a missing file; this guards an empty glob result.
        raise ValueError(f"{field.address}: manifest `{field.value}` not found")
    file = contents[0]
    return ParsedManifest(parse_manifest(file.content, file.path), file.path)


def rules():
    return collect_rules()
