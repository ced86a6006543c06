"""The ``diff`` command's output: text (for a terminal), JSON (for programs), Markdown (for a pull
request).
"""

from __future__ import annotations

import json

from .classify import classify, level_max, schema_reason
from .diff import PackageDiff, SchemaChange, TableDiff
from .words import describe_table


def show(value: str) -> str:
    """A cell value exactly: "(empty)" for an empty cell, JSON quotes when spaces or newlines would hide."""
    if value == "":
        return "(empty)"
    if value != value.strip() or "\n" in value or "\r" in value or value.startswith("("):
        return json.dumps(value, ensure_ascii=False)
    return value


def _side(v) -> str:
    return f"{v.version or 'no version'} ({v.label})"


def schema_text(t: TableDiff) -> list[str]:
    """The sentence of each schema change, as check-version words it."""
    return [r.message for c in t.schema for r in schema_reason(t.name, c)]


def render_text(diff: PackageDiff) -> str:
    """Every record added, removed and changed, with each field's old → new value."""
    out = [f"--- {_side(diff.old)}", f"+++ {_side(diff.new)}"]
    for t in diff.tables:
        if t.empty:
            continue
        c = t.counts()
        out.append(f"{t.name}: {c['added']} added, {c['removed']} removed, {c['changed']} changed")
        out += [f"  * {line}" for line in schema_text(t)]
        for key in t.added:
            out.append(f"  + {key} (line {t.new.lines.get(key)})")
            out += [f"      {f}: {show(v)}" for f, v in t.new.rows[key].items() if v != ""]
        for key in t.removed:
            out.append(f"  - {key} (was line {t.old.lines.get(key)})")
            out += [f"      {f}: {show(v)}" for f, v in t.old.rows[key].items() if v != ""]
        for rc in t.changed:
            out.append(f"  ~ {rc.key} (line {rc.line})")
            out += [f"      {fc.field}: {show(fc.old)} → {show(fc.new)}" for fc in rc.changes]
    out += [f"descriptor: {c.note} edited" for c in diff.metadata]
    if diff.empty:
        out.append("no differences")
    else:
        out.append(f"needs a {level_max(r.level for r in classify(diff))} version bump")
    return "\n".join(out) + "\n"


def _md_cell(value: str) -> str:
    return show(value).replace("|", "\\|").replace("\n", "<br>")


def render_markdown(diff: PackageDiff) -> str:
    """A summary in words, then a table of field changes per table."""
    out = [f"**{_side(diff.old)} → {_side(diff.new)}**", ""]
    for t in diff.tables:
        if t.empty:
            continue
        c = t.counts()
        out += [f"### {t.name}: {c['added']} added, {c['removed']} removed, {c['changed']} changed", ""]
        out += [f"- {line}" for line in describe_table(t, diff)] + [""]
        if t.changed:
            out += ["| id | field | old | new |", "| --- | --- | --- | --- |"]
            out += [
                f"| {rc.key} | {fc.field} | {_md_cell(fc.old)} | {_md_cell(fc.new)} |"
                for rc in t.changed
                for fc in rc.changes
            ] + [""]
    out += [f"- descriptor: {c.note} edited" for c in diff.metadata]
    out.append(
        "No differences."
        if diff.empty
        else f"Needs a **{level_max(r.level for r in classify(diff))}** version bump."
    )
    return "\n".join(out) + "\n"


def _schema_json(c: SchemaChange) -> dict:
    return {"kind": c.kind, "field": c.field, "old": c.old, "new": c.new, "note": c.note}


def diff_json(diff: PackageDiff) -> dict:
    """The diff as plain data: every record and field change, and the bump needed with its reasons."""
    reasons = classify(diff)
    return {
        "old": {"label": diff.old.label, "version": diff.old.version, "commit": diff.old.commit},
        "new": {"label": diff.new.label, "version": diff.new.version, "commit": diff.new.commit},
        "tables": [
            {
                "name": t.name,
                "counts": t.counts(),
                "schema": [_schema_json(c) for c in t.schema],
                "added": [{"id": k, "line": t.new.lines.get(k), "record": t.new.rows[k]} for k in t.added],
                "removed": [
                    {"id": k, "line": t.old.lines.get(k), "record": t.old.rows[k]} for k in t.removed
                ],
                "changed": [
                    {
                        "id": rc.key,
                        "line": rc.line,
                        "changes": [{"field": fc.field, "old": fc.old, "new": fc.new} for fc in rc.changes],
                    }
                    for rc in t.changed
                ],
            }
            for t in diff.tables
            if not t.empty
        ],
        "metadata": [_schema_json(c) for c in diff.metadata],
        "bump": {
            "needed": level_max(r.level for r in reasons),
            "reasons": [
                {"level": r.level, "table": r.table, "message": r.message, "ids": r.keys} for r in reasons
            ],
        },
    }


def render_json(diff: PackageDiff) -> str:
    return json.dumps(diff_json(diff), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
