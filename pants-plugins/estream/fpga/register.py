"""The estream FPGA backend: `fpga_bitstream` targets built by Edalize, `fusesoc-export`, and
`publish` of their FuseSoC cores into a FuseSoC library.

Enable with `backend_packages = [..., "estream", "estream.fpga"]`. A backend of its own (like
Pants' optional backends) because its rules need the Python backend's pex machinery to run the
hermetic toolchain, which the core estream backend does not.
"""

from estream.fpga import fusesoc, publish
from estream.fpga import rules as fpga_rules
from estream.fpga import target_types as fpga_target_types
from estream.util_rules import cli_process


def target_types():
    return fpga_target_types.target_types()


def rules():
    return [*fpga_rules.rules(), *fusesoc.rules(), *publish.rules(), *cli_process.rules()]
