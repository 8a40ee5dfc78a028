// Golden-vector testbench of `queue_append` for Icarus Verilog.
//
// `VECTORS` (default `vectors.hex`) holds N lines of three 32-bit hex words each:
// entry, expected sequence number, expected CRC-32 witness. Every entry is appended, and the
// ack is checked; then every entry is read back from block RAM. Any mismatch is a `$fatal`
// (the only way Icarus exits non-zero), so failures show in the exit status.
`timescale 1ns / 1ps
`default_nettype none

module queue_append_tb;
    parameter ADDR_W = 8;
    parameter MAX_VECTORS = 256;

    reg clk = 1'b0;
    always #5 clk = ~clk;

    reg                rst = 1'b1;
    reg                in_valid = 1'b0;
    reg  [31:0]        in_data = 32'd0;
    reg  [ADDR_W-1:0]  rd_addr = {ADDR_W{1'b0}};
    wire               ack_valid, full;
    wire [31:0]        ack_seq, ack_witness, rd_data;

    queue_append #(.ADDR_W(ADDR_W)) dut (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_data(in_data),
        .ack_valid(ack_valid), .ack_seq(ack_seq), .ack_witness(ack_witness), .full(full),
        .rd_addr(rd_addr), .rd_data(rd_data)
    );

    reg [31:0] vectors [0:3 * MAX_VECTORS - 1];
    reg [8*256-1:0] path;
    integer n, i;

    initial begin
        if (!$value$plusargs("VECTORS=%s", path)) path = "vectors.hex";
        if (!$value$plusargs("N=%d", n)) $fatal(1, "pass the number of vectors as +N=<count>");
        if (n < 1 || n > MAX_VECTORS) $fatal(1, "+N=%0d is outside 1..%0d", n, MAX_VECTORS);
        $readmemh(path, vectors, 0, 3 * n - 1);

        repeat (2) @(posedge clk);
        rst <= 1'b0;
        for (i = 0; i < n; i = i + 1) begin
            @(posedge clk);
            in_valid <= 1'b1;
            in_data  <= vectors[3 * i];
            @(posedge clk);
            in_valid <= 1'b0;
            @(negedge clk);
            if (!ack_valid) $fatal(1, "entry %0d: no ack", i);
            if (ack_seq !== vectors[3 * i + 1])
                $fatal(1, "entry %0d: sequence %0d, expected %0d", i, ack_seq, vectors[3 * i + 1]);
            if (ack_witness !== vectors[3 * i + 2])
                $fatal(1, "entry %0d: witness %08x, expected %08x", i, ack_witness, vectors[3 * i + 2]);
        end
        for (i = 0; i < n; i = i + 1) begin
            @(posedge clk);
            rd_addr <= i;
            @(posedge clk);
            @(negedge clk);
            if (rd_data !== vectors[3 * i])
                $fatal(1, "read back %0d: %08x, expected %08x", i, rd_data, vectors[3 * i]);
        end
        $display("PASS: %0d entries appended, acknowledged and read back", n);
        $finish;
    end
endmodule

`default_nettype wire
