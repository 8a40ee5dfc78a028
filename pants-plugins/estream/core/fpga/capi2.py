"""FuseSoC CAPI2 core files for `fpga_bitstream` targets (pure code, no Pants imports).

A core has three targets: `default` (the RTL fileset, for use as a dependency), `sim` (Edalize's
`sim` flow on Icarus) and `synth` (the same Edalize flow, tool options and seed as the Pants
build, so `fusesoc run --target=synth` gives the bitstream `./pants package` gives).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Optional, Sequence

import yaml

from estream.core.errors import EstreamError
from estream.core.fpga.design_files import DesignFile

CONSTRAINT_FILE_TYPES = {".pcf": "PCF", ".lpf": "LPF", ".xdc": "xdc", ".sdc": "SDC"}
VLNV_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")


def vlnv(vendor: str, library: str, name: str, version: str, *, where: str) -> str:
    for key, part in (("vendor", vendor), ("library", library), ("name", name), ("version", version)):
        if not VLNV_PART.match(part):
            raise EstreamError.single(
                where,
                f"`{part}` cannot be part of a FuseSoC VLNV",
                key=key,
                help="use letters, digits, `_`, `.` and `-`",
            )
    return f"{vendor}:{library}:{name}:{version}"


def _file_entry(f: DesignFile) -> Dict[str, Dict[str, object]]:
    attributes: Dict[str, object] = {"file_type": f.file_type}
    if f.include_path is not None:
        attributes["is_include_file"] = True
        attributes["include_path"] = f.include_path
    if f.copyto is not None:
        attributes["copyto"] = f.copyto
    return {f.path: attributes}


def core_text(
    *,
    name: str,
    description: str,
    files: Sequence[DesignFile],
    constraints: Optional[str],
    top: str,
    flow: str,
    flow_options: Mapping[str, object],
    parameters: Optional[Mapping[str, Mapping[str, object]]] = None,
) -> str:
    """`files` are relative to the core's directory; `parameters` as `design_parameters` gives them."""
    hdl = [f for f in files if f.copyto is None]
    data = [f for f in files if f.copyto is not None]
    filesets: Dict[str, Dict[str, object]] = {"rtl": {"files": [_file_entry(f) for f in hdl]}}
    synth_filesets = ["rtl"]
    if data:
        # Memory initialisation files: copied into the build directory (`copyto`), used by
        # synthesis and by simulation alike.
        filesets["data"] = {"files": [_file_entry(f) for f in data]}
        synth_filesets.append("data")
    if constraints:
        ext = constraints[constraints.rfind(".") :].lower()
        filesets["constraints"] = {
            "files": [constraints],
            "file_type": CONSTRAINT_FILE_TYPES[ext],
        }
        synth_filesets.append("constraints")
    doc: Dict[str, Any] = {
        "name": name,
        "description": description,
        "filesets": filesets,
        "targets": {
            "default": {"filesets": synth_filesets[: 2 if data else 1]},
            "sim": {
                "filesets": synth_filesets[: 2 if data else 1],
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
    if parameters:
        doc["parameters"] = {k: dict(v) for k, v in parameters.items()}
        for target in ("default", "sim", "synth"):
            doc["targets"][target]["parameters"] = list(parameters)
    return "CAPI=2:\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
