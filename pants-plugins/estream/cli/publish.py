"""`estream marketplace registry-init | publish | yank | unyank`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from estream.cli.main import Command
from estream.cli.registry_options import add_keyring_options, add_registry_option, local_keyring, registry_from
from estream.core.errors import EstreamError
from estream.core.keys import resolve_signing_key
from estream.core.registry.publish import archive_from_directory, validate_archive
from estream.core.registry.registry import DEFAULT_PUSH_ATTEMPTS
from estream.core.signature import default_signed_at


def _configure_init(p: argparse.ArgumentParser) -> None:
    add_registry_option(p)
    p.add_argument("--keyring", metavar="FILE", required=True, help="keyring (TOML [[keys]]) of the publisher keys the registry trusts")


def _run_init(args: argparse.Namespace) -> int:
    registry = registry_from(args)
    text = Path(args.keyring).read_text(encoding="utf-8")
    registry.init(text)
    print(f"Initialised the estream registry at {registry.display_url}")
    return 0


def _configure_publish(p: argparse.ArgumentParser) -> None:
    p.add_argument("package", help="package directory (signed or not) or a built .tar.gz archive")
    add_registry_option(p)
    add_keyring_options(p)
    p.add_argument("--key-file", metavar="FILE", help="signing key for an unsigned directory (default: $ESTREAM_SIGNING_KEY[_FILE])")
    p.add_argument("--attempts", type=int, default=DEFAULT_PUSH_ATTEMPTS, help="push attempts when other publishers race (default %(default)s)")


def _run_publish(args: argparse.Namespace) -> int:
    registry = registry_from(args)
    target = Path(args.package)
    if target.is_dir():
        key = resolve_signing_key(key_file=args.key_file, allow_development_key=args.allow_development_key)
        signed_at = default_signed_at(None, os.environ.get("SOURCE_DATE_EPOCH"), option="$SOURCE_DATE_EPOCH")
        archive = archive_from_directory(target, key=key, signed_at=signed_at, registry=registry)
    elif target.is_file():
        archive = target.read_bytes()
        validate_archive(archive, source=str(target), registry=registry)
    else:
        raise EstreamError.single(str(target), "no such package directory or archive")
    ring = local_keyring(args)
    entry = registry.publish(
        archive, source=str(target), local_keyring=ring, allow_development_key=args.allow_development_key, attempts=args.attempts
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


def _yank(args: argparse.Namespace, yanked: bool) -> int:
    registry = registry_from(args)
    entry = registry.set_yanked(args.name, args.version, yanked)
    print(f"  {'Yanked' if yanked else 'Unyanked'} {entry.name} v{entry.version} in {registry.display_url}")
    return 0


INIT = Command("registry-init", "create a registry in an empty git repository", _configure_init, _run_init)
PUBLISH = Command(
    "publish", "verify a package and publish it to the registry (atomic commit + push)", _configure_publish, _run_publish
)
YANK = Command("yank", "mark a published version as yanked (kept, but not chosen for new installs)", _configure_yank, lambda a: _yank(a, True))
UNYANK = Command("unyank", "undo a yank", _configure_yank, lambda a: _yank(a, False))

COMMANDS = [INIT, PUBLISH, YANK, UNYANK]
