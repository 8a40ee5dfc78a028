"""`./pants help fpga_bitstream` renders every field, the plugin fields included."""

from __future__ import annotations

import pytest
from pants.engine.addresses import Address
from pants.help.help_info_extracter import TargetFieldHelpInfo

from estream.fpga.publish import FpgaSkipPublishField
from estream.fpga.target_types import FpgaBitstreamTarget, FpgaDefinesField, FpgaParametersField


def test_every_field_has_help_that_pants_can_render() -> None:
    fields = [*FpgaBitstreamTarget.core_fields, FpgaSkipPublishField]
    infos = {f.alias: TargetFieldHelpInfo.create(f, provider="estream.fpga") for f in fields}
    assert all(info.description for info in infos.values()), [
        a for a, i in infos.items() if not i.description
    ]
    assert infos["clock_mhz"].type_hint == "float"
    assert infos["skip_publish"].type_hint == "bool" and infos["skip_publish"].default == "False"


def test_parameters_and_defines_are_typed_hdl_values() -> None:
    address = Address("hw", target_name="soc")
    value = FpgaParametersField.compute_value({"NAME": "q0", "DEPTH": 64, "FAST": True}, address)
    assert value is not None and list(value.items()) == [("DEPTH", 64), ("FAST", True), ("NAME", "q0")]
    with pytest.raises(
        ValueError, match="`parameters` of hw:soc: `RATE` must be a bool, an int or a str, not float"
    ):
        FpgaParametersField.compute_value({"RATE": 1.5}, address)
    with pytest.raises(ValueError, match="'2WIDE' is not a Verilog identifier"):
        FpgaDefinesField.compute_value({"2WIDE": 1}, address)
