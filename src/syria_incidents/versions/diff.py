"""Record-level and schema-level differences between two versions of the package.

Records are matched by primary key and compared cell by cell as raw CSV text. Schema
changes (columns added, removed or renamed, types, vocabularies, constraints, keys)
come from comparing the two descriptors, so any two versions can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..package import ForeignKey, foreign_keys
from .source import PackageVersion, Table

# Descriptor keys that are not content: the version is what is being checked, and
# bytes/hash follow the files.
IGNORED_PACKAGE_KEYS = {"version", "resources"}
IGNORED_RESOURCE_KEYS = {"bytes", "hash", "schema"}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class RecordChange:
    key: str
    changes: list[FieldChange]
    line: int | None = None  # CSV line in the new version

    def fields(self) -> list[str]:
        return [c.field for c in self.changes]


@dataclass
class SchemaChange:
    """One change to a table's schema or to descriptor metadata.

    ``kind`` is one of: table-added, table-removed, column-added, column-removed,
    column-renamed, columns-reordered, type, enum-added, enum-removed, enum-constraint,
    constraint, primary-key, foreign-key-added, foreign-key-removed, metadata.
    """

    kind: str
    field: str | None = None
    old: object = None
    new: object = None
    note: str = ""


@dataclass
class TableDiff:
    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
    old: Table | None = None
    new: Table | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}


@dataclass
class PackageDiff:
    old: PackageVersion
    new: PackageVersion
    tables: list[TableDiff]
    metadata: list[SchemaChange] = field(default_factory=list)  # package-level descriptor changes

    @property
    def empty(self) -> bool:
        return not self.metadata and all(t.empty for t in self.tables)

    def table(self, name: str) -> TableDiff:
        return next(t for t in self.tables if t.name == name)


def diff_versions(old: PackageVersion, new: PackageVersion) -> PackageDiff:
    """Every difference between two versions: per table (in the new descriptor's order), then metadata."""
    names = list(new.tables) + [n for n in old.tables if n not in new.tables]
    tables = [diff_table(old.tables.get(n), new.tables.get(n), n) for n in names]
    _resource_metadata(old, new, tables)
    metadata = _metadata_changes(old.descriptor, new.descriptor, IGNORED_PACKAGE_KEYS, prefix="")
    return PackageDiff(old, new, tables, metadata)


def diff_table(old: Table | None, new: Table | None, name: str) -> TableDiff:
    """Records added, removed and changed, and schema changes, of one table."""
    if old is None:
        return TableDiff(name, added=list(new.rows), schema=[SchemaChange("table-added")], new=new)
    if new is None:
        return TableDiff(name, removed=list(old.rows), schema=[SchemaChange("table-removed")], old=old)
    result = TableDiff(name, old=old, new=new)
    renames = detect_renames(old, new)
    result.schema = schema_changes(old, new, renames)
    new_rows = _rekeyed(new, [renames.get(k, k) for k in old.primary_key])
    result.added = [k for k in new_rows if k not in old.rows]
    result.removed = [k for k in old.rows if k not in new_rows]
    common_columns = [(c, renames.get(c, c)) for c in old.fields if renames.get(c, c) in new.fields]
    for key, old_row in old.rows.items():
        new_row = new_rows.get(key)
        if new_row is None:
            continue
        changes = [
            FieldChange(n, old_row.get(o, ""), new_row.get(n, ""))
            for o, n in common_columns
            if old_row.get(o, "") != new_row.get(n, "")
        ]
        if changes:
            line = new.lines.get("|".join(new_row.get(k, "") for k in new.primary_key))
            result.changed.append(RecordChange(key, changes, line))
    return result


def _rekeyed(table: Table, columns: list[str]) -> dict[str, dict[str, str]]:
    """The new table's rows keyed by the old primary key's columns, so a changed key still matches.

    Falls back to the table's own key when those columns are missing or not unique.
    """
    if columns == table.primary_key or not all(c in table.fields for c in columns):
        return table.rows
    rekeyed = {"|".join(r.get(c, "") for c in columns): r for r in table.rows.values()}
    return rekeyed if len(rekeyed) == len(table.rows) else table.rows


def detect_renames(old: Table, new: Table) -> dict[str, str]:
    """Old column -> new column, for a removed column whose values reappear under an added name.

    A CSV gives no other evidence of a rename: a removed and an added column are paired
    when most records (over half) have the same value in both, and at least one of those
    values is not empty; the best-matching pair wins. Values that differ then show as
    changed records under the new name.
    """
    removed = [c for c in old.fields if c not in new.fields]
    added = [c for c in new.fields if c not in old.fields]
    common_keys = [k for k in old.rows if k in new.rows]
    if not common_keys or not removed or not added:
        return {}
    scored = []
    for o in removed:
        for n in added:
            same = [k for k in common_keys if old.rows[k].get(o, "") == new.rows[k].get(n, "")]
            if len(same) * 2 > len(common_keys) and any(old.rows[k].get(o, "") for k in same):
                scored.append((-len(same), removed.index(o), added.index(n), o, n))
    renames: dict[str, str] = {}
    for *_, o, n in sorted(scored):
        if o not in renames and n not in renames.values():
            renames[o] = n
    return dict(sorted(renames.items(), key=lambda item: removed.index(item[0])))


def schema_changes(old: Table, new: Table, renames: dict[str, str]) -> list[SchemaChange]:
    """Columns, types, vocabularies, constraints and keys that differ between two tables."""
    changes: list[SchemaChange] = []
    for o, n in renames.items():
        changes.append(SchemaChange("column-renamed", n, o, n))
    renamed_new = set(renames.values())
    for c in old.fields:
        if c not in new.fields and c not in renames:
            filled = sum(1 for r in old.rows.values() if r.get(c, ""))
            changes.append(
                SchemaChange("column-removed", c, note=f"{filled} of {len(old.rows)} records had a value")
            )
    for c in new.fields:
        if c not in old.fields and c not in renamed_new:
            filled = sum(1 for r in new.rows.values() if r.get(c, ""))
            changes.append(
                SchemaChange("column-added", c, note=f"{filled} of {len(new.rows)} records have a value")
            )
    back = {n: o for o, n in renames.items()}
    kept_old = [c for c in old.fields if renames.get(c, c) in new.fields]
    kept_new = [back.get(c, c) for c in new.fields if back.get(c, c) in old.fields]
    if kept_old != kept_new:
        changes.append(SchemaChange("columns-reordered", None, kept_old, kept_new))
    for c in new.fields:
        o = back.get(c, c)
        if o in old.fields:
            changes.extend(field_changes(c, old.field_schema(o), new.field_schema(c)))
    old_pk = [renames.get(k, k) for k in old.primary_key]
    if old_pk != new.primary_key:
        changes.append(SchemaChange("primary-key", None, old.primary_key, new.primary_key))
    changes.extend(_foreign_key_changes(old, new, renames))
    return changes


def field_changes(name: str, old: dict, new: dict) -> list[SchemaChange]:
    """Type, vocabulary, constraint and description changes of one column."""
    changes = []
    if old.get("type", "string") != new.get("type", "string") or old.get("format") != new.get("format"):
        changes.append(SchemaChange("type", name, _type_name(old), _type_name(new)))
    old_c, new_c = old.get("constraints", {}), new.get("constraints", {})
    old_enum, new_enum = old_c.get("enum"), new_c.get("enum")
    if (old_enum is None) != (new_enum is None):
        changes.append(SchemaChange("enum-constraint", name, old_enum, new_enum))
    elif old_enum is not None:
        added = [v for v in new_enum if v not in old_enum]
        removed = [v for v in old_enum if v not in new_enum]
        if added:
            changes.append(SchemaChange("enum-added", name, None, added))
        if removed:
            changes.append(SchemaChange("enum-removed", name, removed, None))
    for key in sorted((set(old_c) | set(new_c)) - {"enum"}):
        if old_c.get(key) != new_c.get(key):
            changes.append(SchemaChange("constraint", name, old_c.get(key), new_c.get(key), note=key))
    for key in sorted((set(old) | set(new)) - {"name", "type", "format", "constraints"}):
        if old.get(key) != new.get(key):
            changes.append(SchemaChange("metadata", name, old.get(key), new.get(key), note=key))
    return changes


def _type_name(field_schema: dict) -> str:
    kind = field_schema.get("type", "string")
    fmt = field_schema.get("format")
    return f"{kind} ({fmt})" if fmt and fmt != "default" else kind


def _foreign_key_changes(old: Table, new: Table, renames: dict[str, str]) -> list[SchemaChange]:
    def norm(fk: ForeignKey, table: str, mapping: dict[str, str]) -> str:
        target = "itself" if fk.resource == table else fk.resource
        return f"{', '.join(mapping.get(f, f) for f in fk.fields)} → {target}({', '.join(fk.reference)})"

    old_fks = [norm(fk, old.name, renames) for fk in foreign_keys({"name": old.name, "schema": old.schema})]
    new_fks = [norm(fk, new.name, {}) for fk in foreign_keys({"name": new.name, "schema": new.schema})]
    return [SchemaChange("foreign-key-added", None, None, fk) for fk in new_fks if fk not in old_fks] + [
        SchemaChange("foreign-key-removed", None, fk, None) for fk in old_fks if fk not in new_fks
    ]


def _resource_metadata(old: PackageVersion, new: PackageVersion, tables: list[TableDiff]) -> None:
    """Resource-level descriptor changes (title, description, path …), added to each table's diff."""
    old_res = {r.get("name"): r for r in old.descriptor.get("resources", [])}
    for res in new.descriptor.get("resources", []):
        before = old_res.get(res.get("name"))
        if before is None:
            continue
        diff = next(t for t in tables if t.name == res.get("name"))
        diff.schema.extend(_metadata_changes(before, res, IGNORED_RESOURCE_KEYS | {"name"}, prefix=""))


def _metadata_changes(old: dict, new: dict, ignored: set[str], prefix: str) -> list[SchemaChange]:
    return [
        SchemaChange("metadata", None, old.get(k), new.get(k), note=prefix + k)
        for k in sorted((set(old) | set(new)) - ignored)
        if old.get(k) != new.get(k)
    ]
