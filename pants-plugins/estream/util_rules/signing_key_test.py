"""RuleRunner tests of the signing key rule, with only its own rules: where the key comes from
(option, environment, development key), what it refuses, and the `signed_at` it signs with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.core.keys import SigningKey
from estream.util_rules import signing_key
from estream.util_rules.signing_key import ResolvedSigningKey, SigningKeyRequest

KEY = SigningKey.generate("release")


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(rules=[*signing_key.rules(), QueryRule(ResolvedSigningKey, [SigningKeyRequest])])


def resolve(runner: RuleRunner, home: Path, *options: str, **env: str) -> ResolvedSigningKey:
    runner.set_options(list(options), env={"HOME": str(home), **env})
    return runner.request(ResolvedSigningKey, [SigningKeyRequest()])


def error(runner: RuleRunner, home: Path, *options: str, **env: str) -> str:
    with pytest.raises(ExecutionError) as exc:
        resolve(runner, home, *options, **env)
    return str(exc.value)


def test_the_key_from_the_environment_and_signed_at_from_source_date_epoch(
    rule_runner: RuleRunner, tmp_path: Path
) -> None:
    resolved = resolve(
        rule_runner, tmp_path, ESTREAM_SIGNING_KEY=KEY.private_key_file_text(), SOURCE_DATE_EPOCH="86400"
    )
    assert (resolved.fingerprint, resolved.key_id, resolved.development) == (
        KEY.fingerprint,
        "release",
        False,
    )
    assert resolved.signed_at == "1970-01-02T00:00:00Z"
    # The option wins over SOURCE_DATE_EPOCH.
    resolved = resolve(
        rule_runner,
        tmp_path,
        "--estream-signing-signed-at=2026-02-10T12:00:00Z",
        ESTREAM_SIGNING_KEY=KEY.private_key_file_text(),
        SOURCE_DATE_EPOCH="86400",
    )
    assert resolved.signed_at == "2026-02-10T12:00:00Z"


def ignoring_secrets() -> RuleRunner:
    """A RuleRunner whose Pants ignores `secrets/`, as a .gitignore entry would make it."""
    return RuleRunner(
        rules=[*signing_key.rules(), QueryRule(ResolvedSigningKey, [SigningKeyRequest])],
        bootstrap_args=["--pants-ignore=['/secrets/']"],
    )


def test_the_key_file_option_is_relative_to_the_build_root_and_must_be_private(tmp_path: Path) -> None:
    rule_runner = ignoring_secrets()
    rule_runner.write_files({"secrets/release.key": KEY.private_key_file_text()})
    path = Path(rule_runner.build_root, "secrets/release.key")
    os.chmod(path, 0o644)
    message = error(rule_runner, tmp_path, "--estream-signing-key-file=secrets/release.key")
    assert f"{path}: signing key file is accessible by group/others (mode 0644)" in message
    assert f"chmod 600 {path}" in message
    os.chmod(path, 0o600)
    assert (
        resolve(rule_runner, tmp_path, "--estream-signing-key-file=secrets/release.key").fingerprint
        == KEY.fingerprint
    )


def test_a_key_file_pants_can_see_is_refused_before_it_is_read(
    rule_runner: RuleRunner, tmp_path: Path
) -> None:
    # Not ignored: any `files(sources=["**/*"])` could copy it into the store or a package.
    rule_runner.write_files({"keys/release.key": KEY.private_key_file_text()})
    path = Path(rule_runner.build_root, "keys/release.key")
    os.chmod(path, 0o600)
    by_option = error(rule_runner, tmp_path, "--estream-signing-key-file=keys/release.key")
    assert (
        "keys/release.key: the signing key file is inside the repository, where Pants can see it" in by_option
    )
    assert "add it to .gitignore or [GLOBAL].pants_ignore" in by_option
    by_env = error(rule_runner, tmp_path, ESTREAM_SIGNING_KEY_FILE=str(path))
    assert "keys/release.key: the signing key file is inside the repository" in by_env
    # A symlink from outside the repository to the visible file is the same file.
    outside = tmp_path / "link.key"
    outside.symlink_to(path)
    assert "inside the repository" in error(rule_runner, tmp_path, ESTREAM_SIGNING_KEY_FILE=str(outside))
    # Outside the build root the key is read as before.
    elsewhere = tmp_path / "elsewhere.key"
    elsewhere.write_text(KEY.private_key_file_text())
    os.chmod(elsewhere, 0o600)
    assert (
        resolve(rule_runner, tmp_path, ESTREAM_SIGNING_KEY_FILE=str(elsewhere)).fingerprint == KEY.fingerprint
    )


def test_refusals_name_what_to_fix(rule_runner: RuleRunner, tmp_path: Path) -> None:
    both = error(
        rule_runner, tmp_path, ESTREAM_SIGNING_KEY=KEY.private_key_file_text(), ESTREAM_SIGNING_KEY_FILE="/k"
    )
    assert "both ESTREAM_SIGNING_KEY and ESTREAM_SIGNING_KEY_FILE are set" in both
    bad_time = error(
        rule_runner,
        tmp_path,
        "--estream-signing-signed-at=yesterday",
        ESTREAM_SIGNING_KEY=KEY.private_key_file_text(),
    )
    assert "[estream-signing].signed_at" in bad_time


def test_without_a_key_the_users_development_key_is_created_once(
    rule_runner: RuleRunner, tmp_path: Path
) -> None:
    first = resolve(rule_runner, tmp_path)
    assert first.development and first.key_id.startswith("dev-")
    assert list((tmp_path / ".estream" / "keys").iterdir()), "the development key is kept in HOME"
    assert resolve(rule_runner, tmp_path).fingerprint == first.fingerprint
