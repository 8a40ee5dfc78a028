"""Options for signing and verifying marketplace packages."""

from __future__ import annotations

from pants.option.option_types import BoolOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import help_text, softwrap


class EstreamSigningSubsystem(Subsystem):
    options_scope = "estream-signing"
    help = help_text(
        """
        How marketplace packages are signed (ML-DSA-87) and which keys `verify` trusts.

        The private key is read in-process by the signing rule and never enters the Pants store,
        `dist/`, a sandbox, a log or a remote cache: only the signature does.
        """
    )

    key_file = StrOption(
        default=None,
        help=softwrap(
            """
            Path to the ML-DSA-87 private key file (TOML with `algorithm`, `key_id`, `seed`;
            create one with `estream marketplace keygen`). It must not be readable by group or
            others. When unset, the environment variables `ESTREAM_SIGNING_KEY_FILE` (a path) or
            `ESTREAM_SIGNING_KEY` (the key file's text, for CI secrets) are used; when none is
            set, a per-user development key is created once under `~/.estream/keys/` and packages
            are marked as signed by an untrusted development key. A key file inside the build
            root is refused unless Pants ignores it (.gitignore or `[GLOBAL].pants_ignore`).
            """
        ),
    )
    keyring = StrOption(
        default=None,
        help=softwrap(
            """
            Keyring file (TOML, `[[keys]]` with `key_id`, `public_key` and `trust`) listing the
            publisher keys that `verify` trusts. Relative paths are relative to the build root.
            """
        ),
    )
    allow_development_key = BoolOption(
        default=False,
        help="Let `verify` accept packages signed by a development key (local work only).",
    )
    signed_at = StrOption(
        advanced=True,
        default=None,
        help=softwrap(
            """
            The `signed_at` time written into `SIGNATURE.ml-dsa` (RFC 3339, UTC, e.g.
            `2026-02-10T12:00:00Z`). When unset, `SOURCE_DATE_EPOCH` is used if set, else
            `1970-01-01T00:00:00Z`: never the wall clock, so archives stay reproducible.
            """
        ),
    )
