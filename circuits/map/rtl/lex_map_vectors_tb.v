// Golden-vector testbench of `lex_map_top`, the design the bitstreams are built from.
//
// It speaks the estream RTL vector protocol (pants-plugins/estream/fpga/rtl_sim.py): one
// operation per line from `+stimulus=`, answers in `+responses=`. The circuit's codec
// (src/lex_map_rtl.py) writes the operations and reads the answers.
//
//   V n   start of vector n: reset the design                  -> "V n"
//   K x / U x / E x / S x / N x   set the request's key handle, value handle, version,
//         slot, or logical time (no answer)
//   X x   set the TTL (PUT/CAS) or absolute expiry (LOAD): bit 32 set = the entry has one
//   G 0 / P 0 / C 0 / L 0 / D 0   run GET / PUT / CAS / LOAD / READ(slot) on the map
//         -> "R ok full hit has_ttl key value version expires", then
//            "T <op letter, ASCII hex> <cycles>": the rising clock edges from the one that
//            samples `go` to the one that registers `done`, both counted (the cycle counter
//            of the measured latency: pants-plugins/estream/core/fpga/latency.py)
//   Q 0   end of stimulus                                       -> "Q 0", then $finish
//
// Anything unexpected is a `$fatal`, the only way Icarus exits non-zero.
`timescale 1ns / 1ps
`default_nettype none

module lex_map_vectors_tb;
    parameter MAX_CYCLES = 50000000;
    localparam DONE_WAIT = 16;

    reg clk = 1'b0;
    always #5 clk = ~clk;

    reg        rst = 1'b1;
    reg        in_strobe = 1'b0;
    reg  [7:0] in_byte = 8'd0;
    reg        go = 1'b0;
    reg  [3:0] byte_sel = 4'd0;
    wire [7:0] out_byte;
    wire       done;

    lex_map_top dut (
        .clk(clk), .rst(rst), .in_strobe(in_strobe), .in_byte(in_byte), .go(go),
        .byte_sel(byte_sel), .out_byte(out_byte), .done(done)
    );

    integer total_cycles = 0;
    always @(posedge clk) begin
        total_cycles = total_cycles + 1;
        if (total_cycles > MAX_CYCLES) $fatal(1, "watchdog: no end of stimulus after %0d cycles", MAX_CYCLES);
    end

    reg [8*1024-1:0] stimulus_path, responses_path;
    integer stimulus, responses, status, b, cycles;
    reg [7:0]   op;
    reg [63:0]  value;
    reg [2:0]   map_op;
    reg [7:0]   key, val;
    reg [3:0]   slot;
    reg [31:0]  version, expires, now;
    reg         has_ttl, seen;
    reg [127:0] request;
    reg [87:0]  response;

    task run(input [2:0] code);
        begin
            request = {8'd0, now, expires, version, val, key, slot, has_ttl, code};
            for (b = 0; b < 16; b = b + 1) begin
                @(negedge clk);
                in_strobe = 1'b1;
                in_byte = request[8 * b +: 8];
            end
            @(negedge clk);
            in_strobe = 1'b0;
            go = 1'b1;
            // Edge 1 samples `go`; count edges until one has registered `done`.
            seen = 1'b0;
            for (cycles = 1; cycles <= DONE_WAIT && !seen; cycles = cycles + 1) begin
                @(posedge clk);
                #1 go = 1'b0;
                if (done) seen = 1'b1;
            end
            if (!seen) $fatal(1, "no `done` within %0d cycles of `go` (op %0d)", DONE_WAIT, code);
            cycles = cycles - 1;
            for (b = 0; b < 11; b = b + 1) begin
                @(negedge clk);
                byte_sel = b;
                @(posedge clk);
                @(negedge clk);
                response[8 * b +: 8] = out_byte;
            end
            $fdisplay(responses, "R %0h %0h %0h %0h %0h %0h %0h %0h", response[0], response[1], response[2],
                      response[3], response[15:8], response[23:16], response[55:24], response[87:56]);
            $fdisplay(responses, "T %0h %0h", op, cycles);
        end
    endtask

    initial begin
        if (!$value$plusargs("stimulus=%s", stimulus_path)) $fatal(1, "pass +stimulus=FILE");
        if (!$value$plusargs("responses=%s", responses_path)) $fatal(1, "pass +responses=FILE");
        stimulus = $fopen(stimulus_path, "r");
        if (stimulus == 0) $fatal(1, "cannot read %0s", stimulus_path);
        responses = $fopen(responses_path, "w");
        if (responses == 0) $fatal(1, "cannot write %0s", responses_path);
        {key, val, slot, version, expires, now, has_ttl} = 0;
        forever begin
            status = $fscanf(stimulus, " %c %h\n", op, value);
            if (status != 2) $fatal(1, "malformed stimulus line (expected `<op> <hex>`), or no `Q` at the end");
            case (op)
                "V": begin
                    @(negedge clk);
                    rst = 1'b1;
                    in_strobe = 1'b0;
                    go = 1'b0;
                    repeat (2) @(posedge clk);
                    @(negedge clk);
                    rst = 1'b0;
                    $fdisplay(responses, "V %0h", value);
                end
                "K": key = value[7:0];
                "U": val = value[7:0];
                "E": version = value[31:0];
                "S": slot = value[3:0];
                "N": now = value[31:0];
                "X": begin
                    expires = value[31:0];
                    has_ttl = value[32];
                end
                "G": run(3'd0);
                "P": run(3'd1);
                "C": run(3'd2);
                "L": run(3'd3);
                "D": run(3'd4);
                "Q": begin
                    $fdisplay(responses, "Q 0");
                    $fclose(responses);
                    $finish;
                end
                default: $fatal(1, "unknown stimulus operation `%c`", op);
            endcase
        end
    end
endmodule

`default_nettype wire
