"""Serve the database with Datasette: rebuilt when stale, immutable, on localhost.

``serve`` checks the database against the package (see ``fingerprint.py``),
rebuilds it if the data changed, writes the metadata and Datasette's inspect file
beside it, then runs ``python -m datasette serve`` with deliberate settings. The
database is opened immutable (``-i``): Datasette cannot write to it, and no plugin
or canned query writes.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..package import read_descriptor, resolve_root
from ..progress import QUIET, Progress
from .build import build_database, default_database_path
from .fingerprint import is_current
from .metadata import metadata_yaml
from .views import VIEWS

# Datasette settings, chosen for a public read-only instance on modest hardware.
SETTINGS: dict[str, str] = {
    "sql_time_limit_ms": "3000",  # a reader's custom SQL may run 3 s, then stops
    "max_returned_rows": "5000",  # rows per query page (CSV/JSON streaming gets all)
    "default_page_size": "50",
    "facet_time_limit_ms": "500",  # a slow facet is dropped, the page still renders
    "default_facet_size": "6",  # short facet lists keep a table's rows on the first screen
    "suggest_facets": "off",  # suggesting facets scans every column: too slow at 1M rows
    "allow_download": "on",  # the whole .db file, for offline use
    "allow_csv_stream": "on",  # full CSV export of any table or query
    "allow_facet": "on",
    "default_cache_ttl": "3600",  # the data is immutable: let browsers cache pages
    "num_sql_threads": "3",
    "truncate_cells_html": "0",
}


def plugins_dir() -> Path:
    """This package's own Datasette plugins (see ``plugins/``), loaded with ``--plugins-dir``."""
    return Path(__file__).resolve().parent / "plugins"


def templates_dir() -> Path:
    """This instance's page templates (see ``templates/``), loaded with ``--template-dir``."""
    return Path(__file__).resolve().parent / "templates"


def typed_settings() -> dict:
    """SETTINGS as Python values (``"off"`` -> False, ``"3000"`` -> 3000), for ``Datasette(settings=)``."""
    from datasette.app import SETTINGS as KNOWN

    defaults = {s.name: s.default for s in KNOWN}
    out = {}
    for name, value in SETTINGS.items():
        default = defaults[name]  # a KeyError here means a setting this Datasette lacks
        if isinstance(default, bool):
            out[name] = value in ("on", "true", "1")
        elif isinstance(default, int):
            out[name] = int(value)
        else:
            out[name] = value
    return out


@dataclass
class Prepared:
    database: Path
    metadata: Path
    inspect: Path
    rebuilt: bool


def prepare(
    path: str | Path | None = None,
    db: str | Path | None = None,
    *,
    validate: bool = True,
    progress: Progress = QUIET,
) -> Prepared:
    """Rebuild the database if it is missing or stale; write metadata and inspect files beside it.

    ``progress`` is told the rebuild's steps (see ``syria_incidents.progress``).
    """
    root = resolve_root(path)
    database = Path(db) if db else default_database_path(root)
    rebuilt = False
    if not is_current(database, root):
        build_database(root, database, validate=validate, progress=progress)
        rebuilt = True
    metadata = database.with_suffix(".metadata.yaml")
    _write_if_changed(metadata, metadata_yaml(read_descriptor(root), database.stem))
    inspect = database.with_suffix(".inspect.json")
    if rebuilt or not inspect.is_file() or inspect.stat().st_mtime < database.stat().st_mtime:
        write_inspect_file(database, inspect)
    return Prepared(database, metadata, inspect, rebuilt)


def write_inspect_file(database: Path, inspect: Path) -> None:
    """Row counts and hash of the database (``datasette inspect``), so pages need not count."""
    tmp = inspect.with_suffix(".tmp")
    subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(database), "--inspect-file", str(tmp)], check=True
    )
    data = json.loads(tmp.read_text(encoding="utf-8"))
    if database.stem not in data:
        raise RuntimeError(f"datasette inspect wrote no entry for {database.stem}: {list(data)}")
    # Datasette counts an unfiltered view on every view of its page (3 s for claims_side_by_side
    # at a million incidents); it reads an unfiltered table's count from here, and looks a view
    # up the same way. The database is immutable: count each view once.
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        for view in VIEWS:
            count = conn.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0]
            data[database.stem]["tables"][view.name] = {"count": count}
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(inspect)


def datasette_command(prepared: Prepared, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line for a prepared database."""
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(prepared.database),
        "--inspect-file",
        str(prepared.inspect),
        "--metadata",
        str(prepared.metadata),
        "--plugins-dir",
        str(plugins_dir()),
        "--template-dir",
        str(templates_dir()),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def run(command: list[str]) -> int:
    """Run Datasette until it exits, or until Ctrl-C or SIGTERM; returns its exit code."""
    process = subprocess.Popen(command)
    # Handle both signals ourselves: a shell starting us in the background ignores
    # SIGINT, and process managers stop services with SIGTERM.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return process.wait()
    except KeyboardInterrupt:
        # From a terminal, Datasette got the SIGINT too; otherwise only we did.
        try:
            return process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            return process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _write_if_changed(target: Path, text: str) -> None:
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8", newline="\n")
