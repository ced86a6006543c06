"""``validate(path)``: every structural and semantic rule over a package, as one Report."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import polars as pl

from ..package import DESCRIPTOR_NAME, PackageNotFound, resolve_root
from .allowlist import allowed, load_allowlist
from .crosstable import CROSS_RULES
from .findings import Finding, Report, sort_key
from .reading import LINE, Table, read_table
from .registry import rule, severity
from .structural import bytes_hash, check_fields, foreign_key_errors, primary_key_errors, typed_value
from .text import check_text


@rule("descriptor", kind="structural")
def descriptor_problem(message: str) -> Finding:
    """datapackage.json is missing, is not valid JSON, or does not describe the tables.

    Reported once for datapackage.json (row and field empty); the CLI exits 2."""
    return Finding(None, DESCRIPTOR_NAME, None, None, "descriptor", "error", message)


def _load_descriptor(path) -> tuple[Path | None, dict | None, Finding | None]:
    try:
        root = resolve_root(path)
    except PackageNotFound as exc:
        return None, None, descriptor_problem(f"{exc}; give the package directory or its datapackage.json")
    except OSError as exc:
        return None, None, descriptor_problem(f"cannot open the package: {exc}")
    try:
        descriptor = json.loads((root / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return root, None, descriptor_problem(f"cannot read {DESCRIPTOR_NAME}: {exc}")
    except json.JSONDecodeError as exc:
        return root, None, descriptor_problem(
            f"{DESCRIPTOR_NAME} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str) and isinstance(r.get("path"), str)
            and isinstance(r.get("schema"), dict) and isinstance(r["schema"].get("fields"), list)
            and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in r["schema"]["fields"])
            for r in resources):
        return root, None, descriptor_problem(
            f"{DESCRIPTOR_NAME} must list resources, each with a name, a path and a schema with named fields")
    return root, descriptor, None


def _to_findings(frame: pl.DataFrame, table: Table, rule_id: str) -> list[Finding]:
    sev = severity(rule_id)
    return [Finding(table.name, table.path, line, field, rule_id, sev, message, record_id)
            for line, field, message, record_id in frame.select(LINE, "field", "message", "record_id").iter_rows()]


class Frames(dict):
    """{table: typed frame} for the semantic rules, with what the structural pass learnt."""

    def __init__(self):
        super().__init__()
        self.unique: set[str] = set()  # tables whose primary key has no repeated id
        self.heights: dict[str, int] = {}


def _kept_columns(resources: list[dict]) -> dict[str, set[str]]:
    """{table: columns the later rules read}: foreign keys (both ends), pandera and cross-table columns."""
    from .crosstable import COLUMNS

    keep = {name: set(cols) for name, cols in COLUMNS.items()}
    for res in resources:
        for fk in _fk_specs(res):
            column, target_name, target_field = fk
            keep.setdefault(res["name"], set()).add(column)
            keep.setdefault(target_name, set()).add(target_field)
    return keep


def _typed(table: Table, keep: set[str]) -> pl.DataFrame:
    """The kept columns, cast once to their declared types (a string column is shared, not copied)."""
    return table.frame.select(LINE, *(typed_value(f).alias(f["name"]) for f in table.fields
                                      if f["name"] in keep and f["name"] in table.frame.columns))


def _bbox(table: Table):
    try:
        by_name = {f["name"]: f.get("constraints", {}) for f in table.fields}
        return ((by_name["latitude"]["minimum"], by_name["latitude"]["maximum"]),
                (by_name["longitude"]["minimum"], by_name["longitude"]["maximum"]))
    except KeyError:
        return None


def validate(path: str | Path | None = None, on_step: Callable[[str], None] | None = None) -> Report:
    """Check the package at ``path`` (a directory or its datapackage.json; default: the bundled one).

    Returns a Report with every problem found, errors and warnings; never raises for bad data.
    """
    started = time.perf_counter()
    step = on_step or (lambda _name: None)
    root, descriptor, problem = _load_descriptor(path)
    if problem is not None:
        return Report([problem], {"tables": 0, "rows": 0, "errors": 1, "warnings": 0,
                                  "seconds": round(time.perf_counter() - started, 3)})
    resources = descriptor["resources"]
    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Slow work that releases the GIL overlaps with parsing: hashing the files,
        # importing pandera, unpacking Syria's border.
        hashes = pool.submit(lambda: [bytes_hash(root, r) for r in resources])
        pool.submit(_warm_up)
        tables: dict[str, Table] = {}
        typed = Frames()
        keep = _kept_columns(resources)
        for res in resources:
            step(f"reading {res['path']}")
            table = read_table(root, res)
            tables[table.name] = table
            findings.extend(table.findings)
            if table.frame is None:
                continue
            step(f"checking {table.path}")
            # Every per-cell rule runs while the all-strings frame exists; then only the
            # typed columns later rules read are kept, and the strings are let go.
            local, clean_key = _structural(table)
            findings.extend(local)
            findings.extend(_guarded(table, "text", lambda: check_text(table.frame, table.fields)))
            typed[table.name] = _typed(table, keep.get(table.name, set()))
            typed.heights[table.name] = table.frame.height
            if clean_key:
                typed.unique.add(table.name)
            table.frame = None
        readable = {name: tables[name] for name in typed}
        for name, table in readable.items():
            findings.extend(_foreign_keys(table, typed, tables))
        from .schemas import check_table  # pandera: imported while the files were read
        type_lines: dict[str, set[int]] = {}
        for f in findings:
            if f.rule == "type":
                type_lines.setdefault(f.resource, set()).add(f.row)
        for name, table in readable.items():
            findings.extend(_guarded(table, "pandera", lambda: check_table(name, typed[name],
                                                                            type_lines.get(name, set()))))
        step("checking across tables")
        for rule_id, (owner, needs, func) in CROSS_RULES.items():
            if owner not in readable or any(n not in readable for n in needs):
                continue
            kwargs = {"bbox": _bbox(readable[owner])} if rule_id == "coordinates-inside-syria" else {}
            findings.extend(_guarded(readable[owner], rule_id, lambda: {rule_id: func(typed, **kwargs)}))
        step("comparing bytes and hashes")
        findings.extend(f for f in hashes.result() if f is not None)
    entries = load_allowlist()
    findings = sorted((f for f in findings if not allowed(f, entries)), key=sort_key)
    errors = sum(f.severity == "error" for f in findings)
    stats = {"tables": len(tables), "rows": sum(typed.heights.values()),
             "errors": errors, "warnings": len(findings) - errors,
             "seconds": round(time.perf_counter() - started, 3)}
    return Report(findings, stats)


def _warm_up() -> None:
    import pandera.polars  # noqa: F401

    from .geo import _borders

    _borders()


def _fk_specs(resource: dict) -> list[tuple[str, str, str]]:
    """(column, target table, target column) of each usable foreign key of a resource."""
    schema = resource.get("schema") or {}
    out = []
    for fk in schema.get("foreignKeys", []) or []:
        try:
            column = fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"]
            ref = fk["reference"]
            target_name = ref.get("resource") or resource.get("name")
            target_field = ref["fields"][0] if isinstance(ref["fields"], list) else ref["fields"]
        except (KeyError, TypeError, IndexError):
            continue
        if isinstance(column, str) and isinstance(target_name, str) and isinstance(target_field, str):
            out.append((column, target_name, target_field))
    return out


def _structural(table: Table) -> tuple[list[Finding], bool]:
    """Per-cell rules and the primary key over the all-strings frame; and whether no id repeats."""
    out: list[Finding] = []
    frames = {rule_id: [found] for rule_id, found in check_fields(table).items()}
    schema = table_schema(table)
    keys = schema.get("primaryKey") or []
    clean = True
    for key in ([keys] if isinstance(keys, str) else keys[:1]):
        if isinstance(key, str) and key in table.frame.columns:
            found = primary_key_errors(table.frame, key, table.name)
            clean = found["record_id"].null_count() == found.height  # repeated ids carry their id
            frames.setdefault("primary-key", []).append(found)
    for rule_id, parts in frames.items():
        out.extend(_to_findings(pl.concat(parts), table, rule_id))
    return out, clean


def _foreign_keys(table: Table, typed: dict[str, pl.DataFrame], tables: dict[str, Table]) -> list[Finding]:
    """Foreign keys, over the kept id columns (strings, exactly as read)."""
    frame = typed[table.name]
    parts = []
    for column, target_name, target_field in _fk_specs({"name": table.name, "schema": table.schema}):
        target = typed.get(target_name)
        if target is None or column not in frame.columns or target_field not in target.columns:
            continue
        parts.append(foreign_key_errors(frame, column, target[target_field], target_name,
                                        tables[target_name].path, target_field))
    return _to_findings(pl.concat(parts), table, "foreign-key") if parts else []


def table_schema(table: Table) -> dict:
    return table.schema or {}


def _guarded(table: Table, what: str, run) -> list[Finding]:
    """Run one group of rules; an unexpected failure becomes a finding, never a traceback."""
    try:
        results = run()
    except Exception as exc:  # a bug or an input we did not foresee: say so, keep going
        return [Finding(table.name, table.path, None, None, what if what in _known() else "descriptor",
                        "error", f"could not check {what} on this table ({type(exc).__name__}: {exc}); "
                        "please report this with the file")]
    out = []
    for rule_id, frame in results.items():
        out.extend(_to_findings(frame, table, rule_id))
    return out


def _known():
    from .registry import all_rules

    return all_rules()
