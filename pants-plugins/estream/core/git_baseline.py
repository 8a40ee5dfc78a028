"""Read a package's manifest and ESF schemas as they were at a git ref (the breaking-change baseline).

Pure core: no Pants imports; runs the real `git` (`git show <ref>:<path>`, `git ls-tree`) in the
repository at `repo_root`. Problems with the ref or the old files are `EstreamError`s naming the
ref and the path.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from estream.core.errors import EstreamError
from estream.core.esf import ESF_SUFFIX, EsfDocument, parse_esf
from estream.core.globs import filter_glob
from estream.core.manifest import Manifest, parse_manifest


@dataclass(frozen=True)
class Baseline:
    ref: str
    manifest: Manifest
    documents: Tuple[EsfDocument, ...]


class GitError(Exception):
    pass


def _git(git: str, repo_root: str, args: Sequence[str]) -> Tuple[int, bytes, str]:
    try:
        proc = subprocess.run(
            [git, "-C", repo_root, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120
        )
    except OSError as e:
        raise GitError(f"cannot run `{git}`: {e}") from e
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace").strip()


def check_ref(repo_root: str, ref: str, git: str = "git") -> str:
    """The commit id `ref` names; `EstreamError` if it names none."""
    if not ref or ref.startswith("-"):
        raise EstreamError.single(
            "[schema-breaking].ref",
            f"invalid git ref {ref!r}",
            help="pass e.g. --ref=origin/main or --ref=v1.0.0",
        )
    code, out, err = _git(git, repo_root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    if code != 0:
        raise EstreamError.single(
            "[schema-breaking].ref",
            f"git ref `{ref}` does not name a commit in {repo_root}",
            help=err or "check the spelling, and fetch the ref (e.g. `git fetch --tags`)",
        )
    return out.decode().strip()


def read_baseline(repo_root: str, ref: str, manifest_path: str, git: str = "git") -> Optional[Baseline]:
    """The package whose manifest is `manifest_path` (relative to `repo_root`) as of `ref`.

    Returns None if the manifest did not exist at `ref` (a new package: nothing to compare).
    """
    code, content, _ = _git(git, repo_root, ["show", f"{ref}:{manifest_path}"])
    if code != 0:
        return None
    manifest = parse_manifest(content, f"{ref}:{manifest_path}")
    root = os.path.dirname(manifest_path)
    code, listing, err = _git(
        git, repo_root, ["ls-tree", "-r", "--name-only", "-z", ref, "--", root + "/" if root else "."]
    )
    if code != 0:
        raise EstreamError.single(
            f"{ref}:{root}", f"cannot list the files of the package at `{ref}`", help=err or None
        )
    paths = [p for p in listing.decode("utf-8", "surrogateescape").split("\0") if p]
    relative = [p[len(root) + 1 :] if root else p for p in paths]
    patterns = [p for ps in manifest.include.values() for p in ps]
    selected: List[str] = sorted(
        {r for pattern in patterns for r in filter_glob(pattern, relative) if r.endswith(ESF_SUFFIX)}
    )
    documents = []
    for rel in selected:
        path = os.path.join(root, rel) if root else rel
        code, content, err = _git(git, repo_root, ["show", f"{ref}:{path}"])
        if code != 0:
            raise EstreamError.single(f"{ref}:{path}", "cannot read the file at that ref", help=err or None)
        documents.append(parse_esf(content, f"{ref}:{path}"))
    return Baseline(ref, manifest, tuple(documents))
