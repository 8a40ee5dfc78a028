"""Classify the changes between two versions of a package's ESF schemas, and check the bump.

Pure core: no Pants imports. `diff_schemas(old_docs, new_docs)` lists every change, each with a
rule id, the location (`Schema.field.member`), a message and the version bump it needs:

| rule                      | bump  | why                                                           |
|---------------------------|-------|---------------------------------------------------------------|
| schema-removed            | major | readers and writers of the schema lose it                     |
| enum-removed              | major | fields of that type no longer resolve                         |
| field-removed             | major | readers of the field lose it                                  |
| field-added-required      | major | existing writers do not produce it                            |
| field-type-changed        | major | values no longer fit the old (or new) type                    |
| string-narrowed           | major | `string(N)` to a smaller N rejects values that were valid     |
| field-made-required       | major | optional -> required: existing writers may omit it            |
| field-made-optional       | major | required -> optional: readers relied on a value being present |
| enum-value-removed        | major | stored records may hold the removed value                     |
| path-changed              | major | records are addressed at a different path                     |
| lattice-changed           | major | records move to another lattice                               |
| namespace-changed         | major | every name of the file is re-qualified                        |
| privacy-weakened          | major | an audience now sees more of the field than it was promised   |
| privacy-strengthened      | major | an audience that could read the field no longer can           |
| retention-shortened       | major | consumers relied on data being kept that long                 |
| schema-added              | minor | new, nobody depends on it yet                                 |
| enum-added                | minor |                                                               |
| field-added-optional      | minor | old writers stay valid, old readers ignore it                 |
| string-widened            | minor | every old value still fits                                    |
| enum-value-added          | minor |                                                               |
| retention-extended        | minor |                                                               |
| default-changed           | minor | writers that omit the field get a different value             |
| description-changed       | patch | documentation only                                            |

`check_bump(old_version, new_version, changes)` compares the most significant change with the
manifest's bump under Cargo's rules (`Version.bump_kind`: in `0.y.z` a change of y is major and
a change of z is minor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from estream.core.esf import Enum, EsfDocument, Field, Privacy, Retention, Schema
from estream.core.esf_types import FieldType, ObjectType, StringType
from estream.core.semver import BUMP_KINDS, Version

MAJOR, MINOR, PATCH, NONE = "major", "minor", "patch", "none"

RULES: Dict[str, str] = {
    "schema-removed": MAJOR,
    "enum-removed": MAJOR,
    "field-removed": MAJOR,
    "field-added-required": MAJOR,
    "field-type-changed": MAJOR,
    "string-narrowed": MAJOR,
    "field-made-required": MAJOR,
    "field-made-optional": MAJOR,
    "enum-value-removed": MAJOR,
    "path-changed": MAJOR,
    "lattice-changed": MAJOR,
    "namespace-changed": MAJOR,
    "privacy-weakened": MAJOR,
    "privacy-strengthened": MAJOR,
    "retention-shortened": MAJOR,
    "schema-added": MINOR,
    "enum-added": MINOR,
    "field-added-optional": MINOR,
    "string-widened": MINOR,
    "enum-value-added": MINOR,
    "retention-extended": MINOR,
    "default-changed": MINOR,
    "description-changed": PATCH,
}

# How much of a value an audience sees, most revealing first.
_DISCLOSURE = {"public": 0, "encrypted": 1, "hashed": 2, "redacted": 3}


@dataclass(frozen=True)
class Change:
    rule: str
    location: str  # `Schema`, `Schema.field`, `Schema.field.member`, `Enum`, `Enum.Value`
    message: str
    file: str  # the new file, or the old one for removals

    @property
    def bump(self) -> str:
        return RULES[self.rule]


def _rank(kind: str) -> int:
    return BUMP_KINDS.index(kind)


def _definitions(docs: Iterable[EsfDocument]):
    schemas: Dict[str, Tuple[Schema, EsfDocument]] = {}
    enums: Dict[str, Tuple[Enum, EsfDocument]] = {}
    for doc in docs:
        for name, schema in doc.schemas.items():
            schemas.setdefault(name, (schema, doc))
        for name, enum in doc.enums.items():
            enums.setdefault(name, (enum, doc))
    return schemas, enums


def diff_schemas(old: Sequence[EsfDocument], new: Sequence[EsfDocument]) -> List[Change]:
    """Every change from `old` to `new` (all files of one package), in a stable order."""
    changes: List[Change] = []
    old_schemas, old_enums = _definitions(old)
    new_schemas, new_enums = _definitions(new)

    for name in sorted(set(old_schemas) | set(new_schemas)):
        if name not in new_schemas:
            changes.append(
                Change("schema-removed", name, f"schema `{name}` was removed", old_schemas[name][1].path)
            )
        elif name not in old_schemas:
            changes.append(
                Change("schema-added", name, f"schema `{name}` was added", new_schemas[name][1].path)
            )
        else:
            (o, odoc), (n, ndoc) = old_schemas[name], new_schemas[name]
            _diff_schema(o, odoc, n, ndoc, changes)

    for name in sorted(set(old_enums) | set(new_enums)):
        if name not in new_enums:
            changes.append(
                Change("enum-removed", name, f"enum `{name}` was removed", old_enums[name][1].path)
            )
        elif name not in old_enums:
            changes.append(Change("enum-added", name, f"enum `{name}` was added", new_enums[name][1].path))
        else:
            (o, _), (n, ndoc) = old_enums[name], new_enums[name]
            for value in o.values:
                if value not in n.values:
                    changes.append(
                        Change(
                            "enum-value-removed",
                            f"{name}.{value}",
                            f"value `{value}` was removed from enum `{name}`",
                            ndoc.path,
                        )
                    )
            for value in n.values:
                if value not in o.values:
                    changes.append(
                        Change(
                            "enum-value-added",
                            f"{name}.{value}",
                            f"value `{value}` was added to enum `{name}`",
                            ndoc.path,
                        )
                    )
            if (o.description or "") != (n.description or ""):
                changes.append(
                    Change("description-changed", name, f"description of enum `{name}` changed", ndoc.path)
                )
    return changes


def _diff_schema(o: Schema, odoc: EsfDocument, n: Schema, ndoc: EsfDocument, out: List[Change]) -> None:
    name, path = n.name, ndoc.path
    if odoc.namespace != ndoc.namespace:
        out.append(
            Change(
                "namespace-changed",
                name,
                f"namespace of `{name}` changed from `{odoc.namespace}` to `{ndoc.namespace}`",
                path,
            )
        )
    if o.path_template != n.path_template:
        out.append(
            Change(
                "path-changed", name, f"path changed from `{o.path_template}` to `{n.path_template}`", path
            )
        )
    if o.lattice != n.lattice:
        out.append(
            Change("lattice-changed", name, f"lattice changed from `{o.lattice}` to `{n.lattice}`", path)
        )
    _diff_retention(name, o.retention, n.retention, path, out)
    if (o.description or "") != (n.description or ""):
        out.append(Change("description-changed", name, f"description of schema `{name}` changed", path))
    _diff_fields(name, o.fields, n.fields, path, out)


def _retention_seconds(r: Optional[Retention]) -> Optional[float]:
    if r is None or r.forever:
        return float("inf")
    return r.seconds


def _render_retention(r: Optional[Retention]) -> str:
    return "unspecified (kept forever)" if r is None else r.render()


def _diff_retention(
    name: str, o: Optional[Retention], n: Optional[Retention], path: str, out: List[Change]
) -> None:
    os_, ns = _retention_seconds(o), _retention_seconds(n)
    if os_ == ns:
        return
    rule = "retention-shortened" if (ns or 0) < (os_ or 0) else "retention-extended"
    out.append(
        Change(rule, name, f"retention changed from {_render_retention(o)} to {_render_retention(n)}", path)
    )


def _diff_fields(
    prefix: str, old: Dict[str, Field], new: Dict[str, Field], path: str, out: List[Change]
) -> None:
    for fname in list(old) + [f for f in new if f not in old]:
        loc = f"{prefix}.{fname}"
        if fname not in new:
            out.append(Change("field-removed", loc, f"field `{loc}` was removed", path))
            continue
        if fname not in old:
            f = new[fname]
            if f.optional:
                out.append(
                    Change(
                        "field-added-optional",
                        loc,
                        f"optional field `{loc}: {f.type.render()}` was added",
                        path,
                    )
                )
            else:
                out.append(
                    Change(
                        "field-added-required",
                        loc,
                        f"required field `{loc}: {f.type.render()}` was added",
                        path,
                    )
                )
            continue
        _diff_field(loc, old[fname], new[fname], path, out)


def _diff_field(loc: str, o: Field, n: Field, path: str, out: List[Change]) -> None:
    _diff_type(loc, o.type, n.type, path, out)
    if o.optional and not n.optional:
        out.append(
            Change("field-made-required", loc, f"field `{loc}` changed from optional to required", path)
        )
    elif n.optional and not o.optional:
        out.append(
            Change("field-made-optional", loc, f"field `{loc}` changed from required to optional", path)
        )
    _diff_privacy(loc, o.privacy, n.privacy, path, out)
    if o.default != n.default:
        out.append(
            Change(
                "default-changed",
                loc,
                f"default of `{loc}` changed from {o.default!r} to {n.default!r}",
                path,
            )
        )
    if (o.description or "") != (n.description or ""):
        out.append(Change("description-changed", loc, f"description of field `{loc}` changed", path))


def _diff_type(loc: str, o: FieldType, n: FieldType, path: str, out: List[Change]) -> None:
    if isinstance(o, ObjectType) and isinstance(n, ObjectType):
        _diff_fields(loc, o.fields, n.fields, path, out)
        return
    if isinstance(o, StringType) and isinstance(n, StringType):
        if o.max_length == n.max_length:
            return
        widened = n.max_length is None or (o.max_length is not None and n.max_length > o.max_length)
        rule = "string-widened" if widened else "string-narrowed"
        out.append(Change(rule, loc, f"type of `{loc}` changed from `{o.render()}` to `{n.render()}`", path))
        return
    if o.render() != n.render():
        out.append(
            Change(
                "field-type-changed",
                loc,
                f"type of `{loc}` changed from `{o.render()}` to `{n.render()}`",
                path,
            )
        )


def _level(p: Optional[Privacy], audience: Optional[str]) -> str:
    if p is None:
        return "public"
    return p.default_level if audience is None else p.level_for(audience)


def _diff_privacy(loc: str, o: Optional[Privacy], n: Optional[Privacy], path: str, out: List[Change]) -> None:
    audiences = sorted({a for p in (o, n) if p for a, _ in p.audiences})
    weaker: List[str] = []
    stronger: List[str] = []
    for audience in [None, *audiences]:
        before, after = _level(o, audience), _level(n, audience)
        who = "by default" if audience is None else f"for audience `{audience}`"
        text = f"{who}: {before} -> {after}"
        if _DISCLOSURE[after] < _DISCLOSURE[before]:
            weaker.append(text)
        elif _DISCLOSURE[after] > _DISCLOSURE[before]:
            stronger.append(text)
    if weaker:
        out.append(
            Change("privacy-weakened", loc, f"privacy of `{loc}` made weaker ({'; '.join(weaker)})", path)
        )
    if stronger:
        out.append(
            Change(
                "privacy-strengthened", loc, f"privacy of `{loc}` made stronger ({'; '.join(stronger)})", path
            )
        )


def required_bump(changes: Iterable[Change]) -> str:
    """The most significant bump among `changes` ("none" if there are none)."""
    best = NONE
    for change in changes:
        if _rank(change.bump) > _rank(best):
            best = change.bump
    return best


def next_version(old: Version, kind: str) -> Version:
    """The smallest version after `old` whose bump (Cargo rules) is `kind`."""
    if kind == MAJOR:
        if old.major > 0:
            return Version(old.major + 1, 0, 0)
        if old.minor > 0:
            return Version(0, old.minor + 1, 0)
        return Version(0, 0, old.patch + 1)
    if kind == MINOR:
        if old.major > 0:
            return Version(old.major, old.minor + 1, 0)
        return Version(0, old.minor, old.patch + 1)
    if kind == PATCH:
        if old.prerelease:
            return Version(old.major, old.minor, old.patch)
        return Version(old.major, old.minor, old.patch + 1)
    return old


@dataclass(frozen=True)
class BumpCheck:
    package: str
    old_version: Version
    new_version: Version
    changes: Tuple[Change, ...]
    required: str  # most significant change
    actual: str  # the manifest's bump, or "downgrade"

    @property
    def ok(self) -> bool:
        if self.actual == "downgrade":
            return False
        return _rank(self.actual) >= _rank(self.required)

    def render(self) -> str:
        step = "version unchanged" if self.actual == NONE else f"{self.actual} bump"
        lines = [f"{self.package}: {self.old_version} -> {self.new_version} ({step})"]
        if not self.changes:
            lines.append("  no schema changes")
        width = max((len(c.rule) for c in self.changes), default=0)
        for c in sorted(self.changes, key=lambda c: (-_rank(c.bump), c.location, c.rule)):
            lines.append(f"  {c.bump:<5}  {c.rule:<{width}}  {c.message}  [{c.file}]")
        if self.actual == "downgrade":
            lines.append(
                f"error: {self.package}: version {self.new_version} is lower than the previous release {self.old_version}"
            )
        elif not self.ok:
            counts = sum(1 for c in self.changes if c.bump == self.required)
            lines.append(
                f"error: {self.package}: {counts} change(s) need a {self.required} bump, but the version went "
                f"from {self.old_version} to {self.new_version} ({step})"
            )
            lines.append(
                f'  help: set `version = "{next_version(self.old_version, self.required)}"` (or higher) '
                f"in [component]"
            )
        else:
            lines.append(
                "ok" if self.required == NONE else f"ok: the changes need at most a {self.required} bump"
            )
        return "\n".join(lines)


def check_bump(
    package: str, old_version: Version, new_version: Version, changes: Sequence[Change]
) -> BumpCheck:
    required = required_bump(changes)
    if new_version < old_version:
        actual = "downgrade"
    else:
        actual = Version.bump_kind(old_version, new_version)
    return BumpCheck(package, old_version, new_version, tuple(changes), required, actual)
