"""`[fusesoc].libraries`: parsing, the libraries a `fusesoc_core` searches, the VLNV errors, and
a directory library's files (the git fetch and the lookup itself run FuseSoC: see
edalize_driver_test.py and tests/integration/fusesoc_core_integration_test.py)."""

from __future__ import annotations

import json

import pytest
from pants.core.goals.package import BuiltPackage
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import QueryRule, RuleRunner

from estream.core.errors import EstreamError
from estream.fpga import edalize_driver, fusesoc_core
from estream.fpga.core_libraries import (
    FETCH_CLONE_FAILED,
    FETCH_COMMIT_NOT_FOUND,
    NOT_FOUND_MARKER,
    CoreLibrary,
    CoreLibraryFiles,
    DeclaredCoreLibraries,
    fetch_error,
    not_found_in_stderr,
    parse_libraries,
    select_libraries,
    suggestions,
    vlnv_not_found_error,
)
from estream.fpga.fusesoc_core import FusesocCorePackageFieldSet
from estream.fpga.target_types import FusesocCoreTarget

SHA = "9baea86ff0e46e64b45342b9742898ed24e3c285"
WHERE = "hw/BUILD: hw:soc"
SERV = [
    "award-winning:serv:serv:1.4.0",
    "award-winning:serv:servant:1.4.0",
    "award-winning:serv:servile:1.4.0",
]


def test_directories_and_locked_git_repositories_parse() -> None:
    libs = parse_libraries(
        {"vendored": "3rdparty/fusesoc/", "serv": {"git": "https://github.com/olofk/serv", "commit": SHA}}
    )
    assert libs == (
        CoreLibrary("serv", git="https://github.com/olofk/serv", commit=SHA),
        CoreLibrary("vendored", directory="3rdparty/fusesoc"),
    )
    assert libs[0].sandbox_location() == "__fusesoc_libraries/serv"
    assert libs[1].sandbox_location() == "3rdparty/fusesoc"


@pytest.mark.parametrize(
    "raw, key, text",
    [
        (
            {"s": {"git": "https://x/serv", "commit": "main"}},
            "[fusesoc].libraries.s",
            "full commit id (40 hex digits), not `main`",
        ),
        ({"s": {"git": "https://x/serv", "commit": SHA[:12]}}, "[fusesoc].libraries.s", "full commit id"),
        ({"s": {"git": "https://x/serv"}}, "[fusesoc].libraries.s", "full commit id"),
        ({"s": {"commit": SHA}}, "[fusesoc].libraries.s", "needs `git`"),
        (
            {"s": {"git": "https://x/serv", "commit": SHA, "branch": "main"}},
            "[fusesoc].libraries.s",
            "unknown key `branch`",
        ),
        ({"s": "../outside"}, "[fusesoc].libraries.s", "not inside the repository"),
        ({"s": "/abs/cores"}, "[fusesoc].libraries.s", "not inside the repository"),
        ({"s": 3}, "[fusesoc].libraries.s", "expected a directory (string)"),
        ({"has space": "x"}, "[fusesoc].libraries", "library name `has space` is not a name"),
    ],
)
def test_bad_libraries_are_named_in_pants_toml(raw, key, text) -> None:
    with pytest.raises(EstreamError) as e:
        parse_libraries(raw)
    d = e.value.diagnostics[0]
    assert (d.path, d.key) == ("pants.toml", key) and text in d.message, d


def test_a_target_searches_the_libraries_it_names_or_all() -> None:
    declared = parse_libraries({"serv": "3p/serv", "gen": "3p/gen"})
    assert [lib.name for lib in select_libraries(declared, None, where=WHERE)] == ["gen", "serv"]
    assert [lib.name for lib in select_libraries(declared, ["serv"], where=WHERE)] == ["serv"]


def test_an_unknown_library_says_which_exist_and_the_closest() -> None:
    declared = parse_libraries({"serv": "3p/serv", "gen": "3p/gen"})
    with pytest.raises(EstreamError) as e:
        select_libraries(declared, ["srv"], where=WHERE)
    d = e.value.diagnostics[0]
    assert (d.path, d.key) == (WHERE, "libraries")
    assert d.message == "unknown FuseSoC library `srv`"
    assert d.help is not None
    assert "did you mean `serv`?" in d.help and "`gen`, `serv`" in d.help


def test_no_library_declared_is_an_error_naming_the_option() -> None:
    with pytest.raises(EstreamError) as e:
        select_libraries((), None, where=WHERE)
    assert "[fusesoc].libraries" in e.value.diagnostics[0].message


@pytest.mark.parametrize(
    "wanted, expected",
    [
        ("::servant:1.4.0", ["award-winning:serv:servant:1.4.0"]),  # FuseSoC needs vendor+library
        ("award-winning:serv:servnt:1.4.0", ["award-winning:serv:servant:1.4.0"]),
        ("award-winning:serv:servant:9.9", ["award-winning:serv:servant:1.4.0"]),
        ("acme:io:uart16550:1.5", []),
    ],
)
def test_did_you_mean_prefers_the_same_core_name(wanted, expected) -> None:
    assert suggestions(wanted, SERV)[:1] == expected


def test_a_vlnv_in_no_library_names_the_libraries_and_the_closest() -> None:
    err = vlnv_not_found_error(
        "::servnt:1.4.0", {"serv": SERV, "gen": ["fusesoc:utils:generators:0.1.7"]}, where=WHERE
    )
    d = err.diagnostics[0]
    assert (d.path, d.key) == (WHERE, "vlnv")
    assert d.message == "no core `::servnt:1.4.0` in the FuseSoC libraries `gen` (1 cores), `serv` (3 cores)"
    assert d.help == "did you mean `award-winning:serv:servant:1.4.0`?"
    assert "Traceback" not in str(err)


def test_the_driver_marker_round_trips() -> None:
    # The driver cannot import the plugin: its copies of the constants must agree.
    assert edalize_driver.NOT_FOUND_MARKER == NOT_FOUND_MARKER
    assert (edalize_driver.FETCH_CLONE_FAILED, edalize_driver.FETCH_COMMIT_NOT_FOUND) == (
        FETCH_CLONE_FAILED,
        FETCH_COMMIT_NOT_FOUND,
    )
    line = NOT_FOUND_MARKER + json.dumps({"vlnv": "a:b:c", "known": {"serv": SERV}})
    assert not_found_in_stderr(f"fusesoc: run\n{line}\nfpga build failed: no core\n") == (
        "a:b:c",
        {"serv": SERV},
    )
    assert not_found_in_stderr("fpga build failed: nextpnr\n") is None


def test_fetch_failures_say_commit_or_url() -> None:
    lib = CoreLibrary("serv", git="/srv/serv.git", commit=SHA)
    d = fetch_error(lib, FETCH_COMMIT_NOT_FOUND, "fatal: reference is not a tree").diagnostics[0]
    assert d.key == "[fusesoc].libraries.serv" and d.message == f"commit {SHA} is not in `/srv/serv.git`"
    d = fetch_error(lib, FETCH_CLONE_FAILED, "fatal: repository '/srv/serv.git' does not exist").diagnostics[
        0
    ]
    assert d.message == "cannot fetch the git library `/srv/serv.git` (exit 3)" and "does not exist" in (
        d.help or ""
    )


# ---------------------------------------------------------------------------------------------
# Through the rules: the option as Pants parses it, a directory library's files, and the
# checks a `fusesoc_core` makes before any process runs.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def rule_runner() -> RuleRunner:
    return RuleRunner(
        rules=[
            *fusesoc_core.rules(),
            QueryRule(DeclaredCoreLibraries, []),
            QueryRule(CoreLibraryFiles, [CoreLibrary]),
            QueryRule(BuiltPackage, [FusesocCorePackageFieldSet]),
        ],
        target_types=[FusesocCoreTarget],
    )


def test_the_option_parses_from_pants_options(rule_runner: RuleRunner) -> None:
    rule_runner.set_options(
        [
            f"--fusesoc-libraries={{'vendored': '3p/cores', 'serv': {{'git': '/srv/serv.git', 'commit': '{SHA}'}}}}"
        ]
    )
    declared = rule_runner.request(DeclaredCoreLibraries, [])
    assert declared.libraries == (
        CoreLibrary("serv", git="/srv/serv.git", commit=SHA),
        CoreLibrary("vendored", directory="3p/cores"),
    )
    rule_runner.set_options(["--fusesoc-libraries={'serv': {'git': '/srv/serv.git', 'commit': 'main'}}"])
    with pytest.raises(
        ExecutionError, match=r"pants.toml: `\[fusesoc\].libraries.serv`: `commit` must be a full commit id"
    ):
        rule_runner.request(DeclaredCoreLibraries, [])


def test_a_directory_library_is_its_files_and_a_missing_one_is_an_error(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"3p/cores/uart/uart.core": "CAPI=2:\nname: acme:io:uart:1\n"})
    files = rule_runner.request(CoreLibraryFiles, [CoreLibrary("v", directory="3p/cores")])
    contents = rule_runner.request(DigestContents, [files.digest])
    assert [fc.path for fc in contents] == ["3p/cores/uart/uart.core"]
    with pytest.raises(
        ExecutionError, match=r"`\[fusesoc\].libraries.gone`: the library directory `3p/gone` does not exist"
    ):
        rule_runner.request(CoreLibraryFiles, [CoreLibrary("gone", directory="3p/gone")])


def package(rule_runner: RuleRunner, fields: str) -> None:
    rule_runner.write_files(
        {
            "hw/BUILD": f'fusesoc_core(name="soc", core_target="icebreaker", family="ice40", sources=[], {fields})'
        }
    )
    tgt = rule_runner.get_target(Address("hw", target_name="soc"))
    rule_runner.request(BuiltPackage, [FusesocCorePackageFieldSet.create(tgt)])


@pytest.mark.parametrize(
    "options, fields, text",
    [
        (
            ["--fusesoc-libraries={'serv': '3p/cores'}"],
            'vlnv="a:b:c:1", libraries=["srv"]',
            r"hw/BUILD: hw:soc: `libraries`: unknown FuseSoC library `srv`\n  help: did you mean `serv`\?",
        ),
        (
            ["--fusesoc-libraries={'serv': '3p/none'}"],
            'vlnv="a:b:c:1"',
            r"`\[fusesoc\].libraries.serv`: the library directory `3p/none` does not exist",
        ),
        ([], 'vlnv="a:b:c:1"', r"`vlnv` needs a FuseSoC library"),
        (
            ["--fusesoc-libraries={'serv': '3p/cores'}"],
            'vlnv="a:b:c:1", core="x.core"',
            r"set exactly one of `core`",
        ),
        (["--fusesoc-libraries={'serv': '3p/cores'}"], 'vlnv="servant"', r"`servant` is not a VLNV"),
        (
            ["--fusesoc-libraries={'serv': '3p/cores'}"],
            'vlnv="a:b:c:1", cores_roots=["."]',
            r"`cores_roots` is for `core`",
        ),
    ],
)
def test_a_vlnv_target_checks_its_libraries_before_any_process(
    rule_runner: RuleRunner, options, fields, text
) -> None:
    rule_runner.write_files({"3p/cores/uart/uart.core": "CAPI=2:\nname: acme:io:uart:1\n"})
    rule_runner.set_options(options)
    with pytest.raises(ExecutionError, match=text):
        package(rule_runner, fields)
