// Lex map in registers: a small content-addressed map of ENTRIES slots (8 by default), the
// hardware half of `map_put`, `map_cas` and their `get` read-back (src/lex_map_rtl.py is the
// other half). Capacity: ENTRIES keys at once; keys and values are KEY_W/VAL_W-bit handles the
// codec assigns to the strings of one operation; versions and logical times are 32 bits.
//
// One request per `req_valid`; the response (`resp_valid`) comes on the next clock edge: every
// slot's key is compared at once (the CAM), the version is bumped, the TTL checked against
// `req_now` and the slot written in that cycle.
//
//   op 0 GET   the live entry of `req_key`              -> hit, version, value, TTL
//   op 1 PUT   write `req_key`: version = old + 1 (an expired entry still counts, so a version
//              is never reused), expires = now + ttl when `req_has_ttl`; full if no slot
//   op 2 CAS   as PUT, only if the live version (0 when absent or expired) == `req_version`;
//              otherwise ok = 0 and `resp_version` is the live version
//   op 3 LOAD  store an entry as given (version, absolute expiry): replays a stored state
//   op 4 READ  slot `req_slot` as stored                  -> valid, key, value, version, TTL
`default_nettype none

module lex_map_cam #(
    parameter ENTRIES = 8,
    parameter SLOT_W = 3,
    parameter KEY_W = 8,
    parameter VAL_W = 8
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              req_valid,
    input  wire [2:0]        req_op,
    input  wire [SLOT_W-1:0] req_slot,
    input  wire [KEY_W-1:0]  req_key,
    input  wire [VAL_W-1:0]  req_value,
    input  wire [31:0]       req_version,
    input  wire              req_has_ttl,
    input  wire [31:0]       req_expires,  // TTL for PUT/CAS, absolute expiry for LOAD
    input  wire [31:0]       req_now,
    output reg               resp_valid,
    output reg               resp_ok,
    output reg               resp_full,
    output reg               resp_hit,
    output reg               resp_has_ttl,
    output reg  [KEY_W-1:0]  resp_key,
    output reg  [VAL_W-1:0]  resp_value,
    output reg  [31:0]       resp_version,
    output reg  [31:0]       resp_expires
);
    localparam OP_GET = 3'd0, OP_PUT = 3'd1, OP_CAS = 3'd2, OP_LOAD = 3'd3, OP_READ = 3'd4;

    reg              used    [0:ENTRIES-1];
    reg [KEY_W-1:0]  keys    [0:ENTRIES-1];
    reg [VAL_W-1:0]  values  [0:ENTRIES-1];
    reg [31:0]       version [0:ENTRIES-1];
    reg              has_ttl [0:ENTRIES-1];
    reg [31:0]       expires [0:ENTRIES-1];

    // The CAM: the slot holding `req_key` (if any) and the first free slot.
    reg              hit, free_found;
    reg [SLOT_W-1:0] hit_slot, free_slot;
    integer i;
    always @(*) begin
        hit = 1'b0;
        hit_slot = {SLOT_W{1'b0}};
        free_found = 1'b0;
        free_slot = {SLOT_W{1'b0}};
        for (i = ENTRIES - 1; i >= 0; i = i - 1) begin
            if (used[i] && keys[i] == req_key) begin
                hit = 1'b1;
                hit_slot = i;
            end
            if (!used[i]) begin
                free_found = 1'b1;
                free_slot = i;
            end
        end
    end

    wire        hit_live     = hit && (!has_ttl[hit_slot] || expires[hit_slot] > req_now);
    wire [31:0] live_version = hit_live ? version[hit_slot] : 32'd0;
    wire [31:0] next_version = (hit ? version[hit_slot] : 32'd0) + 32'd1;
    wire        writes       = req_op == OP_PUT || req_op == OP_LOAD || (req_op == OP_CAS && live_version == req_version);
    wire        room         = hit || free_found;
    wire [SLOT_W-1:0] slot   = hit ? hit_slot : free_slot;

    always @(posedge clk) begin
        if (rst) begin
            for (i = 0; i < ENTRIES; i = i + 1) begin
                used[i]    <= 1'b0;
                keys[i]    <= {KEY_W{1'b0}};
                values[i]  <= {VAL_W{1'b0}};
                version[i] <= 32'd0;
                has_ttl[i] <= 1'b0;
                expires[i] <= 32'd0;
            end
            resp_valid <= 1'b0;
        end else begin
            resp_valid <= req_valid;
            if (req_valid) begin
                resp_ok      <= 1'b1;
                resp_full    <= 1'b0;
                resp_hit     <= hit_live;
                resp_key     <= req_key;
                resp_value   <= values[hit_slot];
                resp_version <= live_version;
                resp_has_ttl <= has_ttl[hit_slot];
                resp_expires <= expires[hit_slot];
                if (req_op == OP_READ) begin
                    resp_hit     <= used[req_slot];
                    resp_key     <= keys[req_slot];
                    resp_value   <= values[req_slot];
                    resp_version <= version[req_slot];
                    resp_has_ttl <= has_ttl[req_slot];
                    resp_expires <= expires[req_slot];
                end else if (writes && !room) begin
                    resp_ok   <= 1'b0;
                    resp_full <= 1'b1;
                end else if (writes) begin
                    used[slot]    <= 1'b1;
                    keys[slot]    <= req_key;
                    values[slot]  <= req_value;
                    has_ttl[slot] <= req_has_ttl;
                    if (req_op == OP_LOAD) begin
                        version[slot] <= req_version;
                        expires[slot] <= req_expires;
                    end else begin
                        version[slot] <= next_version;
                        expires[slot] <= req_now + req_expires;
                        resp_version  <= next_version;
                    end
                end else if (req_op == OP_CAS) begin
                    resp_ok <= 1'b0;  // version mismatch: resp_version is the live version
                end
            end
        end
    end
endmodule

`default_nettype wire
