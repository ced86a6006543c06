"""``validate(path)``: every structural and semantic rule over a package, as one Report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import polars as pl

from ..package import (
    DESCRIPTOR_NAME,
    PackageNotFound,
    UnsafePath,
    foreign_keys,
    primary_key,
    resolve_root,
    resource_file,
)
from .allowlist import allowed, load_allowlist
from .findings import Finding, Report, sort_key
from .frames import Frames
from .ids import IdCodec, id_prefix
from .reading import LINE, Table, Unsliceable, read_table
from .registry import rule, severity
from .structural import (
    MATCHES,
    TYPED,
    bytes_hash,
    check_fields,
    foreign_key_errors,
    primary_key_errors,
    with_casts,
)
from .text import check_text


@rule("descriptor", kind="structural", stage="other", file_level=True)
def descriptor_problem(message: str) -> Finding:
    """datapackage.json is missing, is not valid JSON, does not describe the tables, or lacks a
    vocabulary value a rule relies on by name.

    Reported once for datapackage.json (row and field empty); the CLI exits 2.

    To fix: fix datapackage.json; a resource's path is relative, inside the package (data files live
    under data/)."""
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
    except RecursionError:
        return root, None, descriptor_problem(f"{DESCRIPTOR_NAME} nests too deeply to read")
    except json.JSONDecodeError as exc:
        return (
            root,
            None,
            descriptor_problem(
                f"{DESCRIPTOR_NAME} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ),
        )
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if (
        not isinstance(resources, list)
        or not resources
        or not all(
            isinstance(r, dict)
            and isinstance(r.get("name"), str)
            and isinstance(r.get("path"), str)
            and isinstance(r.get("schema"), dict)
            and isinstance(r["schema"].get("fields"), list)
            and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in r["schema"]["fields"])
            for r in resources
        )
    ):
        return (
            root,
            None,
            descriptor_problem(
                f"{DESCRIPTOR_NAME} must list resources, each with a name, a path and a schema with "
                "named fields"
            ),
        )
    for res in resources:
        try:
            resource_file(root, res)
        except UnsafePath as exc:  # never opened: a pull request could point it at any file
            return root, None, descriptor_problem(str(exc))
    return root, descriptor, None


def _to_findings(frame: pl.DataFrame, table: Table, rule_id: str) -> list[Finding]:
    sev = severity(rule_id)
    return [
        Finding(table.name, table.path, line, field, rule_id, sev, message, record_id)
        for line, field, message, record_id in frame.select(
            LINE, "field", "message", "record_id"
        ).iter_rows()
    ]


def _kept_columns(resources: list[dict]) -> dict[str, set[str]]:
    """{table: columns the later rules read}: both ends of each foreign key, the primary key,
    and the columns every semantic rule declares it reads."""
    from .catalogue import all_rules

    keep: dict[str, set[str]] = {}
    for r in all_rules().values():
        for table, columns in r.reads.items():
            keep.setdefault(table, set()).update(columns)
    for res in resources:
        for fk in foreign_keys(res):
            keep.setdefault(res["name"], set()).add(fk.fields[0])
            keep.setdefault(fk.resource, set()).add(fk.reference[0])
        keep.setdefault(res["name"], set()).update(primary_key(res)[:1])
    return keep


def _kept_of(kept: Future, table: str) -> set[str]:
    return kept.result().get(table, set())


def _typed(frame: pl.DataFrame, fields: list[dict], keep: set[str], ids: IdCodec) -> pl.DataFrame:
    """The kept columns in their declared types: the casts made by ``with_casts``, ids as codes
    (see ids.py), the other strings as they are.

    A column with an enum holds few distinct values: it is kept as Categorical (4 bytes a
    row instead of 16), which compares and prints as the same strings."""

    def kept(f: dict) -> pl.Expr:
        if TYPED + f["name"] in frame.columns:
            return pl.col(TYPED + f["name"])
        if (
            isinstance((f.get("constraints") or {}).get("enum"), list)
            and f.get("type", "string") == "string"
        ):
            return pl.col(f["name"]).cast(pl.Categorical)
        return pl.col(f["name"])

    kept_fields = [f for f in fields if f["name"] in keep and f["name"] in frame.columns]
    coded = {
        f["name"]: prefix
        for f in kept_fields
        if f.get("type", "string") == "string"
        and (prefix := id_prefix(f))
        and MATCHES + f["name"] in frame.columns
    }
    typed = frame.select(
        LINE, *(kept(f).alias(f["name"]) for f in kept_fields), *(pl.col(MATCHES + name) for name in coded)
    )
    # A value that matches an id pattern (^F-[0-9]{4,}$) is the prefix and digits only.
    return ids.encode(typed, coded, {name: pl.col(MATCHES + name) for name in coded}).drop(
        MATCHES + name for name in coded
    )


def _read_and_check(root: Path, res: dict, keep: Callable[[], set[str]], ids: IdCodec):
    """Read one table and run its per-cell rules and primary key, batch by batch.

    Returns the table, its findings, its typed frame of the ``keep()`` columns (None when
    unreadable) and whether no id repeats. Only one batch of all-strings columns
    exists at a time; a file polars cannot read line by line is read again by Python's csv module."""
    for fast in (True, False):
        table = read_table(root, res, fast=fast)
        if not table.readable:
            return table, list(table.findings), None, False
        try:
            return _check_batches(table, keep, ids)
        except Unsliceable:
            continue
    raise AssertionError("the csv module's read is never sliced")  # pragma: no cover


def _check_batches(table: Table, keep: Callable[[], set[str]], ids: IdCodec):
    """Per-cell and text rules on each batch as it is read; then the primary key over all ids."""
    local: list[Finding] = []
    parts = []
    for frame, blank in table.batches():
        frame = with_casts(frame, table.fields)
        for rule_id, found in check_fields(frame, table.fields, blank).items():
            local.extend(_to_findings(found, table, rule_id))
        local.extend(_guarded(table, "text", partial(check_text, frame, table.fields)))
        parts.append(_typed(frame, table.fields, keep(), ids))
        del frame
    typed = _joined(parts)
    clean = True
    key = _primary_key(table)
    if key is not None and key in typed.columns:
        # A blank row also has no id: frictionless reports both, and so do we.
        found = primary_key_errors(typed, key, table.name, ids)
        clean = found["record_id"].null_count() == found.height  # repeated ids carry their id
        local.extend(_to_findings(found, table, "primary-key"))
    return table, table.findings + local, typed, clean


def _joined(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches' typed frames as one frame, one chunk per column (joins and hashing
    over many small chunks are slower), its ordered id columns flagged as sorted."""
    frame = parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=False).rechunk()
    return frame.with_columns(pl.col(name).set_sorted() for name in _ordered_ids(frame))


def _ordered_ids(frame: pl.DataFrame) -> list[str]:
    """Id columns with no empty value whose codes never decrease down the file.

    Ids are usually written in order, and polars joins two sorted keys by merging
    instead of hashing (several times faster); the flag is set only where it is true."""
    ids = [name for name, dtype in frame.schema.items() if dtype == pl.UInt64]
    if not ids or frame.height < 2:
        return []
    last = frame.height - 1
    ordered = frame.select(
        (
            (pl.col(name).null_count() == 0)
            & (pl.col(name).slice(1, last) >= pl.col(name).slice(0, last)).all()
        ).alias(name)
        for name in ids
    ).row(0)
    return [name for name, in_order in zip(ids, ordered) if in_order]


def _primary_key(table: Table) -> str | None:
    """The first primary-key column, when the table has it."""
    key = primary_key({"schema": table.schema})[:1]
    return key[0] if key and key[0] in table.names else None


def validate(path: str | Path | None = None, on_step: Callable[[str], None] | None = None) -> Report:
    """Check the package at ``path`` (a directory or its datapackage.json; default: the package in the
    current directory or its nearest parent, else the bundled one).

    Returns a Report with every problem found, errors and warnings; never raises for bad data.
    """
    started = time.perf_counter()
    step = on_step or (lambda _name: None)
    root, descriptor, problem = _load_descriptor(path)
    if problem is not None:
        return Report(
            [problem],
            {
                "tables": 0,
                "rows": 0,
                "errors": 1,
                "warnings": 0,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
    resources = descriptor["resources"]
    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Slow work that releases the GIL overlaps with parsing: hashing the files,
        # importing pandera, unpacking Syria's border.
        hashes = pool.submit(lambda: [bytes_hash(root, r) for r in resources])
        # Importing the rule modules (pandera among them) tells which columns the rules
        # read: done while the first slice is read, which needs them only once parsed.
        kept = pool.submit(_kept_columns, resources)
        pool.submit(_warm_up)
        tables: dict[str, Table] = {}
        typed = Frames()
        for res in resources:
            step(f"reading {res['path']}")
            keep = partial(_kept_of, kept, res.get("name"))
            table, local, frame, clean_key = _read_and_check(root, res, keep, typed.ids)
            tables[table.name] = table
            findings.extend(local)
            if frame is None:
                continue
            typed[table.name] = frame
            typed.fields[table.name] = table.fields
            typed.heights[table.name] = frame.height
            if clean_key:
                typed.unique.add(table.name)
        step("checking across tables")
        findings.extend(descriptor_problem(gap) for gap in _vocabulary_gaps(descriptor))
        findings.extend(_rules_over_frames(typed, tables, findings))
        step("comparing bytes and hashes")
        findings.extend(f for f in hashes.result() if f is not None)
    entries, problems = load_allowlist(root)
    findings = sorted([*(f for f in findings if not allowed(f, entries)), *problems], key=sort_key)
    errors = sum(f.severity == "error" for f in findings)
    stats = {
        "tables": len(tables),
        "rows": sum(typed.heights.values()),
        "errors": errors,
        "warnings": len(findings) - errors,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Report(findings, stats)


def _rules_over_frames(typed: Frames, tables: dict[str, Table], found: list[Finding]) -> list[Finding]:
    """Foreign keys, the pandera models over their prepared frames and the rules over frames.

    They only read the frames, so they run two at a time (polars releases the GIL)."""
    from .catalogue import all_rules
    from .checks import prepared, run_model  # pandera: imported while the files were read

    readable = {name: tables[name] for name in typed}
    type_lines: dict[str, set[int]] = {}
    for f in found:
        if f.rule == "type":
            type_lines.setdefault(f.resource, set()).add(f.row)
    tasks = [
        partial(_guarded, table, "foreign-key", partial(_foreign_keys, table, typed, tables))
        for table in readable.values()
    ]
    rules = all_rules()
    for prep in prepared():
        owner, *others = prep.tables
        if owner in readable and all(n in readable for n in others):
            what = prep.rules[0].id if len(prep.rules) == 1 else "semantic rules"
            tasks.append(
                partial(
                    _guarded,
                    readable[owner],
                    what,
                    partial(run_model, prep, typed, type_lines.get(owner, set())),
                )
            )
    for r in rules.values():
        if r.stage == "frames" and r.reads and all(n in readable for n in r.reads):
            tasks.append(partial(_guarded, readable[r.table], r.id, partial(_one_rule, r, typed)))
    with ThreadPoolExecutor(max_workers=2) as pool:
        return [finding for findings in pool.map(lambda task: task(), tasks) for finding in findings]


def _one_rule(r, typed: Frames) -> dict[str, pl.DataFrame]:
    return {r.id: r.func(typed)}


def _vocabulary_gaps(descriptor: dict) -> list[str]:
    from .catalogue import all_rules
    from .vocabulary import vocabulary_gaps

    return vocabulary_gaps(descriptor, list(all_rules().values()))


def _warm_up() -> None:
    import pandera.polars  # noqa: F401

    from .geo import _borders

    _borders()


def _foreign_keys(table: Table, typed: Frames, tables: dict[str, Table]) -> dict[str, pl.DataFrame]:
    """Foreign keys, over the kept id columns (coded ids, or strings exactly as read)."""
    frame = typed[table.name]
    parts = []
    for fk in foreign_keys({"name": table.name, "schema": table.schema}):
        column, target_name, target_field = fk.fields[0], fk.resource, fk.reference[0]
        target = typed.get(target_name)
        if target is None or column not in frame.columns or target_field not in target.columns:
            continue
        parts.append(
            foreign_key_errors(
                frame,
                column,
                target[target_field],
                target_name,
                tables[target_name].path,
                target_field,
                typed.ids,
            )
        )
    return {"foreign-key": pl.concat(parts)} if parts else {}


def _guarded(table: Table, what: str, run) -> list[Finding]:
    """Run one group of rules; an unexpected failure becomes a finding, never a traceback."""
    try:
        results = run()
    except Exception as exc:  # a bug or an input we did not foresee: say so, keep going
        return [
            Finding(
                table.name,
                table.path,
                None,
                None,
                what if what in _known() else "descriptor",
                "error",
                f"could not check {what} on this table ({type(exc).__name__}: {exc}); "
                "please report this with the file",
            )
        ]
    out = []
    for rule_id, frame in results.items():
        out.extend(_to_findings(frame, table, rule_id))
    return out


def _known():
    from .catalogue import all_rules

    return all_rules()
