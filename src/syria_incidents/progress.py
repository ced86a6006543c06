"""Progress on long runs: a live display on a terminal, nothing in CI or when piped.

A long operation (the database build, the rebuild inside ``serve``, the history walk)
takes a :class:`Progress` and reports its steps; it never decides whether or where they
are shown. :data:`QUIET` shows nothing and is every function's default;
:func:`terminal_progress` gives a rich display when its console is a terminal and
``CI`` is not set. Steps advance per table or per commit, never per row, so showing
progress costs nothing measurable.

    with terminal_progress() as progress:
        build_database(root, out, progress=progress)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Step(Protocol):
    def advance(self, detail: str | None = None) -> None:
        """One unit done; ``detail`` names the next (a table, a commit)."""

    def describe(self, detail: str) -> None:
        """What the step is doing now, without counting a unit."""


class Progress(Protocol):
    def step(self, description: str, total: int | None = None) -> AbstractContextManager[Step]:
        """A step of ``total`` units (None: not counted), finished when the block ends."""


class _QuietStep:
    def advance(self, detail: str | None = None) -> None:
        pass

    def describe(self, detail: str) -> None:
        pass


class _Quiet:
    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[Step]:
        yield _QuietStep()


QUIET: Progress = _Quiet()


class _RichStep:
    def __init__(self, display, task, description: str):
        self.display, self.task, self.description = display, task, description

    def advance(self, detail: str | None = None) -> None:
        self.display.update(self.task, advance=1, description=self._label(detail))

    def describe(self, detail: str) -> None:
        self.display.update(self.task, description=self._label(detail))

    def _label(self, detail: str | None) -> str:
        return f"{self.description}: {detail}" if detail else self.description


class RichProgress:
    """Steps shown as lines of a ``rich.progress.Progress`` display."""

    def __init__(self, display):
        self.display = display

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[Step]:
        task = self.display.add_task(description, total=total)
        try:
            yield _RichStep(self.display, task, description)
        finally:
            # A finished step shows as complete (and its count), whatever it counted.
            done = self.display.tasks[task].completed if total else 1
            self.display.update(task, description=description, total=done, completed=done)


def shows_progress(console, environ: Mapping[str, str] | None = None) -> bool:
    """True on an interactive terminal; False in CI (``CI`` set) or when output is piped."""
    environ = os.environ if environ is None else environ
    in_ci = environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return console.is_terminal and not in_ci


@contextmanager
def terminal_progress(console=None, environ: Mapping[str, str] | None = None) -> Iterator[Progress]:
    """A rich display on ``console`` (default: stderr) when :func:`shows_progress`, else QUIET."""
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import (
            Progress as Display,
        )
    except ImportError:  # rich comes with the validate extra; without it, no display
        yield QUIET
        return
    console = console or Console(stderr=True)
    if not shows_progress(console, environ):
        yield QUIET
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Four refreshes a second: a background thread that costs nothing next to a build.
    with Display(*columns, console=console, transient=True, refresh_per_second=4) as display:
        yield RichProgress(display)
