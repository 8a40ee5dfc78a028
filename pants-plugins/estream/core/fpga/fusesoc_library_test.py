"""`estream.core.fpga.fusesoc_library` against real directories and real bare git repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Dict, Optional

import pytest

from estream.cli.main import main
from estream.core.errors import EstreamError
from estream.core.fpga.capi2 import core_text
from estream.core.fpga.design_files import DesignFile
from estream.core.fpga.fusesoc_library import (
    IGNORE_FILE,
    STAGING_DIR,
    CoreSet,
    absolute_location,
    library_kind,
    publish,
    publish_to_directory,
    publish_to_git,
    read_cores,
)
from estream.core.registry.testing import bare_repo

LIB = "circuits.queue.append.rtl"
DRIVER = b"# the EDALIZE_LAUNCHER\n"


def core_files(name: str, version: str = "0", *, rtl: bytes = b"module top; endmodule\n") -> Dict[str, bytes]:
    text = core_text(
        name=f"estream:{LIB}:{name}:{version}",
        description=f"{name} for a test",
        files=[DesignFile("top.v", "verilogSource")],
        constraints="pins.pcf",
        top="top",
        flow="icestorm",
        flow_options={"nextpnr_options": ["--up5k", "--seed", "1"], "icepack_options": []},
    )
    return {f"{name}.core": text.encode(), "top.v": rtl, "pins.pcf": b"set_io clk 35\n"}


def export(root: Path, cores: Dict[str, Dict[str, bytes]], driver: bytes = DRIVER) -> CoreSet:
    """Write a directory laid out like `dist/fusesoc/` and read it back."""
    for name, files in cores.items():
        for rel, content in files.items():
            path = root / LIB / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    (root / "estream_fpga_driver.py").write_bytes(driver)
    return read_cores(root)


def tree(root: Path) -> Dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def git(*args: str, cwd: Optional[Path] = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def clone_tree(url: str, dest: Path, branch: str = "main") -> Dict[str, bytes]:
    git("clone", "-q", "--branch", branch, url, str(dest))
    return tree(dest)


def commits(url: str, branch: str = "main") -> list:
    return git("--git-dir", url, "log", "--format=%s", branch).splitlines()


# -- reading exports -------------------------------------------------------------------------


def test_read_cores_finds_each_core_and_the_support_files(tmp_path: Path) -> None:
    cores = export(tmp_path / "export", {"qa": core_files("qa"), "qb": core_files("qb", "1.2.0")})
    assert [(c.vlnv, c.directory) for c in cores.cores] == [
        (f"estream:{LIB}:qa:0", f"{LIB}/qa/0"),
        (f"estream:{LIB}:qb:1.2.0", f"{LIB}/qb/1.2.0"),
    ]
    assert sorted(cores.cores[0].files) == ["pins.pcf", "qa.core", "top.v"]
    assert dict(cores.support_files) == {"estream_fpga_driver.py": DRIVER}


@pytest.mark.parametrize(
    "files, where, message",
    [
        ({"x.core": b"CAPI=2:\nname: a:b:c:0\n"}, "x.core", "a directory of its own"),
        (
            {"lib/a/a.core": b"CAPI=2:\nname: a:b:c:0\n", "lib/other.v": b""},
            "lib/other.v",
            "belongs to no core",
        ),
        ({"lib/a/a.core": b"name: a:b:c:0\n"}, "lib/a/a.core", "not a CAPI2 core file"),
        ({"lib/a/a.core": b"CAPI=2:\nname: a:b:c\n"}, "lib/a/a.core", "not a full VLNV"),
        ({"lib/a/a.core": b"CAPI=2:\nname: a:b:c:..\n"}, "lib/a/a.core", "cannot be part of a VLNV"),
        ({"lib/a/a.core": b"CAPI=2:\nname: a:b/x:c:0\n"}, "lib/a/a.core", "cannot be part of a VLNV"),
        ({"lib/a/a.core": b"CAPI=2:\nname: [\n"}, "lib/a/a.core", "not valid YAML"),
        (
            {"lib/a/a.core": b"CAPI=2:\nname: a:b:c:0\n", "lib/b/b.core": b"CAPI=2:\nname: a:b:c:0\n"},
            "lib/b/b.core",
            "a:b:c:0 is also the core of",
        ),
        ({}, "", "holds no `.core` file"),
    ],
)
def test_read_cores_rejects_what_is_not_a_core_export(tmp_path: Path, files, where, message) -> None:
    root = tmp_path / "export"
    root.mkdir()
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    with pytest.raises(EstreamError) as e:
        read_cores(root)
    [d] = e.value.diagnostics
    assert d.path == (f"{root}/{where}" if where else str(root)) and message in d.message, d.render()


def test_read_cores_refuses_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "export"
    export(root, {"qa": core_files("qa")})
    (root / LIB / "qa" / "evil.v").symlink_to("/etc/passwd")
    with pytest.raises(EstreamError, match="symbolic link"):
        read_cores(root)


# -- directory libraries ---------------------------------------------------------------------


def test_directory_library_gets_each_core_under_library_name_version_and_republishing_is_a_no_op(
    tmp_path: Path,
) -> None:
    cores = export(tmp_path / "export", {"qa": core_files("qa"), "qb": core_files("qb")})
    library = tmp_path / "library"  # created: its parent exists
    lines = publish(str(library), cores)
    assert lines == [
        f"Wrote {library}/estream_fpga_driver.py",
        f"Published estream:{LIB}:qa:0 to {library}/{LIB}/qa/0",
        f"Published estream:{LIB}:qb:0 to {library}/{LIB}/qb/0",
    ]
    published = tree(library)
    assert published == {
        f"{STAGING_DIR}/{IGNORE_FILE}": b"",  # FuseSoC never scans the staging area
        "estream_fpga_driver.py": DRIVER,
        **{f"{LIB}/qa/0/{rel}": c for rel, c in core_files("qa").items()},
        **{f"{LIB}/qb/0/{rel}": c for rel, c in core_files("qb").items()},
    }
    # Nothing but the ignore file is left in the staging area; the core is readable by others.
    assert os.listdir(library / STAGING_DIR) == [IGNORE_FILE]
    assert (library / LIB / "qa" / "0").stat().st_mode & 0o005 == 0o005

    stamp = (library / LIB / "qa" / "0" / "top.v").stat().st_mtime_ns
    again = publish(str(library), cores)
    assert again == [
        f"estream:{LIB}:qa:0 is already published in {library}/{LIB}/qa/0 (identical)",
        f"estream:{LIB}:qb:0 is already published in {library}/{LIB}/qb/0 (identical)",
    ]
    assert tree(library) == published
    assert (library / LIB / "qa" / "0" / "top.v").stat().st_mtime_ns == stamp


def test_directory_library_refuses_changed_content_of_a_published_vlnv_and_takes_a_new_version(
    tmp_path: Path,
) -> None:
    library = tmp_path / "library"
    publish(str(library), export(tmp_path / "v0", {"qa": core_files("qa")}))
    before = tree(library)

    changed = export(tmp_path / "changed", {"qa": core_files("qa", rtl=b"module top(input a); endmodule\n")})
    with pytest.raises(EstreamError) as e:
        publish(str(library), changed)
    [d] = e.value.diagnostics
    assert d.path == f"{library}/{LIB}/qa/0/top.v"
    assert (
        d.message
        == f"estream:{LIB}:qa:0 is already published with different content: `top.v` differs from the published file"
    )
    assert "give the changed core a new version" in (d.help or "") and "[fusesoc-export].version" in (
        d.help or ""
    )
    assert tree(library) == before

    extra = core_files("qa")
    extra["README"] = b"new"
    with pytest.raises(EstreamError, match="`README` is not in the published core"):
        publish(str(library), export(tmp_path / "extra", {"qa": extra}))
    fewer = core_files("qa")
    del fewer["pins.pcf"]
    with pytest.raises(EstreamError, match="the published core has `pins.pcf`, which this one does not"):
        publish(str(library), export(tmp_path / "fewer", {"qa": fewer}))
    assert tree(library) == before

    # A new version goes beside the old one: FuseSoC sees both.
    bumped = export(tmp_path / "v1", {"qa": core_files("qa", "1", rtl=b"module top(input a); endmodule\n")})
    assert publish(str(library), bumped)[-1] == f"Published estream:{LIB}:qa:1 to {library}/{LIB}/qa/1"
    assert (library / LIB / "qa" / "0" / "top.v").read_bytes() == b"module top; endmodule\n"
    assert (library / LIB / "qa" / "1" / "top.v").read_bytes() == b"module top(input a); endmodule\n"


def test_directory_library_replaces_a_changed_driver(tmp_path: Path) -> None:
    library = tmp_path / "library"
    publish(str(library), export(tmp_path / "a", {"qa": core_files("qa")}))
    lines = publish(
        str(library), export(tmp_path / "b", {"qa": core_files("qa")}, driver=b"# newer driver\n")
    )
    assert lines[0] == f"Updated {library}/estream_fpga_driver.py"
    assert (library / "estream_fpga_driver.py").read_bytes() == b"# newer driver\n"


def test_directory_library_racing_publishers_of_one_vlnv(tmp_path: Path) -> None:
    """The second rename fails; identical content is then "already published", other content an error."""
    library = tmp_path / "library"
    mine = export(tmp_path / "mine", {"qa": core_files("qa")})
    theirs = export(tmp_path / "theirs", {"qa": core_files("qa", rtl=b"module theirs; endmodule\n")})

    lines = publish_to_directory(library, mine, before_commit=lambda core: publish(str(library), mine))
    assert lines[-1] == f"estream:{LIB}:qa:0 is already published in {library}/{LIB}/qa/0 (identical)"

    other = tmp_path / "other-library"
    with pytest.raises(EstreamError) as e:
        publish_to_directory(other, mine, before_commit=lambda core: publish(str(other), theirs))
    assert "`top.v` differs from the published file" in e.value.diagnostics[0].message
    assert (other / LIB / "qa" / "0" / "top.v").read_bytes() == b"module theirs; endmodule\n"
    assert os.listdir(other / STAGING_DIR) == [IGNORE_FILE]  # the loser's staged copy is gone


def test_directory_library_location_errors(tmp_path: Path) -> None:
    cores = export(tmp_path / "export", {"qa": core_files("qa")})
    a_file = tmp_path / "library.txt"
    a_file.write_text("not a library")
    with pytest.raises(EstreamError) as e:
        publish(str(a_file), cores)
    [d] = e.value.diagnostics
    assert d.path == str(a_file) and "is a file, but a FuseSoC library is a directory" in d.message
    assert "`[fusesoc-library].location` (Pants) or `--library` (estream CLI)" in (d.help or "")

    with pytest.raises(EstreamError, match="does not exist, nor does its parent directory"):
        publish(str(tmp_path / "missing" / "library"), cores)

    bare = bare_repo(tmp_path / "cores.git")
    with pytest.raises(EstreamError, match="is a bare git repository, not a directory of cores"):
        publish(bare, cores, sync_type="local")
    with pytest.raises(EstreamError, match="a branch only applies to git libraries"):
        publish(str(tmp_path / "library"), cores, branch="main")


def hostile_symlink_dir(library: Path, elsewhere: Path) -> None:
    (library / LIB).symlink_to(elsewhere, target_is_directory=True)


def hostile_symlink_version(library: Path, elsewhere: Path) -> None:
    (library / LIB / "qa").mkdir(parents=True)
    (library / LIB / "qa" / "0").symlink_to(elsewhere, target_is_directory=True)


def hostile_file_for_dir(library: Path, elsewhere: Path) -> None:
    (library / LIB).write_text("a file")


def hostile_fifo_in_core(library: Path, elsewhere: Path) -> None:
    (library / LIB / "qa" / "0").mkdir(parents=True)
    os.mkfifo(library / LIB / "qa" / "0" / "top.v")


def hostile_other_core(library: Path, elsewhere: Path) -> None:
    (library / LIB / "qa" / "0").mkdir(parents=True)
    (library / LIB / "qa" / "0" / "qa.core").write_text(f"CAPI=2:\nname: acme:{LIB}:qa:0\n")


def hostile_driver_dir(library: Path, elsewhere: Path) -> None:
    (library / "estream_fpga_driver.py").mkdir()


@pytest.mark.parametrize(
    "make, where, message",
    [
        (hostile_symlink_dir, LIB, "is a symbolic link where a directory of cores belongs"),
        (hostile_symlink_version, f"{LIB}/qa/0", "is a symbolic link where a core belongs"),
        (hostile_file_for_dir, LIB, "is a file where a directory of cores belongs"),
        (hostile_fifo_in_core, f"{LIB}/qa/0/top.v", "is not a regular file"),
        (hostile_other_core, f"{LIB}/qa/0/qa.core", f"holds another core, acme:{LIB}:qa:0"),
        (hostile_driver_dir, "estream_fpga_driver.py", "exists and is not a regular file"),
    ],
)
def test_directory_library_refuses_hostile_content(tmp_path: Path, make, where, message) -> None:
    cores = export(tmp_path / "export", {"qa": core_files("qa")})
    library = tmp_path / "library"
    library.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make(library, elsewhere)
    before = tree(library)
    with pytest.raises(EstreamError) as e:
        publish(str(library), cores)
    [d] = e.value.diagnostics
    assert d.path == f"{library}/{where}" and message in d.message, d.render()
    assert list(elsewhere.iterdir()) == [], "wrote through a symbolic link"
    assert tree(library) == before, "changed the library before refusing"


# -- git libraries ---------------------------------------------------------------------------


def test_git_library_commit_names_the_vlnv_and_republishing_pushes_nothing(tmp_path: Path) -> None:
    url = bare_repo(tmp_path / "cores.git")
    cores = export(tmp_path / "export", {"qa": core_files("qa")})
    assert library_kind(url) == "git"
    lines = publish(url, cores)
    assert lines == [
        f"Wrote {url}/estream_fpga_driver.py",
        f"Published estream:{LIB}:qa:0 to {url}/{LIB}/qa/0",
    ]
    assert commits(url) == [f"Publish FuseSoC core estream:{LIB}:qa:0"]
    assert clone_tree(url, tmp_path / "check") == {
        "estream_fpga_driver.py": DRIVER,
        **{f"{LIB}/qa/0/{rel}": c for rel, c in core_files("qa").items()},
    }

    assert publish(url, cores) == [f"estream:{LIB}:qa:0 is already published in {url}/{LIB}/qa/0 (identical)"]
    assert len(commits(url)) == 1

    changed = export(tmp_path / "changed", {"qa": core_files("qa", rtl=b"module changed; endmodule\n")})
    with pytest.raises(EstreamError) as e:
        publish(url, changed)
    [d] = e.value.diagnostics
    assert d.path == f"{url}/{LIB}/qa/0/top.v" and "`top.v` differs from the published file" in d.message
    assert len(commits(url)) == 1


def test_git_library_empty_repository_gets_its_default_branch(tmp_path: Path) -> None:
    url = str(tmp_path / "cores.git")
    git("init", "-q", "--bare", "--initial-branch=trunk", url)
    publish(url, export(tmp_path / "export", {"qa": core_files("qa")}))
    assert commits(url, "trunk") == [f"Publish FuseSoC core estream:{LIB}:qa:0"]
    assert git("--git-dir", url, "branch", "--format=%(refname:short)").split() == ["trunk"]

    # An explicit branch that does not exist yet is created.
    publish(url, export(tmp_path / "export2", {"qb": core_files("qb")}), branch="release")
    assert commits(url, "release") == [f"Publish FuseSoC core estream:{LIB}:qb:0"]
    with pytest.raises(EstreamError, match="is not a valid branch name"):
        publish(url, export(tmp_path / "export3", {"qc": core_files("qc")}), branch="no..dots")


def test_git_library_racing_publisher_is_retried_on_the_new_tip(tmp_path: Path) -> None:
    """Two clones: the other pushes first, so our push is rejected, re-applied on its commit and pushed."""
    url = bare_repo(tmp_path / "cores.git")
    mine = export(tmp_path / "mine", {"qa": core_files("qa")})
    theirs = export(tmp_path / "theirs", {"qb": core_files("qb")})
    raced = []

    def other_publisher(attempt: int) -> None:
        if attempt == 1:
            raced.append(publish_to_git(url, theirs))

    lines = publish_to_git(url, mine, before_push=other_publisher)
    assert raced and lines[-1] == "(other publishers pushed first; pushed on attempt 2)"
    assert commits(url) == [
        f"Publish FuseSoC core estream:{LIB}:qa:0",
        f"Publish FuseSoC core estream:{LIB}:qb:0",
    ]
    published = clone_tree(url, tmp_path / "check")
    assert f"{LIB}/qa/0/qa.core" in published and f"{LIB}/qb/0/qb.core" in published


def test_git_library_race_for_one_vlnv_rechecks_immutability(tmp_path: Path) -> None:
    url = bare_repo(tmp_path / "cores.git")
    mine = export(tmp_path / "mine", {"qa": core_files("qa")})
    theirs = export(tmp_path / "theirs", {"qa": core_files("qa", rtl=b"module theirs; endmodule\n")})

    def other_publisher(attempt: int) -> None:
        if attempt == 1:
            publish_to_git(url, theirs)

    with pytest.raises(EstreamError, match="`top.v` differs from the published file"):
        publish_to_git(url, mine, before_push=other_publisher)
    assert commits(url) == [f"Publish FuseSoC core estream:{LIB}:qa:0"]
    assert clone_tree(url, tmp_path / "check")[f"{LIB}/qa/0/top.v"] == b"module theirs; endmodule\n"


def test_git_library_gives_up_after_the_attempts_when_others_keep_pushing(tmp_path: Path) -> None:
    url = bare_repo(tmp_path / "cores.git")
    mine = export(tmp_path / "mine", {"qa": core_files("qa")})
    n = iter(range(100))

    def others(attempt: int) -> None:
        publish_to_git(url, export(tmp_path / f"other{next(n)}", {f"q{attempt}": core_files(f"q{attempt}")}))

    with pytest.raises(EstreamError) as e:
        publish_to_git(url, mine, attempts=3, before_push=others)
    assert e.value.diagnostics[0].message == "gave up after 3 attempts: other publishers kept pushing first"
    assert len(commits(url)) == 3 and not any(":qa:" in c for c in commits(url))


def test_git_library_unreachable_urls_say_what_failed_without_credentials(tmp_path: Path) -> None:
    cores = export(tmp_path / "export", {"qa": core_files("qa")})
    missing = str(tmp_path / "nowhere.git")
    assert library_kind(missing) == "git"  # a path ending in .git that does not exist
    with pytest.raises(EstreamError) as e:
        publish(missing, cores)
    [d] = e.value.diagnostics
    assert d.path == missing and d.message.startswith("could not clone the FuseSoC library:")
    assert f"repository '{missing}' does not exist" in d.message and "credential helper" in (d.help or "")

    with pytest.raises(EstreamError) as e:
        publish("https://alice:s3cret@127.0.0.1:9/cores.git", cores)
    rendered = e.value.render()
    assert "s3cret" not in rendered and "https://***@127.0.0.1:9/cores.git" in rendered
    assert "could not clone the FuseSoC library" in rendered


def test_git_library_refuses_a_symlink_committed_where_a_core_directory_belongs(tmp_path: Path) -> None:
    url = bare_repo(tmp_path / "cores.git")
    work = tmp_path / "hostile"
    git("clone", "-q", url, str(work))
    outside = tmp_path / "outside"
    outside.mkdir()
    (work / LIB).symlink_to(outside, target_is_directory=True)
    git("add", "-A", cwd=work)
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "hostile", cwd=work)
    git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=work)

    with pytest.raises(EstreamError) as e:
        publish(url, export(tmp_path / "export", {"qa": core_files("qa")}))
    [d] = e.value.diagnostics
    assert d.path == f"{url}/{LIB}" and "is a symbolic link" in d.message
    assert list(outside.iterdir()) == [] and commits(url) == ["hostile"]


# -- locations and the CLI -------------------------------------------------------------------


def test_library_kind_and_absolute_location(tmp_path: Path) -> None:
    for url in (
        "https://host/org/cores.git",
        "ssh://git@host/cores",
        "git@host:org/cores.git",
        "host:cores",
        "file:///srv/cores",
    ):
        assert library_kind(url) == "git" and absolute_location(url, "/build") == url
    assert library_kind(str(tmp_path)) == "local"
    assert library_kind(str(tmp_path / "new-library")) == "local"
    assert library_kind("relative/dir:with-colon") == "local"  # a slash before the colon: a path, as for git
    assert library_kind(bare_repo(tmp_path / "b.git")) == "git"
    assert library_kind(str(tmp_path), "git") == "git"
    assert absolute_location("dist/library", "/build") == "/build/dist/library"
    assert absolute_location("/abs/library", "/build") == "/abs/library"
    with pytest.raises(EstreamError, match="is a URL, but a `local` library is a directory path"):
        library_kind("https://host/cores.git", "local")
    with pytest.raises(EstreamError, match="is not one of auto, local, git"):
        library_kind(str(tmp_path), "svn")


def test_cli_publishes_an_export_and_reports_errors_without_a_traceback(tmp_path: Path, capsys) -> None:
    export(tmp_path / "export", {"qa": core_files("qa")})
    library = tmp_path / "library"
    assert main(["fusesoc", "publish", str(tmp_path / "export"), "--library", str(library)]) == 0
    assert f"Published estream:{LIB}:qa:0 to {library}/{LIB}/qa/0" in capsys.readouterr().out

    (library / LIB / "qa" / "0" / "top.v").write_bytes(b"tampered\n")
    assert main(["fusesoc", "publish", str(tmp_path / "export"), "--library", str(library)]) == 2
    err = capsys.readouterr().err
    assert (
        f"error: {library}/{LIB}/qa/0/top.v: estream:{LIB}:qa:0 is already published with different content"
        in err
    )
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "body",
    [
        b"CAPI=2:\nname: a:b:c:1\ndate: 2026-02-30\n",
        b"CAPI=2:\nname: !!int x\n",
        b"CAPI=2:\nname: !!timestamp x\n",
    ],
)
def test_core_files_that_pyyaml_cannot_construct_are_diagnostics(body):
    # Issue 13: PyYAML's constructors raise plain ValueErrors for these, which were tracebacks.
    from estream.core.fpga.fusesoc_library import parse_vlnv

    with pytest.raises(EstreamError, match="is not valid YAML"):
        parse_vlnv(body, source="core.core")
