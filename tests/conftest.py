"""Shared fixtures: the repository's package, the frozen 0.1.0 fixture, and throw-away copies.

Two packages, two purposes:

* ``repo_root`` is the checkout, whose bundled data grows with every contribution.
  Tests of it derive every expectation from the data at run time (no version, row
  count or id literal), so that they hold for any release.
* ``fixture_root`` is ``tests/fixtures/package-0.1.0``, release 0.1.0 frozen. Tests
  that name ids, values, versions or CSV lines use it (``package_copy`` for a writable
  copy), never the bundled data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The test packages are tiny: polars' thread pool costs more than it saves there.
# Set before polars is first imported; subprocesses inherit it.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

from validate_helpers import FIXTURE_ROOT, REPO_ROOT, copy_fixture  # noqa: E402


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout: the bundled data (any release), README.md, metadata.yaml, docs/."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixture_root() -> Path:
    """Release 0.1.0, frozen: read only (use ``package_copy`` to change it)."""
    return FIXTURE_ROOT


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A writable copy of the 0.1.0 fixture (descriptor and data) to corrupt in a test."""
    return copy_fixture(tmp_path / "package")
