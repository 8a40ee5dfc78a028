"""Where eStream keeps per-user state: `$ESTREAM_HOME`, else `~/.estream` (issue 11: spelled once).

* the registry checkouts: `estream_home()/registries/...` (`estream.core.registry.registry`);
* the archive cache: `$ESTREAM_CACHE_DIR`, else `estream_home()/cache` (it used to ignore
  `$ESTREAM_HOME`);
* the default keyring of trusted publishers: `$ESTREAM_KEYRING`, else `estream_home()/keyring.toml`
  when it exists (`estream.core.keys.find_keyring`).

The development signing key stays under the user's home (`~/.estream/keys/`,
`estream.core.keys.dev_key_path`): it identifies the person, not one eStream home.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

ENV_HOME = "ESTREAM_HOME"
ENV_CACHE_DIR = "ESTREAM_CACHE_DIR"
ENV_KEYRING = "ESTREAM_KEYRING"
#: The registry root keys a workspace pins when it has none (`core/registry/trust.py`).
ENV_TRUST_ROOT = "ESTREAM_TRUST_ROOT"
#: The directory under the user's home.
HOME_DIRNAME = ".estream"
KEYRING_FILENAME = "keyring.toml"


def estream_home(environ: Optional[Mapping[str, str]] = None, *, user_home: Optional[str] = None) -> Path:
    """`$ESTREAM_HOME`, else `<user home>/.estream` (`user_home` defaults to this process's)."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_HOME)
    if explicit:
        return Path(explicit)
    return (Path(user_home) if user_home else Path.home()) / HOME_DIRNAME


def cache_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """`$ESTREAM_CACHE_DIR`, else `estream_home()/cache`."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_CACHE_DIR)
    return Path(explicit) if explicit else estream_home(env) / "cache"


def default_keyring_path(environ: Optional[Mapping[str, str]] = None) -> Path:
    """`$ESTREAM_KEYRING`, else `estream_home()/keyring.toml` (which may not exist)."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_KEYRING)
    return Path(explicit) if explicit else estream_home(env) / KEYRING_FILENAME


__all__ = [
    "ENV_CACHE_DIR",
    "ENV_HOME",
    "ENV_KEYRING",
    "HOME_DIRNAME",
    "KEYRING_FILENAME",
    "cache_dir",
    "default_keyring_path",
    "estream_home",
]
