"""THE check of a registry archive against what was asked for: one function for every front end.

`verify_registry_archive` is called by `estream marketplace install` (`core/registry/install.py`),
by publishing (`Registry.inspect`), by `estream marketplace registry check`
(`core/registry/check.py`) and by Pants' `estream_component` fetch and `estream-lock` goal
(`estream/util_rules/components.py`). It checks, in this order, and raises one `EstreamError` naming the
archive at the first failure:

1. the archive's SHA3-256 is the expected checksum (the index's or the lock's);
2. the archive unpacks safely (`core.archive.read_archive`, with its size cap);
3. the ML-DSA-87 signature, Merkle root and every file hash verify, with a key the keyring
   trusts (`core.verify.verify_package`);
4. the *signed* name and version are the ones asked for (an archive signed as another package
   cannot be substituted, even by a trusted publisher);
5. the FPGA bitstreams match `fpga/manifest.toml` (`core.fpga.verify.check_fpga_consistency`);
6. the dependencies the index (or the lock) lists are exactly those of the signed manifest.

Decisions, where the three copies this replaces disagreed (the stricter correct rule won):

* Before, only `install` checked 4, 5 and 6; the Pants fetch and `estream-lock` did not, so a
  trusted key's archive of `esf-iot` could be served as `esf-core`, and a registry could list
  other dependencies than the signed manifest. Now every caller checks all six.
* A development-key signature is accepted only when the caller allows development keys, and then
  only by a key the caller names in `development_keys`: for `install` and `publish` the local
  user's own development key (`core.keys.local_development_key`), for `registry check` of a
  sandbox registry that allows development keys the one its index line recorded. A development
  key vouches for itself, so trusting the key an archive brings would accept any self-signed
  archive (issue 13).
* `expected_key_fingerprint` (the index line's or the lock's `key_fingerprint`) pins the signer:
  an archive signed by any other key, trusted or not, is refused (key substitution).
* Verification is against the keyring the caller passes, never against keys the archive brings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

from estream.core.archive import DEFAULT_MAX_TOTAL_BYTES, read_archive
from estream.core.errors import EstreamError
from estream.core.fpga.verify import check_fpga_consistency
from estream.core.keys import Keyring, PublicKey
from estream.core.manifest import MANIFEST_FILENAME, Manifest, parse_manifest
from estream.core.registry.cache import checksum_of
from estream.core.registry.verification_memo import SignatureCheck
from estream.core.verify import VerificationReport, verify_package


@dataclass(frozen=True)
class VerifiedArchive:
    """An archive that passed `verify_registry_archive`."""

    name: str
    version: str
    checksum: str
    top_dir: str
    files: Dict[str, bytes]
    manifest: Manifest
    report: VerificationReport

    @property
    def key_id(self) -> str:
        return self.report.key_id or ""

    @property
    def key_fingerprint(self) -> str:
        return self.report.key_fingerprint or ""

    @property
    def development_key(self) -> bool:
        return bool(self.report.development_key)


def verify_registry_archive(
    data: bytes,
    *,
    name: str,
    version: str,
    checksum: Optional[str],
    keyring: Keyring,
    source: str,
    action: str,
    deps: Optional[Iterable[Tuple[str, str]]] = None,
    allow_development_key: bool = False,
    expected_key_fingerprint: Optional[str] = None,
    extra_trusted_keys: Sequence[PublicKey] = (),
    development_keys: Sequence[PublicKey] = (),
    max_unpacked_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    checksum_from: str = "the index",
    check_signature: Optional[SignatureCheck] = None,
) -> VerifiedArchive:
    """Verify `data` as the archive of `name` `version` (see the module docstring).

    `checksum` is the expected `sha3-256:<hex>` (None: not known yet, as when publishing), taken
    from `checksum_from` ("the index", "the lock");
    `development_keys` the development keys trusted when `allow_development_key` (never the
    archive's own); `expected_key_fingerprint` the signer `checksum_from` records (None: any
    trusted key);
    `deps` the (name, requirement) pairs an index or lock lists for it (None: nothing to compare);
    `action` completes the error message ("nothing was installed", "it cannot be published");
    `check_signature` the ML-DSA-87 check (None: the plain one; install passes its verification
    memo's, `core.registry.verification_memo`: every other step runs in full either way).
    """
    # Long because: 14 documented parameters, then one ordered chain of checks, each raising, read top to bottom.
    actual = checksum_of(data)
    if checksum is not None and actual != checksum:
        raise EstreamError.single(
            source,
            f"archive checksum {actual} does not match {checksum_from} ({checksum}); the archive was tampered with or corrupted; {action}",
        )
    top, files = read_archive(data, source=source, max_total_bytes=max_unpacked_bytes)
    extra = list(extra_trusted_keys)
    if allow_development_key:
        extra.extend(development_keys)
    report = verify_package(
        files,
        keyring=keyring,
        extra_trusted_keys=extra,
        allow_development_key=allow_development_key,
        top_dir=top,
        source=source,
        check_signature=check_signature,
    )
    if not report.ok:
        raise EstreamError.single(
            source,
            f"verification failed (exit {int(report.exit_code)}, {report.exit_code.name.lower()}); {action}:\n"
            + report.render().rstrip(),
            help=f"trusted keys come from {keyring.source}",
        )
    if expected_key_fingerprint is not None and report.key_fingerprint != expected_key_fingerprint:
        raise EstreamError.single(
            source,
            f"is signed by key {report.key_id} ({report.key_fingerprint}), but {checksum_from} records "
            f"{expected_key_fingerprint} for {name} {version}; {action}",
            help="a package's signing key never changes for a published version: the archive was re-signed by someone else",
        )
    if (report.package_name, report.package_version) != (name, version):
        raise EstreamError.single(
            source,
            f"is signed as {report.package_name} {report.package_version}, expected {name} {version}; {action}",
        )
    check_fpga_consistency(files, source=source, action=action)
    manifest_bytes = files.get(MANIFEST_FILENAME)
    if manifest_bytes is None:  # unreachable for a verified package, but never a KeyError
        raise EstreamError.single(source, f"the archive has no {MANIFEST_FILENAME}; {action}")
    manifest = parse_manifest(manifest_bytes, f"{top}/{MANIFEST_FILENAME}")
    if deps is not None:
        declared = sorted((d.name, d.req_text) for d in manifest.dependencies.values())
        listed = sorted((str(n), str(r)) for n, r in deps)
        if listed != declared:
            raise EstreamError.single(
                source,
                f"the registry lists different dependencies than the signed manifest; {action}",
                help=f"manifest: {declared}; registry: {listed}",
            )
    return VerifiedArchive(name, version, actual, top, files, manifest, report)


__all__ = ["VerifiedArchive", "verify_registry_archive"]
