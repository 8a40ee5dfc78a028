"""The estream backend: ESF schemas, SmartCircuits and eStream marketplace packages as Pants targets.

Enable with `backend_packages = ["estream"]`, and the plugin from its distribution
(`[GLOBAL].plugins = ["estream-pants==VERSION"]`) or, in this repository, from source
(`pythonpath = ["%(buildroot)s/pants-plugins"]`).
"""

from estream import components, dependency_inference
from estream import target_types as estream_target_types
from estream.goals import check, circuit_vectors, package, publish, schemas, tailor, verify
from estream.util_rules import (
    circuits,
    cli_process,
    esf,
    manifest,
    package_contents,
    schema_resolution,
    signing_key,
)


def target_types():
    return [*estream_target_types.target_types(), *components.target_types()]


def rules():
    return [
        *dependency_inference.rules(),
        *components.rules(),
        *check.rules(),
        *circuit_vectors.rules(),
        *circuits.rules(),
        *cli_process.rules(),
        *package.rules(),
        *publish.rules(),
        *tailor.rules(),
        *verify.rules(),
        *schemas.rules(),
        *esf.rules(),
        *manifest.rules(),
        *package_contents.rules(),
        *schema_resolution.rules(),
        *signing_key.rules(),
    ]
