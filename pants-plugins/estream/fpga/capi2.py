"""FuseSoC CAPI2 core files for `fpga_bitstream` targets (pure code, no Pants imports).

A core has three targets: `default` (the RTL fileset, for use as a dependency), `sim` (Edalize's
`sim` flow on Icarus) and `synth` (the same Edalize flow, tool options and seed as the Pants
build, so `fusesoc run --target=synth` gives the bitstream `./pants package` gives).
"""

from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

import yaml

from estream.core.errors import EstreamError

CONSTRAINT_FILE_TYPES = {".pcf": "PCF", ".lpf": "LPF", ".xdc": "xdc", ".sdc": "SDC"}
VLNV_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")


def vlnv(vendor: str, library: str, name: str, version: str, *, where: str) -> str:
    for key, part in (("vendor", vendor), ("library", library), ("name", name), ("version", version)):
        if not VLNV_PART.match(part):
            raise EstreamError.single(
                where, f"`{part}` cannot be part of a FuseSoC VLNV", key=key,
                help="use letters, digits, `_`, `.` and `-`",
            )
    return f"{vendor}:{library}:{name}:{version}"


def core_text(
    *,
    name: str,
    description: str,
    rtl: Sequence[str],
    constraints: Optional[str],
    top: str,
    flow: str,
    flow_options: Mapping[str, object],
) -> str:
    filesets = {
        "rtl": {
            "files": list(rtl),
            "file_type": "verilogSource",
        }
    }
    synth_filesets = ["rtl"]
    if constraints:
        ext = constraints[constraints.rfind(".") :].lower()
        filesets["constraints"] = {
            "files": [constraints],
            "file_type": CONSTRAINT_FILE_TYPES[ext],
        }
        synth_filesets.append("constraints")
    doc = {
        "name": name,
        "description": description,
        "filesets": filesets,
        "targets": {
            "default": {"filesets": ["rtl"]},
            "sim": {
                "filesets": ["rtl"],
                "toplevel": top,
                "flow": "sim",
                "flow_options": {"tool": "icarus"},
            },
            "synth": {
                "filesets": synth_filesets,
                "toplevel": top,
                "flow": flow,
                "flow_options": {k: v for k, v in flow_options.items()},
            },
        },
    }
    return "CAPI=2:\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
