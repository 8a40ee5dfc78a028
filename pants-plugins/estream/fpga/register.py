"""The estream FPGA backend: `fpga_bitstream` targets built by Edalize, `fusesoc-export`, and
golden vectors of circuits with an `implementation.rtl` simulated in Icarus Verilog by `test`.

Enable with `backend_packages = [..., "estream", "estream.fpga"]`. A backend of its own (like
Pants' optional backends) because its rules need the Python backend's pex machinery to run the
hermetic toolchain, which the core estream backend does not.
"""

from estream.fpga import fusesoc
from estream.fpga import package_bitstreams, rtl_vectors
from estream.fpga import rules as fpga_rules
from estream.fpga import target_types as fpga_target_types
from estream.target_types import MarketplacePackageTarget


def target_types():
    return fpga_target_types.target_types()


def rules():
    return [
        *fpga_rules.rules(),
        *fusesoc.rules(),
        *rtl_vectors.rules(),
        *package_bitstreams.rules(),
        MarketplacePackageTarget.register_plugin_field(fpga_target_types.MarketplacePackageBitstreamsField),
    ]
