"""Shared fixtures: the repository's package, and throw-away copies of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The test packages are tiny: polars' thread pool costs more than it saves there.
# Set before polars is first imported; subprocesses inherit it.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A writable copy of the package (descriptor and data) to corrupt in a test."""
    target = tmp_path / "package"
    target.mkdir()
    shutil.copy2(REPO_ROOT / "datapackage.json", target / "datapackage.json")
    shutil.copytree(REPO_ROOT / "data", target / "data")
    return target
