"""THE check of a registry archive against what was asked for: one function for every front end.

`verify_registry_archive` is called by `estream marketplace install` (`core/registry/install.py`),
by publishing (`Registry.inspect`), by `estream marketplace registry check`
(`core/registry/check.py`) and by Pants' `estream_component` fetch and `estream-lock` goal
(`estream/components.py`). It checks, in this order, and raises one `EstreamError` naming the
archive at the first failure:

1. the archive's SHA3-256 is the expected checksum (the index's or the lock's);
2. the archive unpacks safely (`core.archive.read_archive`, with its size cap);
3. the ML-DSA-87 signature, Merkle root and every file hash verify, with a key the keyring
   trusts (`core.verify.verify_package`);
4. the *signed* name and version are the ones asked for (an archive signed as another package
   cannot be substituted, even by a trusted publisher);
5. the FPGA bitstreams match `fpga/manifest.toml` (`core.fpga_verify.check_fpga_consistency`);
6. the dependencies the index (or the lock) lists are exactly those of the signed manifest.

Decisions, where the three copies this replaces disagreed (the stricter correct rule won):

* Before, only `install` checked 4, 5 and 6; the Pants fetch and `estream-lock` did not, so a
  trusted key's archive of `esf-iot` could be served as `esf-core`, and a registry could list
  other dependencies than the signed manifest. Now every caller checks all six.
* A development-key signature is accepted only when the caller allows development keys, and then
  only the key the index recorded for that version (`expected_key_fingerprint`): a development key
  vouches for itself, so without the pin any self-signed archive would pass. (`install`'s rule;
  publish has no index entry yet and passes None.)
* Verification is against the keyring the caller passes, never against keys the archive brings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Sequence, Tuple

from estream.core.archive import DEFAULT_MAX_TOTAL_BYTES, read_archive
from estream.core.errors import EstreamError
from estream.core.fpga_verify import check_fpga_consistency
from estream.core.keys import Keyring, PublicKey
from estream.core.manifest import MANIFEST_FILENAME, Manifest, parse_manifest
from estream.core.merkle import SIGNATURE_FILE
from estream.core.registry.cache import checksum_of
from estream.core.signature import parse_signature_file
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
    max_unpacked_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    checksum_from: str = "the index",
) -> VerifiedArchive:
    """Verify `data` as the archive of `name` `version` (see the module docstring).

    `checksum` is the expected `sha3-256:<hex>` (None: not known yet, as when publishing), taken
    from `checksum_from` ("the index", "the lock");
    `deps` the (name, requirement) pairs an index or lock lists for it (None: nothing to compare);
    `action` completes the error message ("nothing was installed", "it cannot be published").
    """
    actual = checksum_of(data)
    if checksum is not None and actual != checksum:
        raise EstreamError.single(
            source,
            f"archive checksum {actual} does not match {checksum_from} ({checksum}); the archive was tampered with or corrupted; {action}",
        )
    top, files = read_archive(data, source=source, max_total_bytes=max_unpacked_bytes)
    extra = list(extra_trusted_keys)
    sig_raw = files.get(SIGNATURE_FILE)
    if sig_raw is not None and allow_development_key:
        try:
            sig = parse_signature_file(sig_raw)
            if sig.development_key and (expected_key_fingerprint is None or expected_key_fingerprint == sig.key_fingerprint):
                extra.append(sig.public)
        except EstreamError:
            pass  # verify_package reports the malformed signature
    report = verify_package(
        files, keyring=keyring, extra_trusted_keys=extra, allow_development_key=allow_development_key, top_dir=top, source=source
    )
    if not report.ok:
        raise EstreamError.single(
            source,
            f"verification failed (exit {int(report.exit_code)}, {report.exit_code.name.lower()}); {action}:\n" + report.render().rstrip(),
            help=f"trusted keys come from {keyring.source}",
        )
    if (report.package_name, report.package_version) != (name, version):
        raise EstreamError.single(
            source, f"is signed as {report.package_name} {report.package_version}, expected {name} {version}; {action}"
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
