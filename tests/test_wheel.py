"""The wheel carries the data: built, installed without extras into a fresh virtual
environment (pandas and click only, at the versions of constraints.txt), and loaded from
a directory outside the checkout; the toolkit's commands there name the extra they need.
Also: `python -m syria_incidents` is the command. The sdist carries the data too, and both
pass `twine check --strict`: the publishing workflow runs this file on what it uploads.
(The requirements and their pins: test_dependencies.py.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LOAD_SCRIPT = """
import json, pandas as pd, syria_incidents as si
out = {"version": si.__version__, "file": si.__file__, "tables": {}}
for name in si.tables():
    frame = si.load(name)
    out["tables"][name] = {"rows": len(frame), "dtypes": {c: str(t) for c, t in frame.dtypes.items()}}
figures = si.load("casualties")
counts = ("count_low", "count_best", "count_high")
out["counts_are_integer"] = all(pd.api.types.is_integer_dtype(figures[c]) for c in counts)
out["reported_on_is_date"] = pd.api.types.is_datetime64_dtype(figures["reported_on"])
print(json.dumps(out))
"""


# The publishing workflow builds once and runs these tests on the very files it uploads:
# SYRIA_INCIDENTS_DIST names that directory. Without it, the tests build their own.
DIST_VARIABLE = "SYRIA_INCIDENTS_DIST"


@pytest.fixture(scope="module")
def dist(repo_root, tmp_path_factory) -> Path:
    """A directory with the sdist and the wheel (built from the sdist, as `python -m build` does)."""
    if os.environ.get(DIST_VARIABLE):
        return Path(os.environ[DIST_VARIABLE]).resolve()
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(repo_root)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def _version(repo_root) -> str:
    return json.loads((repo_root / "datapackage.json").read_text(encoding="utf-8"))["version"]


@pytest.fixture(scope="module")
def wheel(dist, repo_root) -> Path:
    (built,) = dist.glob("syria_incidents-*.whl")
    return built


@pytest.fixture(scope="module")
def sdist(dist) -> Path:
    (built,) = dist.glob("syria_incidents-*.tar.gz")
    return built


def test_dist_holds_one_sdist_and_one_wheel_of_this_version(dist, repo_root):
    version = _version(repo_root)
    assert sorted(p.name for p in dist.iterdir()) == [
        f"syria_incidents-{version}-py3-none-any.whl",
        f"syria_incidents-{version}.tar.gz",
    ]


def test_wheel_carries_descriptor_and_every_csv(wheel, repo_root):
    from syria_incidents.versions.release import wheel_differences

    assert wheel_differences(wheel, repo_root) == []
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "syria_incidents/_package/datapackage.json" in names
        for csv in (repo_root / "data").glob("*.csv"):
            inner = f"syria_incidents/_package/data/{csv.name}"
            assert zf.read(inner) == csv.read_bytes(), csv.name
        # Never a top-level `validators` package: it would overwrite the PyPI one.
        assert not any(n.startswith("validators/") for n in names)


def test_sdist_carries_the_repository_data_byte_for_byte(sdist, repo_root):
    with tarfile.open(sdist) as tf:
        top = sdist.name.removesuffix(".tar.gz")
        for path in [repo_root / "datapackage.json", *sorted((repo_root / "data").glob("*.csv"))]:
            inner = f"{top}/{path.relative_to(repo_root).as_posix()}"
            assert tf.extractfile(inner).read() == path.read_bytes(), inner


def test_twine_check_passes_on_both_distributions(wheel, sdist):
    # What PyPI checks on upload (metadata, README rendering); --strict turns warnings into failures.
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2, checked.stdout


@pytest.fixture(scope="module")
def bare_env(wheel, repo_root, tmp_path_factory) -> Path:
    """A fresh venv (no system site packages) with the wheel and no extras: pandas, click
    and their dependencies, at the versions constraints.txt pins."""
    env_dir = tmp_path_factory.mktemp("bare") / "venv"
    venv.create(env_dir, with_pip=True)
    install = subprocess.run(
        [
            str(env_dir / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(repo_root / "constraints.txt"),
            str(wheel),
        ],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    return env_dir


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")


def test_wheel_installed_in_fresh_venv_loads_every_table_outside_the_checkout(
    bare_env, repo_root, elsewhere
):
    env_dir = bare_env
    python = env_dir / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", LOAD_SCRIPT], cwd=elsewhere, check=True, capture_output=True, text=True
    )
    out = json.loads(result.stdout)
    assert repo_root not in Path(out["file"]).parents
    assert out["version"] == json.loads((repo_root / "datapackage.json").read_text())["version"]
    assert list(out["tables"]) == ["sources", "actors", "places", "incidents", "casualties", "statements"]
    assert all(t["rows"] > 0 for t in out["tables"].values())
    assert out["counts_are_integer"] and out["reported_on_is_date"]
    assert out["tables"]["casualties"]["dtypes"]["count_best"] == "Int64"
    # The command-line entry point works from the installed wheel too.
    info = subprocess.run(
        [str(env_dir / "bin" / "syria-incidents"), "info"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "casualties" in info and "_package" in info


def test_python_m_syria_incidents_is_the_command(repo_root, tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "syria_incidents", *args], cwd=tmp_path, capture_output=True, text=True
        )

    helped = run("--help")
    assert helped.returncode == 0, helped.stderr
    assert "Usage: python -m syria_incidents" in helped.stdout
    for command in ("info", "validate", "build", "serve"):
        assert re.search(rf"^\s+{command}\s", helped.stdout, re.M), command
    info = run("info")
    assert info.returncode == 0, info.stderr
    version = json.loads((repo_root / "datapackage.json").read_text())["version"]
    assert f"version:  {version}" in info.stdout and "casualties" in info.stdout


# Without extras the loader works and the toolkit names the extra to install.
NEEDS_EXTRA = {"validate": "validate", "rules": "validate", "build": "datasette", "serve": "datasette"}


def test_wheel_without_extras_loads_and_commands_name_the_extra_they_need(bare_env, elsewhere):
    python, command = bare_env / "bin" / "python", bare_env / "bin" / "syria-incidents"
    # Nothing of the extras is there (the venv does not see the system's packages).
    absent = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])",
            "polars",
            "pandera",
            "rich",
            "shapely",
            "datasette",
            "yaml",
            "frictionless",
            "sqlite_utils",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert absent == "[]"
    loaded = subprocess.run(
        [
            str(python),
            "-c",
            "import syria_incidents as si; f = si.load('casualties'); print(len(f), f.count_best.dtype)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stderr
    rows, dtype = loaded.stdout.split()
    assert int(rows) > 0 and dtype == "Int64"
    as_module = subprocess.run(
        [str(python), "-m", "syria_incidents", "info"], cwd=elsewhere, capture_output=True, text=True
    )
    assert as_module.returncode == 0, as_module.stderr
    assert "casualties" in as_module.stdout
    for name, extra in NEEDS_EXTRA.items():
        # serve must not get as far as starting a server: the timeout stops a hang.
        result = subprocess.run(
            [str(command), name],
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 2, (name, output)
        assert f'pip install "syria-incidents[{extra}]"' in result.stderr, (name, output)
        assert "Traceback" not in output, (name, output)
