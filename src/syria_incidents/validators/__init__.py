"""The validation toolkit: every consistency rule of the package, by stable id.

>>> from syria_incidents.validators import validate
>>> report = validate()          # the bundled package
>>> report.valid, report.flatten(["path", "row", "field", "rule"])

Field-level rules come from datapackage.json; semantic rules are pandera checks on a
model per table (``schemas``) and on frames that join rows and tables (``relations``),
or functions over the tables (``crosstable``: cycles, the border, uncited sources). Each
rule declares itself once (``registry.rule``); ``catalogue`` collects them.
"""

from __future__ import annotations

from .catalogue import all_rules
from .engine import validate
from .findings import Finding, Report


def __getattr__(name: str):
    # RULES imports every rule module (pandera included): build it on first use.
    if name == "RULES":
        return {r.id: (r.severity, r.description) for r in all_rules().values()}
    raise AttributeError(f"module 'syria_incidents.validators' has no attribute {name!r}")


__all__ = ["RULES", "Finding", "Report", "validate", "all_rules"]
