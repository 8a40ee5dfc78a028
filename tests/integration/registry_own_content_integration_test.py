"""The marketplace spec's flow on this repository's own content (issue 11, item 3).

Every package of the repository (schemas/, components/, circuits/) is published through the CLI
into a fresh bare-git registry, installed by name into an empty workspace of its own, and its
golden vectors and journeys run there with `estream marketplace test`.

Cost: the CLI runs in-process on the repository sources (a temporary ESTREAM_HOME, a test key),
so the only Pants run is the one that builds the packages with bitstreams (`estream-queue-append`,
`estream-lex-map`): a package with an FPGA target must ship `fpga/manifest.toml` and its
bitstreams, and those come only from `./pants package` (its Yosys/nextpnr processes hit Pants'
on-disk cache when the repository's bitstreams were built before; cold, the four of them take
about three minutes on 2 cores). Their archives are signed by the same test key and published
through the CLI like the others. This is the one test that builds the lex map's bitstreams, so
it is also where their latency report is checked: no second build for it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Dict, List

from estream.cli.main import main
from estream.core.keys import SigningKey, write_private_key
from estream.core.manifest import MANIFEST_FILENAME, parse_manifest
from estream.core.registry.index import index_path
from estream.core.registry.testing import ROOT_KEY, bare_repo, keyring_text, root_key_args
from integration.pants_repo import copy_repo, run_pants, source_root

PACKAGE_ROOTS = ("schemas", "components", "circuits")
#: The operations each package with bitstreams times in its RTL simulation (fpga/latency.json),
#: with the §9.3 target `verify --fpga` must set each against.
TIMED = {
    "estream-queue-append": {"queue.append": "< 40 ns"},
    "estream-lex-map": {"map.get": "< 5 ns", "map.put": "< 60 ns", "map.cas": "no §9.3 target"},
}
DEVICES = ("iCE40UP5K-sg48", "LFE5U-25F-CABGA381")


def repository_packages() -> Dict[str, Path]:
    """name -> package directory, for every manifest under the package roots."""
    root = source_root()
    out: Dict[str, Path] = {}
    for top in PACKAGE_ROOTS:
        for manifest in sorted((root / top).rglob(MANIFEST_FILENAME)):
            m = parse_manifest(manifest.read_bytes(), str(manifest.relative_to(root)))
            out[m.name] = manifest.parent
    return out


def needs_bitstreams(package_dir: Path) -> bool:
    m = parse_manifest((package_dir / MANIFEST_FILENAME).read_bytes(), MANIFEST_FILENAME)
    return m.circuit is not None and "fpga" in m.circuit.targets


def check_latency_report(name: str, out: str) -> None:
    """`verify --fpga` shows, per device and timed operation, cycles, fmax, ns/op and ops/s next
    to the operation's §9.3 target, and one sentence per device saying which targets it meets."""
    for device in DEVICES:
        for operation, target in TIMED[name].items():
            row = re.search(
                rf"^ *{re.escape(device)} +{re.escape(operation)} +\d+ +[\d.]+ MHz +[\d.]+ +[\d.]+[kMG]? ops/s +(.+)$",
                out,
                re.M,
            )
            assert row, f"{name}: no latency row for {operation} on {device}:\n{out}"
            verdict = row.group(1)
            assert target in verdict and (
                target.startswith("no ") or verdict.startswith(("meets", "does not meet"))
            ), verdict
        assert re.search(rf"^ *{re.escape(device)}: meets .+; misses .+$", out, re.M), out


def test_every_package_of_this_repository_publishes_installs_and_runs_its_vectors(
    tmp_path: Path, monkeypatch, capfd
) -> None:
    packages = repository_packages()
    assert len(packages) >= 9 and "estream-wire-fix" in packages and "estream-queue-append" in packages

    key = SigningKey.generate("repo-release")
    key_file = tmp_path / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)
    ring = tmp_path / "ring.toml"
    ring.write_text(keyring_text(key))
    for var in ("ESTREAM_KEYRING", "ESTREAM_CACHE_DIR", "ESTREAM_SIGNING_KEY", "ESTREAM_REGISTRY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ESTREAM_HOME", str(tmp_path / "estream-home"))
    monkeypatch.setenv("ESTREAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ESTREAM_SIGNING_KEY_FILE", str(key_file))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    url = bare_repo(tmp_path / "index.git")
    assert (
        main(
            [
                "marketplace",
                "registry-init",
                "--registry",
                url,
                "--keyring",
                str(ring),
                *root_key_args(tmp_path),
            ]
        )
        == 0
    )
    monkeypatch.setenv("ESTREAM_REGISTRY", url)
    monkeypatch.setenv("ESTREAM_TRUST_ROOT", ROOT_KEY.fingerprint)  # the consumer pins the registry's root

    # The packages with bitstreams: one `./pants package` (the only producer of fpga/).
    fpga = {name: d for name, d in packages.items() if needs_bitstreams(d)}
    archives: Dict[str, Path] = {}
    if fpga:
        repo = copy_repo(tmp_path / "checkout")
        root = source_root()
        targets = [f"{d.relative_to(root).as_posix()}:" for d in fpga.values()]
        built = run_pants(
            repo,
            ["package", *targets],
            env={"ESTREAM_SIGNING_KEY_FILE": str(key_file), "SOURCE_DATE_EPOCH": "0"},
        )
        built.assert_success()
        for name, d in fpga.items():
            [archive] = list((repo / "dist").rglob(f"{name}-*.tar.gz"))
            archives[name] = archive

    # 1. Publish every package through the CLI.
    for name, d in sorted(packages.items()):
        target = archives.get(name, d)
        code = main(["marketplace", "publish", str(target)])
        assert code == 0, f"publishing {name} from {target} failed:\n{capfd.readouterr().err}"
    capfd.readouterr()
    assert main(["marketplace", "registry", "check"]) == 0, capfd.readouterr().err
    assert f"Checked {len(packages)} index entries" in capfd.readouterr().out
    for name in packages:
        line = subprocess.run(
            ["git", "--git-dir", url, "show", f"main:{index_path(name)}"], capture_output=True, check=True
        ).stdout
        assert json.loads(line)["key_id"] == "repo-release"

    # 2. Install each by name into an empty workspace of its own; 3. run its vectors there.
    ran: List[str] = []
    for name, source in sorted(packages.items()):
        ws = tmp_path / "ws" / name
        ws.mkdir(parents=True)
        code = main(["marketplace", "install", "--workspace", str(ws), name])
        captured = capfd.readouterr()
        assert code == 0, f"installing {name} failed:\n{captured.out}\n{captured.err}"
        installed = ws / "vendor" / name
        assert (installed / MANIFEST_FILENAME).read_bytes() == (source / MANIFEST_FILENAME).read_bytes()
        # what the circuits' implementation needs came along (rtl/ only where a circuit names it)
        rtl_named = any("rtl/" in c.read_text() for c in source.rglob("*.circuit.yaml"))
        for sub in ("src", "rtl") if rtl_named else ("src",):
            if (source / sub).is_dir() and list((source / sub).glob("*")):
                shipped = {p.name for p in (installed / sub).glob("*")}
                assert shipped, f"{name}: {sub}/ was not installed"
        if (source / "tests" / "golden" / "manifest.toml").is_file() or (
            source / "tests" / "journeys"
        ).is_dir():
            assert main(["marketplace", "test", str(installed)]) == 0, capfd.readouterr()
            out = capfd.readouterr().out
            passed = re.search(r"(\d+)/(\d+) tests passed", out)
            assert passed and passed.group(1) == passed.group(2) and int(passed.group(1)) > 0, out
            ran.append(name)
        if name in fpga:
            assert list((installed / "fpga").glob("*.bin")) or list((installed / "fpga").glob("*.bit"))
            assert (
                main(["marketplace", "verify", str(installed), "--fpga", "--keyring", str(ring)]) == 0
            ), capfd.readouterr()
            check_latency_report(name, capfd.readouterr().out)
    assert set(fpga) == set(TIMED), sorted(fpga)  # every package with bitstreams had its latency checked
    # the circuits of this repository all have vectors, and they all ran in consumers' workspaces
    assert {"estream-wire-fix", "estream-lex-queue", "estream-queue-append", "estream-lex-map"} <= set(
        ran
    ), ran
    # the wire adapters (issue 16) are published, installed and run like any other package
    assert {"estream-wire-mqtt", "estream-wire-modbus", "estream-wire-hl7", "estream-wire-iso20022"} <= set(
        ran
    ), ran
    # two packages with a circuit file of the same name (append.circuit.yaml) do not collide
    ws = tmp_path / "ws" / "both"
    ws.mkdir()
    assert (
        main(["marketplace", "install", "--workspace", str(ws), "estream-lex-queue", "estream-queue-append"])
        == 0
    ), capfd.readouterr()
    for name in ("estream-lex-queue", "estream-queue-append"):
        assert (ws / "vendor" / name / "circuits" / "append.circuit.yaml").is_file()
