"""Each rule is declared once, on its function; the catalogue collects the declarations and
every rule table in the docs is generated from it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from validate_helpers import REPO_ROOT

from syria_incidents.validators.catalogue import (
    CONTRIBUTING_END,
    CONTRIBUTING_START,
    all_rules,
    catalogue_markdown,
    remedies_markdown,
)

_RULE_CELL = re.compile(r"^\| `([a-z-]+)`", re.MULTILINE)


def _rule_ids(markdown: str) -> list[str]:
    return _RULE_CELL.findall(markdown)


def test_docs_rules_md_lists_exactly_the_catalogue():
    text = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown(), "docs/rules.md is stale: run `syria-incidents fix`"
    assert sorted(_rule_ids(text)) == sorted(all_rules())


def test_contributing_table_is_the_catalogue():
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = text.split(CONTRIBUTING_START, 1)[1].split(CONTRIBUTING_END, 1)[0]
    assert table.strip() == remedies_markdown(), (
        "CONTRIBUTING.md's rule table is stale: run `syria-incidents fix`"
    )
    assert sorted(_rule_ids(table)) == sorted(all_rules())
    # No other rule table outside the generated one names a rule.
    outside = text.replace(table, "")
    assert _rule_ids(outside) == []


def test_every_rule_declares_what_a_contributor_needs():
    for r in all_rules().values():
        assert r.description and r.where and r.remedy, (
            f"{r.id}: docstring needs description, where and To fix"
        )
        assert r.severity in ("error", "warning")
        if r.stage in ("model", "frames"):  # the others apply to every table (or column of a type)
            assert r.reads and all(r.reads.values()), f"{r.id} must declare the tables and columns it reads"


def test_semantic_rules_read_only_columns_the_descriptor_declares():
    from syria_incidents.package import read_descriptor, resource

    descriptor = read_descriptor(REPO_ROOT)
    for r in all_rules().values():
        for table, columns in r.reads.items():
            names = {f["name"] for f in resource(descriptor, table)["schema"]["fields"]}
            assert set(columns) <= names, (
                f"{r.id} reads {sorted(set(columns) - names)} of {table}, not in the descriptor"
            )


def test_the_registry_imports_no_rule_module():
    import syria_incidents.validators.registry as registry

    tree = ast.parse(Path(registry.__file__).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert not [m for m in imported if not m or m.startswith(("syria_incidents", "."))], imported
    assert all(node.level == 0 for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))
