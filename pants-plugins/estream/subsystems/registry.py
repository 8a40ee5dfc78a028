"""Options for the marketplace registry used by `publish`."""

from __future__ import annotations

from pants.option.option_types import BoolOption, IntOption, StrListOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import help_text, softwrap


class EstreamRegistrySubsystem(Subsystem):
    options_scope = "estream-registry"
    help = help_text(
        """
        The git-backed eStream component registry that `publish` pushes `marketplace_package`
        archives to.

        Credentials never go in `pants.toml` or any committed file: git's own mechanisms apply
        (credential helpers, `~/.git-credentials`, an SSH agent, `GIT_ASKPASS`). The environment
        variables they need are passed to the publishing process (see `extra_env_vars`).
        """
    )

    url = StrOption(
        default=None,
        help=softwrap(
            """
            The registry's git URL (`https://github.com/org/estream-index.git`,
            `git@host:org/index.git`, or a path to a bare repository). When unset,
            `ESTREAM_REGISTRY` from the environment is used; with neither, publishing is skipped.
            Do not embed credentials in the URL: use a git credential helper.
            """
        ),
    )
    allow_development_key = BoolOption(
        default=False,
        help=softwrap(
            """
            Publish packages signed with a development key. Off by default: a registry should
            only hold packages signed by keys it trusts (its `keyring.toml`), and the registry
            refuses them anyway unless its own `config.toml` sets `allow_development_keys = true`.
            """
        ),
    )
    trust_roots = StrListOption(
        help=softwrap(
            """
            Fingerprints (`sha3-256:<hex>`) of the registry's root keys this repository trusts.
            `./pants estream-lock` verifies the registry's trust chain against them (the root-signed
            keyring, the signed snapshot, rollback and expiry; `estream.core.registry.trust`) and
            refuses an unpinned registry. Get the fingerprints from the registry's owner, or see
            them with `estream marketplace trust --registry URL`, and check them out of band.
            """
        ),
    )
    push_attempts = IntOption(
        advanced=True,
        default=20,
        help="How many times to re-apply and push a publish when other publishers keep pushing first.",
    )
    extra_env_vars = StrListOption(
        advanced=True,
        help=softwrap(
            """
            Additional environment variables passed to the publishing process, as `NAME` (taken
            from Pants' environment) or `NAME=value`. Git credential variables are already passed:
            `HOME`, `PATH`, `SSH_AUTH_SOCK`, `GIT_ASKPASS`, `GIT_SSH_COMMAND`, `GIT_CONFIG_GLOBAL`,
            `XDG_CONFIG_HOME`, and `ESTREAM_REGISTRY`, `ESTREAM_HOME`, `ESTREAM_KEYRING`.
            """
        ),
    )
