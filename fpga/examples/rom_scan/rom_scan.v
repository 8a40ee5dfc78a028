// A ROM initialised from a .hex file at synthesis time, scanned onto the iCEBreaker's LEDs.
// Every build input `fpga_bitstream` takes for real designs is load-bearing here: without the
// include directory, the `INVERT` define, the `DEPTH`/`NAME` parameters or the data file,
// synthesis fails (an unknown module, a missing include, an unreadable .hex).
`include "rom_scan/config.vh"

module rom_scan #(
    parameter integer DEPTH = 0,
    parameter NAME = ""
) (
    input  wire       clk,
    output wire [4:0] led
);
  generate
    if (DEPTH < 2 || NAME != "scan") begin : unset
      parameters_DEPTH_and_NAME_were_not_set missing ();
    end
  endgenerate
`ifndef INVERT
  define_INVERT_was_not_set missing ();
`endif

  reg [`ROM_WIDTH-1:0] rom [0:DEPTH-1];
  initial $readmemh("firmware/pattern.hex", rom);

  reg [$clog2(DEPTH)-1:0] addr = 0;
  reg [21:0] tick = 0;
  reg [`ROM_WIDTH-1:0] data = 0;
  always @(posedge clk) begin
    tick <= tick + 1;
    if (tick == 0) addr <= addr + 1;
    data <= rom[addr];
  end
  // The LEDs are active low.
  assign led = ~data[4:0];
endmodule
