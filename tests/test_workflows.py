"""The GitHub workflows, the reusable action (action.yml) and the pre-commit hook.

Offline: the files are checked against the GitHub workflow and action schemas that
check-jsonschema vendors from SchemaStore, and the hook manifest with pre-commit's own
schema. The action's shell steps run here as GitHub runs them (bash, inputs as
environment variables) on broken copies of the 0.1.0 fixture.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from validate_helpers import FIXTURE_ROOT, REPO_ROOT, append, copy_package, edit

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = REPO_ROOT / "action.yml"
HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
DEPENDABOT = REPO_ROOT / ".github" / "dependabot.yml"

# The first major release of each action that runs on Node 24 (GitHub is removing Node 20),
# read from each action's action.yml at its tags.
NODE24_SINCE = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
}
_SEMVER_TAG = re.compile(r"v\d+\.\d+\.\d+")
_SHA = re.compile(r"[0-9a-f]{40}")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow[True]  # YAML 1.1 reads the key `on` as True


def steps_of(document: dict) -> list[dict]:
    """Every step of a workflow's jobs, or of a composite action."""
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def is_pinned(uses: str) -> bool:
    """A local action, or owner/repo@ an exact release tag (vX.Y.Z) or a full commit SHA."""
    if uses.startswith("./"):
        return True
    _, _, ref = uses.partition("@")
    return bool(_SEMVER_TAG.fullmatch(ref) or _SHA.fullmatch(ref))


def node24(uses: str) -> bool:
    name, _, ref = uses.partition("@")
    since = NODE24_SINCE.get(name)
    return since is None or (_SEMVER_TAG.fullmatch(ref) and int(ref[1:].split(".")[0]) >= since)


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
    )


def test_there_are_the_contribution_and_the_publishing_workflows():
    assert {p.name for p in WORKFLOWS} >= {"validate.yml", "publish.yml"}


@pytest.mark.parametrize(
    "schema, path",
    [
        *[("vendor.github-workflows", p) for p in WORKFLOWS],
        ("vendor.github-actions", ACTION),
        ("vendor.dependabot", DEPENDABOT),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_files_match_githubs_schemas(schema, path):
    checked = check_jsonschema(schema, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n", encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


def test_hook_manifest_is_valid_for_pre_commit(tmp_path):
    from pre_commit.clientlib import InvalidManifestError, load_manifest

    [hook] = load_manifest(str(HOOKS))
    assert hook["id"] == "syria-incidents-validate"
    broken = tmp_path / "hooks.yaml"
    broken.write_text("- id: x\n  name: x\n  entry: x\n  language: no-such-language\n", encoding="utf-8")
    with pytest.raises(InvalidManifestError):
        load_manifest(str(broken))


def test_is_pinned_and_node24_refuse_what_they_should():
    assert is_pinned("./") and is_pinned("actions/checkout@v7.0.1") and is_pinned(f"a/b@{'0' * 40}")
    for loose in (
        "actions/checkout@v7",
        "actions/checkout@main",
        "pypa/gh-action-pypi-publish@release/v1",
        "actions/checkout",
    ):
        assert not is_pinned(loose), loose
    assert node24("actions/checkout@v5.0.0") and not node24("actions/checkout@v4.2.2")
    assert not node24("actions/download-artifact@v6.0.0")


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_used_is_pinned_and_runs_on_node_24(path):
    uses = [step["uses"] for step in steps_of(load(path)) if "uses" in step]
    assert uses
    assert [u for u in uses if not is_pinned(u)] == [], "pin to a release tag vX.Y.Z or a commit SHA"
    assert [u for u in uses if not node24(u)] == [], "these releases run on Node 20, which GitHub removes"


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_shell_script(path):
    # Inputs and event data reach scripts as environment variables, never spliced into the
    # script's text, where a crafted value would run as code.
    scripts = [step["run"] for step in steps_of(load(path)) if "run" in step]
    assert [s for s in scripts if "${{" in s] == []


# The contribution workflow (validate.yml).


@pytest.fixture(scope="module")
def ci() -> dict:
    return load(REPO_ROOT / ".github" / "workflows" / "validate.yml")


def _step(steps: list[dict], name: str) -> dict:
    return next(s for s in steps if s.get("name") == name)


def test_ci_runs_once_per_change(ci):
    # Pushes only on main: a branch with a pull request runs for the pull request alone.
    assert triggers(ci)["push"] == {"branches": ["main"]} and "pull_request" in triggers(ci)
    assert "pull_request.number" in ci["concurrency"]["group"]


def test_ci_validates_with_the_action_then_still_checks_the_version_and_runs_the_tests(ci):
    steps = ci["jobs"]["validate"]["steps"]
    names = [s.get("name") for s in steps]
    validate = _step(steps, "Validate the data package")
    assert validate["uses"] == "./" and "if" not in validate
    after = steps[names.index("Validate the data package") + 1 :]
    assert [s["name"] for s in after] == [
        "Install",
        "Check the version bump against the target branch",
        "Style",
        "A Chromium for the browser tests",
        "Tests",
    ]
    # `if: success()` is the default: these must say they run after a failed validation.
    assert all("!cancelled()" in s["if"] for s in after)
    assert "pip install -c constraints.txt -e '.[test]'" in _step(steps, "Install")["run"]


def test_ci_caches_pips_downloads_keyed_on_the_pins(ci):
    steps = ci["jobs"]["validate"]["steps"]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert "hashFiles('constraints.txt', 'pyproject.toml')" in cache["with"]["key"]
    assert cache["with"]["path"] == "${{ steps.pip.outputs.dir }}"


# The publishing workflow (publish.yml).


@pytest.fixture(scope="module")
def publish() -> dict:
    return load(REPO_ROOT / ".github" / "workflows" / "publish.yml")


def test_publish_runs_on_version_tags_only(publish):
    assert triggers(publish) == {"push": {"tags": ["v*"]}}


def test_publish_builds_checks_and_tests_the_files_it_uploads(publish):
    steps = publish["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip" and "constraints.txt" in setup["with"]["cache-dependency-path"]
    assert any(r.strip() == "python -m build --outdir dist/" for r in runs)
    assert any(r.strip() == "python -m twine check --strict dist/*" for r in runs)
    test = next(s for s in steps if "tests/test_wheel.py" in s.get("run", ""))
    from test_wheel import DIST_VARIABLE

    assert test["env"] == {DIST_VARIABLE: "dist"}
    assert any(s.get("uses") == "./" for s in steps)  # validates with the action
    assert any("-c constraints.txt" in r for r in runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "dist/"


def test_publish_uses_trusted_publishing_in_an_environment(publish):
    job = publish["jobs"]["publish"]
    assert job["needs"] == "build"
    assert job["permissions"] == {"id-token": "write"}
    assert job["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"contents": "read"}  # only the publish job gets a token
    [upload] = [s for s in job["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "password" not in upload.get("with", {})
    download = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["path"] == "dist/"


# The action, run as GitHub runs it.


@pytest.fixture(scope="module")
def action() -> dict:
    return load(ACTION)


@pytest.fixture(scope="module")
def toolkit_on_path(tmp_path_factory) -> dict:
    """An environment whose `syria-incidents` is this checkout's (the action's ref), as after its install."""
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "syria-incidents"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m syria_incidents "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    python_path = [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")]
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join(filter(None, python_path)),
    }
    return env


def run_validate_step(action: dict, env: dict, tmp_path: Path, **inputs):
    """The action's validate step, with its inputs' defaults and GitHub's bash, in ``tmp_path``:
    the completed process and the step summary it wrote."""
    step = _step(action["runs"]["steps"], "Validate the data package")
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs
    step_env = {
        key: re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m.group(1)], value)
        for key, value in step["env"].items()
    }
    summary = tmp_path / "step_summary.md"
    summary.touch()
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp_path,
        env={**env, **step_env, "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
    )
    return result, summary.read_text(encoding="utf-8")


def test_action_installs_the_toolkit_of_its_own_ref_with_its_pins(action):
    install = _step(action["runs"]["steps"], "Install syria-incidents[validate] at this action's ref")
    # The variable, not ${{ github.action_path }}: only it is the container's path in a container job.
    expected = (
        'python -m pip install --quiet -c "$GITHUB_ACTION_PATH/constraints.txt" '
        '"$GITHUB_ACTION_PATH[validate]"'
    )
    assert install["run"].strip() == expected
    assert [s for s in action["runs"]["steps"] if "github.action_path" in str(s)] == []
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "validate" in pyproject["project"]["optional-dependencies"]


def test_action_annotates_and_summarises_every_finding(action, toolkit_on_path, tmp_path):
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0002", count_low="x|y")
    edit(root, "casualties", "F-0003", count_best="z")
    result, summary = run_validate_step(action, toolkit_on_path, tmp_path, path="pkg")
    assert result.returncode == 1, result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) >= 2
    table_rows = [line for line in summary.splitlines() if line.startswith("| data/")]
    assert len(table_rows) == len(annotations)
    assert any("x\\|y" in row for row in table_rows)


def test_action_strict_input(action, toolkit_on_path, tmp_path):
    root = copy_package(tmp_path)
    append(root, "sources", source_id="S-9001")  # a warning: a source nothing cites
    lenient, summary = run_validate_step(action, toolkit_on_path, tmp_path, path="pkg")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "source-uncited" in summary
    strict, _ = run_validate_step(action, toolkit_on_path, tmp_path, path="pkg", strict="true")
    assert strict.returncode == 1
    wrong, _ = run_validate_step(action, toolkit_on_path, tmp_path, path="pkg", strict="yes")
    assert wrong.returncode == 2
    assert "the input strict is 'yes'; it must be true or false" in wrong.stdout


def test_action_on_a_valid_package_passes(action, toolkit_on_path, tmp_path):
    result, summary = run_validate_step(action, toolkit_on_path, tmp_path, path=str(FIXTURE_ROOT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary.startswith("### ✅")


# The pre-commit hook.


@pytest.fixture(scope="module")
def hook() -> dict:
    [hook] = load(HOOKS)
    return hook


def test_hook_runs_on_the_package_files_only(hook):
    files = re.compile(hook["files"])
    assert files.search("datapackage.json") and files.search("data/casualties.csv")
    assert not files.search("README.md") and not files.search("docs/datapackage.json")
    assert hook["pass_filenames"] is False  # it validates the whole package, not the staged files


def test_hook_installs_the_validate_extra_at_the_pinned_versions(hook):
    assert hook["language"] == "python"
    assert ".[validate]" in hook["additional_dependencies"]
    constraint = next(d for d in hook["additional_dependencies"] if d.startswith("--constraint="))
    assert (REPO_ROOT / constraint.removeprefix("--constraint=")).is_file()


def test_hook_entry_validates_the_package_it_runs_in(hook, toolkit_on_path, tmp_path):
    root = copy_package(tmp_path)

    def run():
        return subprocess.run(
            hook["entry"].split(), cwd=root, env=toolkit_on_path, capture_output=True, text=True
        )

    assert run().returncode == 0
    edit(root, "casualties", "F-0002", count_low="x")
    failed = run()
    assert failed.returncode == 1 and "count_low is x" in failed.stdout
