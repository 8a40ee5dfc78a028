"""Options shared by the registry commands: where the registry, the cache and the keys are.

The registry URL comes from `--registry` or `$ESTREAM_REGISTRY`; credentials are git's business
(credential helpers, SSH agent, `GIT_ASKPASS`): nothing here reads them from a committed file.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Optional, overload

from estream.core.home import ENV_CACHE_DIR, ENV_KEYRING
from estream.core.registry.registry import ENV_REGISTRY, Registry, resolve_registry_url

if TYPE_CHECKING:
    from estream.core.keys import Keyring
    from estream.core.registry.cache import ArchiveCache


def add_registry_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--registry", metavar="URL", help=f"git URL of the registry (default: ${ENV_REGISTRY})")


def add_keyring_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--keyring",
        metavar="FILE",
        help=f"extra trusted publisher keys (default: ${ENV_KEYRING} or $ESTREAM_HOME/keyring.toml, ~/.estream by default)",
    )
    p.add_argument(
        "--allow-development-key",
        action="store_true",
        help="accept packages signed with a development key (local work only; never for production)",
    )


def add_cache_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help=f"archive cache (default: ${ENV_CACHE_DIR} or $ESTREAM_HOME/cache, ~/.estream by default)",
    )


@overload
def registry_from(args: argparse.Namespace, *, required: Literal[True] = True) -> Registry:
    ...


@overload
def registry_from(args: argparse.Namespace, *, required: bool) -> Optional[Registry]:
    ...


def registry_from(args: argparse.Namespace, *, required: bool = True) -> Optional[Registry]:
    if not required and not (getattr(args, "registry", None) or os.environ.get(ENV_REGISTRY)):
        return None
    return Registry(resolve_registry_url(getattr(args, "registry", None)))


def cache_from(args: argparse.Namespace) -> "ArchiveCache":
    # Imported here: `search` uses no archive cache and every command pays for start-up.
    from estream.core.registry.cache import ArchiveCache, default_cache_dir

    explicit = getattr(args, "cache_dir", None)
    return ArchiveCache(Path(explicit) if explicit else default_cache_dir())


def local_keyring(args: argparse.Namespace) -> "Keyring":
    from estream.core.keys import find_keyring  # imported when used: CLI start-up

    return find_keyring(getattr(args, "keyring", None))
