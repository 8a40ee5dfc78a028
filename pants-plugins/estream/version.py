"""The version of the `estream-pants` and `estream-cli` distributions: the one place it is defined.

`estream --version` prints it, and this repository's `estream_release` backend reads this file to
set the `version` of both `python_distribution`s, so a release changes this line and nothing else.
Keep it a plain string literal assignment: the release backend parses it with `ast`, not by import.
"""

VERSION = "0.1.0"
