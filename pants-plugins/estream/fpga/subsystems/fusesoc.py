"""`[fusesoc-library]`: where `publish` puts FuseSoC cores, and `[fusesoc]`: the FuseSoC libraries
`fusesoc_core` targets take cores from by VLNV."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pants.option.option_types import DictOption, EnumOption, IntOption, StrListOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import help_text, softwrap


class FusesocSyncType(Enum):
    auto = "auto"
    local = "local"
    git = "git"


class FusesocLibrarySubsystem(Subsystem):
    options_scope = "fusesoc-library"
    help = help_text(
        """
        The FuseSoC library `publish` puts the FuseSoC cores of `fpga_bitstream` targets into: a
        directory, or a git repository (any remote, or a local bare repository), which
        `fusesoc library add` accepts (`--sync-type local` or `--sync-type git`).

        Each core is the one `fusesoc-export` writes (same files, same VLNV from
        `[fusesoc-export].vendor` and `.version`), validated by FuseSoC's own parser, and goes to
        `<library>/<VLNV library>/<VLNV name>/<VLNV version>/`; `estream_fpga_driver.py` (the
        `EDALIZE_LAUNCHER` for the YoWASP tools) goes to the top. A published core is immutable:
        publishing identical content again is a no-op, different content is an error (bump
        `[fusesoc-export].version`). A git library gets one commit per core, pushed, and
        re-applied when another publisher pushed first.

        Credentials never go in `pants.toml` or any committed file: git's own mechanisms apply
        (credential helpers, `~/.git-credentials`, an SSH agent, `GIT_ASKPASS`). The environment
        variables they need are passed to the publishing process (see `extra_env_vars`).
        """
    )

    location = StrOption(
        default=None,
        help=softwrap(
            """
            Where the library is: a directory (relative to the build root, or absolute; created
            if its parent exists), a git URL (`https://host/org/cores.git`, `git@host:org/cores.git`,
            `file:///srv/cores.git`) or a path to a bare git repository. When unset, `publish`
            skips `fpga_bitstream` targets. Do not embed credentials in a URL: use a git
            credential helper.
            """
        ),
    )
    sync_type = EnumOption(
        default=FusesocSyncType.auto,
        help=softwrap(
            """
            How to write to `location`, named like `fusesoc library add --sync-type`: `local` (a
            directory), `git` (clone, commit, push), or `auto`: `git` for URLs and bare
            repositories, `local` otherwise. (FuseSoC's own default treats any existing
            directory, even a bare repository, as `local`; pass it `--sync-type git`.)
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            Git libraries: the branch to publish to. Default: the repository's default branch
            (what `git clone`, and so `fusesoc library add`, checks out).
            """
        ),
    )
    push_attempts = IntOption(
        advanced=True,
        default=20,
        help="Git libraries: how many times to re-apply and push when other publishers keep pushing first.",
    )
    extra_env_vars = StrListOption(
        advanced=True,
        help=softwrap(
            """
            Additional environment variables passed to the publishing process, as `NAME` (taken
            from Pants' environment) or `NAME=value`. Git credential variables are already passed:
            `HOME`, `PATH`, `SSH_AUTH_SOCK`, `GIT_ASKPASS`, `GIT_SSH_COMMAND`, `GIT_CONFIG_GLOBAL`,
            `XDG_CONFIG_HOME`.
            """
        ),
    )


class FusesocSubsystem(Subsystem):
    options_scope = "fusesoc"
    help = help_text(
        """
        The FuseSoC libraries `fusesoc_core` targets find cores in by VLNV
        (`fusesoc_core(vlnv="award-winning:serv:servant:1.4.0", ...)`). FuseSoC's own library
        code loads them and looks the VLNV up; every library's content is in the build's cache
        key. See `estream.fpga.core_libraries`.
        """
    )

    libraries = DictOption[Any](
        help=help_text(
            """
            Library name -> where it is: a directory of the repository (relative to the build
            root), or a git repository locked to a full commit id, `{git = "URL", commit =
            "<40 hex digits>"}` (any URL or path git clones, e.g. `https://github.com/olofk/serv`
            or a local bare repository). A git library is fetched once per commit by FuseSoC's
            git provider in a sandboxed, cached process; moving a branch upstream changes
            nothing. Example: `libraries = { vendored = "3rdparty/fusesoc", serv = { git =
            "https://github.com/olofk/serv", commit = "9baea86ff0e46e64b45342b9742898ed24e3c285" } }`.
            """
        ),
    )
