// Board-level wrapper of `lex_map_cam` for small packages (iCE40 UP5K SG48, ECP5 25k): the
// 128-bit request and the response go over a byte-wide bus.
//
// * Each `in_strobe` shifts `in_byte` into the request register (sixteen strobes, least
//   significant byte first; layout below); `go` hands the request to the map.
// * `done` pulses with the response; `out_byte` shows byte `byte_sel` of the last response
//   (registered: one cycle after `byte_sel` changes).
//
// Request:  [2:0] op, [3] has_ttl, [7:4] slot, [15:8] key, [23:16] value, [55:24] version,
//           [87:56] expires/TTL, [119:88] now
// Response: [0] ok, [1] full, [2] hit, [3] has_ttl, [15:8] key, [23:16] value,
//           [55:24] version, [87:56] expires
`default_nettype none

module lex_map_top (
    input  wire       clk,
    input  wire       rst,
    input  wire       in_strobe,
    input  wire [7:0] in_byte,
    input  wire       go,
    input  wire [3:0] byte_sel,
    output reg  [7:0] out_byte,
    output wire       done
);
    reg  [127:0] request;
    wire         ok, full, hit, has_ttl;
    wire [7:0]   key, value;
    wire [31:0]  version, expires;

    always @(posedge clk)
        if (in_strobe)
            request <= {in_byte, request[127:8]};

    lex_map_cam #(.ENTRIES(8), .SLOT_W(3), .KEY_W(8), .VAL_W(8)) map (
        .clk(clk), .rst(rst), .req_valid(go),
        .req_op(request[2:0]), .req_slot(request[6:4]), .req_key(request[15:8]),
        .req_value(request[23:16]), .req_version(request[55:24]), .req_has_ttl(request[3]),
        .req_expires(request[87:56]), .req_now(request[119:88]),
        .resp_valid(done), .resp_ok(ok), .resp_full(full), .resp_hit(hit),
        .resp_has_ttl(has_ttl), .resp_key(key), .resp_value(value), .resp_version(version),
        .resp_expires(expires)
    );

    wire [87:0] response = {expires, version, value, key, 4'd0, has_ttl, hit, full, ok};
    always @(posedge clk)
        out_byte <= byte_sel < 4'd11 ? response[8 * byte_sel +: 8] : 8'd0;
endmodule

`default_nettype wire
