"""The served instance in a real browser: a headless Chromium (Debian's, or any found by
tests/browser.py: $SYRIA_INCIDENTS_CHROMIUM, chromium, chromium-browser, google-chrome,
google-chrome-stable, /usr/bin/chromium), driven by Playwright. Without one these tests
skip, naming what they need; under CI=true they fail instead.

Starts `syria-incidents serve` on a copy of the package with HTML injected into an
incident, then walks a reader's path: home, a table, an incident, its figures, a
search, the map and the dashboard. Nothing may come from the internet (requests
leaving 127.0.0.1 are refused; only map tiles may be among them), no JavaScript
error may be raised, and no injected script may run. Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import ENV_VAR, FALLBACK, NAMES, NEEDED, BadVariable, find_chromium, require_chromium
from playwright.sync_api import expect, sync_playwright
from validate_helpers import copy_package, read_rows, write_rows

from syria_incidents.package import read_descriptor
from syria_incidents.site import pages
from syria_incidents.site.dashboards import dashboards
from syria_incidents.site.queries import QUERIES
from syria_incidents.site.reader import TABLE_ORDER
from syria_incidents.site.views import VIEWS

pytestmark = pytest.mark.slow

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DB = "syria_incidents"
INJECTED_INCIDENT = "I-0004"  # at Jableh, which has coordinates: on both maps
INJECTED_TITLE = "Attack in Jableh <script>window.__injected = 'script'</script>"
INJECTED_NOTES = "<img src=x onerror=\"window.__injected = 'img'\">"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"syria-incidents serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def _serving(root: Path, tmp: Path):
    """``syria-incidents serve`` on ``root`` (database in ``tmp``) at a free port; its URL."""
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "syria-incidents"),
        "serve",
        str(root),
        "--out",
        str(tmp / f"{DB}.db"),
        "--port",
        str(port),
    ]
    log = open(tmp / "serve.log", "w")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )  # its own group: killable with Datasette
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/-/versions.json", process)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # serve and the Datasette it started
            raise
        finally:
            log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The 0.1.0 fixture with HTML injected into an incident."""
    tmp = tmp_path_factory.mktemp("browser")
    root = copy_package(tmp)
    rows = read_rows(root, "incidents")
    for row in rows:
        if row["incident_id"] == INJECTED_INCIDENT:
            row["title"], row["notes"] = INJECTED_TITLE, INJECTED_NOTES
    write_rows(root, "incidents", rows)
    with _serving(root, tmp) as url:
        yield url


@pytest.fixture(scope="module")
def release_server(tmp_path_factory, repo_root):
    """The bundled data, as `make serve` shows it (the database goes to a temp folder)."""
    with _serving(repo_root, tmp_path_factory.mktemp("release")) as url:
        yield url


@pytest.fixture(scope="module")
def artifacts(repo_root) -> Path:
    folder = repo_root / "test-artifacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()  # skips (fails under CI=true) naming what is needed
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


# A 1x1 transparent PNG: what map tiles get instead of the internet, so that a page
# without network access logs no failed request.
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Watch:
    """JavaScript errors, console errors, and every request that tried to leave 127.0.0.1."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.console: list[str] = []
        self.outside: list[tuple[str, str]] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: self.console.append(f"{msg.text} ({page.url})") if msg.type == "error" else None,
        )
        page.route("**/*", self._route)

    def _route(self, route):
        request = route.request
        if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append((request.resource_type, request.url))
            if request.resource_type == "image":  # map tiles
                route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
            else:
                route.abort()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    page = context.new_page()
    page.watch = Watch(page)
    yield page
    context.close()


def assert_clean(page) -> None:
    """No JavaScript or console error, nothing but map tiles asked of the internet, no
    injected script ran."""
    assert page.watch.errors == [], page.watch.errors
    assert page.watch.console == [], page.watch.console
    assert [(kind, url) for kind, url in page.watch.outside if kind != "image"] == []
    assert page.evaluate("window.__injected") is None


def test_reader_follows_an_incident_to_its_figures(page, artifacts):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Syria incidents")
    page.screenshot(path=artifacts / "01-home.png", full_page=True)

    page.goto(f"/{DB}/incidents")
    expect(page.locator("table.rows-and-columns tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts / "02-incidents-table.png", full_page=True)

    page.goto(f"/{DB}/incidents/I-0002")
    expect(page.locator("h1")).to_contain_text("Two-day battle")
    page.screenshot(path=artifacts / "03-incident-row.png", full_page=True)
    page.locator(f'a[href="/{DB}/casualties?incident_id=I-0002"]').click()
    page.wait_for_url("**/casualties?incident_id=I-0002")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    # Labels: the incident and the reporter show by name, linked to their rows.
    label = page.locator(f'td.col-incident_id a[href="/{DB}/incidents/I-0002"]').first
    expect(label).to_contain_text("Two-day battle")
    expect(page.locator(f'td.col-reported_by_actor_id a[href="/{DB}/actors/A-0001"]').first).to_contain_text(
        "SNHR"
    )
    page.screenshot(path=artifacts / "04-figures-of-incident.png", full_page=True)
    # A figure's page reads as the claim, and leads on to the total it is part of.
    page.goto(f"/{DB}/casualties/F-0002")
    expect(page.locator("h1")).to_contain_text("100 security forces killed")
    expect(page.locator("blockquote.source-words")).to_contain_text("including 100 Syrian security")
    page.locator(f'ul.records a[href="/{DB}/casualties/F-0001"]').first.click()
    page.wait_for_url(f"**/{DB}/casualties/F-0001")
    expect(page.locator("h1")).to_contain_text("at least 240 killed")
    page.locator(f'ul.records a[href="/{DB}/incidents/I-0002"]').first.click()
    page.wait_for_url(f"**/{DB}/incidents/I-0002")
    page.screenshot(path=artifacts / "05-figure-links-back-to-incident.png", full_page=True)
    assert_clean(page)


def test_reader_searches_statements(page, artifacts):
    page.goto(f"/{DB}/statements")
    page.fill("input[name=_search]", "late")
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_url("**_search=late**")
    expect(page.locator("table.rows-and-columns")).to_contain_text("ST-0002")
    page.screenshot(path=artifacts / "06-search.png", full_page=True)
    assert_clean(page)


def test_map_draws_incidents(page, artifacts):
    page.goto(f"/{DB}/incidents_map")
    expect(page.locator(".leaflet-container").first).to_be_visible(timeout=20_000)
    markers = page.locator(".leaflet-marker-icon")
    expect(markers.first).to_be_visible(timeout=20_000)
    assert markers.count() >= 1
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "07-map.png", full_page=True)
    assert_clean(page)


def test_dashboard_draws_charts_and_map(page, artifacts):
    page.goto("/-/dashboards/overview?outcome=killed")
    for chart in ("latest-claims", "incidents-over-time"):
        expect(page.locator(f"#chart-{chart} svg, #chart-{chart} canvas").first).to_be_visible(
            timeout=20_000
        )
    expect(page.locator("#chart-incidents-count p")).to_have_text("19")
    expect(page.locator("#chart-incidents-map .leaflet-marker-icon").first).to_be_visible(timeout=20_000)
    # Open every popup: the injected title must show as text, not run.
    for marker in page.locator("#chart-incidents-map .leaflet-marker-icon").all():
        marker.click(force=True)
    page.screenshot(path=artifacts / "08-dashboard.png", full_page=True)
    assert_clean(page)


def test_html_in_data_is_shown_as_text_and_never_runs(page, artifacts):
    page.goto(f"/{DB}/incidents/{INJECTED_INCIDENT}")
    expect(page.locator("h1")).to_have_text(INJECTED_TITLE)
    expect(page.locator("dl.record-fields dd").filter(has_text="<img")).to_have_text(INJECTED_NOTES)
    page.goto(f"/{DB}/incidents_map")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible(timeout=20_000)
    page.goto(f"/{DB}/incidents?_search=Jableh")
    expect(page.locator("table.rows-and-columns")).to_contain_text("<script>")
    page.screenshot(path=artifacts / "09-injected-html-escaped.png", full_page=True)
    assert_clean(page)


# Finding the browser: the same search for `make browser` and for these tests.


def _fake_browsers(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text("#!/bin/sh\necho fake\n")
        (folder / name).chmod(0o755)
    return folder


def test_finder_looks_at_the_variable_then_each_name_on_path_then_the_fallback(tmp_path):
    assert NAMES == ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    assert FALLBACK == "/usr/bin/chromium"
    bin_dir = _fake_browsers(tmp_path / "bin", *NAMES)
    own = _fake_browsers(tmp_path / "own", "my-chrome") / "my-chrome"
    fallback = _fake_browsers(tmp_path / "opt", "chromium") / "chromium"
    path = {"PATH": str(bin_dir)}
    assert find_chromium({**path, ENV_VAR: str(own)}, fallback=str(fallback)) == str(own)
    for name in NAMES:
        assert find_chromium(path, fallback=str(fallback)) == str(bin_dir / name)
        (bin_dir / name).unlink()
    assert find_chromium(path, fallback=str(fallback)) == str(fallback)
    assert find_chromium(path, fallback=str(tmp_path / "nothing")) is None
    # A variable naming no executable is an error, never a reason to test another browser.
    with pytest.raises(BadVariable, match=f"{ENV_VAR}=.*not an executable file"):
        find_chromium({**path, ENV_VAR: str(tmp_path / "typo")}, fallback=str(fallback))


def test_without_a_browser_the_tests_skip_naming_what_they_need(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-chrome"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_chromium()
    assert NEEDED in str(skipped.value)
    assert NEEDED == "a Chromium: set SYRIA_INCIDENTS_CHROMIUM=/path or install chromium"


def test_under_ci_a_missing_browser_fails_and_never_skips(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-chrome"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        require_chromium()
    assert NEEDED in str(failed.value) and "CI=true" in str(failed.value)


def test_make_browser_uses_the_same_finder(repo_root):
    makefile = (repo_root / "Makefile").read_text(encoding="utf-8")
    assert "FIND_CHROMIUM := $(PYTHON) tests/browser.py" in makefile
    recipe = makefile.split("\nbrowser:\n", 1)[1].split("\n\n", 1)[0]
    assert "$(FIND_CHROMIUM)" in recipe
    # No second list of names or paths that could drift from tests/browser.py
    # ("chromium" alone is also Debian's package name, which the recipe installs).
    assert not any(name in recipe for name in (*NAMES[1:], FALLBACK, "command -v", "which "))


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_browser_finds_a_browser_under_another_name_and_goes_on_without_one(repo_root, tmp_path):
    own = _fake_browsers(tmp_path / "own", "chrome-for-testing") / "chrome-for-testing"
    env = {**os.environ, ENV_VAR: str(own)}
    found = subprocess.run(
        ["make", "-s", "browser"], cwd=repo_root, env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == f"browser tests: using {own}"
    # A wrong variable: make says what to do and goes on (no apt-get, even as root).
    env[ENV_VAR] = str(tmp_path / "typo")
    wrong = subprocess.run(["make", "-s", "browser"], cwd=repo_root, env=env, capture_output=True, text=True)
    assert wrong.returncode == 0, wrong.stderr
    assert NEEDED in wrong.stderr and "not an executable file" in wrong.stderr
    assert "apt-get" not in wrong.stdout + wrong.stderr


# The release's data at a laptop's first screen (1366x768), page by page.

FIRST_SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def laptop(browser, release_server):
    context = browser.new_context(viewport=FIRST_SCREEN, base_url=release_server)
    page = context.new_page()
    page.watch = Watch(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def release(repo_root) -> dict:
    descriptor = read_descriptor(repo_root)
    return {
        "descriptor": descriptor,
        "record_columns": pages.record_columns(descriptor),
        "rows": {table: read_rows(repo_root, table) for table in TABLE_ORDER},
    }


def test_the_first_screen_of_every_table_and_view_shows_rows(laptop, artifacts):
    for name in [*TABLE_ORDER, *(view.name for view in VIEWS)]:
        laptop.goto(f"/{DB}/{name}")
        first = laptop.locator("table.rows-and-columns tbody tr").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box["y"] + 20 < FIRST_SCREEN["height"], (name, box)  # at least a line of it
        laptop.screenshot(path=artifacts / f"first-screen-{name}.png")  # the first screen only
        # Column notes are there, folded, as HTML: vocabularies as lists, no Markdown marks.
        notes = laptop.locator("details.column-notes")
        expect(notes).to_have_count(1)
        assert notes.get_attribute("open") is None, name
        notes.locator("summary").click()
        assert "`" not in notes.inner_text(), name
        if name in TABLE_ORDER:
            assert notes.locator("dl.vocabulary code").count() > 0 or name in ("actors", "places"), name
    assert_clean(laptop)


def _cells_naming_records(page, record_columns: dict) -> list[dict]:
    """Every non-empty result cell of a column that names a record: its column, text, links."""
    return page.evaluate(
        """(columns) => Array.from(document.querySelectorAll(
        'table.rows-and-columns td')).flatMap(td => {
            const column = Array.from(td.classList).find(c => c.startsWith('col-'));
            const name = column && column.slice(4);
            if (!(name in columns) || !td.innerText.trim()) return [];
            return [{column: name, text: td.innerText.trim(),
                     links: Array.from(td.querySelectorAll('a')).map(a => a.getAttribute('href'))}];
        })""",
        record_columns,
    )


def test_every_id_in_views_and_query_results_is_a_link_with_its_label(laptop, release, artifacts):
    columns = release["record_columns"]
    paths = [f"/{DB}/{view.name}" for view in VIEWS] + [f"/{DB}/{q.name}" for q in QUERIES]
    for path in paths:
        laptop.goto(path)
        expect(laptop.locator("table.rows-and-columns tbody tr").first).to_be_visible()
        cells = _cells_naming_records(laptop, columns)
        assert cells, path
        for cell in cells:
            table = columns[cell["column"]]
            assert any(link.startswith(f"/{DB}/{table}/") for link in cell["links"]), (path, cell)
            assert "\n" in cell["text"] or " " in cell["text"], (path, cell)  # label beside the id
        laptop.screenshot(path=artifacts / f"results-{path.rsplit('/', 1)[1]}.png")
    assert_clean(laptop)


def test_canned_queries_open_with_an_answer_before_their_sql(laptop, artifacts):
    for query in QUERIES:
        laptop.goto(f"/{DB}/{query.name}")
        rows = laptop.locator("table.rows-and-columns tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.first.bounding_box()["y"] < FIRST_SCREEN["height"], query.name
        sql = laptop.locator("details.query-sql")
        assert sql.get_attribute("open") is None, query.name
        assert sql.bounding_box()["y"] > rows.first.bounding_box()["y"], query.name
    assert_clean(laptop)


def test_record_pages_read_as_records(laptop, release, artifacts):
    rows = release["rows"]
    figure = next(f for f in rows["casualties"] if f["supersedes_figure_id"])
    pages_to_read = {
        "figure": f"/{DB}/casualties/{figure['figure_id']}",
        "incident": f"/{DB}/incidents/{figure['incident_id']}",
        "source": f"/{DB}/sources/{figure['source_id']}",
        "statement": f"/{DB}/statements/{rows['statements'][0]['statement_id']}",
        "actor": f"/{DB}/actors/{figure['reported_by_actor_id']}",
        "place": f"/{DB}/places/{rows['places'][0]['place_id']}",
    }
    for kind, path in pages_to_read.items():
        laptop.goto(path)
        heading = laptop.locator("h1")
        expect(heading).to_be_visible()
        assert heading.bounding_box()["y"] < 200, kind
        assert "0 rows from" not in laptop.content(), kind
        laptop.screenshot(path=artifacts / f"record-{kind}.png", full_page=True)
    laptop.goto(pages_to_read["figure"])
    expect(laptop.locator("blockquote.source-words")).to_have_text(figure["source_quote"])
    expect(laptop.locator("blockquote.source-words")).to_be_in_viewport()
    expect(laptop.locator(f'p.cited a[href="/{DB}/sources/{figure["source_id"]}"]')).to_be_in_viewport()
    expect(
        laptop.locator(f'ul.records a[href="/{DB}/casualties/{figure["supersedes_figure_id"]}"]')
    ).to_have_count(1)
    assert_clean(laptop)


def test_home_page_leads_to_the_tables_the_dashboard_the_map_and_the_claims(laptop, release, artifacts):
    laptop.goto("/")
    for table in TABLE_ORDER:
        card = laptop.locator(".tables-list li").filter(has=laptop.locator(f'a[href="/{DB}/{table}"]'))
        expect(card).to_contain_text(f"{len(release['rows'][table]):,} rows")
        expect(card).to_be_in_viewport()
    for href in ("/-/dashboards/overview", f"/{DB}/incidents_map", f"/{DB}/claims_side_by_side"):
        expect(laptop.locator(f'a[href="{href}"]').first).to_be_visible()
    laptop.screenshot(path=artifacts / "home-first-screen.png")
    laptop.screenshot(path=artifacts / "home.png", full_page=True)
    assert_clean(laptop)


def test_the_map_and_every_chart_render_with_data(laptop, release, artifacts):
    laptop.goto(f"/{DB}/incidents_map")
    expect(laptop.locator(".leaflet-marker-icon, .marker-cluster").first).to_be_visible(timeout=20_000)
    laptop.screenshot(path=artifacts / "map.png")
    laptop.goto("/-/dashboards/overview")
    charts = dashboards(release["descriptor"], DB)["overview"]["charts"]
    marks = {"line": "g.mark-line path", "bar": "g.mark-rect path"}
    for name, chart in charts.items():
        if chart["library"] == "vega-lite":
            mark = marks[chart["display"]["mark"]["type"]]
            expect(laptop.locator(f"#chart-{name} svg {mark}").first).to_be_attached(timeout=20_000)
            assert laptop.locator(f"#chart-{name} svg {mark}").count() > 0, name
            # Labels whole: vega-lite ends a cut label with an ellipsis.
            texts = laptop.locator(f"#chart-{name} svg text").all_text_contents()
            assert texts and not any(t.endswith("…") for t in texts), (name, texts)
        elif chart["library"] == "metric":
            expect(laptop.locator(f"#chart-{name} p")).not_to_have_text("")
        elif chart["library"] == "map":
            expect(laptop.locator(f"#chart-{name} .leaflet-marker-icon").first).to_be_visible(timeout=20_000)
    table_of = {
        "incidents-count": "incidents",
        "figures-count": "casualties",
        "statements-count": "statements",
    }
    for name, table in table_of.items():
        expect(laptop.locator(f"#chart-{name} p")).to_have_text(f"{len(release['rows'][table]):,}")
    laptop.screenshot(path=artifacts / "dashboard.png", full_page=True)
    assert_clean(laptop)
