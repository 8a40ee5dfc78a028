"""`package` for `marketplace_package`: a signed, bit-reproducible `<name>-<version>.tar.gz`; and
for `estream_component`: the locked registry archive, downloaded and verified."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Tuple

from pants.core.goals.package import BuiltPackage, BuiltPackageArtifact, PackageFieldSet
from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.fs import CreateDigest, Digest, DigestContents, FileContent, MergeDigests
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import WrappedTarget, WrappedTargetRequest
from pants.engine.unions import UnionMembership, UnionRule
from pants.util.logging import LogLevel

from estream.core.archive import build_archive
from estream.core.errors import EstreamError
from estream.core.merkle import SIGNATURE_FILE
from estream.core.semver import Version, VersionReq
from estream.core.signature import prepare_signature
from estream.target_types import ComponentNameField, ComponentVersionField, MarketplacePackageFieldSet
from estream.util_rules import components, package_contents, package_signature, signing_key
from estream.util_rules.components import ComponentLock, VerifiedComponent, VerifiedComponentRequest
from estream.util_rules.package_contents import (
    MarketplacePackageContents,
    MarketplacePackageContentsRequest,
)
from estream.util_rules.package_extensions import PackageFiles, PackageFilesRequest
from estream.util_rules.package_signature import PackageSignature, PackageSignatureRequest
from estream.util_rules.signing_key import ResolvedSigningKey, SigningKeyRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarketplacePackagePackageFieldSet(MarketplacePackageFieldSet, PackageFieldSet):
    pass


@dataclass(frozen=True)
class SignedArchiveRequest(EngineAwareParameter):
    contents: MarketplacePackageContents
    key: ResolvedSigningKey

    def debug_hint(self) -> str:
        return self.contents.address.spec


@dataclass(frozen=True)
class SignedArchive:
    filename: str
    digest: Digest
    development_key: bool
    key_id: str
    file_count: int


@rule(desc="Sign and archive a marketplace package", level=LogLevel.DEBUG)
async def sign_and_archive(request: SignedArchiveRequest) -> SignedArchive:
    contents = request.contents
    manifest = contents.manifest
    file_contents = await Get(DigestContents, Digest, contents.digest)
    files = {fc.path: fc.content for fc in file_contents}
    version = str(manifest.version)
    # The file hashes and Merkle root here; the signature in the Pants process, remembered by
    # Pants' caches (util_rules/package_signature.py): the private key never becomes a Digest.
    unsigned = prepare_signature(
        files,
        name=manifest.name,
        version=version,
        public=request.key.key.public,
        development_key=request.key.development,
        signed_at=request.key.signed_at,
    )
    signature = await Get(PackageSignature, PackageSignatureRequest(unsigned, request.key))
    files[SIGNATURE_FILE] = signature.content
    stem = f"{manifest.name}-{version}"
    logger.debug("estream: signed and archived %s (%d files)", stem, len(files))
    archive = build_archive(files, top_dir=stem)
    digest = await Get(Digest, CreateDigest([FileContent(f"{stem}.tar.gz", archive)]))
    return SignedArchive(
        filename=f"{stem}.tar.gz",
        digest=digest,
        development_key=request.key.development,
        key_id=request.key.key_id,
        file_count=len(files),
    )


async def _with_added_files(
    contents: MarketplacePackageContents, key: ResolvedSigningKey, union_membership: UnionMembership
) -> Tuple[MarketplacePackageContents, Tuple[str, ...]]:
    """`contents` plus the files other backends build for it (see package_extensions.py)."""
    wrapped = await Get(
        WrappedTarget, WrappedTargetRequest(contents.address, description_of_origin="<estream package rules>")
    )
    requests = [
        member(contents, key.key_id, key.signed_at)
        for member in union_membership.get(PackageFilesRequest)
        if member.is_applicable(wrapped.target)
    ]
    if not requests:
        return contents, ()
    added = await MultiGet(Get(PackageFiles, PackageFilesRequest, r) for r in requests)
    files = [item for extra in added for item in extra.files]
    where = f"{contents.address.spec_path or '.'}/BUILD: {contents.address}"
    clashes = sorted({path for path, _ in files if path in contents.paths})
    paths = [path for path, _ in files]
    clashes += sorted({p for p in paths if paths.count(p) > 1} - set(clashes))
    if clashes:
        raise EstreamError.single(
            where,
            f"built file(s) {', '.join(f'`{p}`' for p in clashes)} would overwrite another file of the package",
            help="a package's built files (e.g. fpga/) must not also be source files: remove or rename them",
        )
    digest = await Get(Digest, CreateDigest([FileContent(path, content) for path, content in files]))
    merged = await Get(Digest, MergeDigests([contents.digest, digest]))
    extended = dataclasses.replace(contents, digest=merged, paths=tuple(sorted([*contents.paths, *paths])))
    return extended, tuple(line for extra in added for line in extra.log_lines)


@rule(desc="Package marketplace package", level=LogLevel.DEBUG)
async def package_marketplace_package(
    field_set: MarketplacePackagePackageFieldSet, union_membership: UnionMembership
) -> BuiltPackage:
    # The contents are validated as a package to publish (estream.core.package_validation, as
    # `estream marketplace publish`): a package never ships a circuit `test` would reject.
    contents, key = await MultiGet(
        Get(
            MarketplacePackageContents, MarketplacePackageContentsRequest(field_set.address, publishing=True)
        ),
        Get(ResolvedSigningKey, SigningKeyRequest()),
    )
    contents, added_lines = await _with_added_files(contents, key, union_membership)
    signed = await Get(SignedArchive, SignedArchiveRequest(contents, key))
    output_path = field_set.output_path.value or signed.filename
    digest = signed.digest
    if output_path != signed.filename:
        archive = await Get(DigestContents, Digest, signed.digest)
        digest = await Get(Digest, CreateDigest([FileContent(output_path, archive[0].content)]))
    trust = "UNTRUSTED development key" if signed.development_key else "key"
    return BuiltPackage(
        digest,
        artifacts=(
            BuiltPackageArtifact(
                relpath=output_path,
                extra_log_lines=(
                    f"    {contents.manifest.name} {contents.manifest.version}: "
                    f"{signed.file_count} files, signed with {trust} `{signed.key_id}`",
                    *(f"    {line}" for line in added_lines),
                ),
            ),
        ),
    )


@dataclass(frozen=True)
class EstreamComponentFieldSet(PackageFieldSet):
    required_fields = (ComponentNameField,)

    component: ComponentNameField
    version: ComponentVersionField


@rule(desc="Package an estream registry component")
async def package_component(field_set: EstreamComponentFieldSet, lock: ComponentLock) -> BuiltPackage:
    name = field_set.component.value
    locked = lock.get(name)
    req = field_set.version.value or "*"
    if locked.requirement is None or not VersionReq.parse(req).matches(Version.parse(locked.version)):
        raise EstreamError.single(
            str(field_set.address),
            f"the lock pins {name} {locked.version}, which does not satisfy `{req}`: the lock is stale",
            help="run `./pants estream-lock ::`",
        )
    verified = await Get(VerifiedComponent, VerifiedComponentRequest(name))
    return BuiltPackage(
        verified.archive,
        (
            BuiltPackageArtifact(
                f"{name}-{verified.version}.tar.gz",
                extra_log_lines=(f"    verified {name} {verified.version} ({locked.checksum})",),
            ),
        ),
    )


def rules():
    return [
        *collect_rules(),
        *components.rules(),
        *package_contents.rules(),
        *signing_key.rules(),
        *package_signature.rules(),
        UnionRule(PackageFieldSet, MarketplacePackagePackageFieldSet),
        UnionRule(PackageFieldSet, EstreamComponentFieldSet),
    ]
