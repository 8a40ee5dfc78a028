// Board-level wrapper of `queue_append` for small packages (iCE40 UP5K SG48, ECP5 25k): a
// byte-wide bus instead of 32-bit ports.
//
// * Four `in_strobe` pulses deliver one entry, least significant byte first, on `in_byte`.
// * `ack` pulses when the entry is appended; `full` mirrors the queue.
// * `out_byte` shows byte `byte_sel` of the word chosen by `out_sel`: 0 the last ack's sequence
//   number, 1 the last ack's CRC-32 witness, 2 the entry at the read pointer, 3 the pointer.
//   `rd_next` advances the read pointer; `rst` clears everything.
`default_nettype none

module queue_append_top #(
    parameter ADDR_W = 8
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_strobe,
    input  wire [7:0] in_byte,
    input  wire       rd_next,
    input  wire [1:0] out_sel,
    input  wire [1:0] byte_sel,
    output reg  [7:0] out_byte,
    output wire       ack,
    output wire       full
);
    reg [23:0] partial;
    reg [1:0]  lane;
    reg        word_valid;
    reg [31:0] word;
    reg [ADDR_W-1:0] rd_ptr;

    wire [31:0] ack_seq, ack_witness, rd_data;
    reg  [31:0] last_seq, last_witness;

    always @(posedge clk) begin
        if (rst) begin
            lane       <= 2'd0;
            word_valid <= 1'b0;
            rd_ptr     <= {ADDR_W{1'b0}};
        end else begin
            word_valid <= 1'b0;
            if (in_strobe) begin
                lane <= lane + 2'd1;
                case (lane)
                    2'd0: partial[7:0]   <= in_byte;
                    2'd1: partial[15:8]  <= in_byte;
                    2'd2: partial[23:16] <= in_byte;
                    2'd3: begin
                        word       <= {in_byte, partial};
                        word_valid <= 1'b1;
                    end
                endcase
            end
            if (rd_next)
                rd_ptr <= rd_ptr + 1'b1;
        end
    end

    queue_append #(.ADDR_W(ADDR_W)) core (
        .clk(clk),
        .rst(rst),
        .in_valid(word_valid),
        .in_data(word),
        .ack_valid(ack),
        .ack_seq(ack_seq),
        .ack_witness(ack_witness),
        .full(full),
        .rd_addr(rd_ptr),
        .rd_data(rd_data)
    );

    always @(posedge clk) begin
        if (rst) begin
            last_seq     <= 32'd0;
            last_witness <= 32'd0;
        end else if (ack) begin
            last_seq     <= ack_seq;
            last_witness <= ack_witness;
        end
    end

    reg [31:0] selected;
    always @(*) begin
        case (out_sel)
            2'd0: selected = last_seq;
            2'd1: selected = last_witness;
            2'd2: selected = rd_data;
            default: selected = {{(32 - ADDR_W){1'b0}}, rd_ptr};
        endcase
    end

    always @(posedge clk)
        out_byte <= selected[8 * byte_sel +: 8];
endmodule

`default_nettype wire
