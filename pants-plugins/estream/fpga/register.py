"""The estream FPGA backend: `fpga_bitstream` targets built by Edalize, `fusesoc_core` targets
(existing FuseSoC cores built by FuseSoC), `fusesoc-export`,
`publish` of their FuseSoC cores into a FuseSoC library, bitstreams in marketplace packages, and
golden vectors of circuits with an `implementation.rtl` simulated by `test`.

Enable with `backend_packages = [..., "estream", "estream.fpga"]`. A backend of its own (like
Pants' optional backends) because its rules need the Python backend's pex machinery to run the
hermetic toolchain, which the core estream backend does not.

This module is the FPGA backend's map: its targets (`target_types.py`), its options
(`subsystems/`) and its rules (`bitstream.py`: Edalize builds; `fusesoc_core.py`: FuseSoC builds;
`fusesoc.py`: `fusesoc-export`; `publish.py`; `package_bitstreams.py`; `rtl_vectors.py`;
`core_libraries.py`).
Its Pants-free code (devices, design files, nextpnr reports, CAPI2 cores, RTL simulation, FuseSoC
libraries) is in `estream/core/fpga/`, which the `estream` CLI uses too; `edalize_driver.py` is
the program the rules run in the toolchain's sandbox.
"""

from estream.fpga import (
    bitstream,
    core_libraries,
    fusesoc,
    fusesoc_core,
    package_bitstreams,
    publish,
    rtl_vectors,
)
from estream.fpga import target_types as fpga_target_types
from estream.target_types import MarketplacePackageTarget


def target_types():
    return fpga_target_types.target_types()


def rules():
    return [
        *bitstream.rules(),
        *fusesoc.rules(),
        *fusesoc_core.rules(),
        *core_libraries.rules(),
        *publish.rules(),
        *rtl_vectors.rules(),
        *package_bitstreams.rules(),
        MarketplacePackageTarget.register_plugin_field(fpga_target_types.MarketplacePackageBitstreamsField),
    ]
