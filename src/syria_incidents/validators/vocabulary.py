"""The vocabulary values rules rely on by name, checked against datapackage.json.

A rule that treats one value of a vocabulary specially (the qualifier ``at_least``, the
group ``any``) declares it (``registry.rule(vocabulary=...)``). The descriptor is the one
source of the vocabularies: were a value renamed there and not in the rule, the rule would
silently stop applying to it. ``validate`` reports each such value instead.
"""

from __future__ import annotations

from .registry import Rule


def enum_of(descriptor: dict, table: str, column: str) -> list | None:
    """The ``enum`` of ``table.column`` in the descriptor, or None when it declares none."""
    for res in descriptor.get("resources", []):
        if res.get("name") != table:
            continue
        for f in res["schema"]["fields"]:  # validate checked that these exist
            if f.get("name") == column:
                constraints = f.get("constraints")
                enum = constraints.get("enum") if isinstance(constraints, dict) else None
                return enum if isinstance(enum, list) else None
    return None


def vocabulary_gaps(descriptor: dict, rules: list[Rule]) -> list[str]:
    """One sentence per vocabulary value a rule relies on that the descriptor does not list."""
    out = []
    for r in rules:
        for (table, column), values in r.vocabulary.items():
            enum = enum_of(descriptor, table, column)
            if enum is None:
                if any(res.get("name") == table for res in descriptor.get("resources", [])):
                    out.append(
                        f"rule {r.id} relies on the vocabulary of {table}.{column}, which "
                        "datapackage.json no longer declares (constraints.enum)"
                    )
                continue
            for value in values:
                if value not in enum:
                    out.append(
                        f"rule {r.id} relies on the value {value!r} of {table}.{column}, which "
                        f"datapackage.json does not list ({', '.join(map(str, enum))}); rename it in "
                        "the rule as well, or restore it in the descriptor"
                    )
    return out
