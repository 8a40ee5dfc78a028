"""The estream backend: ESF schemas, SmartCircuits and eStream marketplace packages as Pants targets.

Enable with `backend_packages = ["estream"]`, and the plugin from its distribution
(`[GLOBAL].plugins = ["estream-pants==VERSION"]`) or, in this repository, from source
(`pythonpath = ["%(buildroot)s/pants-plugins"]`).

This module is the backend's map: its targets (`target_types.py`), one module per goal
(`goals/`), dependency inference (`dependency_inference/`); each registers the rules it needs
(`util_rules/`, `subsystems/`). The optional FPGA backend is `estream.fpga` (`fpga/register.py`).
"""

from estream import target_types as estream_target_types
from estream.dependency_inference import rules as dependency_inference
from estream.goals import check, estream_lock, package, publish, schemas, tailor, test, verify


def target_types():
    return estream_target_types.target_types()


def rules():
    return [
        *check.rules(),
        *dependency_inference.rules(),
        *estream_lock.rules(),
        *package.rules(),
        *publish.rules(),
        *schemas.rules(),
        *tailor.rules(),
        *test.rules(),
        *verify.rules(),
    ]
