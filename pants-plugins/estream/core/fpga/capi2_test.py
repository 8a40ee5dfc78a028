from __future__ import annotations

import pytest
import yaml

from estream.core.errors import EstreamError
from estream.core.fpga.capi2 import core_text, vlnv
from estream.core.fpga.design_files import DesignFile


def test_core_has_default_sim_and_synth_targets_with_the_flow_options() -> None:
    options = {"nextpnr_options": ["--up5k", "--seed", "1"], "icepack_options": []}
    text = core_text(
        name="estream:circuits.queue:qa:0",
        description="queue append",
        files=[DesignFile("a.v", "verilogSource"), DesignFile("b.sv", "systemVerilogSource")],
        constraints="pins.pcf",
        top="top",
        flow="icestorm",
        flow_options=options,
    )
    assert text.startswith("CAPI=2:\n")
    doc = yaml.safe_load(text.split("\n", 1)[1])
    assert doc["name"] == "estream:circuits.queue:qa:0"
    assert doc["filesets"]["constraints"] == {"files": ["pins.pcf"], "file_type": "PCF"}
    assert set(doc["targets"]) == {"default", "sim", "synth"}
    assert doc["targets"]["synth"]["flow_options"] == options
    assert doc["targets"]["synth"]["filesets"] == ["rtl", "constraints"]
    assert doc["targets"]["sim"]["flow_options"] == {"tool": "icarus"}


def test_vlnv_parts_are_checked() -> None:
    assert (
        vlnv("estream", "circuits.queue", "qa", "0.1.0", where="BUILD") == "estream:circuits.queue:qa:0.1.0"
    )
    with pytest.raises(EstreamError) as e:
        vlnv("estream", "circuits/queue", "qa", "0", where="BUILD")
    assert e.value.diagnostics[0].key == "library"


def test_core_carries_include_files_data_files_and_typed_parameters() -> None:
    text = core_text(
        name="estream:hw:soc:0",
        description="soc",
        files=[
            DesignFile("top.v", "verilogSource"),
            DesignFile("inc/map.vh", "verilogSource", include_path="inc"),
            DesignFile("fw/rom.hex", "user", copyto="fw/rom.hex"),
        ],
        constraints="pins.pcf",
        top="top",
        flow="icestorm",
        flow_options={},
        parameters={"DEPTH": {"datatype": "int", "paramtype": "vlogparam", "default": 64}},
    )
    doc = yaml.safe_load(text.split("\n", 1)[1])
    assert doc["filesets"]["rtl"]["files"] == [
        {"top.v": {"file_type": "verilogSource"}},
        {"inc/map.vh": {"file_type": "verilogSource", "is_include_file": True, "include_path": "inc"}},
    ]
    assert doc["filesets"]["data"]["files"] == [{"fw/rom.hex": {"file_type": "user", "copyto": "fw/rom.hex"}}]
    assert doc["targets"]["synth"]["filesets"] == ["rtl", "data", "constraints"]
    assert doc["targets"]["synth"]["parameters"] == ["DEPTH"]
    assert doc["parameters"]["DEPTH"] == {"datatype": "int", "paramtype": "vlogparam", "default": 64}
