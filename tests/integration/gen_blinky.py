"""A tiny iCE40 UP5K FuseSoC core that uses two generators, for the `fusesoc_core` generator
tests and bench/fusesoc_generators.py: `gen_blinky`, whose counter comes from a generator defined
here (`counter`, which appends a line to a log outside the sandbox each time it runs, so a test
can count its runs) and whose PLL settings come from the vendored `fusesoc:utils:generators`
icepll generator (`3rdparty/fusesoc/fusesoc-generators`)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

TARGET = "3rdparty/fusesoc:gen_blinky"
BITSTREAM = "dist/3rdparty.fusesoc/gen_blinky.bin"
VLNV = "estream:demo:gen_blinky:1.0.0"

BLINKY_CORE = """CAPI=2:
name: estream:demo:gen_blinky:1.0.0
description: A blinky whose counter and PLL settings come from generators

filesets:
  rtl:
    files: [blinky.v]
    file_type: verilogSource
    depend: ["estream:demo:counter_gen", "fusesoc:utils:generators"]
  icebreaker:
    files: [icebreaker.pcf: {file_type: PCF}]

generate:
  counter:
    generator: counter
    parameters: {width: 22, log: LOG}
  pll:
    generator: icepll
    parameters: {freq_out: 24}

targets:
  icebreaker:
    default_tool: icestorm
    filesets: [rtl, icebreaker]
    generate: [counter, pll]
    flow: icestorm
    flow_options:
      nextpnr_options: [--up5k, --package, sg48, --freq, 24]
      pnr: next
    toplevel: gen_blinky
"""

BLINKY_V = """`default_nettype none
module gen_blinky(input wire i_clk, output wire o_led);
   wire clk, locked;
   SB_PLL40_PAD #(`include "pll.vh") pll (
      .LOCK(locked), .RESETB(1'b1), .BYPASS(1'b0), .PACKAGEPIN(i_clk), .PLLOUTCORE(clk));
   counter c(.i_clk(clk), .o_msb(o_led));
endmodule
"""

COUNTER_GEN_CORE = """CAPI=2:
name: estream:demo:counter_gen:1.0.0
description: The `counter` generator (a free-running counter of a given width)

generators:
  counter:
    interpreter: python3
    command: counter_gen.py
    description: "A counter module: `width` bits, its top bit out; `log` (optional) gets a line per run"
"""

COUNTER_GEN_PY = '''"""FuseSoC generator: `counter.v`, a free-running counter of `width` bits (its top bit out)."""
from fusesoc.capi2.generator import Generator


class CounterGenerator(Generator):
    def run(self):
        width = int(self.config.get("width", 24))
        if self.config.get("log"):
            with open(self.config["log"], "a") as log:  # how the test counts the runs
                log.write("%s width=%d\\n" % (self.vlnv, width))
        with open("counter.v", "w") as f:
            f.write(
                "module counter(input wire i_clk, output wire o_msb);\\n"
                "   reg [%d:0] count = 0;\\n"
                "   always @(posedge i_clk) count <= count + 1;\\n"
                "   assign o_msb = count[%d];\\n"
                "endmodule\\n" % (width - 1, width - 1)
            )
        self.add_files([{"counter.v": {"file_type": "verilogSource"}}])


g = CounterGenerator()
g.run()
g.write()
'''

BUILD = """
fusesoc_core(
    name="gen_blinky",
    core="gen_demo/blinky.core",
    core_target="icebreaker",
    cores_roots=["gen_demo", "fusesoc-generators"],
    sources=["gen_demo/*", "fusesoc-generators/**/*"],
    parameters={"nextpnr_options": "--seed SEED"},
    family="ice40",
)
"""


def write_gen_blinky(repo: Path, *, log: Path) -> Callable[[int], None]:
    """Write the cores into `repo`'s `3rdparty/fusesoc/gen_demo` and return a function that
    (re)writes the `fusesoc_core` target with a given nextpnr seed."""
    demo = repo / "3rdparty/fusesoc/gen_demo"
    demo.mkdir()
    (demo / "blinky.core").write_text(BLINKY_CORE.replace("LOG", str(log)))
    (demo / "blinky.v").write_text(BLINKY_V)
    (demo / "icebreaker.pcf").write_text("set_io i_clk 35\nset_io o_led 11\n")
    (demo / "counter_gen.core").write_text(COUNTER_GEN_CORE)
    (demo / "counter_gen.py").write_text(COUNTER_GEN_PY)
    build_file = repo / "3rdparty/fusesoc/BUILD"
    original = build_file.read_text()

    def set_seed(seed: int) -> None:
        build_file.write_text(original + BUILD.replace("SEED", str(seed)))

    return set_seed
