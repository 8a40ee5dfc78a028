"""Benchmark: `./pants test` running 10,000 golden vectors of the FIX wire adapter, cold and warm.

Copies the repository to a scratch build root, replaces estream-wire-fix's golden suite with N
generated, well-formed FIX messages (NewOrderSingle, ExecutionReport, market data; every fifth one
corrupted so it must come out on `error`; each passing one also gets its round trip), then times:

1. cold: `./pants --no-pantsd test components/estream-wire-fix/circuits:` (new inputs: cache miss,
   one sandboxed process runs all N vectors);
2. warm: the same command again (the process result is a local cache hit: vectors do not re-run);
3. the runner alone on the same plan (no Pants), and the parser alone in a loop, to show where the
   cold time goes.

Usage: python3 bench/circuit_vectors.py [--vectors 10000] [--out bench/out]
Expected outputs are produced by the reference parser itself: this measures speed, not correctness.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENTRIES = ("pants", "pants.toml", "BUILD", "3rdparty", "pants-plugins", "schemas", "components", "circuits")
PKG = "components/estream-wire-fix"


def frame(body_fields, corrupt: bool) -> str:
    body = "".join(f"{t}={v}|" for t, v in body_fields)
    head = f"8=FIX.4.4|9={len(body.encode())}|"
    checksum = (sum((head + body).replace("|", "\x01").encode()) + (1 if corrupt else 0)) % 256
    return f"{head}{body}10={checksum:03d}|"


def message(i: int) -> str:
    header = [(35, "D"), (49, f"FIRM{i % 97}"), (56, "BROKER"), (34, i + 1), (52, "20260210-12:00:00.000")]
    kind = i % 3
    if kind == 0:
        fields = header + [(11, f"ORD{i:06d}"), (55, "AAPL"), (54, 1 + i % 2), (38, 100 + i), (40, 2), (44, f"{150 + i % 50}.{i % 100:02d}"), (59, 0), (60, "20260210-12:00:00.000")]
    elif kind == 1:
        header[0] = (35, "8")
        fields = header + [(37, f"B{i}"), (17, f"E{i}"), (11, f"ORD{i:06d}"), (150, "F"), (39, 2), (55, "MSFT"), (54, 2), (32, 10 + i % 90), (31, "410.25"), (14, 100), (151, 0), (6, "410.25"), (12, "0.10")]
    else:
        header[0] = (35, "W")
        fields = header + [(55, "ES"), (268, 5), (269, 4), (270, "4990"), (269, 7), (270, "5010.5"), (269, 8), (270, "4980.25"), (269, 5), (270, "5000"), (269, "B"), (271, 1000 + i)]
    return frame(fields, corrupt=i % 5 == 4)


def generate(root: Path, n: int) -> int:
    """Write n ingress vectors; returns the number of test cases (passing vectors add a round trip)."""
    sys.path.insert(0, str(root / PKG / "src"))
    import fix_wire  # the package's own reference implementation

    golden = root / PKG / "tests/golden"
    shutil.rmtree(golden)
    golden.mkdir()
    shutil.rmtree(root / PKG / "tests/journeys")
    lines = ['[test_suite]\nname = "fix-wire-bench"\ncircuit = "fix-ingress"\n']
    cases = n
    for i in range(n):
        raw = {"text": message(i)}
        out = fix_wire.ingress({"wire": dict(raw)})
        name = f"v{i:05d}"
        doc = {"test_vector": {"name": name}, "input": {"wire": raw}, "expected_output": out}
        if "error" in out:
            lines.append(f'[[tests]]\nfile = "{name}.json"\nexpected = "error"\nexpected_error = "error"\n')
        else:
            canonical = fix_wire.egress({"message": out["message"]})["wire"]
            if canonical != raw:
                doc["canonical_wire"] = canonical
            cases += 1
            lines.append(f'[[tests]]\nfile = "{name}.json"\nexpected = "pass"\n')
        (golden / f"{name}.json").write_text(json.dumps(doc))
    (golden / "manifest.toml").write_text("\n".join(lines))
    return cases


def pants(root: Path, *args: str) -> tuple:
    env = {k: os.environ[k] for k in ("HOME", "PATH", "PYENV_ROOT", "LANG", "ESTREAM_PANTS_CACHE", "XDG_CACHE_HOME") if k in os.environ}
    env.update(PANTS_PANTSD="false", PANTS_DYNAMIC_UI="false")
    start = time.perf_counter()
    proc = subprocess.run(["bash", str(root / "pants"), *args], cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pants failed:\n{proc.stdout}\n{proc.stderr[-5000:]}")
    return elapsed, proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectors", type=int, default=10000)
    parser.add_argument("--out", default=str(REPO / "bench" / "out"))
    args = parser.parse_args()
    root = Path(args.out) / "circuit-vectors"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for entry in ENTRIES:
        src = REPO / entry
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / entry)
    t0 = time.perf_counter()
    cases = generate(root, args.vectors)
    gen = time.perf_counter() - t0

    target = f"{PKG}/circuits:"
    # Start-up baseline: a goal that does no work.
    baseline, _ = pants(root, "list", target)
    cold, cold_log = pants(root, "test", "--test-output=all", target)
    warm, warm_log = pants(root, "test", "--test-output=all", target)
    in_sandbox = re.search(r"(\d+)/(\d+) tests passed in ([0-9.]+)(ms)", cold_log)
    assert "(cached locally)" in warm_log, warm_log[-2000:]
    assert in_sandbox and in_sandbox.group(1) == in_sandbox.group(2) == str(cases), cold_log[-2000:]

    # Where the cold time goes: the runner alone on the same plan, and the bare parser.
    sys.path.insert(0, str(root / "pants-plugins"))
    from estream.cli.circuits import load_package
    from estream.core.circuit_plan import build_plan

    t0 = time.perf_counter()
    manifest, circuits, env, files = load_package(root / PKG, [root / "schemas/esf-trading"])
    plan = build_plan(manifest=manifest, circuits=circuits, env=env, files=files, src_dir=str(root / PKG / "src")).plan
    planning = time.perf_counter() - t0
    plan_path = root / "plan.json"
    plan_path.write_text(json.dumps(plan))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(root / "pants-plugins/estream/core/circuit_runner.py"), str(plan_path)], check=True, capture_output=True)
    runner = time.perf_counter() - t0
    import fix_wire

    msgs = [message(i) for i in range(args.vectors)]
    t0 = time.perf_counter()
    for m in msgs:
        fix_wire.ingress({"wire": {"text": m}})
    parser_only = time.perf_counter() - t0

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, Linux {platform.release()}")
    print(f"vectors: {args.vectors} (generated in {gen:.1f} s)")
    print(f"pants start-up baseline (`list`, --no-pantsd): {baseline:.1f} s")
    print(f"cold `./pants test`: {cold:.1f} s wall; the sandboxed run reported {in_sandbox.group(3)} ms for all vectors")
    print(f"warm `./pants test` (cache hit, vectors not re-run): {warm:.1f} s wall")
    print(f"plan building in-process (parse + validate {args.vectors} vectors): {planning:.1f} s")
    print(f"runner alone on the plan (one process): {runner:.1f} s")
    print(f"parser alone, {args.vectors} messages: {parser_only:.2f} s ({args.vectors / parser_only:,.0f} msg/s)")


if __name__ == "__main__":
    main()
