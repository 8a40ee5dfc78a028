"""`estream` command line: `estream marketplace verify|keygen|test|scaffold ...`, `estream fusesoc publish`.

Each `marketplace` subcommand is a `Command` (name, help, configure(parser), run(args) -> int).
To add one (search, install, publish, test, scaffold, ...), define a `Command` in its own module
and append it to `MARKETPLACE_COMMANDS`. A command returns its exit code; raising `EstreamError`
(bad input) or `OSError` prints `error: ...` and exits 2 — never a traceback. Any other exception
(a bug, or input no check anticipated) prints one line, `error: internal error (...); the full
report is in PATH`, writes the traceback to PATH under $ESTREAM_HOME/crash-reports/ (else the
temporary directory) and exits 2.

Exit codes of `verify` are `estream.core.verify.ExitCode` (0 valid, 2 usage/IO error, 10-18 by
finding, 20-27 by FPGA finding with `--fpga`; the most severe finding wins).

Start-up is part of every command's time (issue 18: `search` and a no-op `install` in under
0.2 s), so nothing heavy is imported to build the parser: a subcommand's options are added only
when that subcommand is parsed or its help shown (`_LazyParser`), and the modules behind a
command (signatures, YAML, circuits, FPGA checks) are imported inside the function that runs it,
and so are `tempfile` and `traceback`, which only the internal-error report uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Union

from estream.core.confine import confined_path
from estream.core.errors import EstreamError
from estream.core.home import ENV_KEYRING, KEYRING_FILENAME, estream_home
from estream.core.portable_names import collision_message, first_collision
from estream.core.terminal_text import TerminalStream, for_terminal
from estream.version import VERSION

if TYPE_CHECKING:
    from estream.core.fpga.verify import SignatureAndFpgaReport
    from estream.core.keys import Keyring, PublicKey
    from estream.core.verify import VerificationReport

#: `estream.core.verify.ExitCode.USAGE`, the exit code of a usage or I/O error (checked in main_test).
USAGE_EXIT_CODE = 2


@dataclass(frozen=True)
class Command:
    """One `estream marketplace <name>` subcommand."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- verify ----------------------------------------------------------------------------------


def read_package_dir(root: Path) -> Dict[str, bytes]:
    """All regular files under `root` keyed by POSIX relative path; symlinks, and names that are one
    name on macOS or Windows (`core.portable_names`), are refused."""
    files: Dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                raise EstreamError.single(str(full), "file name is not valid UTF-8") from None
            if full.is_symlink():
                raise EstreamError.single(
                    str(full),
                    "symbolic links are not allowed in a package",
                    help="replace it with the file itself",
                )
            if name in filenames:
                if not full.is_file():
                    raise EstreamError.single(str(full), "not a regular file (device, FIFO or socket)")
                files[rel] = full.read_bytes()
    collision = first_collision(files)
    if collision:
        raise EstreamError.single(
            str(root), f"file paths {collision_message(collision)}", help="rename one of them"
        )
    return files


def _resolve_keyring(explicit: Optional[str]) -> "Keyring":
    """--keyring, else $ESTREAM_KEYRING, else $ESTREAM_HOME/keyring.toml if present, else empty."""
    from estream.core.keys import find_keyring

    return find_keyring(explicit)


def _configure_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("package", help="package directory or .tar.gz archive")
    p.add_argument(
        "--keyring",
        metavar="FILE",
        help=f"trusted/revoked publisher keys (default: ${ENV_KEYRING} or $ESTREAM_HOME/{KEYRING_FILENAME}, ~/.estream by default)",
    )
    p.add_argument(
        "--key",
        metavar="PUBKEY_FILE",
        action="append",
        default=[],
        help="also trust this public key file (repeatable)",
    )
    p.add_argument(
        "--allow-development-key",
        action="store_true",
        help="accept packages signed with a development key (this machine's dev key is trusted too)",
    )
    p.add_argument(
        "--fpga",
        action="store_true",
        help="also check fpga/manifest.toml and every bitstream's SHA3-256 (SmartCircuit package format §7.3)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")


def _run_verify(args: argparse.Namespace) -> int:
    from estream.core.archive import read_archive
    from estream.core.fpga.verify import verify_package_with_fpga
    from estream.core.keys import dev_key_path, load_public_key
    from estream.core.verify import verify_package

    keyring = _resolve_keyring(args.keyring)
    extra: List["PublicKey"] = [load_public_key(k) for k in args.key]
    if args.allow_development_key:
        local_dev_pub = dev_key_path().with_name(dev_key_path().name + ".pub")
        if local_dev_pub.is_file():
            extra.append(load_public_key(local_dev_pub))

    target = Path(args.package)
    top_dir: Optional[str] = None
    if target.is_dir():
        files = read_package_dir(target)
    elif target.is_file():
        top_dir, files = read_archive(target.read_bytes(), source=str(target))
    else:
        raise EstreamError.single(str(target), "no such package directory or archive")

    verify: Callable[..., Union["VerificationReport", "SignatureAndFpgaReport"]] = verify_package
    if args.fpga:
        verify = verify_package_with_fpga
    report = verify(
        files,
        keyring=keyring,
        extra_trusted_keys=extra,
        allow_development_key=args.allow_development_key,
        top_dir=top_dir,
        source=str(target),
    )
    sys.stdout.write(report.to_json() if args.json else report.render())
    return int(report.exit_code)


VERIFY = Command(
    name="verify",
    help="verify a package's ML-DSA-87 signature, file hashes and signer trust (and, with --fpga, its bitstreams)",
    configure=_configure_verify,
    run=_run_verify,
)


# --- keygen ----------------------------------------------------------------------------------


def _configure_keygen(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="FILE", required=True, help="private key file to create (mode 0600)")
    p.add_argument(
        "--key-id", metavar="ID", required=True, help="human label for the key, e.g. acme-release-2026"
    )


def _run_keygen(args: argparse.Namespace) -> int:
    from estream.core.keys import SigningKey, key_id_problem, write_private_key, write_public_key

    problem = key_id_problem(args.key_id)
    if problem:
        raise EstreamError.single("--key-id", f"invalid key id {args.key_id!r}: {problem}")
    out = Path(args.out)
    pub = out.with_name(out.name + ".pub")
    for path in (out, pub):
        if path.exists():
            raise EstreamError.single(str(path), "file already exists; refusing to overwrite a key")
    key = SigningKey.generate(args.key_id)
    write_private_key(out, key)
    write_public_key(pub, key.public)
    print(f"Wrote private key: {out} (mode 0600; keep it secret)")
    print(f"Wrote public key:  {pub}")
    print(f"Key id:            {key.key_id}")
    print(f"Fingerprint:       {key.fingerprint}")
    print("\nTo trust it, add to a keyring file:\n")
    print(f'[[keys]]\nkey_id = "{key.key_id}"\nfingerprint = "{key.fingerprint}"\ntrust = "trusted"')
    return 0


KEYGEN = Command(
    name="keygen",
    help="create an ML-DSA-87 signing key (FILE, mode 0600) and its public key (FILE.pub)",
    configure=_configure_keygen,
    run=_run_keygen,
)


def _circuits(function: str) -> Callable:
    """`estream.cli.circuits.<function>`, imported when called (it imports the circuit runner)."""

    def call(arg):
        from estream.cli import circuits

        return getattr(circuits, function)(arg)

    return call


TEST = Command(
    name="test",
    help="validate a package's circuits and run its golden vectors and journeys (same runner as `pants test`)",
    configure=_circuits("configure_test"),
    run=_circuits("run_test"),
)

SCAFFOLD = Command(
    name="scaffold",
    help="create a new package from a template: `scaffold smart-circuit|wire-adapter NAME`",
    configure=_circuits("configure_scaffold"),
    run=_circuits("run_scaffold"),
)

MARKETPLACE_COMMANDS: List[Command] = [VERIFY, KEYGEN, TEST, SCAFFOLD]


def _registry_commands() -> List[Command]:
    """The registry commands (publish, search, install, ...), in their own modules.

    Imported here, not at the top, because those modules import `Command` from this one.
    """
    from estream.cli import install, publish, search

    return [*publish.COMMANDS, *search.COMMANDS, *install.COMMANDS]


def _fusesoc_commands() -> List[Command]:
    """`estream fusesoc ...`: FuseSoC libraries (`estream.cli.fusesoc`, which imports this module)."""
    from estream.cli import fusesoc

    return list(fusesoc.COMMANDS)


# --- entry point -----------------------------------------------------------------------------


class _LazyParser(argparse.ArgumentParser):
    """A subcommand's parser whose options are added on first use (parsing or help), so that
    starting `estream` does not run (and import) every subcommand's `configure`."""

    def _configured(self) -> None:
        configure = self.__dict__.pop("_pending_configure", None)
        if configure is not None:
            configure(self)

    def parse_known_args(self, args=None, namespace=None):
        self._configured()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._configured()
        return super().format_help()

    def format_usage(self) -> str:
        self._configured()
        return super().format_usage()


def _add_group(groups, name: str, help: str, commands: Sequence[Command]) -> None:
    group = groups.add_parser(name, help=help)
    subs = group.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_LazyParser)
    for command in commands:
        sub = subs.add_parser(command.name, help=command.help, description=command.help)
        sub._pending_configure = command.configure
        sub.set_defaults(run=command.run)
    group.set_defaults(help_parser=group)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="estream", description="eStream component tooling")
    parser.add_argument("--version", action="version", version=f"estream {VERSION}")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND")
    _add_group(
        groups,
        "marketplace",
        "package signing, verification and distribution",
        MARKETPLACE_COMMANDS + _registry_commands(),
    )
    _add_group(groups, "fusesoc", "FuseSoC cores and libraries", _fusesoc_commands())
    parser.set_defaults(help_parser=parser)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run `estream`; returns the exit code instead of raising SystemExit.

    stdout and stderr are wrapped in `TerminalStream` for the run: whatever a command prints
    (a package's name, a file name, a message quoting a hostile file) reaches the terminal with
    its control characters escaped (`estream.core.terminal_text`).
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalStream(out), TerminalStream(err)  # type: ignore[assignment]
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return e.code if isinstance(e.code, int) else USAGE_EXIT_CODE
    run = getattr(args, "run", None)
    if run is None:
        args.help_parser.print_help(sys.stderr)
        return USAGE_EXIT_CODE
    _handle_termination()
    try:
        return int(run(args))
    except EstreamError as e:
        print(e.render(), file=sys.stderr)
        return USAGE_EXIT_CODE
    except OSError as e:
        where = e.filename if e.filename is not None else "estream"
        print(f"error: {for_terminal(where)}: {for_terminal(e.strerror or e)}", file=sys.stderr)
        return USAGE_EXIT_CODE
    except KeyboardInterrupt as e:
        # SIGINT, or SIGTERM/SIGHUP via `Interrupted`: every `finally` has rolled back by now.
        status = getattr(e, "exit_status", 130)
        print(
            f"error: {for_terminal(str(e) or 'interrupted by SIGINT')}; every change was rolled back or completed",
            file=sys.stderr,
        )
        return status
    except Exception:  # noqa: BLE001 - the last resort: never a traceback on the terminal
        return _internal_error(argv)


#: Where internal-error reports go, under $ESTREAM_HOME (else a temporary directory).
CRASH_DIR = "crash-reports"


def _internal_error(argv: Optional[Sequence[str]]) -> int:
    """An unexpected exception (a bug, or input no check anticipated): one line on stderr naming
    the report file, which holds the command line and the full traceback."""
    import tempfile  # only on this path: both cost start-up time on every command
    import traceback

    exc_type, exc, _ = sys.exc_info()
    report = (
        f"estream {VERSION} internal error\n"
        f"command: {' '.join(repr(a) for a in (sys.argv[:1] + list(argv if argv is not None else sys.argv[1:])))}\n"
        f"python: {sys.version.split()[0]}\n\n" + traceback.format_exc()
    )
    name = f"estream-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}.txt"
    written: Optional[Path] = None
    for root in (estream_home() / CRASH_DIR, Path(tempfile.gettempdir())):
        try:
            root.mkdir(parents=True, exist_ok=True)
            path = confined_path(root, name)
            with open(path, "x", encoding="utf-8") as f:
                f.write(report)
            written = path
            break
        except (OSError, EstreamError):
            continue
    where = f"the full report is in {written}" if written else "no report could be written"
    what = exc_type.__name__ if exc_type else "error"
    print(
        f"error: internal error ({for_terminal(what)}: {for_terminal(exc, max_chars=200)}); {for_terminal(where)}",
        file=sys.stderr,
    )
    return USAGE_EXIT_CODE


def _handle_termination() -> None:
    """SIGTERM/SIGHUP roll back like Ctrl-C (exit 143/129); only possible on the main thread."""
    import threading

    if threading.current_thread() is threading.main_thread():
        from estream.core.registry.transaction import install_signal_handlers

        install_signal_handlers()


if __name__ == "__main__":
    sys.exit(main())
