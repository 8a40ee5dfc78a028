"""The estream FPGA backend: `fpga_bitstream` targets built by Edalize, `fusesoc_core` targets
(existing FuseSoC cores built by FuseSoC), `fusesoc-export`,
`publish` of their FuseSoC cores into a FuseSoC library, bitstreams in marketplace packages, and
golden vectors of circuits with an `implementation.rtl` simulated by `test`.

Enable with `backend_packages = [..., "estream", "estream.fpga"]`. A backend of its own (like
Pants' optional backends) because its rules need the Python backend's pex machinery to run the
hermetic toolchain, which the core estream backend does not.
"""

from estream.fpga import core_libraries, fusesoc, fusesoc_core, package_bitstreams, publish, rtl_vectors
from estream.fpga import rules as fpga_rules
from estream.fpga import target_types as fpga_target_types
from estream.target_types import MarketplacePackageTarget
from estream.util_rules import cli_process


def target_types():
    return [*fpga_target_types.target_types(), *fusesoc_core.target_types()]


def rules():
    return [
        *fpga_rules.rules(),
        *fusesoc.rules(),
        *fusesoc_core.rules(),
        *core_libraries.rules(),
        *publish.rules(),
        *cli_process.rules(),
        *rtl_vectors.rules(),
        *package_bitstreams.rules(),
        MarketplacePackageTarget.register_plugin_field(fpga_target_types.MarketplacePackageBitstreamsField),
    ]
