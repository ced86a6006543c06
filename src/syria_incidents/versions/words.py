"""Changes in words, for the changelog: "F-0007 count_best 125 → 131 (SNHR, revised)"."""

from __future__ import annotations

import re

from .classify import schema_reason
from .diff import FieldChange, PackageDiff, RecordChange, TableDiff
from .source import Table

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about ",
    "at_least": "at least ",
    "more_than": "more than ",
    "at_most": "at most ",
    "range": "",
}
COUNT_FIELDS = ("count_low", "count_best", "count_high")
LONG = 60  # values longer than this are "edited", not quoted in full


def short_name(name: str) -> str:
    """The abbreviation a name ends with in parentheses ("… (SNHR)" → "SNHR"), else the name."""
    m = re.search(r"\(([^()]+)\)\s*$", name)
    return m.group(1) if m and len(m.group(1)) <= 12 else name


def actor_name(actors: Table | None, actor_id: str) -> str:
    if not actor_id:
        return "no reporter"
    row = actors.rows.get(actor_id) if actors else None
    return short_name(row.get("name", "")) if row and row.get("name") else actor_id


def show(value: str) -> str:
    """A value as the changelog prints it: "(empty)" for an empty cell, quoted when it has spaces."""
    if value == "":
        return "(empty)"
    return f'"{value}"' if any(ch.isspace() for ch in value) else value


def figure_phrase(row: dict) -> str:
    """ "at least 131 killed, civilians, in I-0012" from a casualties row."""
    q = row.get("qualifier", "")
    if q == "range" or (row.get("count_best", "") == "" and row.get("count_low") and row.get("count_high")):
        count = f"{row.get('count_low', '')}–{row.get('count_high', '')}"
    else:
        count = row.get("count_best", "") or "an unknown number of"
    group = row.get("victim_group", "")
    group = f", {group.replace('_', ' ')}" if group and group != "any" else ""
    outcome, incident = row.get("outcome", ""), row.get("incident_id", "")
    return f"{QUALIFIER_WORDS.get(q, '')}{count} {outcome}{group}, in {incident}"


def record_label(table: str, row: dict, version_tables: dict[str, Table]) -> str:
    """A short description of a record: what a maintainer would name it by."""
    actors = version_tables.get("actors")
    if table == "casualties":
        who = actor_name(actors, row.get("reported_by_actor_id", ""))
        return f"{figure_phrase(row)} ({who}, {row.get('reported_on', '')})"
    if table == "statements":
        who = actor_name(actors, row.get("speaker_actor_id", ""))
        kind = row.get("statement_type", "").replace("_", " ")
        return f"{kind} by {who}, {row.get('made_on', '')}"
    if table == "sources":
        return ", ".join(
            v for v in (row.get("publisher", ""), row.get("title", ""), row.get("published_on", "")) if v
        )
    for column in ("title", "name"):
        if row.get(column):
            return _clip(row[column])
    return ""


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def field_words(changes) -> str:
    """ "count_low, count_best, count_high 10 → 11; notes edited": fields with the same old and new values
    share one phrase, and long text is only said to be edited."""
    groups: list[tuple[list[str], str, str]] = []
    for c in changes:
        if groups and (groups[-1][1], groups[-1][2]) == (c.old, c.new):
            groups[-1][0].append(c.field)
        else:
            groups.append(([c.field], c.old, c.new))
    phrases = []
    for fields, old, new in groups:
        names = ", ".join(fields)
        if len(old) > LONG or len(new) > LONG or "\n" in old + new:
            phrases.append(f"{names} edited")
        else:
            phrases.append(f"{names} {show(old)} → {show(new)}")
    return "; ".join(phrases)


def changed_words(t: TableDiff, rc: RecordChange, superseded: set[str], actors: Table | None) -> str:
    """ "F-0007 count_best 125 → 131 (SNHR, revised)"."""
    text = f"{rc.key} {field_words(rc.changes)}"
    if t.name != "casualties":
        return text
    row = t.new.rows.get(rc.key, {}) if t.new else {}
    revised = rc.key in superseded or any(c.field in COUNT_FIELDS for c in rc.changes)
    who = actor_name(actors, row.get("reported_by_actor_id", ""))
    return f"{text} ({who}, {'revised' if revised else 'corrected'})"


def added_words(t: TableDiff, key: str, tables: dict[str, Table]) -> str:
    row = t.new.rows[key]
    text = f"{key} added: {record_label(t.name, row, tables)}"
    target = row.get("supersedes_figure_id", "")
    if t.name == "casualties" and target:
        old = t.new.rows.get(target) or (t.old.rows.get(target) if t.old else None)
        if old:
            counts = field_words(
                [
                    FieldChange(f, old.get(f, ""), row.get(f, ""))
                    for f in COUNT_FIELDS
                    if old.get(f, "") != row.get(f, "")
                ]
            )
            text += f"; revises {target}" + (f": {counts}" if counts else " (same counts)")
        else:
            text += f"; revises {target}"
    return text


def removed_words(t: TableDiff, key: str, tables: dict[str, Table]) -> str:
    return f"{key} removed (was: {record_label(t.name, t.old.rows[key], tables)})"


def describe_table(t: TableDiff, diff: PackageDiff) -> list[str]:
    """Every change of one table in words: schema first, then added, removed and changed records."""
    lines = [r.message[0].upper() + r.message[1:] for c in t.schema for r in schema_reason(t.name, c)]
    superseded = {
        r.get("supersedes_figure_id", "") for k, r in (t.new.rows.items() if t.new else []) if k in t.added
    } - {""}
    lines += [added_words(t, k, diff.new.tables) for k in t.added]
    lines += [removed_words(t, k, diff.old.tables) for k in t.removed]
    # Reporter names as the new version spells them.
    lines += [changed_words(t, rc, superseded, diff.new.tables.get("actors")) for rc in t.changed]
    return lines
