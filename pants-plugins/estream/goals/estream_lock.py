"""`estream-lock`: resolve the `estream_component` requirements of the repository against the
registry and write `[estream-components].lockfile`.

It verifies the registry's trust chain against the root keys pinned in
`[estream-registry].trust_roots` (an unpinned registry is refused), resolves every requirement
(and their dependencies), verifies each archive, and locks exact versions, the registry's SHA3-256
checksums and the SHA-256 + size pins Pants downloads with (`util_rules/components.py`).
"""

from __future__ import annotations

import hashlib
import os
from typing import Dict

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import CreateDigest, Digest, FileContent, Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.engine.target import AllTargets

from estream.core.errors import EstreamError
from estream.core.keys import Keyring, empty_keyring, load_keyring
from estream.core.registry.archive_verification import verify_registry_archive
from estream.core.registry.components_lock import LockedComponent, archive_url, render_lock
from estream.core.registry.index import archive_path
from estream.core.registry.registry import Registry, estream_home
from estream.core.registry.resolver import resolve
from estream.core.registry.trust import TrustState, load_trust_state, parse_pins, record_trust_state
from estream.subsystems.components import EstreamComponentsSubsystem
from estream.subsystems.registry import EstreamRegistrySubsystem
from estream.subsystems.signing import EstreamSigningSubsystem
from estream.target_types import ComponentNameField, ComponentVersionField


class EstreamLockSubsystem(GoalSubsystem):
    name = "estream-lock"
    help = "Resolve `estream_component` requirements against the registry and write the components lock."


class EstreamLock(Goal):
    subsystem_cls = EstreamLockSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@goal_rule
async def estream_lock(
    console: Console,
    workspace: Workspace,
    all_targets: AllTargets,
    components: EstreamComponentsSubsystem,
    registry_options: EstreamRegistrySubsystem,
    signing: EstreamSigningSubsystem,
    build_root: BuildRoot,
) -> EstreamLock:
    env = await Get(EnvironmentVars, EnvironmentVarsRequest(["ESTREAM_REGISTRY", "ESTREAM_HOME", "HOME"]))
    reqs: Dict[str, list] = {}
    for tgt in all_targets:
        if tgt.has_field(ComponentNameField):
            req = (tgt[ComponentVersionField].value or "*").strip()
            reqs.setdefault(tgt[ComponentNameField].value, [])
            if req != "*" and req not in reqs[tgt[ComponentNameField].value]:
                reqs[tgt[ComponentNameField].value].append(req)
    # Several targets naming one component: every requirement must hold.
    roots = {name: ", ".join(r) or "*" for name, r in reqs.items()}
    url = registry_options.url or env.get("ESTREAM_REGISTRY")
    if not url:
        raise EstreamError.single(
            "[estream-registry].url",
            "no registry configured",
            help="set [estream-registry].url or ESTREAM_REGISTRY",
        )
    registry = Registry(url, home=estream_home(env, user_home=env.get("HOME")))
    registry.sync()
    # The registry's trust chain, against the roots pants.toml pins (the CLI's check).
    pins = parse_pins(registry_options.trust_roots, "[estream-registry].trust_roots")
    local = (
        load_keyring(os.path.join(build_root.path, signing.keyring)) if signing.keyring else empty_keyring()
    )
    trusted = registry.trusted(
        pins,
        pinned_in="[estream-registry].trust_roots",
        seen=load_trust_state(registry.home, pins) if pins else TrustState(),
        local_keyring=local,
    )
    resolution = resolve(roots, registry.entries)
    keyring = Keyring(trusted.keyring.entries + local.entries, f"{trusted.keyring.source} + {local.source}")
    locked: Dict[str, LockedComponent] = {}
    for name in resolution.order():
        e = resolution.packages[name]
        data = registry.archive_bytes(e)
        verify_registry_archive(
            data,
            name=name,
            version=e.version,
            checksum=e.checksum,
            keyring=keyring,
            source=f"{registry.display_url}:{e.archive_path}",
            action="refusing to lock it",
            deps=[(d.name, d.req) for d in e.deps],
            expected_key_fingerprint=e.key_fingerprint,
        )
        template = components.archive_url_template or ("file://" + str(registry.checkout) + "/{path}")
        locked[name] = LockedComponent(
            name,
            e.version,
            roots.get(name),
            e.checksum,
            hashlib.sha256(data).hexdigest(),
            len(data),
            archive_url(template, archive_path(name, e.version), name, e.version),
            tuple(sorted((d.name, d.req) for d in e.deps)),
            e.key_fingerprint,
        )
    digest = await Get(Digest, CreateDigest([FileContent(components.lockfile, render_lock(locked))]))
    workspace.write_digest(digest)
    record_trust_state(registry.home, pins, trusted.seen)
    console.print_stderr(
        f"Wrote {components.lockfile}: " + ", ".join(f"{n} {c.version}" for n, c in sorted(locked.items()))
    )
    return EstreamLock(exit_code=0)


def rules():
    return [*collect_rules()]
