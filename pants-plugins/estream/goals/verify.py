"""The `verify` goal: build marketplace packages and verify their archives like a consumer would.

`--verify-fpga` (`./pants verify --fpga ::`) adds the FPGA bitstream checks of
`estream marketplace verify --fpga` (`estream.core.fpga.verify`); the exit code is the most
severe finding of all packages, as for the CLI.
"""

from __future__ import annotations

import os
from typing import Callable, Tuple, Union

from pants.base.build_root import BuildRoot
from pants.core.goals.package import BuiltPackage, PackageFieldSet
from pants.engine.console import Console
from pants.engine.fs import Digest, DigestContents
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, MultiGet, collect_rules, goal_rule
from pants.engine.target import (
    NoApplicableTargetsBehavior,
    TargetRootsToFieldSets,
    TargetRootsToFieldSetsRequest,
)
from pants.option.option_types import BoolOption

from estream.core.archive import read_archive
from estream.core.errors import EstreamError
from estream.core.fpga.verify import SignatureAndFpgaReport, verify_package_with_fpga
from estream.core.keys import PublicKey, load_keyring
from estream.core.verify import ExitCode, VerificationReport, most_severe, verify_package
from estream.goals import package
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.subsystems.signing import EstreamSigningSubsystem
from estream.util_rules import signing_key
from estream.util_rules.signing_key import ResolvedSigningKey, SigningKeyRequest


class VerifySubsystem(GoalSubsystem):
    name = "verify"
    help = (
        "Build `marketplace_package` targets and verify each archive's SIGNATURE.ml-dsa: file "
        "hashes, Merkle root, ML-DSA-87 signature and key trust (keyring from "
        "`[estream-signing].keyring`)."
    )

    json = BoolOption(default=False, help="Print one JSON report per package instead of text.")
    fpga = BoolOption(
        default=False,
        help=(
            "Also check each package's FPGA bitstreams against `fpga/manifest.toml`: SHA3-256 "
            "checksums, circuit version, declared device families, unlisted bitstreams "
            "(SmartCircuit package format §7.3; exit codes 20-27)."
        ),
    )


class Verify(Goal):
    subsystem_cls = VerifySubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def run_verify(
    console: Console,
    goal_subsystem: VerifySubsystem,
    signing: EstreamSigningSubsystem,
    build_root: BuildRoot,
) -> Verify:
    targets = await Get(
        TargetRootsToFieldSets,
        TargetRootsToFieldSetsRequest(
            PackageFieldSet,
            goal_description="the `verify` goal",
            no_applicable_targets_behavior=NoApplicableTargetsBehavior.warn,
        ),
    )
    field_sets = [fs for fs in targets.field_sets if isinstance(fs, MarketplacePackagePackageFieldSet)]
    packages = await MultiGet(Get(BuiltPackage, PackageFieldSet, fs) for fs in field_sets)
    contents = await MultiGet(Get(DigestContents, Digest, p.digest) for p in packages)

    try:
        keyring = load_keyring(os.path.join(build_root.path, signing.keyring)) if signing.keyring else None
    except EstreamError as e:
        console.print_stderr(e.render())
        return Verify(exit_code=2)

    # "Allow development key" means this user's own dev key: it is trusted like a keyring entry,
    # so a local `package` + `verify` round trip works without publishing anything.
    extra_trusted: Tuple[PublicKey, ...] = ()
    if signing.allow_development_key:
        local = await Get(ResolvedSigningKey, SigningKeyRequest())
        if local.development:
            extra_trusted = (local.key.public,)

    codes = []
    for field_set, archive_files in zip(field_sets, contents):
        for archive in archive_files:
            try:
                top_dir, files = read_archive(archive.content, source=archive.path)
            except EstreamError as e:
                console.print_stderr(e.render())
                codes.append(ExitCode.MALFORMED_SIGNATURE)
                continue
            verify: Callable[..., Union[VerificationReport, SignatureAndFpgaReport]] = verify_package
            if goal_subsystem.fpga:
                verify = verify_package_with_fpga
            report = verify(
                files,
                keyring=keyring,
                extra_trusted_keys=extra_trusted,
                allow_development_key=signing.allow_development_key,
                top_dir=top_dir,
                source=archive.path,
            )
            if goal_subsystem.json:
                console.print_stdout(report.to_json())
            else:
                console.print_stdout(f"{field_set.address} ({archive.path})")
                console.print_stdout(report.render())
            codes.append(report.exit_code)
    exit_code = int(most_severe(codes)) if codes else 0
    return Verify(exit_code=exit_code)


def rules():
    return [*collect_rules(), *package.rules(), *signing_key.rules()]
