"""The checks `fusesoc_core` makes before FuseSoC runs (the build itself runs in
tests/integration/fusesoc_core_integration_test.py)."""

from __future__ import annotations

import pytest

from estream.core.errors import EstreamError
from estream.fpga.fusesoc_core import FusesocCoreTarget, core_build_config
from pants.help.help_info_extracter import TargetFieldHelpInfo

FILES = ["3p/serv/servant.core", "3p/serv/rtl/serv_top.v", "3p/gen/generators.core"]


def config(**kw):
    args = dict(
        base="3p", files=FILES, core="serv/servant.core", core_target="icebreaker",
        cores_roots=["serv", "gen"], parameters={"memsize": 8192, "sim": False}, flags=["mdu"],
        family="ice40", toolchain="yowasp", output="__fpga_out/x.bin", where="3p/BUILD: 3p:x",
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
    infos = {f.alias: TargetFieldHelpInfo.create(f, provider="estream.fpga") for f in FusesocCoreTarget.core_fields}
    assert all(info.description for info in infos.values())
