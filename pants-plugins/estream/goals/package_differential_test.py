"""Differential test (issue 11, item 4): `./pants package` (the real `package` rule, in a
RuleRunner) and `estream marketplace publish DIR` (the CLI entry point, in-process, against a real
bare-git registry) reject exactly the same broken packages with the same diagnostics (file,
line, key, message), over the corpus of `estream.testutil.broken_packages`; and both accept the
valid base repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from pants.core.goals.package import BuiltPackage
from pants.core.target_types import FilesGeneratorTarget, FileTarget
from pants.core.util_rules import source_files
from pants.engine.addresses import Address
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.cli.main import main
from estream.core.errors import EstreamError
from estream.core.keys import SigningKey
from estream.core.registry.testing import cli_registry, copy_cli_registry
from estream.dependency_inference import rules as dependency_inference
from estream.goals import package
from estream.goals.package import MarketplacePackagePackageFieldSet
from estream.target_types import target_types as estream_target_types
from estream.testutil.broken_packages import BASE, CASES, Case

KEY = SigningKey.generate("corpus-release")


@pytest.fixture(scope="module")
def initialised_registry(tmp_path_factory) -> Path:
    """An empty registry initialised through the CLI (`KEY` trusted), built once for the module
    (registry-init signs with ML-DSA in pure Python): never changed, each test gets a copy."""
    template = tmp_path_factory.mktemp("registry")
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli_registry(template, monkeypatch, KEY)
    return template


@pytest.fixture
def registry(initialised_registry, tmp_path, monkeypatch) -> str:
    """A private registry, $ESTREAM_REGISTRY, with HOME in `tmp_path` and `KEY` signing snapshots."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return copy_cli_registry(initialised_registry, tmp_path, monkeypatch, KEY)


def runner_with(files) -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *dependency_inference.rules(),
            *package.rules(),
            *source_files.rules(),
            QueryRule(BuiltPackage, [MarketplacePackagePackageFieldSet]),
        ],
        target_types=[*estream_target_types(), FileTarget, FilesGeneratorTarget],
    )
    runner.set_options([], env={"ESTREAM_SIGNING_KEY": KEY.private_key_file_text()})
    runner.write_files({"pants.toml": "", **files})  # the CLI finds the repository by it
    return runner


def pants_errors(runner: RuleRunner) -> List[str]:
    """`package demo:`: the rendered diagnostics, or [] when it builds."""
    target = runner.get_target(Address("demo"))
    try:
        runner.request(BuiltPackage, [MarketplacePackagePackageFieldSet.create(target)])
    except ExecutionError as e:
        (cause,) = e.wrapped_exceptions
        assert isinstance(cause, EstreamError), f"not a diagnostic: {cause!r}"
        return sorted(d.render() for d in cause.diagnostics)
    return []


def cli_errors(build_root: str, capsys, monkeypatch) -> List[str]:
    """`estream marketplace publish demo`, run from the build root: its `error:` blocks, or []."""
    monkeypatch.chdir(build_root)
    capsys.readouterr()
    code = main(["marketplace", "publish", "demo"])
    err = capsys.readouterr().err
    if code == 0:
        return []
    assert code == 2, err
    blocks = [b for b in err.split("\nerror: ")]
    blocks = [b if b.startswith("error: ") else "error: " + b for b in blocks]
    return sorted(b.split("\n\n")[0].rstrip("\n") for b in blocks if b.strip())


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CASES) >= 30
    assert {c.kind for c in CASES} == {"manifest", "schema", "resolution", "circuit", "layout"}
    assert len({c.id for c in CASES}) == len(CASES)


def test_both_accept_the_valid_base(registry, capsys, monkeypatch) -> None:
    runner = runner_with(BASE)
    assert pants_errors(runner) == []
    assert cli_errors(runner.build_root, capsys, monkeypatch) == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_both_reject_with_the_same_diagnostics(case: Case, registry, capsys, monkeypatch) -> None:
    runner = runner_with(case.files())
    from_pants = pants_errors(runner)
    from_cli = cli_errors(runner.build_root, capsys, monkeypatch)
    assert from_pants, f"{case.id}: `package` accepted a broken package"
    assert from_cli == from_pants
    assert all(line.startswith("error: ") for line in from_pants)
