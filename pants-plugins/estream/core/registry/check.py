"""`estream marketplace registry check`: verify every archive and index entry of a registry.

Meant as the required CI check on a registry's pull requests (the registry template ships
`.github/workflows/registry-check.yml`, written by `registry-init`), so that what lands on the
default branch is what every client would accept. It also runs against any checkout
(`--path DIR`) or remote (`--registry URL`).

It reports every problem at once (one `Diagnostic` each, naming the index file and line or the
archive) instead of stopping at the first:

* `config.toml` and `keyring.toml` parse; the trust chain holds against the registry's own root
  keys (`core.registry.trust`: `keyring.toml` signed by the root in `keyring.sig`, `snapshot.json`
  signed by a trusted key, matching the index, not expired);
* every index file sits in its name's shard and parses strictly (`core.registry.index`);
* every index line's archive exists and passes `verify_registry_archive` (checksum, signature
  by a key the registry's keyring trusts, the signed name and version, FPGA consistency, the
  listed dependencies), with the registry's own `allow_development_keys` / `allow_untrusted_keys`
  policy and the key fingerprint the line records;
* the line agrees with the signed manifest and the archive: `size`, `provides`, `requires`,
  `category`, `key_id`, `key_fingerprint`;
* no archive lies under `archives/` that no index line names (an unreviewed file would be served
  by raw URLs).

Yanked versions are checked too: a consumer's lock may still pin them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import List, Optional, Set

from estream.core.archive import read_archive
from estream.core.errors import Diagnostic, EstreamError
from estream.core.keys import PublicKey
from estream.core.merkle import SIGNATURE_FILE
from estream.core.registry.archive_verification import verify_registry_archive
from estream.core.registry.index import IndexEntry
from estream.core.registry.registry import Registry, RegistryConfig, misplaced_index_file
from estream.core.signature import parse_signature_file

CI_WORKFLOW_PATH = ".github/workflows/registry-check.yml"
MAX_PROBLEMS = 200


@dataclass
class CheckReport:
    versions: int = 0
    archives: int = 0
    problems: List[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(
        self,
        path: str,
        message: str,
        *,
        line: Optional[int] = None,
        key: Optional[str] = None,
        help: Optional[str] = None,
    ) -> None:
        self.problems.append(Diagnostic(path, message, line=line, key=key, help=help))

    def extend(self, e: EstreamError) -> None:
        self.problems.extend(e.diagnostics)


def _check_entry(
    registry: Registry, config: RegistryConfig, rel: str, line: int, entry: IndexEntry, report: CheckReport
) -> None:
    where = f"{registry.display_url}:{rel}"
    try:
        data = registry.archive_bytes(entry)
    except EstreamError as e:
        report.add(where, str(e.diagnostics[0].message), line=line, key=entry.version)
        return
    report.archives += 1
    extra: List[PublicKey] = []
    development: List[PublicKey] = []
    if config.allow_untrusted_keys or config.allow_development_keys:
        try:
            _, files = read_archive(data, source=entry.archive_path)
            sig = parse_signature_file(files[SIGNATURE_FILE]) if SIGNATURE_FILE in files else None
            if sig is not None and not sig.development_key and config.allow_untrusted_keys:
                extra.append(sig.public)
            if sig is not None and sig.development_key and sig.key_fingerprint == entry.key_fingerprint:
                # The sandbox registry accepts development keys: the one its index line recorded.
                development.append(sig.public)
        except EstreamError:
            pass  # reported below
    try:
        verified = verify_registry_archive(
            data,
            name=entry.name,
            version=entry.version,
            checksum=entry.checksum,
            keyring=config.keyring,
            source=f"{registry.display_url}:{entry.archive_path}",
            action=f"the index line at {rel}:{line} must not be served",
            deps=[(d.name, d.req) for d in entry.deps],
            allow_development_key=config.allow_development_keys,
            expected_key_fingerprint=entry.key_fingerprint,
            extra_trusted_keys=extra,
            development_keys=development,
        )
    except EstreamError as e:
        report.extend(e)
        return
    m = verified.manifest
    listed = {
        "size": (entry.size, len(data)),
        "provides": (sorted(entry.provides), sorted(m.schemas.provides)),
        "requires": (sorted(entry.requires), sorted(m.schemas.requires)),
        "category": (entry.category, m.category),
        "key_id": (entry.key_id, verified.key_id),
        "key_fingerprint": (entry.key_fingerprint, verified.key_fingerprint),
    }
    for key, (said, actual) in listed.items():
        if said != actual:
            report.add(
                where,
                f"{entry.name} {entry.version}: the index says {key} = {said!r}, the signed archive has {actual!r}",
                line=line,
                key=key,
                help="the index line must be what `estream marketplace publish` wrote for this archive",
            )


def check_registry(registry: Registry) -> CheckReport:
    """Check the registry's current checkout (sync it first, or use `Registry.working_tree`)."""
    report = CheckReport()
    try:
        config = registry.config()
    except EstreamError as e:
        report.extend(e)
        return report
    try:
        # The trust chain against the registry's own root keys: keyring signed by the root,
        # snapshot signed, matching the index and not expired (an idle registry is re-signed).
        config = replace(config, keyring=registry.own_trust(check_expiry=True).keyring)
    except EstreamError as e:
        report.extend(e)
    indexed: Set[str] = set()
    for rel, expected in registry.index_files():
        if expected != rel:
            report.add(f"{registry.display_url}:{rel}", misplaced_index_file(expected))
            continue
        entries, problems = registry.entries_lenient(rel.rsplit("/", 1)[-1])
        report.problems.extend(problems)
        for line, entry in entries:
            report.versions += 1
            indexed.add(entry.archive_path)
            _check_entry(registry, config, rel, line, entry, report)
            if len(report.problems) >= MAX_PROBLEMS:
                report.add(registry.display_url, f"stopped after {MAX_PROBLEMS} problems")
                return report
    archives = registry.checkout / "archives"
    for dirpath, dirnames, filenames in os.walk(archives):
        dirnames.sort()
        for filename in sorted(filenames):
            rel = (Path(dirpath) / filename).relative_to(registry.checkout).as_posix()
            if rel not in indexed:
                report.add(
                    f"{registry.display_url}:{rel}",
                    "no index line names this archive",
                    help="archives are added only by `estream marketplace publish`, together with their index line",
                )
    return report


def ci_workflow() -> str:
    """The GitHub Actions workflow a registry runs on every pull request (see the module docstring)."""
    return """\
# Written by `estream marketplace registry-init`. Make this check required for the default branch:
# a pull request that adds a tampered archive or an index line that does not match its signed
# archive then cannot be merged, whoever opened it.
name: registry check
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    env:
      # The estream tools: set the repository variables to pin another source or revision.
      ESTREAM_TOOLS_REPO: ${{ vars.ESTREAM_TOOLS_REPO || 'estream/estream-pants' }}
      ESTREAM_TOOLS_REF: ${{ vars.ESTREAM_TOOLS_REF || 'main' }}
    steps:
      - uses: actions/checkout@v4
        with:
          path: registry
      - uses: actions/checkout@v4
        with:
          repository: ${{ env.ESTREAM_TOOLS_REPO }}
          ref: ${{ env.ESTREAM_TOOLS_REF }}
          path: tools
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "dilithium-py==1.5.1" "PyYAML>=6" "tomli>=2" "semver>=3.0.4,<3.1"
      - name: estream marketplace registry check
        run: PYTHONPATH=tools/pants-plugins python -m estream.cli.main marketplace registry check --path registry
"""


__all__ = ["CI_WORKFLOW_PATH", "CheckReport", "check_registry", "ci_workflow"]
