"""pip as tests run it: without the machine's pip config, trusting the system CAs (a proxy's)."""

from __future__ import annotations

import os
from typing import Dict

CA_CERTS = "/etc/ssl/certs/ca-certificates.crt"


def clean_pip_env() -> Dict[str, str]:
    """The environment for a `pip` subprocess.

    The machine's global pip config may add constraints files and indexes (it must not shape what
    a test installs); PyPI may be reached through a proxy with its own CA, in the system bundle.
    """
    env = {**os.environ, "PIP_CONFIG_FILE": "/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if os.path.exists(CA_CERTS):
        env["PIP_CERT"] = CA_CERTS
    return env
