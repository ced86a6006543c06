"""Is the version in ``datapackage.json`` bumped enough for what changed since a base?"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..package import DESCRIPTOR_NAME, resolve_root
from ..progress import QUIET, Progress
from .classify import LEVELS, Reason, bump_of_versions, classify, level_max, next_version
from .diff import PackageDiff, diff_versions
from .git import repo_of, resolve_commit
from .history import ids_ever_seen
from .source import PackageVersion, VersionNotFound, from_directory


@dataclass
class VersionCheck:
    """The outcome of ``check_version``: ``ok`` is False when ``problems`` is not empty."""

    diff: PackageDiff
    needed: str  # none, patch, minor or major
    bumped: str  # the bump the version actually makes (or "lower")
    reasons: list[Reason]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def suggested(self) -> str | None:
        """The smallest version that would pass the bump check."""
        base = self.diff.old.version
        return next_version(base, self.needed) if base else None


def empty_version(label: str) -> PackageVersion:
    """The package before it existed: a base commit with no descriptor yet."""
    return PackageVersion(label, {"resources": []}, {})


def load_base(base: str, path: Path) -> PackageVersion:
    """The base side, resolved in the repository of ``path``; empty before the package's first commit."""
    from .source import load_version

    where = repo_of(path)
    if where is not None and resolve_commit(where[0], base) is not None:
        try:
            return load_version(base, repo=path)
        except VersionNotFound as exc:
            if "no datapackage.json" in str(exc):
                return empty_version(f"{base} (no package yet)")
            raise
    return load_version(base, repo=path)


def check_version(base: str, path: str | Path | None = None, progress: Progress = QUIET) -> VersionCheck:
    """Compare the package at ``path`` (default: the checkout) with ``base`` and check its version.

    Fails when the bump is smaller than the change needs, when the version went down,
    when a superseded figure was removed, or when a removed id came back. ``progress``
    is told the walk over the base's history (see ``syria_incidents.progress``).
    """
    path = resolve_root(path)
    old = load_base(base, path)
    new = from_directory(path, label="working tree" if repo_of(path) else str(path))
    diff = diff_versions(old, new)
    reasons = classify(diff)
    needed = level_max(r.level for r in reasons)
    try:
        bumped = bump_of_versions(old.version, new.version)
    except ValueError as exc:
        return VersionCheck(diff, needed, "none", reasons, [f"{DESCRIPTOR_NAME}: version: {exc}"])
    problems = bump_problems(old.version, new.version, needed, bumped, reasons)
    problems += removed_superseded(diff)
    if old.commit:
        problems += reused_ids(diff, path, old.commit, progress)
    return VersionCheck(diff, needed, bumped, reasons, problems)


def bump_problems(
    old: str | None, new: str | None, needed: str, bumped: str, reasons: list[Reason]
) -> list[str]:
    """A message when the version went down or moved less than ``needed``, naming the records why."""
    if bumped == "lower":
        return [f"{DESCRIPTOR_NAME}: version {new} is lower than the base version {old}"]
    if LEVELS.index(bumped) >= LEVELS.index(needed):
        return []
    forcing = [r.text() for r in reasons if r.level == needed]
    moved = f"is unchanged from {old}" if bumped == "none" else f"is only a {bumped} bump from {old}"
    return [
        f"{DESCRIPTOR_NAME}: version {new} {moved}, but the changes need a {needed} bump "
        f"(version {next_version(old, needed)} or higher), because of " + "; ".join(forcing)
    ]


def removed_superseded(diff: PackageDiff) -> list[str]:
    """A removed record that another record ``supersedes_*``: the revision chain would lose its start."""
    problems = []
    for t in diff.tables:
        if not t.removed or t.old is None:
            continue
        columns = [c for c in t.old.fields if c.startswith("supersedes_")]
        removed = set(t.removed)
        for side in (t.old, t.new):
            for key, row in side.rows.items() if side else []:
                for c in columns:
                    if row.get(c) in removed:
                        problems.append(
                            f"{t.name}: {row[c]} was removed, but {key} supersedes it ({c}); "
                            "keep the superseded row — revisions are new rows that point to the old one"
                        )
    return sorted(set(problems))


def reused_ids(diff: PackageDiff, path: Path, base_commit: str, progress: Progress = QUIET) -> list[str]:
    """Added records whose id existed earlier in the base's history and was removed.

    Ids are never reused.
    """
    where = repo_of(path)
    if where is None or not any(t.added for t in diff.tables):
        return []
    seen = ids_ever_seen(where[0], base_commit, where[1], progress)
    problems = []
    for t in diff.tables:
        reused = [k for k in t.added if k in seen.get(t.name, set())]
        if reused:
            problems.append(
                f"{t.name}: id reused: {', '.join(reused)} existed in an earlier version and was removed; "
                "ids are stable forever — give the new record a new id"
            )
    return problems
