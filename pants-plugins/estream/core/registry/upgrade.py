"""`outdated` and `upgrade` (SmartCircuit package format §8.4).

Patch upgrades are applied automatically, minor upgrades only when confirmed (`--yes`, or an
interactive yes), major upgrades only with `--force`. Without the needed permission the newest
version that *is* allowed is taken, and the skipped newer one is reported with how to get it.

Pre-releases are chosen only when asked for, as in Cargo: a workspace on `1.0.0` is never offered
`2.0.0-rc.1` (neither as `latest` by `outdated` nor by `upgrade --force`), unless `--pre` is given
or the installed version is itself a pre-release of the same major.minor.patch (`1.0.0-rc.1` may
move to `1.0.0-rc.2`, as `^1.0.0-rc.1` would match it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from estream.core.errors import EstreamError
from estream.core.registry.index import IndexEntry
from estream.core.registry.install import Installer, InstallResult
from estream.core.registry.transaction import recover
from estream.core.registry.workspace import WORKSPACE_FILE, load_workspace
from estream.core.semver import Version, VersionReq


@dataclass(frozen=True)
class Outdated:
    name: str
    current: str
    compatible: Optional[str]  # newest non-yanked version matching ^current
    latest: Optional[str]  # newest non-yanked version
    direct: bool

    @property
    def kind(self) -> str:
        if not self.latest:
            return "none"
        return (
            Version.bump_kind(Version.parse(self.current), Version.parse(self.latest))
            if Version.parse(self.latest) > Version.parse(self.current)
            else "none"
        )

    def to_dict(self) -> Dict[str, object]:
        return {
            "name": self.name,
            "current": self.current,
            "compatible": self.compatible,
            "latest": self.latest,
            "direct": self.direct,
            "kind": self.kind,
        }


def _live(entries: Sequence[IndexEntry], current: Version, pre: bool) -> List[IndexEntry]:
    """Non-yanked candidates, newest first; pre-releases only when asked for (see the module doc)."""

    def wanted(v: Version) -> bool:
        if not v.is_prerelease or pre:
            return True
        return current.is_prerelease and (v.major, v.minor, v.patch) == (
            current.major,
            current.minor,
            current.patch,
        )

    return sorted(
        (e for e in entries if not e.yanked and wanted(e.semver)), key=lambda e: e.semver, reverse=True
    )


def outdated(installer: Installer, *, pre: bool = False) -> List[Outdated]:
    ws = load_workspace(installer.root)
    if not ws.lock:
        raise EstreamError.single(WORKSPACE_FILE, "no installed components (the [lock] is empty)")
    registry = installer.synced_registry()
    rows = []
    for name, lock in sorted(ws.lock.items()):
        current = Version.parse(lock.version)
        live = _live(registry.entries(name), current, pre)
        caret = VersionReq.parse(f"^{lock.version}")
        compatible = next((e.version for e in live if caret.matches(e.semver) and e.semver >= current), None)
        latest = live[0].version if live else None
        rows.append(Outdated(name, lock.version, compatible, latest, name in ws.dependencies))
    return rows


def render_outdated(rows: Sequence[Outdated]) -> str:
    header = ("Name", "Current", "Compatible", "Latest", "Kind")
    table = [header] + [
        (r.name + ("" if r.direct else " (dep)"), r.current, r.compatible or "-", r.latest or "-", r.kind)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return (
        "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table) + "\n"
    )


def upgrade(
    installer: Installer,
    names: Sequence[str],
    *,
    all_: bool = False,
    yes: bool = False,
    force: bool = False,
    pre: bool = False,
    confirm: Optional[Callable[[str], bool]] = None,
) -> Optional[InstallResult]:
    """Upgrade the named components (or every direct dependency with `all_`); None if nothing to do."""
    with installer.session():
        return _upgrade(installer, names, all_=all_, yes=yes, force=force, pre=pre, confirm=confirm)


def _upgrade(
    installer: Installer,
    names: Sequence[str],
    *,
    all_: bool,
    yes: bool,
    force: bool,
    pre: bool,
    confirm: Optional[Callable[[str], bool]],
) -> Optional[InstallResult]:
    message = recover(installer.root)
    if message:
        installer.say(f"  note: {message}")
    ws = load_workspace(installer.root)
    if not ws.lock:
        raise EstreamError.single(WORKSPACE_FILE, "no installed components to upgrade")
    if all_:
        names = sorted(ws.dependencies) or sorted(ws.lock)
    if not names:
        raise EstreamError.single("upgrade", "name the components to upgrade, or pass --all")
    for n in names:
        if n not in ws.lock:
            raise EstreamError.single(
                WORKSPACE_FILE, f"`{n}` is not installed in this workspace", key=f"lock.{n}"
            )
    registry = installer.synced_registry()
    targets: Dict[str, str] = {}
    for name in names:
        current = Version.parse(ws.lock[name].version)
        chosen = None
        for e in _live(registry.entries(name), current, pre):
            if e.semver <= current:
                break
            kind = Version.bump_kind(current, e.semver)
            if kind == "major" and not force:
                installer.say(
                    f"  {name}: {e.version} is a major upgrade from {current} (may break); pass --force to apply it"
                )
                continue
            if kind == "minor" and not (yes or force):
                if confirm is not None and confirm(
                    f"Upgrade {name} {current} -> {e.version} (minor: new features)?"
                ):
                    chosen = e
                    break
                installer.say(
                    f"  {name}: {e.version} is a minor upgrade from {current}; pass --yes to apply it"
                )
                continue
            chosen = e
            break
        if chosen is None:
            installer.say(f"  {name}: no upgrade applied (current {current})")
            continue
        installer.say(
            f"  {name}: {current} -> {chosen.version} ({Version.bump_kind(current, chosen.semver)})"
        )
        targets[name] = chosen.version
    if not targets:
        return None
    roots = dict(ws.dependencies)
    for name, version in targets.items():
        roots[name] = f"={version}"
    deps = dict(ws.dependencies)
    pin = [n for n in targets if n in ws.dependencies]
    return installer.resolve_and_apply(roots, ws, deps, pin=pin, unlock=list(targets))


__all__ = ["Outdated", "outdated", "render_outdated", "upgrade"]
