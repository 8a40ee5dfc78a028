"""`estream marketplace install | outdated | upgrade | recover`.

The install workflow (signatures, YAML, schema resolution) and the registry's trust chain (keys,
Merkle hashing) are imported by the functions that run them, so that building the CLI's parser,
and `search` which verifies nothing, stay cheap (see `estream.cli.main`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Tuple

from estream.cli.main import Command
from estream.cli.registry_options import (
    add_cache_option,
    add_keyring_options,
    add_registry_option,
    cache_from,
    local_keyring,
    registry_from,
)
from estream.core.atomic_file import atomic_write_bytes
from estream.core.errors import EstreamError
from estream.core.home import ENV_TRUST_ROOT
from estream.core.registry.transaction import recover, workspace_lock
from estream.core.semver import SemverError, VersionReq

if TYPE_CHECKING:
    from estream.core.registry.install import Installer


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace", metavar="DIR", default=".", help="workspace root (default: current directory)"
    )
    add_registry_option(p)
    add_cache_option(p)
    add_keyring_options(p)
    p.add_argument(
        "--offline",
        action="store_true",
        help="never contact the registry; use the cache and the last fetched index",
    )
    p.add_argument(
        "--trust-root",
        metavar="FINGERPRINT",
        action="append",
        default=[],
        help="pin the registry's root key (sha3-256:...; repeatable); a successful install writes it to estream-workspace.toml "
        f"(default: the workspace's [trust] roots, else ${ENV_TRUST_ROOT})",
    )


def _installer(args: argparse.Namespace, **extra) -> "Installer":
    from estream.core.registry.install import Installer, InstallOptions
    from estream.core.registry.trust import parse_pins

    root = Path(args.workspace)
    if not root.is_dir():
        raise EstreamError.single(str(root), "workspace directory does not exist")
    options = InstallOptions(
        force=getattr(args, "force", False),
        offline=args.offline,
        allow_development_key=args.allow_development_key,
        local_keyring=local_keyring(args),
        run_tests=not getattr(args, "no_tests", False),
        trust_roots=parse_pins(args.trust_root, "--trust-root"),
    )
    return Installer(
        root,
        registry=registry_from(args, required=False),
        cache=cache_from(args),
        options=options,
        out=sys.stdout,
    )


def parse_request(spec: str) -> Tuple[str, str]:
    """`name`, `name@1.2.3` (meaning ^1.2.3) or `name@=1.2.3` / `name@>=1.0, <2`."""
    name, at, req = spec.partition("@")
    req = req.strip() if at else "*"
    try:
        VersionReq.parse(req)
    except SemverError as e:
        raise EstreamError.single(spec, str(e)) from None
    return name, req


def _configure_install(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "components",
        nargs="*",
        help="NAME or NAME@REQ; none: install exactly what estream-workspace.toml locks",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing circuits/schemas files")
    p.add_argument("--no-tests", action="store_true", help="do not run the packages' test vectors")
    _common(p)


def _run_install(args: argparse.Namespace) -> int:
    from estream.core.registry.transaction import install_signal_handlers

    install_signal_handlers()
    requests: Dict[str, str] = dict(parse_request(c) for c in args.components)
    names = ", ".join(args.components) or "from estream-workspace.toml"
    print(f"\n$ estream marketplace install {names}\n")
    result = _installer(args).install(requests)
    print(
        f"\n  Installed {len(result.installed)} package{'s' if len(result.installed) != 1 else ''}: "
        + ", ".join(f"{n} v{v}" for n, v in result.installed)
    )
    return 0


_PRE_HELP = "also consider pre-releases (e.g. 2.0.0-rc.1); by default they are chosen only when asked for"


def _configure_outdated(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    p.add_argument("--pre", action="store_true", help=_PRE_HELP)
    _common(p)


def _run_outdated(args: argparse.Namespace) -> int:
    from estream.core.registry.upgrade import outdated, render_outdated

    rows = outdated(_installer(args), pre=args.pre)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2, sort_keys=True))
    else:
        print(render_outdated(rows), end="")
    return 0


def _configure_upgrade(p: argparse.ArgumentParser) -> None:
    p.add_argument("components", nargs="*")
    p.add_argument("--all", action="store_true", dest="all_", help="upgrade every direct dependency")
    p.add_argument("--yes", action="store_true", help="apply minor upgrades without asking")
    p.add_argument(
        "--force", action="store_true", help="also apply major (breaking) upgrades, and overwrite files"
    )
    p.add_argument("--pre", action="store_true", help=_PRE_HELP)
    p.add_argument("--no-tests", action="store_true")
    _common(p)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    reply = input(f"  {question} [y/N] ")
    return reply.strip().lower() in ("y", "yes")


def _run_upgrade(args: argparse.Namespace) -> int:
    from estream.core.registry.transaction import install_signal_handlers
    from estream.core.registry.upgrade import upgrade

    install_signal_handlers()
    result = upgrade(
        _installer(args),
        args.components,
        all_=args.all_,
        yes=args.yes,
        force=args.force,
        pre=args.pre,
        confirm=_confirm,
    )
    if result is None:
        print("  Nothing to upgrade.")
    else:
        print("\n  Now installed: " + ", ".join(f"{n} v{v}" for n, v in result.installed))
    return 0


def _configure_trust(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "fingerprints",
        nargs="*",
        metavar="FINGERPRINT",
        help="the registry's root key fingerprints to pin (none: show them)",
    )
    p.add_argument(
        "--workspace", metavar="DIR", default=".", help="workspace root (default: current directory)"
    )
    add_registry_option(p)
    add_keyring_options(p)


def _run_trust(args: argparse.Namespace) -> int:
    """Show the registry's root keys, or pin them in the workspace after checking its trust chain."""
    from estream.core.keys import local_development_key
    from estream.core.registry.trust import (
        TrustState,
        load_trust_state,
        parse_pins,
        read_root,
        record_trust_state,
    )
    from estream.core.registry.workspace import WORKSPACE_FILE, load_workspace

    root = Path(args.workspace)
    if not root.is_dir():
        raise EstreamError.single(str(root), "workspace directory does not exist")
    registry = registry_from(args)
    assert registry is not None
    if not registry.sync():
        raise EstreamError.single(
            registry.display_url,
            "the registry is empty",
            help="create it with `estream marketplace registry-init`",
        )
    roots = read_root(registry.checkout, registry.display_url)
    if not args.fingerprints:
        print(f"  Root keys of {registry.display_url}:")
        for key in roots.keys:
            print(f"    {key.fingerprint} ({key.key_id})")
        print("  Nothing was pinned. Check the fingerprint with the registry's owner, then run:")
        print(
            f"    estream marketplace trust --registry {registry.display_url} {' '.join(roots.fingerprints)}"
        )
        return 0
    pins = parse_pins(args.fingerprints, "FINGERPRINT")
    seen = load_trust_state(registry.home, pins)
    ws = load_workspace(root)
    seen = TrustState(max(seen.snapshot, ws.trust_snapshot), seen.keyring)
    own = local_development_key() if args.allow_development_key else None
    trusted = registry.trusted(
        pins,
        pinned_in="the given fingerprints",
        seen=seen,
        local_keyring=local_keyring(args),
        development_key=own,
    )
    ws.trust_roots = pins
    ws.trust_snapshot = max(ws.trust_snapshot, trusted.snapshot.version)
    atomic_write_bytes(root / WORKSPACE_FILE, ws.render().encode("utf-8"))
    record_trust_state(registry.home, pins, trusted.seen)
    print(f"  Pinned the root keys of {registry.display_url} in {root / WORKSPACE_FILE}: {', '.join(pins)}")
    print(
        f"    keyring version {trusted.keyring_version}, snapshot {trusted.snapshot.version} (expires {trusted.snapshot.expires})"
    )
    return 0


def _configure_recover(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", metavar="DIR", default=".")


def _run_recover(args: argparse.Namespace) -> int:
    root = Path(args.workspace)
    if not root.is_dir():
        raise EstreamError.single(str(root), "workspace directory does not exist")
    with workspace_lock(root):
        message = recover(root)
    print(f"  {message}" if message else "  Nothing to recover.")
    return 0


INSTALL = Command(
    "install",
    "install components and their dependencies into the workspace",
    _configure_install,
    _run_install,
)
OUTDATED = Command(
    "outdated", "list installed components with newer versions", _configure_outdated, _run_outdated
)
UPGRADE = Command(
    "upgrade",
    "upgrade components (patch: auto, minor: --yes, major: --force)",
    _configure_upgrade,
    _run_upgrade,
)
RECOVER = Command(
    "recover", "roll back an install that was killed half-way", _configure_recover, _run_recover
)
TRUST = Command(
    "trust",
    "show a registry's root keys, or pin them in the workspace (first use is explicit)",
    _configure_trust,
    _run_trust,
)
COMMANDS = [INSTALL, OUTDATED, UPGRADE, RECOVER, TRUST]
