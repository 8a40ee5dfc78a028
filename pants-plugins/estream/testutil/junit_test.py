from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from estream.testutil.junit import FIXED_TIMESTAMP, normalize_junit_file, normalize_junit_xml

PYTEST_XML = (
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" '
    'failures="0" skipped="0" tests="2" time="0.044" timestamp="2026-11-23T11:09:57.306215" '
    'hostname="build-host-7"><testcase classname="x" name="test_a" time="0.001" /></testsuite>'
    "</testsuites>"
)


def test_timestamp_and_hostname_are_replaced() -> None:
    fixed = normalize_junit_xml(PYTEST_XML)
    assert "2026-11-23" not in fixed and "build-host-7" not in fixed
    assert f'timestamp="{FIXED_TIMESTAMP}"' in fixed and 'hostname=""' in fixed
    # Durations and results stay.
    assert 'time="0.044"' in fixed and 'tests="2"' in fixed and 'name="test_a"' in fixed


def test_normalizing_is_idempotent_and_leaves_other_xml_alone() -> None:
    once = normalize_junit_xml(PYTEST_XML)
    assert normalize_junit_xml(once) == once
    other = '<testcase timestamp="2026-01-01" hostname="h" />'
    assert normalize_junit_xml(other) == other


def test_real_pytest_run_writes_no_timestamp_or_host(tmp_path: Path) -> None:
    """Run pytest itself with the hook, as Pants does, and read the XML it leaves."""
    (tmp_path / "conftest.py").write_text(
        "from estream.testutil.junit import pytest_unconfigure  # noqa: F401\n"
    )
    (tmp_path / "sample_test.py").write_text("def test_ok():\n    assert True\n")
    xml = tmp_path / "out.xml"
    import estream

    pythonpath = str(Path(estream.__file__).parent.parent)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junit-xml={xml}",
            str(tmp_path / "sample_test.py"),
        ],
        cwd=tmp_path,
        check=True,
        env={"PYTHONPATH": pythonpath},
        capture_output=True,
    )
    text = xml.read_text()
    assert f'timestamp="{FIXED_TIMESTAMP}"' in text and 'hostname=""' in text
    normalize_junit_file(xml)
    assert xml.read_text() == text
