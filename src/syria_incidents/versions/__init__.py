"""Versions of the data package: read one, compare two, classify the change.

>>> from syria_incidents.versions import load_version, diff_versions, check_version
>>> d = diff_versions(load_version("v0.1.0"), load_version("."))
>>> check_version(base="v0.1.0", path=".").ok

A side is a git ref, a package directory, a built wheel or an sdist. Values are
compared as the raw CSV text, cell by cell, keyed by each table's primary key as
that side's own descriptor declares it, so two versions whose schemas differ can
still be compared.
"""

from __future__ import annotations

from .changelog import changelog_section, describe_changes, write_changelog
from .check import VersionCheck, check_version
from .classify import Reason, bump_of_versions, classify
from .diff import PackageDiff, TableDiff, diff_versions
from .source import PackageVersion, VersionNotFound, load_version

__all__ = [
    "PackageDiff",
    "PackageVersion",
    "Reason",
    "TableDiff",
    "VersionCheck",
    "VersionNotFound",
    "bump_of_versions",
    "changelog_section",
    "check_version",
    "classify",
    "describe_changes",
    "diff_versions",
    "load_version",
    "write_changelog",
]
