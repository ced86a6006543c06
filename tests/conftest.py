"""Shared fixtures: the repository's package, and throw-away copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
