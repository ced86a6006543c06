"""Dependencies: ranges in pyproject.toml, exact versions in constraints.txt, and each declared
where it is imported.

The published extras (and the base dependencies) carry what the package imports at run
time and nothing else; ``bench`` carries what benchmarks/ adds, ``test`` what the tests
add. Read from the repository's pyproject.toml (not the installed metadata, which is
as old as the last ``pip install -e``); transitive requirements from what is installed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from syria_incidents.cli.extras import EXTRA_MODULES

SELF = "syria-incidents"
# Extras that users install; bench and test are for working on this repository.
PUBLISHED = ("validate", "datasette", "polars")
# Declared for users though never imported by name: what a library we call needs at run time.
USED_THROUGH = {"pyarrow": "polars.from_pandas, which syria_incidents.schemas calls on pandas frames"}


def _project(repo_root) -> dict:
    return tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _constraints(repo_root) -> dict[str, str]:
    pins = {}
    for line in (repo_root / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin (name==version)"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements(project: dict, extras: tuple[str, ...] = ()) -> list[Requirement]:
    """The base dependencies and those of ``extras``, with ``syria-incidents[...]`` expanded."""
    out, todo, seen = [Requirement(t) for t in project["dependencies"]], list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == SELF:
                todo += sorted(requirement.extras)
            else:
                out.append(requirement)
    return out


def _declared(project: dict, extras: tuple[str, ...] = ()) -> set[str]:
    return {canonicalize_name(r.name) for r in _requirements(project, extras)}


def _closure(requirements: list[Requirement]) -> set[str]:
    """The installed distributions these requirements need, transitively."""
    seen, todo = set(), [(r.name, frozenset(r.extras)) for r in requirements]
    while todo:
        name, wanted = todo.pop()
        key = (canonicalize_name(name), wanted)
        if key in seen:
            continue
        seen.add(key)
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in (wanted | {""})):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return {name for name, _ in seen}


def _imported_distributions(folder: Path) -> dict[str, set[str]]:
    """Distribution -> files under ``folder`` that import it (stdlib and local modules left out)."""
    owners = importlib.metadata.packages_distributions()
    out: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        if "fixtures" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "syria_incidents":
                    continue
                for dist in owners.get(top, []):  # none: a module of the folder itself
                    out.setdefault(canonicalize_name(dist), set()).add(path.name)
    return out


def _datasette_plugins() -> set[str]:
    """Distributions that Datasette loads through their entry point, never imported by name."""
    return {canonicalize_name(e.dist.name) for e in importlib.metadata.entry_points(group="datasette")}


def test_published_requirements_are_ranges_that_constraints_pin(repo_root):
    project = _project(repo_root)
    pins = _constraints(repo_root)
    assert canonicalize_name(SELF) not in pins
    for requirement in _requirements(project, tuple(project["optional-dependencies"])):
        operators = {spec.operator for spec in requirement.specifier}
        assert ">=" in operators and "<" in operators and not operators & {"==", "==="}, (
            f"{requirement}: a published requirement is a range (>=tested,<next major), never a pin"
        )
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement}: missing from constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement}"
        )
    # The build backend stays pinned exactly.
    assert tomllib.loads((repo_root / "pyproject.toml").read_text())["build-system"]["requires"] == [
        "hatchling==1.33.0"
    ]


def test_make_and_ci_install_with_the_constraints(repo_root):
    makefile = (repo_root / "Makefile").read_text(encoding="utf-8")
    assert "CONSTRAINTS := constraints.txt" in makefile
    for target, extra in (("install", "datasette"), ("install-test", "test")):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert f"pip install --quiet -c $(CONSTRAINTS) -e '.[{extra}]'" in recipe, target
    workflow = (repo_root / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    assert "pip install -c constraints.txt -e '.[test]'" in workflow


def test_constraints_pin_exactly_what_the_test_environment_installs(repo_root):
    pins = _constraints(repo_root)
    needed = _closure(_requirements(_project(repo_root), ("test",)))
    assert needed - set(pins) == set(), "missing from constraints.txt (run `make constraints`)"
    assert set(pins) - needed == set(), "pinned but needed by nothing (run `make constraints`)"
    drifted = {
        name: (importlib.metadata.version(name), pins[name])
        for name in needed
        if importlib.metadata.version(name) != pins[name]
    }
    assert drifted == {}, "installed (left) differs from constraints.txt (right): run `make install-test`"


def test_the_package_declares_what_it_imports_and_imports_what_it_declares(repo_root):
    project = _project(repo_root)
    runtime = _declared(project, PUBLISHED)
    imported = _imported_distributions(repo_root / "src" / "syria_incidents")
    assert {d: sorted(files) for d, files in imported.items() if d not in runtime} == {}, (
        "imported at run time but not declared in dependencies or a published extra"
    )
    unused = runtime - set(imported) - _datasette_plugins() - set(USED_THROUGH)
    assert unused == set(), "declared for users but never imported (move it to bench or test, or drop it)"


def test_benchmarks_and_tests_declare_what_they_import(repo_root):
    project = _project(repo_root)
    for folder, extra in (("benchmarks", "bench"), ("tests", "test")):
        declared = _declared(project, (extra,))
        imported = _imported_distributions(repo_root / folder)
        assert {d: sorted(f) for d, f in imported.items() if d not in declared} == {}, folder


def test_the_commands_check_for_the_modules_their_extra_declares(repo_root):
    project = _project(repo_root)
    owners = importlib.metadata.packages_distributions()
    for extra, modules in EXTRA_MODULES.items():
        own = {canonicalize_name(Requirement(t).name) for t in project["optional-dependencies"][extra]} - {
            canonicalize_name(SELF)
        }
        assert {canonicalize_name(owners[m][0]) for m in modules} == own, extra
