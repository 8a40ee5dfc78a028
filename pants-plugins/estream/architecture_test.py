"""The backend's layers, enforced: `core/` and `cli/` never import Pants or the Pants side of the
backend, and no module imports another module's private (`_name`) names.

Decisions:
- A test over the source (`ast`), not Pants' visibility rules: those are experimental in 2.17.1
  and see only the dependencies Pants infers; this sees every `import`, runs in the fast pytest
  loop, and says which file and line break the rule.
- `core/` and `cli/` are what the `estream-cli` wheel ships and what the `estream` command runs
  without Pants. The FPGA backend's Pants-free code is `core/fpga/` (the CLI simulates RTL and
  publishes FuseSoC libraries with it), so it is held to the same rule with no exception; the
  Pants side of that backend is `estream.fpga`, forbidden like the rest.
- No function or method over MAX_FUNCTION_LINES lines unless a comment line in it starting
  `# Long because:` says why (a flat table of checks, an option list, a template): a long function
  is split into named steps unless splitting would hurt clarity, and then the reason is written
  where the next reader meets it. Tests (`*_test.py`) are exempt; a test reads top to bottom.
  KNOWN_LONG lists the functions that were over the limit when the rule came in and have been
  neither split nor explained yet: debt, not exemptions. The test fails on any function not in
  it and on any entry that is no longer long, so the list can only shrink.
- The private-name rule covers first-party (`estream.*`) imports only. Using a third-party
  library's private API (Pants' `_uncacheable_rule`, paho's `_packet` in an oracle test) is a
  decision about that library, documented where it is made.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

PACKAGE_DIR = Path(__file__).resolve().parent  # .../pants-plugins/estream
SOURCE_ROOT = PACKAGE_DIR.parent

# Packages whose modules must run without Pants.
PURE_PACKAGES = ("estream.core", "estream.cli")

# What a pure module must not import (a module or anything below it).
FORBIDDEN = (
    "pants",
    "estream.dependency_inference",
    "estream.goals",
    "estream.register",
    "estream.subsystems",
    "estream.target_types",
    "estream.util_rules",
    "estream.fpga",
)

# Longest function (ast: end_lineno - lineno + 1, decorators excluded) without a stated reason.
MAX_FUNCTION_LINES = 80
LONG_REASON = "# Long because:"

# (file relative to pants-plugins, function name): still to be split or explained, see the docstring.
KNOWN_LONG: FrozenSet[Tuple[str, str]] = frozenset()

Import = Tuple[str, int, str]  # (importing module, line, imported module or module.name)


def module_name(path: Path, root: Path = SOURCE_ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(root: Path = SOURCE_ROOT) -> Dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "estream").rglob("*.py"))}


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path, known: Dict[str, Path]) -> Iterator[Tuple[int, str, Optional[str]]]:
    """(line, imported module, imported name or None) for each import in the file.

    `from a.b import c` yields module `a.b.c` when that is a module of ours, else `a.b` and name `c`.
    `importlib.import_module("x")` with a literal name counts as `import x`.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    yield node.lineno, sub, None
                else:
                    yield node.lineno, base, alias.name
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Attribute, ast.Name))
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value, None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_violations(known: Dict[str, Path], root: Path = SOURCE_ROOT) -> List[str]:
    checked = [m for m in known if any(_within(m, p) for p in PURE_PACKAGES)]
    problems = []
    for module in checked:
        path = known[module]
        for line, target, _ in imports(module, path, known):
            bad = next((p for p in FORBIDDEN if _within(target, p)), None)
            if bad:
                problems.append(f"{path.relative_to(root)}:{line}: imports `{target}` ({bad} is not pure)")
    return problems


def private_name_violations(known: Dict[str, Path], root: Path = SOURCE_ROOT) -> List[str]:
    problems = []
    for module, path in known.items():
        bound: Dict[str, str] = {}  # local name -> first-party module or object it stands for
        for line, target, name in imports(module, path, known):
            if not _within(target, "estream"):
                continue
            if name is not None and name.startswith("_") and not name.startswith("__") and target != module:
                problems.append(f"{path.relative_to(root)}:{line}: imports `{name}` from `{target}`")
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _absolute(module, path, node).startswith("estream"):
                for alias in node.names:
                    bound[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and _within(alias.name, "estream"):
                        bound[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                problems.append(
                    f"{path.relative_to(root)}:{node.lineno}: uses `{node.value.id}.{node.attr}`, "
                    "a private name of another module"
                )
    return problems


def long_functions(known: Dict[str, Path], root: Path = SOURCE_ROOT) -> Dict[Tuple[str, str], str]:
    """(file, function) -> "file:line: `name` is N lines" for each long function with no stated reason."""
    found = {}
    for path in known.values():
        if path.name.endswith("_test.py"):
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text, str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            end = node.end_lineno or node.lineno
            length = end - node.lineno + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            body = lines[node.lineno - 1 : end]
            if any(line.strip().startswith(LONG_REASON) for line in body):
                continue
            rel = path.relative_to(root).as_posix()
            found[(rel, node.name)] = f"{rel}:{node.lineno}: `{node.name}` is {length} lines"
    return found


def long_function_violations(known: Dict[str, Path], root: Path = SOURCE_ROOT) -> List[str]:
    return sorted(long_functions(known, root).values())


def test_the_scan_sees_the_pure_packages() -> None:
    # Guards the two tests below against passing on an empty or partial tree (e.g. a sandbox
    # that lacks the sources): the pure packages, and the modules the rules name, are there.
    known = all_modules()
    assert PACKAGE_DIR == SOURCE_ROOT / "estream"
    for package in PURE_PACKAGES:
        assert (
            sum(_within(m, package) for m in known) >= 5
        ), f"{package}: too few modules found under {PACKAGE_DIR}"
    for module in (
        "estream.core.fpga.rtl_sim",
        "estream.core.manifest",
        "estream.cli.main",
        "estream.goals.check",
    ):
        assert module in known, module


def test_core_and_cli_import_neither_pants_nor_the_pants_side_of_the_backend() -> None:
    problems = layer_violations(all_modules())
    assert not problems, "pure modules import Pants code:\n  " + "\n  ".join(problems)


def test_no_module_imports_a_private_name_of_another() -> None:
    problems = private_name_violations(all_modules())
    assert not problems, (
        "private names used across modules (make them public in their module, or move them into a "
        "module named for them):\n  " + "\n  ".join(problems)
    )


def test_no_function_is_long_without_a_stated_reason() -> None:
    found = long_functions(all_modules())
    problems = sorted(text for key, text in found.items() if key not in KNOWN_LONG)
    assert not problems, (
        f"functions over {MAX_FUNCTION_LINES} lines (split them into named steps, or say why not in a "
        f"`{LONG_REASON}` comment inside the function):\n  " + "\n  ".join(problems)
    )


def test_the_known_long_list_only_shrinks() -> None:
    stale = sorted(f"{path}: `{name}`" for path, name in KNOWN_LONG - set(long_functions(all_modules())))
    assert not stale, "no longer long (or explained): remove from KNOWN_LONG:\n  " + "\n  ".join(stale)


def test_the_rules_catch_what_they_are_for(tmp_path: Path) -> None:
    files = {
        "estream/__init__.py": "",
        "estream/core/__init__.py": "",
        "estream/core/a.py": "from pants.engine.rules import rule\nimport importlib\nimportlib.import_module('estream.goals.check')\n",
        "estream/core/b.py": "from estream.core.a import _helper\nfrom estream.core import a\na._other()\n",
        "estream/cli/__init__.py": "",
        "estream/cli/c.py": "from estream.core.fpga import rtl_sim\nfrom ..fpga import bitstream\nfrom . import d\n",
        "estream/cli/d.py": "from estream.core.a import public\n",
        "estream/core/fpga/__init__.py": "",
        "estream/core/fpga/rtl_sim.py": "import pants.engine\n",
        "estream/fpga/__init__.py": "",
        "estream/fpga/bitstream.py": "",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    known = all_modules(tmp_path)
    assert sorted(layer_violations(known, tmp_path)) == [
        "estream/cli/c.py:2: imports `estream.fpga.bitstream` (estream.fpga is not pure)",
        "estream/core/a.py:1: imports `pants.engine.rules` (pants is not pure)",
        "estream/core/a.py:3: imports `estream.goals.check` (estream.goals is not pure)",
        "estream/core/fpga/rtl_sim.py:1: imports `pants.engine` (pants is not pure)",
    ]
    assert sorted(private_name_violations(known, tmp_path)) == [
        "estream/core/b.py:1: imports `_helper` from `estream.core.a`",
        "estream/core/b.py:3: uses `a._other`, a private name of another module",
    ]


def test_the_long_function_rule_catches_what_it_is_for(tmp_path: Path) -> None:
    def function(name: str, length: int, reason: str = "") -> str:
        body = [f"    x{i} = {i}" for i in range(length - 1 - bool(reason))]
        return "\n".join([f"def {name}():"] + ([f"    {reason}"] if reason else []) + body) + "\n"

    limit = MAX_FUNCTION_LINES
    files = {
        "estream/__init__.py": "",
        "estream/core/__init__.py": "",
        "estream/core/a.py": function("short", limit) + function("long", limit + 1),
        "estream/core/b.py": "class C:\n"
        + "".join("    " + line + "\n" for line in function("m", limit + 5).splitlines()),
        "estream/core/c.py": function("explained", limit + 30, LONG_REASON + " a flat table of checks"),
        "estream/core/c_test.py": function("a_long_test", limit + 30),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert long_function_violations(all_modules(tmp_path), tmp_path) == [
        f"estream/core/a.py:{limit + 1}: `long` is {limit + 1} lines",
        f"estream/core/b.py:2: `m` is {limit + 5} lines",
    ]
