"""Benchmark: `syria-incidents build` against `sqlite-utils insert`, then page latency in Datasette.

Writes a synthetic valid package (benchmarks/generate.py, seeded), then, in the same
run and each in a fresh child process:

1. `syria-incidents build` (validation, typed tables, keys, indexes, full-text search,
   views: the whole command), and the same build without validation;
2. `sqlite-utils insert DB TABLE FILE --csv` for every CSV of the same package
   (plain insert: no types, keys, indexes or search).

Then starts `syria-incidents serve` on the built database and times a bounded number
of requests to 127.0.0.1 for each kind of page: a table page with facets, a row
page, a full-text search and a canned query, reporting the median and p95.
Prints the figures and the targets, and writes them to benchmarks/out/build-<date>.json.

    python benchmarks/build.py --incidents 1000000
    python benchmarks/build.py --incidents 10000 --requests 20
    python benchmarks/build.py --incidents 1000000 --pages-only   # page latency alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from generate import generate_package  # noqa: E402

from syria_incidents.site.queries import QUERIES  # noqa: E402

FASTER_THAN_SQLITE_UTILS = 5.0  # the target, at 1,000,000 incidents
P95_MS = 300.0
DB = "syria_incidents"


def timed(command: list[str]) -> float:
    """Wall time of a child process, which must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_builds(package: Path, work: Path) -> dict[str, float]:
    ours = work / f"{DB}.db"
    no_validation = work / "no-validation.db"
    reference = work / "sqlite-utils.db"
    out = {
        "syria-incidents build": timed(
            [str(BIN / "syria-incidents"), "build", str(package), "--out", str(ours)]
        ),
        "build without validation": timed(
            [
                sys.executable,
                "-c",
                "import sys; from syria_incidents.site import build_database; "
                "build_database(sys.argv[1], sys.argv[2], validate=False)",
                str(package),
                str(no_validation),
            ]
        ),
    }
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    for res in descriptor["resources"]:
        subprocess.run(
            [
                str(BIN / "sqlite-utils"),
                "insert",
                str(reference),
                res["name"],
                str(package / res["path"]),
                "--csv",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out["sqlite-utils insert"] = time.perf_counter() - started
    no_validation.unlink()
    reference.unlink()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PageFailed(Exception):
    """A page answered with an error (Datasette answers 400 to a query past its time limit)."""


def _get(url: str) -> float:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise PageFailed(f"HTTP {error.code} after {time.perf_counter() - started:.1f} s") from None
    return (time.perf_counter() - started) * 1000


def time_pages(package: Path, work: Path, incidents: int, requests: int, seed: int) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "w")
    server = subprocess.Popen(
        [
            str(BIN / "syria-incidents"),
            "serve",
            str(package),
            "--out",
            str(work / f"{DB}.db"),
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start; see serve.log") from None
                time.sleep(0.5)
        rng = random.Random(seed)
        width = max(4, len(str(incidents)))

        def incident() -> str:
            return f"I-{rng.randint(1, incidents):0{width}d}"

        conn = sqlite3.connect(f"file:{work / f'{DB}.db'}?mode=ro", uri=True)
        last = {
            t: conn.execute(f"SELECT max(rowid) FROM {t}").fetchone()[0] for t in ("casualties", "sources")
        }

        def record(table: str, key: str) -> str:
            # Ids are not all of one width: read a random row's id from the database.
            rowid = rng.randint(1, last[table])
            return conn.execute(f"SELECT {key} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()[0]

        # Every kind of page a reader opens: the home page, table pages with facets, each
        # table's record page, a search, a view, and every canned query as it opens (its
        # worked example) and with a value.
        pages = {
            "home page": lambda: "/",
            "table page with facets (incidents)": lambda: f"/{DB}/incidents",
            "table page with facets (casualties)": lambda: f"/{DB}/casualties",
            "row page (incident)": lambda: f"/{DB}/incidents/{incident()}",
            "row page (figure)": lambda: f"/{DB}/casualties/{record('casualties', 'figure_id')}",
            "row page (source)": lambda: f"/{DB}/sources/{record('sources', 'source_id')}",
            "full-text search (incidents)": lambda: f"/{DB}/incidents?_search={incident()[2:].lstrip('0')}",
            "full-text search (casualties)": lambda: f"/{DB}/casualties?_search=killed",
            "view (claims_side_by_side)": lambda: f"/{DB}/claims_side_by_side",
            "canned query (claims_about_incident)": lambda: (
                f"/{DB}/claims_about_incident?incident_id={incident()}"
            ),
            **{f"canned query as it opens ({q.name})": (lambda q=q: f"/{DB}/{q.name}") for q in QUERIES},
        }
        results = {}
        for name, path in pages.items():
            try:
                _get(base + path())  # warm-up: first use of the page's code and indexes
                times = sorted(_get(base + path()) for _ in range(requests))
            except PageFailed as failed:
                results[name] = {"failed": str(failed), "example": path()}
                continue
            results[name] = {
                "median_ms": statistics.median(times),
                "p95_ms": times[max(0, int(round(0.95 * len(times))) - 1)],
                "requests": requests,
                "example": path(),
            }
        return results
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # serve and the Datasette it started
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the package and databases")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="skip the timed builds and sqlite-utils (serve builds the database once, untimed)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="syria-build-bench-"))
    package = work / "package"
    try:
        started = time.perf_counter()
        rows = generate_package(package, args.incidents, seed=args.seed)
        print(f"generated {rows} in {time.perf_counter() - started:.1f} s", flush=True)
        builds, ratio = {}, None
        if not args.pages_only:
            builds = time_builds(package, work)
            for name, seconds in builds.items():
                print(f"{name:<28} {seconds:8.1f} s", flush=True)
            ratio = builds["sqlite-utils insert"] / builds["syria-incidents build"]
            print(
                f"sqlite-utils / syria-incidents build: {ratio:.1f}x "
                f"(target >= {FASTER_THAN_SQLITE_UTILS:.0f}x: "
                f"{'met' if ratio >= FASTER_THAN_SQLITE_UTILS else 'NOT met'})",
                flush=True,
            )
        pages = time_pages(package, work, args.incidents, args.requests, args.seed)
        for name, figures in pages.items():
            if "failed" in figures:
                print(f"{name:<40} FAILED: {figures['failed']} ({figures['example']})", flush=True)
                continue
            verdict = "met" if figures["p95_ms"] < P95_MS else "NOT met"
            print(
                f"{name:<40} median {figures['median_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                f"  (p95 < {P95_MS:.0f} ms: {verdict})",
                flush=True,
            )
        db_mb = (work / f"{DB}.db").stat().st_size / 1e6
        OUT.mkdir(exist_ok=True)
        record = {
            "date": dt.date.today().isoformat(),
            "incidents": args.incidents,
            "rows": rows,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "build_seconds": builds,
            "ratio_sqlite_utils_over_build": ratio,
            "database_mb": db_mb,
            "pages": pages,
        }
        kind = "pages" if args.pages_only else "build"
        target = OUT / f"{kind}-{record['date']}-{args.incidents}.json"
        target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"database {db_mb:.0f} MB; results in {target}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    main()
