"""Commands about versions: ``diff``, ``check-version``, ``changelog`` and ``release``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..versions import changelog_section, check_version, diff_versions, load_version, write_changelog
from ..versions.release import ReleaseError
from ..versions.release import release as run_release
from ..versions.render import RENDERERS
from ..versions.source import VersionNotFound
from .options import announce, open_package

base_option = click.option(
    "--base",
    required=True,
    metavar="REF",
    help="The version to compare with: a git ref (origin/main, v0.1.0), a directory or a wheel.",
)
date_option = click.option(
    "--date", metavar="YYYY-MM-DD", help="The release date in the changelog (default: today)."
)
package_dir_argument = click.argument(
    "path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)


def _fail(exc: Exception) -> None:
    # "Could not run" is exit 2, like a usage error; a failed check is exit 1.
    click.echo(f"Error: {exc}", err=True)
    raise SystemExit(2)


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option("--format", "format_", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
def diff(old: str, new: str | None, format_: str) -> None:
    """Records added, removed and changed between two versions, field by field.

    OLD and NEW are each a git ref, a package directory, a built wheel or an sdist;
    NEW defaults to the checkout. Records are matched by primary key; added, removed
    or renamed columns and vocabulary changes are reported too.

    Example: syria-incidents diff v0.1.0 . --format markdown
    """
    if not new:
        root = open_package(None)
        announce(root, err=True)
    try:
        old_version = load_version(old)
        new_version = load_version(new) if new else load_version(root)
    except (VersionNotFound, OSError) as exc:
        _fail(exc)
    click.echo(RENDERERS[format_](diff_versions(old_version, new_version)), nl=False)


def _annotation(message: str) -> str:
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file=datapackage.json,title=check-version::{escaped}"


@click.command("check-version")
@base_option
@package_dir_argument
@click.option(
    "--format", "format_", type=click.Choice(["text", "json", "github"]), default="text", show_default=True
)
def check_version_command(base: str, path: Path | None, format_: str) -> None:
    """Fail unless the version in datapackage.json is bumped enough for what changed since REF.

    major: a record or column removed or renamed, a type or vocabulary narrowed, a
    primary key changed; minor: records, columns or vocabulary values added; patch:
    values corrected. Also fails when a superseded figure is removed or a removed id
    is reused. Exit 0 passes, 1 fails, 2 could not run. PATH defaults to the checkout.

    Example: syria-incidents check-version --base origin/main
    """
    from ..progress import terminal_progress

    root = open_package(None if path is None else str(path))
    announce(root, err=format_ != "text")
    try:
        with terminal_progress() as progress:
            result = check_version(base, root, progress=progress)
    except (VersionNotFound, OSError) as exc:
        _fail(exc)
    old, new = result.diff.old.version, result.diff.new.version
    if format_ == "json":
        click.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "base_version": old,
                    "version": new,
                    "needed": result.needed,
                    "bumped": result.bumped,
                    "suggested": result.suggested,
                    "problems": result.problems,
                    "reasons": [
                        {"level": r.level, "table": r.table, "message": r.message, "ids": r.keys}
                        for r in result.reasons
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"base {old or '(none)'} ({result.diff.old.label}) → {new} ({result.diff.new.label})")
        click.echo(f"changes need: {result.needed}; the version makes: {result.bumped}")
        for r in result.reasons:
            click.echo(f"  {r.level:<5}  {r.text()}")
        for problem in result.problems:
            click.echo(_annotation(problem) if format_ == "github" else f"error: {problem}")
        click.echo("ok" if result.ok else "check-version failed")
    raise SystemExit(0 if result.ok else 1)


@click.command()
@base_option
@package_dir_argument
@click.option(
    "--version", "version", metavar="X.Y.Z", help="The section's version (default: datapackage.json's)."
)
@date_option
@click.option(
    "--output",
    "output",
    metavar="FILE",
    help="The changelog to update (default: CHANGELOG.md beside datapackage.json); '-' prints the section.",
)
def changelog(
    base: str, path: Path | None, version: str | None, date: str | None, output: str | None
) -> None:
    """Write the CHANGELOG.md section for this version from the diff against REF.

    Counts per table, then each change in words, e.g.
    "F-0007 count_best 125 → 131 (SNHR, revised)". A section for the same version is
    replaced, so the command can be re-run after more changes.

    Example: syria-incidents changelog --base v0.1.0
    """
    root = open_package(None if path is None else str(path), for_writing=output != "-")
    announce(root, err=output == "-")
    try:
        d = diff_versions(load_version(base, repo=root), load_version(root))
    except (VersionNotFound, OSError) as exc:
        _fail(exc)
    section = changelog_section(d, version, date or dt.date.today().isoformat())
    if output == "-":
        click.echo(section, nl=False)
        return
    target = Path(output) if output else root / "CHANGELOG.md"
    outcome = write_changelog(target, section)
    click.echo(f"{target}: {outcome} the section for {version or d.new.version}")


@click.command()
@click.option("--base", metavar="REF", help="The previous release (default: the latest v* tag).")
@date_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Where to build (default: dist/)."
)
@click.option("--tag", is_flag=True, help="Create the annotated git tag vX.Y.Z afterwards.")
@package_dir_argument
def release(base: str | None, date: str | None, out: Path | None, tag: bool, path: Path | None) -> None:
    """Stamp, validate, check the version, write the changelog, and build the release into dist/.

    Builds the sdist, the wheel (checked to carry the repository's data byte for
    byte) and the SQLite database for Datasette. No git tag unless --tag.

    Example: syria-incidents release --base v0.1.0
    """
    from ..site import build_release_database

    root = open_package(None if path is None else str(path), for_writing=True)
    announce(root)
    try:
        result = run_release(
            root,
            base=base,
            date=date,
            out=out,
            tag=tag,
            echo=click.echo,
            build_database=build_release_database,
        )
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"released {result.version}: " + ", ".join(str(p) for p in result.artefacts))


COMMANDS = [diff, check_version_command, changelog, release]
