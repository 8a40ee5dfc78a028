"""Every reader of a file that can come from outside (a package, a registry, a checkout), by the
format it reads: the hostile-input suite feeds each the same inputs. A reader may accept an input
or raise `EstreamError`; anything else is a bug."""

from __future__ import annotations

from typing import Callable, Dict

from estream.core.archive import read_archive
from estream.core.circuit import parse_circuit
from estream.core.esf import parse_esf
from estream.core.fpga.manifest import parse_fpga_manifest
from estream.core.json_loader import load_json
from estream.core.keys import parse_keyring, parse_private_key, parse_public_key
from estream.core.manifest import parse_manifest
from estream.core.registry.components_lock import parse_lock
from estream.core.registry.index import parse_index_line
from estream.core.registry.registry import parse_config
from estream.core.registry.workspace import parse_workspace
from estream.core.signature import parse_signature_file
from estream.core.toml_loader import load_toml
from estream.core.verify import verify_package
from estream.core.yaml_loader import load_yaml

Reader = Callable[[bytes], object]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _verify_archive(data: bytes) -> object:
    top, files = read_archive(data, source="hostile.tar.gz", max_total_bytes=8 * 1024 * 1024)
    return verify_package(files, top_dir=top, source="hostile.tar.gz")


READERS: Dict[str, Dict[str, Reader]] = {
    "signature": {"SIGNATURE.ml-dsa": parse_signature_file},
    "json": {
        "load_json": lambda d: load_json(d, "x.json"),
        "components.lock": lambda d: parse_lock(d, "components.lock"),
        "index line": lambda d: parse_index_line(
            _text(d), expected_name=None, source="index/es/f-/esf-core", line=1
        ),
    },
    "toml": {
        "load_toml": lambda d: load_toml(d, "x.toml"),
        "manifest": lambda d: parse_manifest(d, "estream-component.toml"),
        "fpga manifest": lambda d: parse_fpga_manifest(d, "fpga/manifest.toml"),
        "keyring": lambda d: parse_keyring(_text(d), source="keyring.toml"),
        "public key": lambda d: parse_public_key(_text(d), source="k.pub"),
        "private key": lambda d: parse_private_key(_text(d), source="k.key"),
        "registry config": lambda d: parse_config(d, d, "registry"),
        "workspace": lambda d: parse_workspace(d, "estream-workspace.toml"),
    },
    "yaml": {
        "load_yaml": lambda d: load_yaml(d, "x.yaml"),
        "esf": lambda d: parse_esf(d, "schemas/x.esf.yaml"),
        "circuit": lambda d: parse_circuit(d, "circuits/x.escir.yaml"),
    },
    "archive": {"read and verify": _verify_archive},
}
