"""The explicit, reasoned allowlist of known source inconsistencies.

It is data that contributors edit, so it lives beside the tables: ``data/allowlist.toml``
in the package. Each entry silences exactly one rule for one record, with a reason.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .findings import Finding
from .registry import rule

ALLOWLIST_PATH = "data/allowlist.toml"
ENTRY_KEYS = ("rule", "resource", "id", "reason")


@rule("allowlist", kind="structural", stage="other")
def allowlist_problem(message: str, line: int | None = None) -> Finding:
    """data/allowlist.toml is not valid TOML, or an entry lacks its rule, resource, id or reason.

    Reported at the line of the TOML error, or once for the file (row empty) for an
    incomplete entry.

    To fix: fix the entry: each names the rule, the resource, the record id and the reason."""
    return Finding(None, ALLOWLIST_PATH, line, None, "allowlist", "error", message)


def load_allowlist(root: Path) -> tuple[list[dict], list[Finding]]:
    """The complete entries of the package's allowlist, and a finding for each problem.

    A package without the file has an empty allowlist."""
    target = Path(root) / ALLOWLIST_PATH
    if not target.is_file():
        return [], []
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, OSError) as exc:
        return [], [allowlist_problem(f"cannot read {ALLOWLIST_PATH}: {exc}")]
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        return [], [allowlist_problem(f"{ALLOWLIST_PATH} is not valid TOML: {exc}", line)]
    raw = data.get("allow", [])
    if not isinstance(raw, list):
        return [], [allowlist_problem(f"{ALLOWLIST_PATH}: `allow` must be a list of [[allow]] tables")]
    entries, problems = [], []
    for number, entry in enumerate(raw, start=1):
        missing = [k for k in ENTRY_KEYS if not isinstance(entry, dict) or not str(entry.get(k, "")).strip()]
        if missing:
            problems.append(
                allowlist_problem(
                    f"entry {number} of {ALLOWLIST_PATH} lacks {', '.join(missing)}; every entry "
                    "names the rule, "
                    "the table (resource), the record id and the reason the source's numbers break the rule"
                )
            )
        else:
            entries.append(entry)
    return entries, problems


def allowed(finding: Finding, entries: list[dict]) -> bool:
    return any(
        e["rule"] == finding.rule and e["resource"] == finding.resource and e["id"] == finding.record_id
        for e in entries
    )
