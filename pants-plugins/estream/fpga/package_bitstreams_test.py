"""Tests of the checks that decide what goes into a package's fpga/ (the rule runs in
tests/integration/fpga_package_integration_test.py on real bitstreams)."""

from __future__ import annotations

import pytest

from estream.core.circuit import parse_circuit
from estream.core.circuit_test import GOOD, without_rtl
from estream.core.errors import EstreamError
from estream.core.fpga.report import parse_nextpnr_report
from estream.core.manifest import parse_manifest
from estream.fpga.package_bitstreams import (
    check_device_families,
    design_cycles,
    resource_usage,
    rtl_is_design,
)
from estream.testutil.package_text import manifest_toml

MANIFEST = manifest_toml(
    "pipe",
    category="fpga-circuit",
    description="d",
    circuit={"entry": "circuits/demo.circuit.yaml", "targets": ["cpu", "fpga"], "witness_tier": 1},
    extra='[component.circuit.fpga]\ndevice_families = ["ice40-up5k", "ecp5-25k"]',
)


def test_declared_device_families_must_be_exactly_the_built_ones() -> None:
    manifest = parse_manifest(MANIFEST.encode(), "pkg/estream-component.toml")
    check_device_families(
        manifest, [("pkg/rtl:a", "ice40-up5k"), ("pkg/rtl:b", "ecp5-25k")], where="pkg/BUILD"
    )
    with pytest.raises(EstreamError) as info:
        check_device_families(
            manifest, [("pkg/rtl:a", "ice40-up5k"), ("pkg/rtl:c", "ice40-hx8k")], where="pkg/BUILD"
        )
    messages = [(d.key, d.message) for d in info.value.diagnostics]
    assert (
        "component.circuit.fpga.device_families",
        "bitstream pkg/rtl:c is for device family `ice40-hx8k`, which is not declared",
    ) in messages
    assert any("`ecp5-25k` is declared, but no bitstream" in m for _, m in messages)


def test_bitstreams_need_an_fpga_target_in_the_manifest() -> None:
    cpu_only = MANIFEST.replace('targets = ["cpu", "fpga"]', 'targets = ["cpu"]').split(
        "[component.circuit.fpga]"
    )[0]
    with pytest.raises(EstreamError) as info:
        check_device_families(
            parse_manifest(cpu_only.encode(), "m.toml"), [("a", "ice40-up5k")], where="BUILD"
        )
    assert info.value.diagnostics[0].key == "component.circuit.targets"
    assert "has no FPGA target" in info.value.diagnostics[0].message


def test_a_bitstream_is_covered_by_the_circuit_with_its_top_and_sources() -> None:
    with_rtl = parse_circuit(GOOD.encode(), "c.circuit.yaml")
    plain = parse_circuit(without_rtl(GOOD).encode(), "d.circuit.yaml")
    assert rtl_is_design(with_rtl, "demo_top", ["rtl/demo_top.v", "rtl/demo.v"])
    assert not rtl_is_design(plain, "demo_top", ["rtl/demo_top.v", "rtl/demo.v"])  # no RTL at all
    assert not rtl_is_design(with_rtl, "demo_top", ["rtl/demo_top.v"])  # other sources
    assert not rtl_is_design(with_rtl, "other_top", ["rtl/demo.v", "rtl/demo_top.v"])


def test_the_cycles_of_a_shared_design_are_those_of_every_circuit_on_it() -> None:
    # map_get times its own lookups; map_put's and map_cas's read-back lookups are map.get too.
    per_circuit = [{"map.get": [1, 1]}, {"map.put": [1], "map.get": [1]}, {"map.cas": [2, 1], "map.get": [1]}]
    assert design_cycles(per_circuit) == {"map.get": [1, 1, 1, 1], "map.put": [1], "map.cas": [2, 1]}
    assert design_cycles([]) == {} and design_cycles([{}]) == {}


def test_resource_usage_maps_nextpnr_classes_onto_manifest_keys() -> None:
    report = parse_nextpnr_report(
        b'{"utilization": {"ICESTORM_LC": {"used": 644, "available": 5280}, "ICESTORM_RAM": {"used": 2, "available": 30},'
        b' "ICESTORM_DSP": {"used": 0, "available": 8}, "SB_IO": {"used": 26, "available": 96},'
        b' "SB_GB": {"used": 3, "available": 8}}, "fmax": {}}',
        path="r.json",
    )
    assert resource_usage(report, "ice40") == {"luts": 644, "brams": 2, "dsps": 0, "ios": 26}
    ecp5 = parse_nextpnr_report(
        b'{"utilization": {"TRELLIS_COMB": {"used": 553, "available": 24288}, "TRELLIS_FF": {"used": 342, "available": 24288}}}',
        path="r.json",
    )
    assert resource_usage(ecp5, "ecp5") == {"luts": 553, "ffs": 342}
