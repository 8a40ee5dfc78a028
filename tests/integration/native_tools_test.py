from __future__ import annotations

import pytest

from integration.native_tools import REQUIRE_ENV, NativeTools

ABSENT = NativeTools("Frobnicator", ("sh", "estream-no-such-tool"), ("frob", "frob-extra"))


def test_a_missing_tool_skips_with_the_install_command(monkeypatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        ABSENT.require()
    assert str(skipped.value) == (
        "Frobnicator not found on the PATH (missing: estream-no-such-tool); "
        "install it with: sudo apt-get install frob frob-extra"
    )
    assert not ABSENT.available()


def test_ci_turns_a_missing_tool_into_a_failure(monkeypatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(
        pytest.fail.Exception, match="ESTREAM_REQUIRE_NATIVE_TOOLS=1 but Frobnicator not found"
    ):
        ABSENT.require()


def test_present_tools_run(monkeypatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    present = NativeTools("POSIX shell", ("sh",), ("dash",))
    present.require()  # neither skips nor fails
    assert present.available()
