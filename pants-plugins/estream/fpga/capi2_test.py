from __future__ import annotations

import pytest
import yaml

from estream.core.errors import EstreamError
from estream.fpga.capi2 import core_text, vlnv


def test_core_has_default_sim_and_synth_targets_with_the_flow_options() -> None:
    options = {"nextpnr_options": ["--up5k", "--seed", "1"], "icepack_options": []}
    text = core_text(
        name="estream:circuits.queue:qa:0",
        description="queue append",
        rtl=["a.v", "b.v"],
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
    assert vlnv("estream", "circuits.queue", "qa", "0.1.0", where="BUILD") == "estream:circuits.queue:qa:0.1.0"
    with pytest.raises(EstreamError) as e:
        vlnv("estream", "circuits/queue", "qa", "0", where="BUILD")
    assert e.value.diagnostics[0].key == "library"
