"""`estream fusesoc publish DIR --library LOCATION`: put exported FuseSoC cores into a library.

`DIR` is what `./pants fusesoc-export` writes (`dist/fusesoc/`); `./pants publish` runs this same
command on the cores it generates. See `estream.core.fpga.fusesoc_library` for the rules.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from estream.cli.main import Command


def _configure_publish(p: argparse.ArgumentParser) -> None:
    # Imported when used: CLI start-up.
    from estream.core.fpga.fusesoc_library import DEFAULT_PUSH_ATTEMPTS, SYNC_TYPES

    p.add_argument(
        "cores", metavar="DIR", help="exported cores, as `./pants fusesoc-export` writes them (dist/fusesoc)"
    )
    p.add_argument(
        "--library",
        metavar="LOCATION",
        required=True,
        help="the FuseSoC library: a directory, a git URL or a path to a bare git repository",
    )
    p.add_argument(
        "--sync-type",
        choices=SYNC_TYPES,
        default="auto",
        help="`local` (a directory) or `git`, as in `fusesoc library add`; `auto` (default): git for URLs and bare repositories",
    )
    p.add_argument(
        "--branch", help="git libraries: the branch to publish to (default: the repository's default branch)"
    )
    p.add_argument(
        "--attempts",
        type=int,
        default=DEFAULT_PUSH_ATTEMPTS,
        help="git libraries: push attempts when other publishers push first (default %(default)s)",
    )


def _run_publish(args: argparse.Namespace) -> int:
    from estream.core.fpga.fusesoc_library import publish, read_cores

    cores = read_cores(Path(args.cores))
    for line in publish(
        args.library, cores, sync_type=args.sync_type, branch=args.branch, attempts=args.attempts
    ):
        print(f"  {line}")
    return 0


PUBLISH = Command(
    "publish",
    "publish exported FuseSoC cores into a FuseSoC library (a directory or a git repository)",
    _configure_publish,
    _run_publish,
)

COMMANDS = [PUBLISH]
