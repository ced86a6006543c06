"""The report as Markdown, for a GitHub step summary ($GITHUB_STEP_SUMMARY).

GitHub shows at most 10 error annotations per step, so the summary is where a
reviewer sees every finding: a count per rule, then one table row per finding.
GitHub refuses a step summary over 1 MiB; past ``max_bytes`` the table stops and
says how many findings are left out and where they all are.
"""

from __future__ import annotations

from collections import Counter

from .findings import _VISIBLE_CONTROLS, Report

# GitHub's limit is 1 MiB per step; the rest is room for the lines after the table.
MAX_BYTES = 1_000_000
# CommonMark lets any ASCII punctuation be escaped with a backslash; these would
# otherwise end a table cell, open a link or HTML tag, or emphasise text.
_MARKDOWN_SPECIALS = set("\\`*_[]<>|~&#!")


def markdown_cell(value) -> str:
    """One value as the text of a Markdown table cell, shown literally."""
    text = "" if value is None else str(value).translate(_VISIBLE_CONTROLS)
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in text)


def _row(cells) -> str:
    return "| " + " | ".join(markdown_cell(cell) for cell in cells) + " |\n"


def _title(mark: str) -> str:
    return f"### {mark} syria-incidents validate\n\n"


def could_not_run_markdown(problem: str) -> str:
    """The summary when the package could not be checked at all (no or broken descriptor)."""
    return f"{_title('❌')}{markdown_cell(problem)}\n"


def summary_markdown(report: Report, headline: str, max_bytes: int = MAX_BYTES) -> str:
    """Markdown listing every finding of ``report`` (up to ``max_bytes``), under ``headline``."""
    mark = "✅" if report.valid and not report.errors else ("⚠️" if report.valid else "❌")
    parts = [f"{_title(mark)}{markdown_cell(headline)}\n\n"]
    if not report.errors:
        return parts[0]
    by_rule = Counter((f.rule, f.severity) for f in report.errors)
    parts.append("| rule | severity | findings |\n| --- | --- | ---: |\n")
    parts.extend(_row([rule, severity, count]) for (rule, severity), count in sorted(by_rule.items()))
    parts.append(
        "\n| file | line | field | rule | severity | message |\n| --- | ---: | --- | --- | --- | --- |\n"
    )
    size = sum(len(part.encode("utf-8")) for part in parts)
    shown = 0
    for finding in report.errors:
        row = _row(
            [
                finding.path or "datapackage.json",
                finding.row,
                finding.field,
                finding.rule,
                finding.severity,
                finding.message,
            ]
        )
        size += len(row.encode("utf-8"))
        if size > max_bytes:
            break
        parts.append(row)
        shown += 1
    left = len(report.errors) - shown
    if left:
        noun = "finding" if left == 1 else "findings"
        parts.append(
            f"\nNot shown: {left} more {noun} (a step summary holds at most 1 MiB). The step's "
            "log lists every one, and `syria-incidents validate` prints them all.\n"
        )
    return "".join(parts) + "\n"
