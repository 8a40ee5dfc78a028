"""A package's ML-DSA-87 signature: made in the Pants process, remembered by Pants' caches.

Why this exists (issue 18, item 3; figures in bench/RESULTS.md): without pantsd nothing computed
by an in-process rule survives the run, and on the 200-package bench the in-process work that
`--no-pantsd package` adds to Pants' own start-up (`list ::`) is almost all ML-DSA-87 signing:
dilithium-py is pure Python, ~200 ms of CPU per signature under Pants' Python 3.9, so every CI
build re-signed every package (~40 s of CPU for 200 packages), while validation, hashing and
the Merkle tree together cost a few seconds.

Decisions:

* The private key never leaves this process: it is never written to a Digest, a sandbox, an
  environment variable or a file. What is cached is the *signature*, which is public (it is
  shipped in SIGNATURE.ml-dsa).
* Signing is deterministic (`SigningKey.sign`, hedging off), so the signature is a function of
  the key and the statement; the statement names the key's fingerprint, so the cache key
  `sha3-256(tag, public key fingerprint, context, statement)` determines it.
* The signature reaches Pants' persistent local cache and the remote cache as the stdout of a
  tiny lookup `Process` whose action is that key: `/bin/cat <named cache>/<key>` (no host path
  but `/bin/cat`, no environment, no input files). A run where Pants has the action cached
  (locally or remotely) gets the signature from there and does not sign. Otherwise the lookup
  reads the append-only named cache `estream_package_signatures` (this machine's earlier
  signatures); on a miss it fails (failures are never cached: cache scope SUCCESSFUL), the rule
  signs, writes the signature into the named cache (atomically) and runs the same action again,
  which now succeeds and is stored in Pants' caches under the lookup's key. The second request
  differs from the first only in its log level, which Pants' engine compares (so it does not
  hand back the memoized failure) but which is not part of the action's cache key.
* With `remote_cache_read`, Pants "speculates": it starts the local run next to the remote cache
  read and takes whichever answers first. A `cat` of a missing file answers in about a
  millisecond, sooner than BuildGrid, so the lookup failed although the remote cache had the
  signature (on the 200-package bench, empty local store and warm remote cache: 179 lookups
  lost the race and 121 packages were signed again; with a shell `sleep 0.25` before failing
  the counts still varied under load: ci3 had 72 of 73 requests uncached in a first build),
  so the processes a build ran and Pants' remote-cache counters varied from run to run. The
  lookup therefore sets Pants' own per-process `remote_cache_speculation_delay_millis` (see
  `speculation_delay_millis`): the local run starts only after the remote cache read has had
  the whole of its lookup timeout (`[GLOBAL].remote_cache_rpc_timeout_millis`) to answer. The
  delay costs nothing when the remote cache answers (hit or miss, the local run starts at
  once after a miss; an unreachable remote cache costs its timeout, as for any process); it is
  not part of the action's cache key, so machines with and without a remote cache share the
  signatures. Measured on that bench (bench/RESULTS.md): 200 of 200 remote-warm lookups were
  remote hits, none lost the race, no package was signed.
* A signature taken from a cache is checked for its size, not re-verified (verifying costs ~50 ms
  of CPU, a quarter of signing): a wrong signature cannot reveal the key, and `verify`,
  `publish` and `install` reject it, exactly as they would reject any other corrupted cache
  output such as an archive.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

from pants.engine.engine_aware import EngineAwareParameter
from pants.engine.fs import EMPTY_DIGEST
from pants.engine.process import FallibleProcessResult, Process, ProcessCacheScope
from pants.engine.rules import Get, collect_rules, rule
from pants.option.global_options import GlobalOptions, NamedCachesDirOption
from pants.util.logging import LogLevel

from estream.core.atomic_file import atomic_write_bytes
from estream.core.keys import SIGNATURE_SIZE
from estream.core.merkle import sha3_256
from estream.core.signature import CONTEXT, UnsignedPackage
from estream.util_rules.signing_key import ResolvedSigningKey

logger = logging.getLogger(__name__)

#: The named cache holding this machine's signatures, one file per cache key (append-only).
SIGNATURE_CACHE_NAME = "estream_package_signatures"
SIGNATURE_CACHE_DIR = ".estream_signatures"
CACHE_KEY_TAG = b"estream-signature-cache-v1\n"


def signature_cache_key(fingerprint: str, statement: bytes) -> str:
    """The name of a signature in the caches: it determines the signature (deterministic signing)."""
    return sha3_256(CACHE_KEY_TAG + fingerprint.encode("utf-8") + b"\n" + CONTEXT + b"\n" + statement).hex()


#: Beyond the remote cache's RPC timeout (which bounds the action-cache read), how long a
#: lookup's local run waits for a remote hit to bring its stdout (the 4,627-byte signature).
REMOTE_FETCH_MARGIN_MILLIS = 3000


def speculation_delay_millis(*, remote_cache_read: bool, remote_cache_rpc_timeout_millis: int) -> int:
    """How long Pants holds back a lookup's local run while the remote cache answers.

    Long enough that the remote answer (hit, miss or read error) comes first unless the remote
    cache overruns its own timeout by 3 s, so that which packages are signed depends on what
    the caches hold, not on timing.
    """
    if not remote_cache_read:
        return 0
    return max(0, remote_cache_rpc_timeout_millis) + REMOTE_FETCH_MARGIN_MILLIS


def lookup_argv(path: str) -> Tuple[str, ...]:
    return ("/bin/cat", path)


def lookup_process(cache_key: str, *, speculation_delay: int, level: LogLevel, description: str) -> Process:
    return Process(
        argv=lookup_argv(f"{SIGNATURE_CACHE_DIR}/{cache_key}"),
        description=description,
        level=level,
        input_digest=EMPTY_DIGEST,
        append_only_caches={SIGNATURE_CACHE_NAME: SIGNATURE_CACHE_DIR},
        cache_scope=ProcessCacheScope.SUCCESSFUL,
        remote_cache_speculation_delay_millis=speculation_delay,
    )


@dataclass(frozen=True)
class PackageSignatureRequest(EngineAwareParameter):
    unsigned: UnsignedPackage
    key: ResolvedSigningKey

    def debug_hint(self) -> str:
        return f"{self.unsigned.name} {self.unsigned.version}"


@dataclass(frozen=True)
class PackageSignature:
    """The SIGNATURE.ml-dsa bytes; `signed` says whether this run had to sign (not cached)."""

    content: bytes
    signed: bool


@rule(desc="Sign a marketplace package", level=LogLevel.DEBUG)
async def package_signature(
    request: PackageSignatureRequest, named_caches: NamedCachesDirOption, global_options: GlobalOptions
) -> PackageSignature:
    unsigned, key = request.unsigned, request.key
    statement = unsigned.statement
    cache_key = signature_cache_key(key.fingerprint, statement)
    what = f"{unsigned.name} {unsigned.version}"
    delay = speculation_delay_millis(
        remote_cache_read=bool(global_options.remote_cache_read),
        remote_cache_rpc_timeout_millis=global_options.remote_cache_rpc_timeout_millis,
    )
    cached = await Get(
        FallibleProcessResult,
        Process,
        lookup_process(
            cache_key,
            speculation_delay=delay,
            level=LogLevel.DEBUG,
            description=f"Look up the signature of {what}",
        ),
    )
    if cached.exit_code == 0 and len(cached.stdout) == SIGNATURE_SIZE:
        return PackageSignature(unsigned.finish(cached.stdout), signed=False)

    # Signing happens here, in the Pants process: the private key never becomes a Digest.
    signature = key.key.sign(statement, ctx=CONTEXT)
    logger.debug("estream: signed %s", what)
    path = Path(named_caches.val) / SIGNATURE_CACHE_NAME / cache_key
    try:
        os.makedirs(path.parent, exist_ok=True)
        atomic_write_bytes(path, signature)
    except OSError as e:
        # Only the cache is lost: the next run signs again.
        logger.debug("estream: could not cache the signature of %s in %s: %s", what, path, e)
        return PackageSignature(unsigned.finish(signature), signed=True)
    # The same action again (see the module docstring), now answered from the named cache, so
    # that Pants stores the signature under the lookup's key.
    stored = await Get(
        FallibleProcessResult,
        Process,
        lookup_process(
            cache_key,
            speculation_delay=delay,
            level=LogLevel.TRACE,
            description=f"Cache the signature of {what}",
        ),
    )
    if stored.exit_code != 0 or stored.stdout != signature:
        logger.debug("estream: the signature cache did not take the signature of %s", what)
    return PackageSignature(unsigned.finish(signature), signed=True)


def rules():
    return collect_rules()
