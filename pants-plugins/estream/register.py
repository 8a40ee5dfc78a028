"""The estream backend: ESF schemas and eStream marketplace packages as Pants targets.

Enable with `backend_packages = ["estream"]` and `pythonpath = ["%(buildroot)s/pants-plugins"]`.
"""

from estream import dependency_inference
from estream import target_types as estream_target_types
from estream.goals import check, package, verify
from estream.util_rules import esf, manifest, package_contents, signing_key


def target_types():
    return estream_target_types.target_types()


def rules():
    return [
        *dependency_inference.rules(),
        *check.rules(),
        *package.rules(),
        *verify.rules(),
        *esf.rules(),
        *manifest.rules(),
        *package_contents.rules(),
        *signing_key.rules(),
    ]
