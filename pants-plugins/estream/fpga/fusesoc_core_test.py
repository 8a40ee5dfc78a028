"""The checks `fusesoc_core` makes before FuseSoC runs (the build itself runs in
tests/integration/fusesoc_core_integration_test.py)."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from pants.help.help_info_extracter import TargetFieldHelpInfo

from estream.core.errors import EstreamError
from estream.fpga import edalize_driver
from estream.fpga.fusesoc_core import (
    GENERATED_ROOT,
    GENERATORS_FILE,
    core_build_config,
    generator_configs,
    generator_failure,
    generator_inputs,
    plan_config,
)
from estream.fpga.target_types import FusesocCoreTarget

FILES = ["3p/serv/servant.core", "3p/serv/rtl/serv_top.v", "3p/gen/generators.core"]


def config(**kw):
    args = dict(
        base="3p",
        files=FILES,
        core="serv/servant.core",
        core_target="icebreaker",
        cores_roots=["serv", "gen"],
        parameters={"memsize": 8192, "sim": False},
        flags=["mdu"],
        family="ice40",
        toolchain="yowasp",
        output="__fpga_out/x.bin",
        where="3p/BUILD: 3p:x",
    )
    args.update(kw)
    return core_build_config(**args)


def test_the_config_names_the_core_roots_parameters_and_flags_from_the_build_root() -> None:
    assert config() == {
        "core_file": "3p/serv/servant.core",
        "cwd": "3p",
        "cores_roots": ["3p/serv", "3p/gen"],
        "target": "icebreaker",
        "parameters": {"memsize": 8192, "sim": False},
        "flags": ["mdu"],
        "family": "ice40",
        "toolchain": "yowasp",
        "output": "__fpga_out/x.bin",
    }


@pytest.mark.parametrize(
    "kw, key, text",
    [
        ({"core": "serv/missing.core"}, "core", "`serv/missing.core` is not a `.core` file among"),
        ({"core": "serv/rtl/serv_top.v"}, "core", "is not a `.core` file"),
        ({"cores_roots": ["serv", "empty"]}, "cores_roots", "cores root `empty` holds none"),
        ({"cores_roots": ["../elsewhere"]}, "cores_roots", "outside the BUILD directory"),
        ({"family": "xilinx"}, "family", "builds iCE40 and ECP5 cores, not `xilinx`"),
    ],
)
def test_bad_fields_are_named(kw, key, text) -> None:
    with pytest.raises(EstreamError) as e:
        config(**kw)
    d = e.value.diagnostics[0]
    assert d.path == "3p/BUILD: 3p:x" and d.key == key and text in d.message


def test_every_field_has_help() -> None:
    infos = {
        f.alias: TargetFieldHelpInfo.create(f, provider="estream.fpga") for f in FusesocCoreTarget.core_fields
    }
    assert all(info.description for info in infos.values())


def test_the_plan_reads_neither_the_parameters_nor_the_output() -> None:
    """Tool options and parameters reach the EDAM after the generators ran: changing them
    leaves the plan's (and so every generator's) cache key as it was."""
    base = config()
    other = config(parameters={"memsize": 4096, "nextpnr_options": "--seed 7"}, output="__fpga_out/y.bin")
    assert plan_config(base) == plan_config(other)
    assert "parameters" not in plan_config(base) and "output" not in plan_config(base)
    assert plan_config(config(flags=["mdu", "debug"])) != plan_config(base)
    assert plan_config(config(core_target="icestick")) != plan_config(base)


ENTRY: Dict[str, Any] = {
    "key": "generator_cache/acme_soc_top-pll_1.0-abc",
    "generator": "icepll",
    "definition": {"root": "3p/gen", "command": "icepll.py", "interpreter": "python3"},
    "name": "pll",
    "pos": "append",
    "config": {"freq_out": 16},
    "vlnv": "acme:soc:top-pll:1.0",
    "core": {"name": "acme:soc:top:1.0", "files_root": "3p/serv"},
}


def test_a_generator_reads_its_own_core_s_files_and_those_of_the_core_asking_for_it() -> None:
    assert generator_inputs(ENTRY) == ("3p/gen/**", "3p/serv/**")
    same = {**ENTRY, "core": {"name": "x:y:z:1", "files_root": "3p/gen"}}
    assert generator_inputs(same) == ("3p/gen/**",)
    at_root = {**ENTRY, "core": {"name": "x:y:z:1", "files_root": "."}}
    assert generator_inputs(at_root) == ("**", "3p/gen/**")


def test_each_planned_generator_gets_the_build_s_toolchain() -> None:
    plan = {"vlnv": "acme:soc:top:1.0", "generators": [ENTRY, {**ENTRY, "name": "pll2"}]}
    configs = generator_configs(plan, toolchain="yowasp", family="ice40")
    assert [c["name"] for c in configs] == ["pll", "pll2"]
    assert all(c["toolchain"] == "yowasp" and c["family"] == "ice40" for c in configs)
    assert generator_configs({"vlnv": "a:b:c:1", "generators": []}, toolchain="native", family="ice40") == ()


def test_the_plugin_and_the_driver_agree_on_where_generator_outputs_go() -> None:
    assert GENERATED_ROOT == edalize_driver.GENERATED_ROOT
    assert GENERATORS_FILE == edalize_driver.GENERATORS_FILE


def test_a_failed_generator_is_named_with_the_core_that_asked_for_it() -> None:
    stderr = (
        b"noise\nfpga build failed: generator icepll of acme:soc:top:1.0 (pll) failed: icepll: not found\n"
    )
    d = generator_failure(stderr, 1, ENTRY, where="3p/BUILD: 3p:x").diagnostics[0]
    assert d.path == "3p/BUILD: 3p:x"
    assert d.message.startswith(
        "FuseSoC generator `icepll` (pll, asked for by acme:soc:top:1.0) failed (exit 1):"
    )
    assert "icepll: not found" in d.message and "noise" not in d.message
