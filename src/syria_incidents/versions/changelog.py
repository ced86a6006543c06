"""CHANGELOG.md: one section per release, written from the diff against the previous release."""

from __future__ import annotations

import re
from pathlib import Path

from .classify import classify, level_max
from .diff import PackageDiff
from .words import describe_table

HEADING = re.compile(r"^## (\S+)", re.MULTILINE)
PREAMBLE = """# Changelog

Every release of the syria-incidents data package, newest first. Each section is
written by `syria-incidents changelog` from the record-level diff against the
previous release (see docs/versions.md), then read and, where useful, annotated by
a maintainer. Versions follow semantic versioning for data: major = a record or
column removed or renamed, a type or vocabulary narrowed; minor = records, columns
or vocabulary values added; patch = values corrected.
"""


def describe_changes(diff: PackageDiff) -> dict[str, list[str]]:
    """Per table with changes, each change as one line of words; package metadata under "descriptor"."""
    described = {t.name: describe_table(t, diff) for t in diff.tables if not t.empty}
    if diff.metadata:
        described["descriptor"] = [f"{c.note} edited" for c in diff.metadata]
    return described


def counts_table(diff: PackageDiff) -> list[str]:
    rows = ["| table | added | removed | changed |", "| --- | ---: | ---: | ---: |"]
    for t in diff.tables:
        if t.added or t.removed or t.changed:
            c = t.counts()
            rows.append(f"| {t.name} | {c['added']} | {c['removed']} | {c['changed']} |")
    return rows if len(rows) > 2 else []


def changelog_section(diff: PackageDiff, version: str | None = None, date: str | None = None) -> str:
    """The Markdown section for ``version`` (default: the new side's), dated ``date`` (YYYY-MM-DD)."""
    version = version or diff.new.version
    heading = f"## {version}" + (f" ({date})" if date else "")
    if diff.old.version is None:
        total = sum(len(t.added) for t in diff.tables)
        lines = [
            heading,
            "",
            f"First release: {total} records in {len(diff.tables)} tables.",
            "",
            "| table | records |",
            "| --- | ---: |",
        ]
        return "\n".join(lines + [f"| {t.name} | {len(t.added)} |" for t in diff.tables]) + "\n"
    level = level_max(r.level for r in classify(diff))
    if level == "none":
        summary = f"No change to the data since {diff.old.version}."
    else:
        summary = f"A {level} release: changes since {diff.old.version}."
    lines = [heading, "", summary, ""]
    counts = counts_table(diff)
    if counts:
        lines += counts + [""]
    for table, changes in describe_changes(diff).items():
        lines += [f"### {table}", ""] + [f"- {c}" for c in changes] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_changelog(path: str | Path, section: str) -> str:
    """Put ``section`` into the changelog at ``path``.

    It replaces the section of the same version, else goes on top.

    Returns "added" or "replaced". Running it twice for one version leaves one section.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else PREAMBLE
    version = HEADING.search(section).group(1)
    matches = list(HEADING.finditer(text))
    for i, m in enumerate(matches):
        if m.group(1) == version:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            new_text, outcome = (
                text[: m.start()] + section + ("\n" if end < len(text) else "") + text[end:],
                "replaced",
            )
            break
    else:
        at = matches[0].start() if matches else len(text)
        head = text[:at].rstrip("\n") + "\n\n"
        rest = text[at:]
        new_text, outcome = head + section + ("\n" + rest if rest else ""), "added"
    path.write_text(new_text, encoding="utf-8", newline="\n")
    return outcome
