"""Progress on long runs: shown on a terminal, quiet when piped and in CI.

The terminal is rich's ``Console(force_terminal=True)`` writing into a string (or, for
the commands, ``FORCE_COLOR``, which rich reads as "this is a terminal").
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from rich.console import Console
from test_versions import make_repo

from syria_incidents.cli import main
from syria_incidents.package import read_descriptor
from syria_incidents.progress import QUIET, RichProgress, shows_progress, terminal_progress
from syria_incidents.site import build_database
from syria_incidents.site.serve import prepare

# Environment variables through which rich or this package decide what a terminal is.
TERMINAL_ENV = ("CI", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    for name in TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_a_terminal_shows_progress_but_not_in_ci_nor_when_piped():
    terminal, _ = _terminal()
    assert shows_progress(terminal, environ={})
    assert not shows_progress(terminal, environ={"CI": "true"})
    assert shows_progress(terminal, environ={"CI": "false"})
    assert not shows_progress(Console(file=io.StringIO()), environ={})


def test_the_build_reports_each_step_and_each_table_on_a_terminal(tmp_path):
    repo = make_repo(tmp_path)  # one commit: the history walk has one step
    terminal, out = _terminal()
    with terminal_progress(terminal, environ={}) as progress:
        assert isinstance(progress, RichProgress)
        build_database(repo.root, tmp_path / "out.db", progress=progress)
    shown = out.getvalue()
    names = [r["name"] for r in read_descriptor(repo.root)["resources"]]
    for step in (
        "validate",
        "load tables",
        "indexes and search",
        "facet counts and views",
        "history",
        "analyze",
    ):
        assert step in shown, step
    assert f"{len(names)}/{len(names)}" in shown  # every table counted once
    assert "1/1" in shown  # the history's one commit


class Recorder:
    """A Progress that keeps every call, to see what a run reports, and how often."""

    def __init__(self):
        self.calls: list[tuple[str, ...]] = []

    @contextmanager
    def step(self, description, total=None):
        self.calls.append(("step", description, str(total)))
        recorder = self

        class Step:
            def advance(self, detail=None):
                recorder.calls.append(("advance", description, detail or ""))

            def describe(self, detail):
                recorder.calls.append(("describe", description, detail))

        yield Step()
        self.calls.append(("done", description))


def test_the_build_reports_per_table_and_per_commit_never_per_row(tmp_path):
    repo = make_repo(tmp_path)
    repo.set_version("0.1.1")
    repo.commit("second commit")
    recorder = Recorder()
    build_database(repo.root, tmp_path / "out.db", progress=recorder)
    names = [r["name"] for r in read_descriptor(repo.root)["resources"]]
    assert ("step", "load tables", str(len(names))) in recorder.calls
    assert [c[2] for c in recorder.calls if c[:2] == ("describe", "load tables")] == names
    assert len([c for c in recorder.calls if c[:2] == ("advance", "load tables")]) == len(names)
    assert ("step", "history", "2") in recorder.calls
    assert len([c for c in recorder.calls if c[:2] == ("advance", "history")]) == 2
    steps = [c[1] for c in recorder.calls if c[0] == "step"]
    assert steps == [
        "validate",
        "load tables",
        "indexes and search",
        "facet counts and views",
        "history",
        "analyze",
    ]


def test_progress_updates_do_not_grow_with_the_rows(tmp_path):
    repo = make_repo(tmp_path)
    counts = []
    for extra in (0, 500):
        rows = repo.rows("actors")
        key = next(iter(rows[0]))
        repo.write_rows("actors", rows + [{**rows[0], key: f"{rows[0][key]}-{i}"} for i in range(extra)])
        recorder = Recorder()
        # Unvalidated: the copied rows only need distinct keys to load.
        result = build_database(repo.root, tmp_path / f"out-{extra}.db", validate=False, progress=recorder)
        assert result.rows["actors"] == len(rows) + extra
        counts.append(len(recorder.calls))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "console, environ",
    [
        (Console(file=io.StringIO()), {}),  # piped
        (Console(file=io.StringIO(), force_terminal=True), {"CI": "true"}),  # a terminal, but in CI
    ],
)
def test_piped_or_in_ci_the_rebuild_inside_serve_says_nothing(tmp_path, console, environ):
    repo = make_repo(tmp_path)
    with terminal_progress(console, environ=environ) as progress:
        assert progress is QUIET
        prepared = prepare(repo.root, tmp_path / "out.db", validate=False, progress=progress)
    assert prepared.rebuilt
    assert console.file.getvalue() == ""


def test_the_rebuild_inside_serve_shows_progress_on_a_terminal(tmp_path):
    repo = make_repo(tmp_path)
    terminal, out = _terminal()
    with terminal_progress(terminal, environ={}) as progress:
        prepare(repo.root, tmp_path / "out.db", validate=False, progress=progress)
    assert "load tables" in out.getvalue() and "history" in out.getvalue()


def test_the_build_command_piped_prints_no_progress(tmp_path):
    repo = make_repo(tmp_path)
    result = CliRunner().invoke(main, ["build", str(repo.root), "--out", str(tmp_path / "out.db")])
    assert result.exit_code == 0, result.output
    assert "load tables" not in result.output and "\x1b[" not in result.output
    assert "built " in result.output


@pytest.mark.parametrize("ci, shown", [(None, True), ("true", False)])
def test_the_build_command_on_a_terminal_shows_progress_unless_in_ci(tmp_path, ci, shown):
    repo = make_repo(tmp_path)
    result = CliRunner().invoke(
        main,
        ["build", str(repo.root), "--out", str(tmp_path / "out.db")],
        env={"FORCE_COLOR": "1", "CI": ci},
    )
    assert result.exit_code == 0, result.output
    assert ("load tables" in result.stderr) is shown
    assert "built " in result.stdout


def test_check_version_walks_the_history_with_progress_on_a_terminal(tmp_path):
    repo = make_repo(tmp_path)
    rows = repo.rows("actors")
    repo.delete("actors", rows[-1]["actor_id"])
    repo.set_version("1.0.0")
    repo.commit("remove an actor")
    repo.write_rows("actors", rows)  # the removed id comes back: the walk over the history runs
    repo.set_version("1.1.0")
    result = CliRunner().invoke(
        main, ["check-version", "--base", "HEAD", str(repo.root)], env={"FORCE_COLOR": "1"}
    )
    assert "id reused" in result.output
    assert "history" in result.stderr and "2/2" in result.stderr
