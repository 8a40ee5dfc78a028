"""`./pants publish` on real `marketplace_package` targets, pushing to a local bare git registry."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from estream.cli.main import main
from estream.core.keys import SigningKey, write_private_key
from estream.core.registry.index import index_path
from estream.core.registry.testing import bare_repo, keyring_text, root_key_args
from integration.pants_repo import copy_repo, run_pants


def test_pants_publish_pushes_verified_packages(tmp_path: Path, monkeypatch) -> None:
    key = SigningKey.generate("release-2026")
    key_file = tmp_path / "keys" / "release.toml"
    key_file.parent.mkdir(mode=0o700)
    write_private_key(key_file, key)

    url = bare_repo(tmp_path / "index.git")
    ring = tmp_path / "ring.toml"
    ring.write_text(keyring_text(key))
    monkeypatch.setenv("ESTREAM_HOME", str(tmp_path / "estream-home"))
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

    repo = copy_repo(tmp_path / "checkout")
    env = {"ESTREAM_HOME": str(tmp_path / "publisher-home"), "PANTS_ESTREAM_REGISTRY_URL": url}
    result = run_pants(
        repo,
        ["publish", "schemas/esf-iot:", "schemas/esf-trading:"],
        env={**env, "ESTREAM_SIGNING_KEY_FILE": str(key_file)},
    )
    result.assert_success()
    assert "esf-iot-1.0.0.tar.gz published" in result.stderr, result.stderr
    for name in ("esf-iot", "esf-trading"):
        show = subprocess.run(
            ["git", "--git-dir", url, "show", f"main:{index_path(name)}"], capture_output=True, check=True
        )
        [line] = show.stdout.decode().splitlines()
        entry = json.loads(line)
        assert entry["version"] == "1.0.0" and entry["key_id"] == "release-2026"

    # Without a configured key the package is signed by the development key: publish refuses it.
    # (A fresh HOME, so the development key is created there, with the real caches kept warm.)
    real_home = Path(os.environ["HOME"])
    (tmp_path / "dev-home").mkdir()
    dev_env = {
        **env,
        "HOME": str(tmp_path / "dev-home"),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(real_home / ".cache")),
        "PYENV_ROOT": os.environ.get("PYENV_ROOT", str(real_home / ".pyenv")),
    }
    result = run_pants(repo, ["publish", "schemas/esf-carbon:"], env=dev_env)
    assert result.returncode != 0
    assert "development key" in result.stdout + result.stderr
    show = subprocess.run(
        ["git", "--git-dir", url, "show", f"main:{index_path('esf-carbon')}"], capture_output=True
    )
    assert show.returncode != 0  # nothing was published
