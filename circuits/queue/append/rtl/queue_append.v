// Queue-append pipeline: appends 32-bit entries into block RAM, numbers them with a sequence
// counter and folds each one into a running CRC-32 witness (IEEE 802.3, reflected, the value
// zlib.crc32 gives over the little-endian bytes of every entry appended so far).
//
// One entry per clock: the cycle after `in_valid` is accepted, `ack_valid` pulses with the
// entry's sequence number (0, 1, 2, ...) and the witness covering it. When the queue holds
// 2**ADDR_W entries it is `full` and further entries are refused (no ack). The stored entries
// are read back through a synchronous port (`rd_addr` -> `rd_data` one cycle later).
`default_nettype none

module queue_append #(
    parameter ADDR_W = 8
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              in_valid,
    input  wire [31:0]       in_data,
    output reg               ack_valid,
    output reg  [31:0]       ack_seq,
    output reg  [31:0]       ack_witness,
    output wire              full,
    input  wire [ADDR_W-1:0] rd_addr,
    output reg  [31:0]       rd_data
);
    localparam [31:0] CRC_POLY = 32'hEDB88320;

    reg [31:0] mem [0:(1 << ADDR_W) - 1];
    reg [31:0] count;     // entries appended so far = sequence number of the next entry
    reg [31:0] crc_state; // running CRC register (the witness is its complement)

    // Fold one 32-bit entry, least significant byte and bit first, into the CRC register.
    function [31:0] crc32_word(input [31:0] state, input [31:0] data);
        integer i;
        reg [31:0] c;
        begin
            c = state;
            for (i = 0; i < 32; i = i + 1)
                c = (c >> 1) ^ ((c[0] ^ data[i]) ? CRC_POLY : 32'h0);
            crc32_word = c;
        end
    endfunction

    assign full = |count[31:ADDR_W];
    wire accept = in_valid && !full;
    wire [31:0] next_crc = crc32_word(crc_state, in_data);

    always @(posedge clk) begin
        if (accept)
            mem[count[ADDR_W-1:0]] <= in_data;
        rd_data <= mem[rd_addr];
    end

    always @(posedge clk) begin
        if (rst) begin
            count       <= 32'd0;
            crc_state   <= 32'hFFFFFFFF;
            ack_valid   <= 1'b0;
            ack_seq     <= 32'd0;
            ack_witness <= 32'd0;
        end else begin
            ack_valid <= accept;
            if (accept) begin
                count       <= count + 32'd1;
                crc_state   <= next_crc;
                ack_seq     <= count;
                ack_witness <= ~next_crc;
            end
        end
    end
endmodule

`default_nettype wire
