"""Layers you can see: one module runs git, and nothing under versions/ imports the site.

Read from the source itself (every import, including those inside functions), so a
new shortcut across a layer fails here rather than in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import syria_incidents

PACKAGE = Path(syria_incidents.__file__).resolve().parent
GIT_MODULE = PACKAGE / "versions" / "git.py"


def _modules(under: Path = PACKAGE) -> list[Path]:
    return sorted(under.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """The absolute names of every module ``path`` imports, anywhere in it."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # for __init__.py too: its own package
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _runs_git(path: Path) -> list[int]:
    """Lines where a command list starts with "git" (what subprocess would run)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.List)
        and node.elts
        and isinstance(node.elts[0], ast.Constant)
        and node.elts[0].value == "git"
    ]


def test_only_the_git_module_runs_git():
    assert _runs_git(GIT_MODULE), "versions/git.py should be where git runs"
    elsewhere = {
        str(p.relative_to(PACKAGE)): lines
        for p in _modules()
        if p != GIT_MODULE
        for lines in [_runs_git(p)]
        if lines
    }
    assert elsewhere == {}, "run git through syria_incidents.versions.git"


def test_the_import_reader_sees_relative_imports():
    # The check below is only as good as this reader: the site's build imports the history.
    assert "syria_incidents.versions.history" in _imported(PACKAGE / "site" / "build.py")
    assert "syria_incidents.package" in _imported(PACKAGE / "versions" / "source.py")


def test_nothing_under_versions_imports_the_site():
    crossing = {
        str(p.relative_to(PACKAGE)): sorted(n for n in _imported(p) if n.startswith("syria_incidents.site"))
        for p in _modules(PACKAGE / "versions")
    }
    assert {k: v for k, v in crossing.items() if v} == {}


def test_the_history_lives_under_versions():
    assert not (PACKAGE / "history.py").exists()
    assert (PACKAGE / "versions" / "history.py").is_file()
