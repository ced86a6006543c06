"""The explicit, reasoned allowlist of known source inconsistencies (allowlist.toml)."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from .findings import Finding


def load_allowlist() -> list[dict]:
    """The entries of ``allowlist.toml``; each has rule, resource, id and a non-empty reason."""
    text = files("syria_incidents.validators").joinpath("allowlist.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("allow", [])
    for entry in entries:
        missing = [k for k in ("rule", "resource", "id", "reason") if not str(entry.get(k, "")).strip()]
        if missing:
            raise ValueError(f"allowlist.toml: entry {entry} lacks {', '.join(missing)}")
    return entries


def allowed(finding: Finding, entries: list[dict]) -> bool:
    return any(e["rule"] == finding.rule and e["resource"] == finding.resource and e["id"] == finding.record_id
               for e in entries)
