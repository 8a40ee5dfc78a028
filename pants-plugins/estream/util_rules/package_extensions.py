"""The hook through which other backends add built files to a marketplace package.

`package` collects a package's own files, then asks every member of the `PackageFilesRequest`
union that applies to the `marketplace_package` target for more (the `estream.fpga` backend
adds the bitstreams named by `bitstreams=` and their `fpga/manifest.toml`), and signs the lot:
added files are covered by `SIGNATURE.ml-dsa` like any other. A member subclasses the request
(adding no fields), says which targets it applies to, and has a rule returning `PackageFiles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.environment import EnvironmentName
from pants.engine.target import Target
from pants.engine.unions import union

from estream.util_rules.package_contents import MarketplacePackageContents


@union(in_scope_types=[EnvironmentName])
@dataclass(frozen=True)
class PackageFilesRequest(EngineAwareParameter):
    """Files to add to `contents` before it is signed by `key_id` at `signed_at`."""

    contents: MarketplacePackageContents
    key_id: str
    signed_at: str

    @classmethod
    def is_applicable(cls, target: Target) -> bool:
        raise NotImplementedError(cls.__name__)

    def debug_hint(self) -> str:
        return self.contents.address.spec


@dataclass(frozen=True)
class PackageFiles:
    """Package-relative path -> content, and lines for `package` to print under the archive."""

    files: Tuple[Tuple[str, bytes], ...]
    log_lines: Tuple[str, ...] = ()
