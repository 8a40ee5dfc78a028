"""`[estream-test]`: options of `test` for `smart_circuit` targets (golden vectors and journeys)."""

from __future__ import annotations

from pants.option.option_types import SkipOption, StrListOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import softwrap


class EstreamTestSubsystem(Subsystem):
    options_scope = "estream-test"
    name = "eStream circuit tests"
    help = "Options for running SmartCircuit golden vectors and journeys with `test`."

    skip = SkipOption("test")
    tags = StrListOption(
        help=softwrap(
            """
            Only run golden vectors and journeys that carry at least one of these tags (from
            `tests/golden/manifest.toml`, a vector's `metadata.tags` or a journey's `tags`).
            Empty runs everything.
            """
        ),
    )
