"""This repository's own release backend (not shipped): sets the version of its distributions.

`python_artifact(...)` in `pants-plugins/BUILD` names the distributions without a version; the rule
here adds `version` from `pants-plugins/estream/version.py` (which `estream --version` prints), so
the version is defined in exactly one place. It applies only to `python_distribution`s that carry
`version_from_estream=True` in their `python_artifact` kwargs, which it removes before `setup()`.

BUILD files cannot read files, and a setuptools `attr:` version would need a hand-written
`setup.py`/`pyproject.toml` instead of Pants' generated one (losing its inferred requirements):
this plugin is Pants' documented way to compute `setup()` kwargs.
"""

from __future__ import annotations

import ast

from pants.backend.python.target_types import PythonProvidesField
from pants.backend.python.util_rules.package_dists import SetupKwargs, SetupKwargsRequest
from pants.engine.fs import DigestContents, GlobMatchErrorBehavior, PathGlobs
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import Target
from pants.engine.unions import UnionRule

VERSION_FILE = "pants-plugins/estream/version.py"
MARKER = "version_from_estream"


class EstreamSetupKwargsRequest(SetupKwargsRequest):
    @classmethod
    def is_applicable(cls, target: Target) -> bool:
        return bool(target[PythonProvidesField].value.kwargs.get(MARKER))


def parse_version(source: str, path: str = VERSION_FILE) -> str:
    """The string assigned to `VERSION` at the top level of `source`."""
    for node in ast.parse(source, filename=path).body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["VERSION"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError(f'{path}: expected a top-level `VERSION = "X.Y.Z"` string assignment')


@rule
async def estream_setup_kwargs(request: EstreamSetupKwargsRequest) -> SetupKwargs:
    contents = await Get(
        DigestContents,
        PathGlobs(
            [VERSION_FILE],
            glob_match_error_behavior=GlobMatchErrorBehavior.error,
            description_of_origin="the estream_release backend",
        ),
    )
    version = parse_version(contents[0].content.decode("utf-8"))
    kwargs = {k: v for k, v in request.explicit_kwargs.items() if k != MARKER}
    if "version" in kwargs:
        raise ValueError(
            f"{request.target.address}: `python_artifact` sets `version`; remove it, the version "
            f"comes from {VERSION_FILE}"
        )
    return SetupKwargs({**kwargs, "version": version}, address=request.target.address)


def rules():
    return [*collect_rules(), UnionRule(SetupKwargsRequest, EstreamSetupKwargsRequest)]
