// Width of one ROM word (the LED pattern).
`define ROM_WIDTH 8
