"""The rule registry: each rule declares itself, once, on its function.

A rule is one named function decorated with ``@rule``: its id, severity, the tables and
columns it reads and the vocabulary values it relies on sit on the decorator; its
docstring's first paragraph is the description a contributor reads, the second says
which row and column a finding points at, and an optional third (starting "To fix:")
says what to do. This module is a leaf: it imports no rule module (that would make a
circle); ``catalogue.all_rules`` imports them so that they register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

KINDS = ("structural", "semantic")
# How the engine runs a rule: while a file is read ("file"), over each batch of cells
# ("cell"), as a pandera check over a prepared frame ("model"), as a function of the
# typed frames ("frames": the engine calls it), or its own way ("other": the descriptor,
# the allowlist, foreign keys).
STAGES = ("file", "cell", "model", "frames", "other")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" | "warning"
    description: str  # the docstring's first paragraph
    where: str  # its second paragraph: which row/field a finding points at
    remedy: str  # its "To fix:" paragraph, when it has one: what a contributor does
    kind: str  # "structural" | "semantic"
    stage: str  # one of STAGES
    # {table: columns} the rule reads; the first table holds its findings. Empty for
    # structural rules, which apply to every table.
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # {(table, column): values} of a vocabulary (enum) the rule relies on by name.
    vocabulary: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # Reported before the rows of a file: the file itself is wrong (see findings.sort_key).
    file_level: bool = False
    func: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def table(self) -> str | None:
        """The table a finding of this rule belongs to (None: any table)."""
        return next(iter(self.reads), None)


_RULES: dict[str, Rule] = {}


def _paragraphs(doc: str | None) -> list[str]:
    return [" ".join(p.split()) for p in (doc or "").split("\n\n") if p.strip()]


def rule(
    rule_id: str,
    severity: str = "error",
    *,
    kind: str = "semantic",
    stage: str = "frames",
    reads: dict[str, tuple[str, ...]] | None = None,
    vocabulary: dict[tuple[str, str], tuple[str, ...]] | None = None,
    file_level: bool = False,
):
    """Register the decorated function as rule ``rule_id``; returns it unchanged."""
    if severity not in ("error", "warning"):
        raise ValueError(f"severity must be error or warning, not {severity!r}")
    if kind not in KINDS or stage not in STAGES:
        raise ValueError(f"rule {rule_id}: kind must be one of {KINDS} and stage one of {STAGES}")

    def register(func):
        paragraphs = _paragraphs(func.__doc__)
        if not paragraphs:
            raise ValueError(f"rule {rule_id} needs a docstring")
        remedy = next(
            (p.removeprefix("To fix:").strip() for p in paragraphs[2:] if p.startswith("To fix:")), ""
        )
        where = paragraphs[1] if len(paragraphs) > 1 and not paragraphs[1].startswith("To fix:") else ""
        made = Rule(
            rule_id,
            severity,
            paragraphs[0],
            where,
            remedy,
            kind,
            stage,
            {t: tuple(c) for t, c in (reads or {}).items()},
            {k: tuple(v) for k, v in (vocabulary or {}).items()},
            file_level,
            func,
        )
        if rule_id in _RULES and _RULES[rule_id].description != made.description:
            raise ValueError(f"rule id {rule_id} registered twice")
        _RULES[rule_id] = made
        return func

    return register


def registered() -> list[Rule]:
    """The rules registered so far (``catalogue.all_rules`` imports every rule module first)."""
    return list(_RULES.values())


def get(rule_id: str) -> Rule | None:
    return _RULES.get(rule_id)


def severity(rule_id: str) -> str:
    return _RULES[rule_id].severity
