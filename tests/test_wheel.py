"""The wheel carries the data: built, installed into a fresh virtual
environment, and loaded from a directory outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
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
out["counts_are_integer"] = all(pd.api.types.is_integer_dtype(figures[c]) for c in ("count_low", "count_best", "count_high"))
out["reported_on_is_date"] = pd.api.types.is_datetime64_dtype(figures["reported_on"])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def wheel(repo_root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(repo_root)],
        check=True, capture_output=True,
    )
    (built,) = out.glob("syria_incidents-*.whl")
    return built


def test_wheel_carries_descriptor_and_every_csv(wheel, repo_root):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "syria_incidents/_package/datapackage.json" in names
        for csv in (repo_root / "data").glob("*.csv"):
            inner = f"syria_incidents/_package/data/{csv.name}"
            assert zf.read(inner) == csv.read_bytes(), csv.name
        # Never a top-level `validators` package: it would overwrite the PyPI one.
        assert not any(n.startswith("validators/") for n in names)


def test_wheel_installed_in_fresh_venv_loads_every_table_outside_the_checkout(wheel, repo_root, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
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
    info = subprocess.run([str(env_dir / "bin" / "syria-incidents"), "info"], cwd=elsewhere,
                          check=True, capture_output=True, text=True).stdout
    assert "casualties" in info and "_package" in info
