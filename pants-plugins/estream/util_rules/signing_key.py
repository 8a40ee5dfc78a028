"""The signing key, resolved in-process once per Pants session.

The private key is read here and held only in the memory of the Pants process: it is never
written to a Digest, so it cannot reach the store, a sandbox, `dist/` or a remote cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pants.base.build_root import BuildRoot
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.rules import Get, _uncacheable_rule, collect_rules

from estream.core.keys import SigningKey
from estream.core.keys import resolve_signing_key as load_key
from estream.core.signature import default_signed_at
from estream.subsystems.signing import EstreamSigningSubsystem


@dataclass(frozen=True)
class SigningKeyRequest:
    pass


@dataclass(frozen=True)
class ResolvedSigningKey:
    """The key to sign with; equality (and so rule memoization) is by public fingerprint only."""

    fingerprint: str
    key_id: str
    development: bool
    signed_at: str
    key: SigningKey = field(compare=False, hash=False, repr=False)


# Uncacheable: the key file, its permissions and the dev key live outside the build graph, so
# they are re-read once per session instead of being memoized across sessions by pantsd.
@_uncacheable_rule(desc="Load the package signing key")
async def resolve_signing_key(_: SigningKeyRequest, subsystem: EstreamSigningSubsystem) -> ResolvedSigningKey:
    env = await Get(
        EnvironmentVars,
        EnvironmentVarsRequest(
            ["ESTREAM_SIGNING_KEY", "ESTREAM_SIGNING_KEY_FILE", "SOURCE_DATE_EPOCH", "HOME"]
        ),
    )
    key = load_key(
        key_file=os.path.join(BuildRoot().path, subsystem.key_file) if subsystem.key_file else None,
        environ=env,
        home_dir=env.get("HOME") or os.path.expanduser("~"),
    )
    return ResolvedSigningKey(
        fingerprint=key.fingerprint,
        key_id=key.key_id,
        development=key.development,
        signed_at=default_signed_at(
            subsystem.signed_at, env.get("SOURCE_DATE_EPOCH"), option="[estream-signing].signed_at"
        ),
        key=key,
    )


def rules():
    return collect_rules()
