from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.core.fpga.devices import check_constraints_suffix, check_toolchain, resolve_device


def test_known_dies_resolve_with_default_packages() -> None:
    up5k = resolve_device("ice40", "up5k", None, where="BUILD")
    assert (up5k.nextpnr_flag, up5k.package, up5k.part, up5k.bitstream_suffix) == (
        "up5k",
        "sg48",
        "iCE40UP5K-sg48",
        ".bin",
    )
    hx8k = resolve_device("ice40", "hx8k", "cb132", where="BUILD")
    assert hx8k.part == "iCE40HX8K-cb132"
    for size in ("25k", "45k", "85k"):
        ecp5 = resolve_device("ecp5", size, None, where="BUILD")
        assert ecp5.package == "CABGA381" and ecp5.bitstream_suffix == ".bit"
    vu9p = resolve_device("xilinx", "xcvu9p-flga2104-2L-e", None, where="BUILD")
    assert vu9p.part == "xcvu9p-flga2104-2L-e" and vu9p.nextpnr_flag is None


@pytest.mark.parametrize(
    "family, device, package, key, expected",
    [
        ("altera", "x", None, "family", "unknown device family `altera`"),
        ("ice40", "up9k", None, "device", "unknown ice40 device `up9k`"),
        ("ecp5", "25k", "sg48", "package", "LFE5U-25F has no package `sg48`"),
        ("xilinx", "up5k", None, "device", "`up5k` is not a Xilinx part name"),
    ],
)
def test_bad_devices_name_the_field(family, device, package, key, expected) -> None:
    with pytest.raises(EstreamError) as e:
        resolve_device(family, device, package, where="rtl/BUILD")
    d = e.value.diagnostics[0]
    assert (d.path, d.key) == ("rtl/BUILD", key)
    assert expected in d.message and d.help


def test_constraints_must_suit_family() -> None:
    check_constraints_suffix("ice40", "top.pcf", where="BUILD")
    check_constraints_suffix("ecp5", "top.LPF", where="BUILD")
    with pytest.raises(EstreamError) as e:
        check_constraints_suffix("ice40", "top.lpf", where="BUILD")
    assert "expected a .pcf file" in (e.value.diagnostics[0].help or "")


def test_xilinx_needs_a_configured_vivado_and_toolchains_are_checked() -> None:
    vu9p = resolve_device("xilinx", "xcvu9p-flga2104-2L-e", None, where="rtl/BUILD")
    check_toolchain(vu9p, "yowasp", "/opt/Xilinx/Vivado/2023.2/bin/vivado", where="rtl/BUILD")
    with pytest.raises(EstreamError) as e:
        check_toolchain(vu9p, "yowasp", None, where="rtl/BUILD")
    d = e.value.diagnostics[0]
    assert "Xilinx part `xcvu9p-flga2104-2L-e` needs Vivado" in d.message
    assert "[fpga-toolchain].vivado" in (d.help or "")
    up5k = resolve_device("ice40", "up5k", None, where="rtl/BUILD")
    check_toolchain(up5k, "native", None, where="rtl/BUILD")
    with pytest.raises(EstreamError) as e:
        check_toolchain(up5k, "vendor", None, where="rtl/BUILD")
    assert e.value.diagnostics[0].key == "toolchain"


def test_device_family_names_match_the_manifest_rules() -> None:
    import re

    names = [
        resolve_device("ice40", "up5k", None, where="w").device_family,
        resolve_device("ecp5", "um5g-85k", "CABGA554", where="w").device_family,
        resolve_device("xilinx", "xcvu9p-flga2104-2L-e", None, where="w").device_family,
    ]
    assert names == ["ice40-up5k", "ecp5-um5g-85k", "xcvu9p"]
    # `[component.circuit.fpga].device_families` accepts exactly such names.
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", n) for n in names)
