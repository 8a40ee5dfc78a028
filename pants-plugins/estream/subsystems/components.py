"""`[estream-components]`: the lock of the registry components this repository consumes
(`estream_component` targets) and where their archives are downloaded from."""

from __future__ import annotations

from pants.option.option_types import StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import softwrap


class EstreamComponentsSubsystem(Subsystem):
    options_scope = "estream-components"
    help = "Registry components consumed by this repository (`estream_component` targets)."

    lockfile = StrOption(
        default="3rdparty/estream/components.lock",
        help="The lock of `estream_component` targets, relative to the build root (`./pants estream-lock ::` writes it).",
    )
    archive_url_template = StrOption(
        default=None,
        help=softwrap(
            """
            Where archives are downloaded from: `{path}` is the archive's path in the registry
            repository (`archives/<name>/<name>-<version>.tar.gz`); `{name}` and `{version}` are
            also available. For a GitHub registry:
            `https://raw.githubusercontent.com/ORG/REPO/main/{path}`. When unset, the local checkout
            of `[estream-registry].url` is used (`file://`), which suits a single machine only.
            """
        ),
    )
