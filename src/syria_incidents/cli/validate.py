"""Commands of the validation toolkit: ``validate`` and ``rules``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import package_path_argument


def _github(finding, column: int | None) -> str:
    # Workflow commands escape %, CR and LF in the message, and also , and : in properties.
    def prop(value) -> str:
        return (
            str(value)
            .replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
            .replace(":", "%3A")
            .replace(",", "%2C")
        )

    message = finding.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    props = [f"file={prop(finding.path or 'datapackage.json')}"]
    if finding.row is not None:
        props.append(f"line={finding.row}")
    if column is not None:
        props.append(f"col={column}")  # a character position, as GitHub expects
    props.append(f"title={prop(finding.rule)}")
    where = f"{finding.field}: " if finding.field else ""
    return f"::{finding.severity} {','.join(props)}::{where}{message}"


def _github_lines(report, path):
    from ..package import resolve_root
    from ..validators.positions import character_columns

    try:
        columns = character_columns(resolve_root(path), report.errors)
    except Exception:  # no package to read lines from: annotate without columns
        columns = {}
    for finding in report.errors:
        yield _github(finding, columns.get((finding.path, finding.row, finding.field)))


def _package_of(path) -> dict:
    from ..package import read_descriptor

    try:
        return {"path": str(path), "version": read_descriptor(path).get("version")}
    except Exception:  # a broken descriptor is reported as a finding
        return {"path": None if path is None else str(path), "version": None}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _summary(report) -> str:
    s = report.stats
    return (
        f"{'valid' if report.valid else 'INVALID'}: {_count(s['tables'], 'table')}, "
        f"{_count(s['rows'], 'row')}, "
        f"{_count(s['errors'], 'error')}, {_count(s['warnings'], 'warning')} in {s['seconds']:.2f} s"
    )


def _append_summary(target: Path, text: str) -> None:
    """Append Markdown to ``target`` in one write (GitHub's step summary is append-only)."""
    try:
        with open(target, "a", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(f"syria-incidents validate: could not write the summary: {exc}", err=True)
        sys.exit(2)


def _run(path):
    from ..progress import terminal_progress
    from ..validators import validate as run_validate

    # Each step on a terminal; nothing in CI or when stderr is piped (see progress.py).
    with terminal_progress() as progress, progress.step("validate") as step:
        return run_validate(path, on_step=step.describe)


@click.command()
@package_path_argument
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for workflow annotations",
)
@click.option("--strict", is_flag=True, help="fail (exit 1) on warnings too")
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="also append the report as Markdown to FILE (every finding; for $GITHUB_STEP_SUMMARY)",
)
def validate(path: str | None, format_: str, strict: bool, summary_file: Path | None) -> None:
    """Check every consistency rule of the package and report every problem.

    PATH is a package directory or its datapackage.json (default: the package in the
    current directory or its nearest parent, as git finds its repository; only where
    there is none, the installed copy). Each problem names the file, line and column,
    the rule and the fix.
    Exit status: 0 valid, 1 invalid (warnings only fail with --strict), 2 could not run.
    --summary appends a Markdown table of every finding to FILE, as GitHub's step
    summary expects (annotations show only the first 10 of a step).

    Example: syria-incidents validate . --format github --summary "$GITHUB_STEP_SUMMARY"
    """
    from ..package import PackageNotFound, describe, resolve_root

    package_line = None
    try:
        path = str(resolve_root(path))
    except (PackageNotFound, OSError):
        pass  # the validator reports the missing descriptor itself (exit 2)
    else:
        package_line = f"package: {describe(Path(path))}"
        # Programs read stdout in json and github formats: the package line goes to stderr there.
        click.echo(package_line, err=format_ != "text")
    try:
        report = _run(path)
    except Exception as exc:  # never a traceback: the package could not be checked at all
        problem = f"could not run: {type(exc).__name__}: {exc}"
        click.echo(f"syria-incidents validate: {problem}", err=True)
        if summary_file is not None:
            from ..validators.summary import could_not_run_markdown

            _append_summary(summary_file, could_not_run_markdown(problem))
        sys.exit(2)
    if format_ == "json":
        click.echo(
            json.dumps({**report.as_dict(), "package": _package_of(path)}, ensure_ascii=False, indent=2)
        )
    elif format_ == "github":
        for line in _github_lines(report, path):
            click.echo(line)
    else:
        for finding in report.errors:
            click.echo(str(finding))
    click.echo(_summary(report), err=format_ != "text")
    if summary_file is not None:
        from ..validators.summary import summary_markdown

        headline = _summary(report) if package_line is None else f"{package_line}; {_summary(report)}"
        _append_summary(summary_file, summary_markdown(report, headline))
    if any(f.rule == "descriptor" for f in report.errors):
        sys.exit(2)
    failed = not report.valid or (strict and report.errors)
    sys.exit(1 if failed else 0)


@click.command()
@click.option(
    "--format", "format_", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
def rules(format_: str) -> None:
    """List every validation rule: its id, severity and description.

    The rule catalogue in docs/rules.md is this command's markdown output.

    Example: syria-incidents rules --format markdown > docs/rules.md
    """
    from ..validators.catalogue import all_rules, catalogue_markdown, catalogue_text

    if format_ == "markdown":
        click.echo(catalogue_markdown(), nl=False)
    elif format_ == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "severity": r.severity,
                        "description": r.description,
                        "reported_at": r.where,
                        "kind": r.kind,
                    }
                    for r in all_rules().values()
                ],
                indent=2,
            )
        )
    else:
        click.echo(catalogue_text(), nl=False)


COMMANDS = [validate, rules]
