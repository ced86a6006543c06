"""The rule catalogue: every rule id with its severity and description.

A rule is one named function; its docstring's first line is the description a
contributor reads, the rest says which row and column a finding points at. This module
is a leaf: it imports no rule module (that would make a circle); ``catalogue.all_rules``
imports them so that they register.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" | "warning"
    description: str  # the docstring's first line
    where: str  # the rest of the docstring: which row/field a finding points at
    kind: str  # "structural" | "semantic"


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str = "error", kind: str = "semantic"):
    """Register the decorated function as rule ``rule_id``; returns it unchanged."""
    if severity not in ("error", "warning"):
        raise ValueError(f"severity must be error or warning, not {severity!r}")

    def register(func):
        doc = " ".join((func.__doc__ or "").split("\n\n")[0].split())
        rest = (func.__doc__ or "").split("\n\n", 1)[1:]
        where = " ".join(rest[0].split()) if rest else ""
        if not doc:
            raise ValueError(f"rule {rule_id} needs a docstring")
        if rule_id in _RULES and _RULES[rule_id].description != doc:
            raise ValueError(f"rule id {rule_id} registered twice")
        _RULES[rule_id] = Rule(rule_id, severity, doc, where, kind)
        return func

    return register


def registered() -> list[Rule]:
    """The rules registered so far (``catalogue.all_rules`` imports every rule module first)."""
    return list(_RULES.values())


def severity(rule_id: str) -> str:
    return _RULES[rule_id].severity
