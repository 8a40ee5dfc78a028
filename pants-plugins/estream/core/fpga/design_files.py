"""The files and parameters of one FPGA design, typed as Edalize (EDAM) and FuseSoC (CAPI2) type them.

Pure code (no Pants imports). One list, computed once from an `fpga_bitstream` target, feeds both
the sandboxed Edalize build (`fpga_build.json`, so every entry is part of the cache key) and the
FuseSoC export, so the two cannot disagree:

* RTL units: `.v` -> `verilogSource`, `.sv` -> `systemVerilogSource`, `.vhd`/`.vhdl` ->
  `vhdlSource` (Xilinx/Vivado only: Yosys as YoWASP and Debian ship it has no VHDL frontend, so
  an iCE40/ECP5 design with VHDL is refused here with that reason, not deep inside Yosys).
* Headers (`.vh`, `.svh`): `is_include_file` with an `include_path`, the longest of the target's
  `include_dirs` holding the header, else the header's own directory (Edalize's default).
* Data files (`.hex`, `.mem`, ...): `file_type: user` with `copyto` = the path relative to the
  BUILD directory, so `$readmemh("rom.hex")` finds them in the synthesis directory, exactly as
  FuseSoC's `copyto` places them.
* Parameters and defines: `{name: {datatype, paramtype, default}}`, datatype from the Python
  value (`bool`, `int`, `str`), paramtype `vlogparam` or `vlogdefine`.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Union

from estream.core.errors import EstreamError

HEADER_TYPES = {".vh": "verilogSource", ".svh": "systemVerilogSource"}
UNIT_TYPES = {
    ".v": "verilogSource",
    ".sv": "systemVerilogSource",
    ".vhd": "vhdlSource",
    ".vhdl": "vhdlSource",
}
VHDL_FAMILIES = ("xilinx",)


@dataclass(frozen=True)
class DesignFile:
    path: str
    file_type: str
    include_path: Optional[str] = None  # headers only
    copyto: Optional[str] = None  # data files only

    def to_json(self) -> Dict[str, str]:
        out = {"path": self.path, "file_type": self.file_type}
        if self.include_path is not None:
            out["include_path"] = self.include_path
        if self.copyto is not None:
            out["copyto"] = self.copyto
        return out


def _within(path: str, directory: str) -> bool:
    return directory in ("", ".") or path.startswith(directory.rstrip("/") + "/")


def design_files(
    *,
    base: str,
    sources: Sequence[str],
    data_files: Sequence[str],
    include_dirs: Sequence[str],
    family: str,
    where: str,
    relative: bool = False,
) -> List[DesignFile]:
    """The design's files in a stable order. `sources`/`data_files` are build-root paths;
    `base` is the BUILD directory; `include_dirs` are relative to it. With `relative`, every
    path in the result is relative to `base` (the FuseSoC export's core directory)."""

    def out(path: str) -> str:
        return posixpath.relpath(path, base or ".") if relative else path

    incdirs = [posixpath.normpath(posixpath.join(base, d)) for d in include_dirs]
    for declared, incdir in zip(include_dirs, incdirs):
        if posixpath.isabs(declared) or posixpath.relpath(incdir, base or ".").startswith(".."):
            raise EstreamError.single(
                where,
                f"include directory `{declared}` is outside the BUILD directory",
                key="include_dirs",
            )
    files: List[DesignFile] = []
    headers = []
    for path in sorted(sources):
        ext = os.path.splitext(path)[1].lower()
        if ext in HEADER_TYPES:
            headers.append(path)
            holders = [d for d in incdirs if _within(path, d)]
            incdir = max(holders, key=len) if holders else posixpath.dirname(path)
            files.append(
                DesignFile(out(path), HEADER_TYPES[ext], include_path=out(incdir) if incdir else ".")
            )
        elif ext in UNIT_TYPES:
            if UNIT_TYPES[ext] == "vhdlSource" and family not in VHDL_FAMILIES:
                raise EstreamError.single(
                    where,
                    f"VHDL source `{posixpath.relpath(path, base or '.')}` cannot be built for "
                    f"the {family} family: Yosys (YoWASP and native) has no VHDL frontend here",
                    key="sources",
                    help="translate it to Verilog (e.g. with GHDL's `--synth --out=verilog`), "
                    'or build for `family="xilinx"`, whose Vivado flow reads VHDL',
                )
            files.append(DesignFile(out(path), UNIT_TYPES[ext]))
        else:
            raise EstreamError.single(
                where, f"`{path}` is not an HDL file (.v, .sv, .vh, .svh, .vhd, .vhdl)", key="sources"
            )
    for declared, incdir in zip(include_dirs, incdirs):
        if not any(_within(h, incdir) for h in headers):
            raise EstreamError.single(
                where,
                f"include directory `{declared}` holds none of the target's `.vh`/`.svh` sources",
                key="include_dirs",
                help="list the headers it provides in `sources` (only declared files reach the sandbox)",
            )
    for path in sorted(data_files):
        rel = posixpath.relpath(path, base or ".")
        files.append(DesignFile(out(path), "user", copyto=rel))
    return files


def datatype(value: Union[bool, int, str]) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "str"


def design_parameters(
    parameters: Optional[Mapping[str, Union[bool, int, str]]],
    defines: Optional[Mapping[str, Union[bool, int, str]]],
    *,
    where: str,
) -> Dict[str, Dict[str, object]]:
    """EDAM/CAPI2 parameters: `{name: {datatype, paramtype, default}}`."""
    params = parameters or {}
    defs = defines or {}
    both = sorted(set(params) & set(defs))
    if both:
        raise EstreamError.single(
            where,
            f"`{both[0]}` is both a parameter and a define",
            key="defines",
            help="FuseSoC and Edalize keep one namespace for both; rename one",
        )
    result: Dict[str, Dict[str, object]] = {}
    for kind, values in (("vlogparam", params), ("vlogdefine", defs)):
        for name, value in sorted(values.items()):
            result[name] = {"datatype": datatype(value), "paramtype": kind, "default": value}
    return result
