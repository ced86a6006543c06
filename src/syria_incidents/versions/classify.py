"""How big a version bump a difference needs (DESIGN.md section 6).

major: a record or column removed or renamed, a type or vocabulary narrowed, a
primary key changed; minor: records, columns, tables or vocabulary values added, a
constraint relaxed; patch: values corrected, descriptions edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diff import PackageDiff, SchemaChange

LEVELS = ("none", "patch", "minor", "major")

# Type changes that accept every value the old type accepted.
WIDENING_TYPES = {
    ("integer", "number"),
    ("integer", "string"),
    ("number", "string"),
    ("date", "string"),
    ("boolean", "string"),
    ("datetime", "string"),
    ("year", "integer"),
    ("year", "string"),
}


@dataclass
class Reason:
    """One cause of a needed bump: its level, the table, what happened, and the records concerned."""

    level: str
    table: str | None
    message: str
    keys: list[str] = field(default_factory=list)

    def text(self, limit: int = 20) -> str:
        where = f"{self.table}: " if self.table else ""
        if not self.keys:
            return f"{where}{self.message}"
        shown = ", ".join(self.keys[:limit]) + (
            f" and {len(self.keys) - limit} more" if len(self.keys) > limit else ""
        )
        return f"{where}{self.message}: {shown}"


def level_max(levels) -> str:
    return max(levels, key=LEVELS.index, default="none")


def classify(diff: PackageDiff) -> list[Reason]:
    """Every reason for a bump, strongest first; the first one's level is the bump needed."""
    reasons: list[Reason] = []
    for t in diff.tables:
        if t.removed:
            reasons.append(Reason("major", t.name, "records removed", list(t.removed)))
        for change in t.schema:
            reasons.extend(schema_reason(t.name, change))
        if t.added:
            reasons.append(Reason("minor", t.name, "records added", list(t.added)))
        if t.changed:
            reasons.append(Reason("patch", t.name, "values corrected", [c.key for c in t.changed]))
    for change in diff.metadata:
        reasons.append(Reason("patch", None, f"descriptor {change.note} edited"))
    return sorted(reasons, key=lambda r: -LEVELS.index(r.level))


def schema_reason(table: str, c: SchemaChange) -> list[Reason]:
    """The level of one schema change, with a message naming the column."""
    if c.kind == "table-added":
        return [Reason("minor", table, "table added")]
    if c.kind == "table-removed":
        return [Reason("major", table, "table removed")]
    if c.kind == "column-added":
        return [Reason("minor", table, f"column {c.field} added")]
    if c.kind == "column-removed":
        return [Reason("major", table, f"column {c.field} removed")]
    if c.kind == "column-renamed":
        return [Reason("major", table, f"column {c.old} renamed to {c.new}")]
    if c.kind == "columns-reordered":
        return [Reason("major", table, "columns reordered")]
    if c.kind == "type":
        widened = (c.old.split(" ")[0], c.new.split(" ")[0]) in WIDENING_TYPES and " " not in c.new
        return [
            Reason(
                "minor" if widened else "major",
                table,
                f"column {c.field} type {c.old} → {c.new} ({'widened' if widened else 'narrowed'})",
            )
        ]
    if c.kind == "enum-added":
        return [Reason("minor", table, f"column {c.field} vocabulary values added: {', '.join(c.new)}")]
    if c.kind == "enum-removed":
        return [Reason("major", table, f"column {c.field} vocabulary values removed: {', '.join(c.old)}")]
    if c.kind == "enum-constraint":
        added = c.old is None
        return [
            Reason(
                "major" if added else "minor",
                table,
                f"column {c.field} vocabulary {'introduced' if added else 'dropped'}",
            )
        ]
    if c.kind == "constraint":
        return [constraint_reason(table, c)]
    if c.kind == "primary-key":
        return [Reason("major", table, f"primary key {', '.join(c.old)} → {', '.join(c.new)}")]
    if c.kind == "foreign-key-added":
        return [Reason("major", table, f"foreign key added: {c.new}")]
    if c.kind == "foreign-key-removed":
        return [Reason("minor", table, f"foreign key dropped: {c.old}")]
    where = f"column {c.field} " if c.field else ""
    return [Reason("patch", table, f"{where}{c.note} edited")]


def constraint_reason(table: str, c: SchemaChange) -> Reason:
    """A constraint is relaxed (minor) when it is dropped or loosened, otherwise tightened (major)."""
    name, old, new = c.note, c.old, c.new
    relaxed = (
        new is None
        or new is False
        or (name in ("minimum", "minLength") and old is not None and _num(new) <= _num(old))
        or (name in ("maximum", "maxLength") and old is not None and _num(new) >= _num(old))
    )
    verb = "relaxed" if relaxed else "tightened"
    return Reason(
        "minor" if relaxed else "major", table, f"column {c.field} constraint {name} {old} → {new} ({verb})"
    )


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def bump_of_versions(old: str | None, new: str | None) -> str:
    """The bump from ``old`` to ``new``: major, minor, patch, none, or 'lower' when it went down.

    Semantic versioning is strict here, also below 1.0: removing a record from 0.3.1
    needs 1.0.0.
    """
    # Imported here: the loader and `info` must work with the base dependencies only.
    from packaging.version import InvalidVersion, Version

    if old is None:
        return "major"  # a first release
    try:
        a, b = Version(old), Version(new or "")
    except InvalidVersion as exc:
        raise ValueError(f"not a semantic version: {exc}") from exc
    if b < a:
        return "lower"
    if b.major > a.major:
        return "major"
    if b.minor > a.minor:
        return "minor"
    if b.micro > a.micro:
        return "patch"
    return "none"


def next_version(old: str, level: str) -> str:
    """The smallest version after ``old`` that makes a ``level`` bump."""
    from packaging.version import Version

    v = Version(old)
    if level == "major":
        return f"{v.major + 1}.0.0"
    if level == "minor":
        return f"{v.major}.{v.minor + 1}.0"
    if level == "patch":
        return f"{v.major}.{v.minor}.{v.micro + 1}"
    return old
