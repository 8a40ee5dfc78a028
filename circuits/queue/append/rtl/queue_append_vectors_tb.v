// Golden-vector testbench of `queue_append_top`, the design the bitstreams are built from.
//
// It speaks the estream RTL vector protocol (pants-plugins/estream/fpga/rtl_sim.py): it reads
// one operation per line from the `+stimulus=` file and answers in the `+responses=` file. The
// circuit's codec (src/queue_append_rtl.py) writes the operations and reads the answers.
//
//   V n   start of vector n: reset the design             -> "V n"
//   W x   append entry x over the byte bus (4 strobes)     -> "A seq witness" (acked), then
//                                                             "T 57 cycles": the rising edges
//                                                             from the one sampling the 4th
//                                                             strobe to the one registering
//                                                             `ack`, both counted
//                                                             or "R x" (refused: queue full)
//   H 0   the witness of the last ack, read over the bus   -> "H witness"
//   D 0   read back every entry acked since the reset      -> "E entry" per entry
//   Q 0   end of stimulus                                  -> "Q 0", then $finish
//
// Anything unexpected (an unknown operation, a malformed line, a watchdog timeout) is a
// `$fatal`, the only way Icarus exits non-zero, so the harness sees it in the exit status.
`timescale 1ns / 1ps
`default_nettype none

module queue_append_vectors_tb;
    parameter ADDR_W = 8;
    parameter MAX_CYCLES = 50000000;
    localparam ACK_WAIT = 4;  // cycles after the 4th byte strobe within which an ack must come

    reg clk = 1'b0;
    always #5 clk = ~clk;

    reg        rst = 1'b1;
    reg        in_strobe = 1'b0;
    reg  [7:0] in_byte = 8'd0;
    reg        rd_next = 1'b0;
    reg  [1:0] out_sel = 2'd0;
    reg  [1:0] byte_sel = 2'd0;
    wire [7:0] out_byte;
    wire       ack, full;

    queue_append_top #(.ADDR_W(ADDR_W)) dut (
        .clk(clk), .rst(rst), .in_strobe(in_strobe), .in_byte(in_byte), .rd_next(rd_next),
        .out_sel(out_sel), .byte_sel(byte_sel), .out_byte(out_byte), .ack(ack), .full(full)
    );

    integer cycles = 0;
    always @(posedge clk) begin
        cycles = cycles + 1;
        if (cycles > MAX_CYCLES) $fatal(1, "watchdog: no end of stimulus after %0d cycles", MAX_CYCLES);
    end

    // Read the 32-bit word selected by `sel` over the byte-wide output (registered: one cycle
    // after the selection changes).
    task read_word(input [1:0] sel, output [31:0] word);
        integer b;
        begin
            for (b = 0; b < 4; b = b + 1) begin
                @(negedge clk);
                out_sel  = sel;
                byte_sel = b;
                @(posedge clk);
                @(negedge clk);
                word[8 * b +: 8] = out_byte;
            end
        end
    endtask

    reg [8*1024-1:0] stimulus_path, responses_path;
    integer stimulus, responses, status, b, wait_cycles, appended, i;
    reg [7:0]  op;
    reg [31:0] value, seq, witness, entry;
    reg        acked;

    initial begin
        if (!$value$plusargs("stimulus=%s", stimulus_path)) $fatal(1, "pass +stimulus=FILE");
        if (!$value$plusargs("responses=%s", responses_path)) $fatal(1, "pass +responses=FILE");
        stimulus = $fopen(stimulus_path, "r");
        if (stimulus == 0) $fatal(1, "cannot read %0s", stimulus_path);
        responses = $fopen(responses_path, "w");
        if (responses == 0) $fatal(1, "cannot write %0s", responses_path);
        appended = 0;
        forever begin
            status = $fscanf(stimulus, " %c %h\n", op, value);
            if (status != 2) $fatal(1, "malformed stimulus line (expected `<op> <hex>`), or no `Q` at the end");
            case (op)
                "V": begin
                    @(negedge clk);
                    rst = 1'b1;
                    in_strobe = 1'b0;
                    rd_next = 1'b0;
                    repeat (2) @(posedge clk);
                    @(negedge clk);
                    rst = 1'b0;
                    appended = 0;
                    $fdisplay(responses, "V %0h", value);
                end
                "W": begin
                    for (b = 0; b < 4; b = b + 1) begin
                        @(negedge clk);
                        in_strobe = 1'b1;
                        in_byte = value[8 * b +: 8];
                    end
                    @(negedge clk);
                    in_strobe = 1'b0;
                    acked = 1'b0;
                    for (wait_cycles = 0; wait_cycles < ACK_WAIT && !acked; wait_cycles = wait_cycles + 1) begin
                        @(posedge clk);
                        #1 if (ack) acked = 1'b1;
                    end
                    if (acked) begin
                        repeat (2) @(posedge clk);  // last_seq/last_witness latch the ack
                        read_word(2'd0, seq);
                        read_word(2'd1, witness);
                        appended = appended + 1;
                        $fdisplay(responses, "A %08h %08h", seq, witness);
                        // The loop ran one more increment after the ack; +1 counts the edge
                        // that sampled the 4th strobe.
                        $fdisplay(responses, "T %0h %0h", "W", wait_cycles + 1);
                    end else begin
                        $fdisplay(responses, "R %08h", value);
                    end
                end
                "H": begin
                    read_word(2'd1, witness);
                    $fdisplay(responses, "H %08h", witness);
                end
                "D": begin
                    // The read pointer is at 0 after the reset; each entry is read, then skipped.
                    for (i = 0; i < appended; i = i + 1) begin
                        @(posedge clk);  // rd_data follows the pointer one cycle later
                        read_word(2'd2, entry);
                        $fdisplay(responses, "E %08h", entry);
                        @(negedge clk);
                        rd_next = 1'b1;
                        @(negedge clk);
                        rd_next = 1'b0;
                    end
                end
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
