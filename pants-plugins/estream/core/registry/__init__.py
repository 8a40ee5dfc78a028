"""A git-backed component registry in the spirit of Cargo's index (pure core, no Pants imports).

Layout of the registry repository (any git remote: GitHub, a server, a local bare repository):

    config.toml                    registry settings (format version, archive directory)
    keyring.toml                   publisher keys the registry trusts (`estream.core.keys` format)
    index/<prefix>/<name>          one JSON line per published version (see `index.py`)
    archives/<name>/<name>-<version>.tar.gz

Modules: `index` (entries and their strict parser), `git` (the `git` CLI), `registry` (local
checkout, reads and atomic publishing), `resolver` (backtracking semver resolution), `cache`
(content-addressed archives), `workspace` (`estream-workspace.toml`), `install` and `upgrade`.
"""
