"""`./pants help fpga_bitstream` renders every field, the plugin fields included."""

from __future__ import annotations

from estream.fpga.publish import FpgaSkipPublishField
from estream.fpga.target_types import FpgaBitstreamTarget
from pants.help.help_info_extracter import TargetFieldHelpInfo


def test_every_field_has_help_that_pants_can_render() -> None:
    fields = [*FpgaBitstreamTarget.core_fields, FpgaSkipPublishField]
    infos = {f.alias: TargetFieldHelpInfo.create(f, provider="estream.fpga") for f in fields}
    assert all(info.description for info in infos.values()), [a for a, i in infos.items() if not i.description]
    assert infos["clock_mhz"].type_hint == "float"
    assert infos["skip_publish"].type_hint == "bool" and infos["skip_publish"].default == "False"
