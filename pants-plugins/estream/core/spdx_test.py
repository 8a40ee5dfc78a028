from __future__ import annotations

import pytest

from estream.core.spdx import spdx_expression_error

VALID = [
    "Apache-2.0",
    "MIT OR Apache-2.0",
    "(MIT OR Apache-2.0) AND BSD-3-Clause",
    "GPL-2.0-or-later WITH Classpath-exception-2.0",
    "BSL-1.1",
    "LicenseRef-eStream-Enterprise",
    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
    "GPL-2.0+",
    "((MIT))",
    "MIT AND (Apache-2.0 OR BSD-2-Clause) AND ISC",
]

INVALID = [
    ("", "empty"),
    ("   ", "empty"),
    ("MIT/Apache-2.0", "`/` is not an SPDX operator"),
    ("MIT or Apache-2.0", "write `OR`, not `or`"),
    ("MIT OR", "ends where a license identifier was expected"),
    ("AND MIT", "found `AND`"),
    ("(MIT", "never closed"),
    ("MIT)", "no matching `(`"),
    ("MIT Apache-2.0", "found `Apache-2.0`"),
    ("MIT WITH", "`WITH` must be followed"),
    ("MIT WITH (", "`WITH` must be followed"),
    ("MIT, Apache-2.0", "unexpected character `,`"),
    ("-MIT", "`-MIT` is not a valid license identifier"),
    ("()", "found `)`"),
    ("(" * 40 + "MIT" + ")" * 40, "nested too deeply"),
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_spdx_expressions(expression: str) -> None:
    assert spdx_expression_error(expression) is None


@pytest.mark.parametrize("expression, reason", INVALID)
def test_invalid_spdx_expressions(expression: str, reason: str) -> None:
    error = spdx_expression_error(expression)
    assert error is not None and reason in error


def test_sixteen_levels_of_parentheses_are_enough() -> None:
    assert spdx_expression_error("(" * 16 + "MIT" + ")" * 16) is None
    assert spdx_expression_error("(" * 17 + "MIT" + ")" * 17) == "parentheses are nested too deeply"
