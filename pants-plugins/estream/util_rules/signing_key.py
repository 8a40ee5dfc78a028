"""The signing key, resolved in-process once per Pants session.

The private key is read here and held only in the memory of the Pants process: it is never
written to a Digest, so it cannot reach the store, a sandbox, `dist/` or a remote cache.

A key file inside the build root must be invisible to Pants (git-ignored, or in
`[GLOBAL].pants_ignore`): a file Pants can see can be globbed by some target (`files`,
`resources`, a package's includes) and so be copied into the store, a sandbox, a package or a
remote cache, which this module exists to prevent. The rule asks Pants itself (a `PathGlobs`
of the file) rather than re-implementing its ignore rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from pants.base.build_root import BuildRoot
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import PathGlobs, Paths
from pants.engine.rules import Get, _uncacheable_rule, collect_rules

from estream.core.errors import EstreamError
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
    build_root = BuildRoot().path
    key_file = os.path.join(build_root, subsystem.key_file) if subsystem.key_file else None
    for candidate in (key_file, env.get("ESTREAM_SIGNING_KEY_FILE")):
        inside = key_file_inside(build_root, candidate)
        if inside is not None and (await Get(Paths, PathGlobs([inside]))).files:
            raise EstreamError.single(
                inside,
                "the signing key file is inside the repository, where Pants can see it: a target's "
                "glob could copy it into the store, a sandbox, a package or a remote cache",
                help="keep the key outside the repository (in CI, pass its text in "
                "ESTREAM_SIGNING_KEY), or ignore it: add it to .gitignore or [GLOBAL].pants_ignore",
            )
    key = load_key(
        key_file=key_file,
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


def key_file_inside(build_root: str, path: Optional[str]) -> Optional[str]:
    """PATH relative to the build root when it lies inside it (symlinks resolved), else None."""
    if not path:
        return None
    root = os.path.realpath(build_root)
    real = os.path.realpath(os.path.join(build_root, path))
    if os.path.commonpath([root, real]) != root or real == root:
        return None
    return os.path.relpath(real, root)


def rules():
    return collect_rules()
