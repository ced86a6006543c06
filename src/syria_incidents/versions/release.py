"""Make a release: stamp, validate, check the version, write the changelog, build into ``dist/``
(sdist, wheel, database and the Parquet, GeoJSON and HXL exports).

``syria-incidents release`` (and ``make release``) runs these steps in order and stops
at the first that fails; it never creates a git tag unless asked.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..exports import export
from ..package import DESCRIPTOR_NAME, read_descriptor, resolve_root
from ..stamp import stamp
from .changelog import changelog_section, write_changelog
from .check import check_version, empty_version
from .diff import diff_versions
from .git import GitError, create_tag, latest_tag, repo_of
from .source import WHEEL_PACKAGE_DIR, from_directory

SECTION_DATE = re.compile(r"^## (\S+)(?: \((\d{4}-\d{2}-\d{2})\))?", re.MULTILINE)


class ReleaseError(RuntimeError):
    """A release step failed; the message says which and why."""


@dataclass
class Release:
    version: str
    base: str | None
    artefacts: list[Path] = field(default_factory=list)


def last_tag(root: Path) -> str | None:
    """The most recent ``v*`` tag reachable from HEAD, or None before the first release."""
    where = repo_of(root)
    if where is None:
        return None
    return latest_tag(where[0], "v*")


def refuse_invalid(root: Path) -> None:
    """Stop unless the package passes ``syria-incidents validate``."""
    try:
        from ..validators import validate
    except ImportError as exc:
        raise ReleaseError(
            f"cannot validate before release ({exc}); install the toolkit: pip install -e '.[test]'"
        ) from exc
    report = validate(root)
    if not report.valid:
        first = [
            f"{f.path}:{f.row}:{f.field}: {f.rule}: {f.message}"
            for f in report.errors
            if f.severity == "error"
        ]
        raise ReleaseError(
            "the package is not valid; run `syria-incidents validate`:\n  " + "\n  ".join(first[:10])
        )


def wheel_differences(wheel: Path, root: Path) -> list[str]:
    """Files whose bytes in the wheel differ from the checkout (descriptor and every resource)."""
    descriptor = read_descriptor(root)
    paths = [DESCRIPTOR_NAME] + [r["path"] for r in descriptor["resources"]]
    problems = []
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for rel in paths:
            inner = WHEEL_PACKAGE_DIR + rel
            if inner not in names:
                problems.append(f"{rel}: missing from {wheel.name}")
            elif zf.read(inner) != (root / rel).read_bytes():
                problems.append(f"{rel}: differs in {wheel.name}")
    return problems


def build_distributions(root: Path, out: Path, isolated: bool = True) -> list[Path]:
    """The sdist, and the wheel built from it, via ``python -m build``."""
    cmd = [sys.executable, "-m", "build", "--outdir", str(out), str(root)]
    if not isolated:
        cmd.insert(3, "--no-isolation")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ReleaseError("python -m build failed:\n" + (proc.stderr or proc.stdout)[-2000:])
    version = read_descriptor(root)["version"]
    return sorted(
        p for p in out.iterdir() if p.is_file() and f"-{version}" in p.name and p.suffix in (".whl", ".gz")
    )


def release(
    path: str | Path | None = None,
    base: str | None = None,
    date: str | None = None,
    out: str | Path | None = None,
    tag: bool = False,
    isolated: bool = True,
    echo=print,
    build_database: Callable[[Path, Path], Path] | None = None,
) -> Release:
    """Run every release step; raises ReleaseError naming the step that failed.

    ``build_database(root, out)`` builds the release's database into the folder ``out`` and
    returns its path; the command passes the site's builder
    (``syria_incidents.site.build_release_database``). This layer knows nothing of the
    site, so without one the release has no database.
    """
    root = resolve_root(path, for_writing=True)
    out = Path(out) if out is not None else root / "dist"
    changed = stamp(root)
    echo(
        f"stamp: {len(changed)} resource(s) re-stamped" if changed else "stamp: bytes and hashes are current"
    )
    refuse_invalid(root)
    echo("validate: the package is valid")
    base = base or last_tag(root)
    version = read_descriptor(root)["version"]
    if base is not None:
        result = check_version(base, root)
        if not result.ok:
            raise ReleaseError("check-version failed:\n  " + "\n  ".join(result.problems))
        diff = result.diff
        echo(
            f"check-version: {diff.old.version} → {version}, a {result.bumped} bump for "
            f"{result.needed} changes"
        )
    else:
        diff = diff_versions(empty_version("no earlier release"), from_directory(root))
        echo(f"check-version: no earlier release tag; {version} is the first release")
    changelog = root / "CHANGELOG.md"
    existing = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
    dated = {m.group(1): m.group(2) for m in SECTION_DATE.finditer(existing)}
    # Re-running a release keeps the date it was first written with, so a clean clone stays clean.
    date = date or dated.get(version) or dt.date.today().isoformat()
    if version in dated and base is not None:
        echo(f"changelog: CHANGELOG.md already has a section for {version}; kept as written")
    elif diff.old.version == version:
        raise ReleaseError(
            f"CHANGELOG.md has no section for {version}, which is also the base's version; "
            "bump the version or write the section with `syria-incidents changelog`"
        )
    else:
        write_changelog(changelog, changelog_section(diff, version, date))
        echo(f"changelog: wrote the section for {version} in CHANGELOG.md")
    out.mkdir(parents=True, exist_ok=True)
    result = Release(version, base)
    result.artefacts = build_distributions(root, out, isolated)
    wheels = [p for p in result.artefacts if p.suffix == ".whl"]
    if not wheels:
        raise ReleaseError(f"no wheel for {version} in {out}")
    problems = wheel_differences(wheels[0], root)
    if problems:
        raise ReleaseError("the wheel's data differs from the repository's:\n  " + "\n  ".join(problems))
    echo(f"build: {', '.join(p.name for p in result.artefacts)}; the wheel's data equals the repository's")
    if build_database is not None:
        db = build_database(root, out)
        result.artefacts.append(db)
        echo(f"database: {db}")
    exported = export(root, out=out, check=False)  # validated above
    for name, files in exported.files.items():
        result.artefacts += files
        echo(f"export: {name} → {exported.out / name}")
    if tag:
        where = repo_of(root)
        if where is None:
            raise ReleaseError("--tag needs a git checkout")
        try:
            create_tag(where[0], f"v{version}", f"syria-incidents {version}")
        except GitError as exc:
            raise ReleaseError(f"git could not create the tag v{version}: {exc}") from exc
        echo(f"tag: v{version}")
    return result
