from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.fpga.design_files import DesignFile, design_files, design_parameters

BASE = "hw/soc"


def files(**kw):
    args = dict(base=BASE, sources=[], data_files=[], include_dirs=[], family="ice40", where="hw/soc/BUILD")
    args.update(kw)
    return design_files(**args)


def test_units_headers_and_data_files_are_typed_as_edalize_types_them() -> None:
    got = files(
        sources=[f"{BASE}/top.sv", f"{BASE}/core.v", f"{BASE}/inc/regs/map.vh", f"{BASE}/local.svh"],
        data_files=[f"{BASE}/fw/rom.hex"],
        include_dirs=["inc"],
    )
    assert got == [
        DesignFile(f"{BASE}/core.v", "verilogSource"),
        DesignFile(f"{BASE}/inc/regs/map.vh", "verilogSource", include_path=f"{BASE}/inc"),
        DesignFile(f"{BASE}/local.svh", "systemVerilogSource", include_path=BASE),
        DesignFile(f"{BASE}/top.sv", "systemVerilogSource"),
        DesignFile(f"{BASE}/fw/rom.hex", "user", copyto="fw/rom.hex"),
    ]
    # The FuseSoC export: the same entries, relative to the core's directory.
    rel = files(
        sources=[f"{BASE}/inc/regs/map.vh"],
        data_files=[f"{BASE}/fw/rom.hex"],
        include_dirs=["inc"],
        relative=True,
    )
    assert rel == [
        DesignFile("inc/regs/map.vh", "verilogSource", include_path="inc"),
        DesignFile("fw/rom.hex", "user", copyto="fw/rom.hex"),
    ]


def test_vhdl_is_refused_for_yosys_families_with_the_reason_and_accepted_for_xilinx() -> None:
    with pytest.raises(EstreamError) as e:
        files(sources=[f"{BASE}/alu.vhd"])
    d = e.value.diagnostics[0]
    assert d.key == "sources" and "VHDL source `alu.vhd`" in d.message and "no VHDL frontend" in d.message
    assert files(sources=[f"{BASE}/alu.vhd"], family="xilinx") == [
        DesignFile(f"{BASE}/alu.vhd", "vhdlSource")
    ]


def test_include_dirs_must_provide_declared_headers_and_stay_inside() -> None:
    with pytest.raises(EstreamError) as e:
        files(sources=[f"{BASE}/top.v"], include_dirs=["inc"])
    assert e.value.diagnostics[0].key == "include_dirs" and "holds none" in e.value.diagnostics[0].message
    with pytest.raises(EstreamError) as e:
        files(sources=[f"{BASE}/top.v"], include_dirs=["../elsewhere"])
    assert "outside the BUILD directory" in e.value.diagnostics[0].message


def test_parameters_and_defines_are_typed_and_share_one_namespace() -> None:
    assert design_parameters({"DEPTH": 64, "NAME": "q0"}, {"FAST": True}, where="BUILD") == {
        "DEPTH": {"datatype": "int", "paramtype": "vlogparam", "default": 64},
        "NAME": {"datatype": "str", "paramtype": "vlogparam", "default": "q0"},
        "FAST": {"datatype": "bool", "paramtype": "vlogdefine", "default": True},
    }
    assert design_parameters(None, None, where="BUILD") == {}
    with pytest.raises(EstreamError) as e:
        design_parameters({"W": 1}, {"W": 2}, where="BUILD")
    assert e.value.diagnostics[0].key == "defines"
