"""`estream marketplace registry-init | publish | yank | unyank`.

Signing, archive validation and the registry are imported by the functions that use them, so
that building the CLI's parser stays cheap (see `estream.cli.main`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from estream.cli.main import Command
from estream.cli.registry_options import (
    add_keyring_options,
    add_registry_option,
    local_keyring,
    registry_from,
)
from estream.core.errors import EstreamError


def _add_root_key_option(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument(
        "--root-key",
        metavar="FILE",
        action="append",
        default=[],
        required=required,
        help="a root key's private key file (repeat for several): root keys sign the registry's keyring; "
        "consumers pin their fingerprints. Keep it offline (`estream marketplace keygen` makes one)",
    )


def _root_keys(args: argparse.Namespace):
    from estream.core.keys import load_private_key

    return [load_private_key(path) for path in args.root_key]


def _snapshot_key(args: argparse.Namespace):
    """The key that signs the registry snapshot of a change: --key-file, else the environment's
    signing key, else (with --allow-development-key) this user's development key."""
    from estream.core.keys import resolve_signing_key

    try:
        return resolve_signing_key(
            key_file=getattr(args, "key_file", None),
            allow_development_key=getattr(args, "allow_development_key", False),
        )
    except EstreamError as e:
        raise EstreamError.single(
            e.diagnostics[0].path,
            f"{e.diagnostics[0].message}: every registry change is signed (the registry snapshot) with the publisher's key",
            help="pass --key-file (or set $ESTREAM_SIGNING_KEY_FILE) to a key in the registry's keyring.toml",
        ) from None


def _configure_init(p: argparse.ArgumentParser) -> None:
    add_registry_option(p)
    p.add_argument(
        "--keyring",
        metavar="FILE",
        required=True,
        help="keyring (TOML [[keys]]) of the publisher keys the registry trusts",
    )
    _add_root_key_option(p, required=True)
    p.add_argument(
        "--allow-development-keys",
        action="store_true",
        help="let publishers publish packages signed with a development key (a private sandbox registry only)",
    )
    p.add_argument(
        "--allow-untrusted-keys",
        action="store_true",
        help="accept packages signed by keys that are not in the registry's keyring (a private sandbox registry only)",
    )


def _run_init(args: argparse.Namespace) -> int:
    registry = registry_from(args)
    text = Path(args.keyring).read_text(encoding="utf-8")
    roots = _root_keys(args)
    registry.init(
        text,
        root_keys=roots,
        allow_development_keys=args.allow_development_keys,
        allow_untrusted_keys=args.allow_untrusted_keys,
    )
    print(f"Initialised the estream registry at {registry.display_url}")
    print(
        "  Root key fingerprints (publish them where consumers can check them; they pin them with `estream marketplace trust`):"
    )
    for key in roots:
        print(f"    {key.fingerprint} ({key.key_id})")
    return 0


def _configure_publish(p: argparse.ArgumentParser) -> None:
    from estream.core.registry.registry import DEFAULT_PUSH_ATTEMPTS

    p.add_argument("package", help="package directory (signed or not) or a built .tar.gz archive")
    add_registry_option(p)
    add_keyring_options(p)
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help="signing key for an unsigned directory, and the key that signs the registry snapshot (default: $ESTREAM_SIGNING_KEY[_FILE])",
    )
    p.add_argument(
        "--attempts",
        type=int,
        default=DEFAULT_PUSH_ATTEMPTS,
        help="push attempts when other publishers race (default %(default)s)",
    )
    p.add_argument(
        "--with",
        dest="with_archives",
        action="append",
        default=[],
        metavar="ARCHIVE",
        help="the built archive of a dependency published in the same run: resolves the package's requirements the registry cannot yet",
    )


def _run_publish(args: argparse.Namespace) -> int:
    from estream.core.keys import resolve_signing_key
    from estream.core.registry.publish import archive_from_directory, validate_archive
    from estream.core.signature import default_signed_at

    registry = registry_from(args)
    target = Path(args.package)
    if target.is_dir():
        key = resolve_signing_key(key_file=args.key_file, allow_development_key=args.allow_development_key)
        signed_at = default_signed_at(None, os.environ.get("SOURCE_DATE_EPOCH"), option="$SOURCE_DATE_EPOCH")
        archive = archive_from_directory(target, key=key, signed_at=signed_at, registry=registry)
    elif target.is_file():
        archive = target.read_bytes()
        extras = []
        for other in args.with_archives:
            if not Path(other).is_file():
                raise EstreamError.single(other, "no such archive (given with --with)")
            extras.append((other, Path(other).read_bytes()))
        validate_archive(archive, source=str(target), registry=registry, with_archives=extras)
    else:
        raise EstreamError.single(str(target), "no such package directory or archive")
    ring = local_keyring(args)
    if target.is_dir():
        snapshot_key = key
    else:
        try:
            snapshot_key = _snapshot_key(args)
        except EstreamError:
            # Say first why the archive itself would be refused (e.g. a development-key package).
            registry.sync()
            registry.inspect(
                archive,
                source=str(target),
                local_keyring=ring,
                allow_development_key=args.allow_development_key,
            )
            raise
    entry = registry.publish(
        archive,
        source=str(target),
        snapshot_key=snapshot_key,
        local_keyring=ring,
        allow_development_key=args.allow_development_key,
        attempts=args.attempts,
    )
    print(f"  Published {entry.name} v{entry.version} to {registry.display_url}")
    print(f"    checksum {entry.checksum} ({entry.size} bytes), signed by {entry.key_id}")
    if registry.last_attempts > 1:
        print(f"    (other publishers pushed first; published on attempt {registry.last_attempts})")
    return 0


def _configure_yank(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("version")
    add_registry_option(p)
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help="publisher key that signs the registry snapshot (default: $ESTREAM_SIGNING_KEY[_FILE])",
    )


def _yank(args: argparse.Namespace, yanked: bool) -> int:
    registry = registry_from(args)
    entry = registry.set_yanked(args.name, args.version, yanked, snapshot_key=_snapshot_key(args))
    print(f"  {'Yanked' if yanked else 'Unyanked'} {entry.name} v{entry.version} in {registry.display_url}")
    return 0


def _configure_registry(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=["check", "keyring", "sign-snapshot"],
        help="check: verify every archive and index entry (the registry's CI check); keyring: replace keyring.toml "
        "(add, rotate, revoke publisher keys) signed by the root key; sign-snapshot: re-sign the snapshot of an idle "
        "registry before it expires",
    )
    add_registry_option(p)
    p.add_argument(
        "--path",
        metavar="DIR",
        help="check this registry checkout as it is (e.g. a pull request in CI) instead of fetching --registry",
    )
    p.add_argument("--keyring", metavar="FILE", help="keyring: the new keyring.toml")
    _add_root_key_option(p, required=False)
    p.add_argument(
        "--key-file",
        metavar="FILE",
        help="sign-snapshot: the signing key (a publisher or root key; default: $ESTREAM_SIGNING_KEY[_FILE])",
    )
    p.add_argument(
        "--days",
        type=int,
        help="sign-snapshot: validity in days (default: as every signed change, `trust.DEFAULT_SNAPSHOT_DAYS`)",
    )


def _run_registry(args: argparse.Namespace) -> int:
    from estream.core.registry.check import check_registry
    from estream.core.registry.registry import Registry

    if args.action == "keyring":
        if not args.keyring or not args.root_key:
            raise EstreamError.single("registry keyring", "needs --keyring FILE and --root-key FILE")
        registry = registry_from(args)
        version = registry.set_keyring(Path(args.keyring).read_text(encoding="utf-8"), _root_keys(args))
        print(f"  Signed keyring version {version} of {registry.display_url} with the root key")
        return 0
    if args.action == "sign-snapshot":
        from estream.core.keys import load_private_key
        from estream.core.registry.trust import DEFAULT_SNAPSHOT_DAYS

        registry = registry_from(args)
        key = (
            load_private_key(args.root_key[0]) if args.root_key and not args.key_file else _snapshot_key(args)
        )
        days = DEFAULT_SNAPSHOT_DAYS if args.days is None else args.days
        version = registry.resign_snapshot(key, days=days)
        print(f"  Signed snapshot {version} of {registry.display_url} (valid {days} days)")
        return 0
    if args.path:
        root = Path(args.path)
        if not root.is_dir():
            raise EstreamError.single(str(root), "no such registry directory", key="--path")
        registry = Registry.working_tree(root)
    else:
        registry = registry_from(args)
        if not registry.sync():
            raise EstreamError.single(
                registry.display_url,
                "the registry is empty",
                help="create it with `estream marketplace registry-init`",
            )
    report = check_registry(registry)
    for problem in report.problems:
        print(problem.render(), file=sys.stderr)
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"  Checked {report.versions} index entries and {report.archives} archives in {registry.display_url}: {verdict}"
    )
    return 0 if report.ok else 1


INIT = Command("registry-init", "create a registry in an empty git repository", _configure_init, _run_init)
PUBLISH = Command(
    "publish",
    "verify a package and publish it to the registry (atomic commit + push)",
    _configure_publish,
    _run_publish,
)
YANK = Command(
    "yank",
    "mark a published version as yanked (kept, but not chosen for new installs)",
    _configure_yank,
    lambda a: _yank(a, True),
)
UNYANK = Command("unyank", "undo a yank", _configure_yank, lambda a: _yank(a, False))

REGISTRY = Command(
    "registry",
    "registry maintenance: `registry check` verifies every archive and index entry",
    _configure_registry,
    _run_registry,
)

COMMANDS = [INIT, PUBLISH, YANK, UNYANK, REGISTRY]
