"""The served instance in a real browser: Debian's headless Chromium, driven by Playwright.

Starts `syria-incidents serve` on a copy of the package with HTML injected into an
incident, then walks a reader's path: home, a table, an incident, its figures, a
search, the map and the dashboard. Nothing may come from the internet (requests
leaving 127.0.0.1 are refused; only map tiles may be among them), no JavaScript
error may be raised, and no injected script may run. Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect, sync_playwright
from validate_helpers import copy_package, read_rows, write_rows

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    root = copy_package(tmp)
    rows = read_rows(root, "incidents")
    for row in rows:
        if row["incident_id"] == INJECTED_INCIDENT:
            row["title"], row["notes"] = INJECTED_TITLE, INJECTED_NOTES
    write_rows(root, "incidents", rows)
    port = _free_port()
    command = [str(Path(sys.executable).parent / "syria-incidents"), "serve", str(root),
               "--out", str(tmp / f"{DB}.db"), "--port", str(port)]
    log = open(tmp / "serve.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own group: killable with Datasette
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
def artifacts(repo_root) -> Path:
    folder = repo_root / "test-artifacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


class Watch:
    """JavaScript errors, and every request that tried to leave 127.0.0.1."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.outside: list[tuple[str, str]] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.route("**/*", self._route)

    def _route(self, route):
        request = route.request
        if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append((request.resource_type, request.url))
            route.abort()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    page = context.new_page()
    page.watch = Watch(page)
    yield page
    context.close()


def assert_clean(page) -> None:
    """No JavaScript error, nothing but map tiles asked of the internet, no injected script ran."""
    assert page.watch.errors == [], page.watch.errors
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
    expect(page.locator("table.rows-and-columns")).to_contain_text("Two-day battle")
    page.screenshot(path=artifacts / "03-incident-row.png", full_page=True)
    page.locator(f'a[href="/{DB}/casualties?incident_id=I-0002"]').click()
    page.wait_for_url("**/casualties?incident_id=I-0002")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    # Labels: the incident and the reporter show by name, linked to their rows.
    label = page.locator(f'td.col-incident_id a[href="/{DB}/incidents/I-0002"]').first
    expect(label).to_contain_text("Two-day battle")
    expect(page.locator(f'td.col-reported_by_actor_id a[href="/{DB}/actors/A-0001"]').first
           ).to_contain_text("SNHR")
    page.screenshot(path=artifacts / "04-figures-of-incident.png", full_page=True)
    # From a figure's own page, its foreign keys link back, labelled.
    page.goto(f"/{DB}/casualties/F-0002")
    page.locator(f'td.col-parent_figure_id a[href="/{DB}/casualties/F-0001"]').click()
    page.wait_for_url(f"**/{DB}/casualties/F-0001")
    expect(page.locator("td.col-source_quote")).to_contain_text("at least 240")
    page.locator(f'td.col-incident_id a[href="/{DB}/incidents/I-0002"]').click()
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
    for chart in ("figures-by-reporter", "incidents-over-time"):
        expect(page.locator(f"#chart-{chart} svg, #chart-{chart} canvas").first).to_be_visible(
            timeout=20_000)
    expect(page.locator("#chart-incidents-count p")).to_have_text("19")
    expect(page.locator("#chart-incidents-map .leaflet-marker-icon").first).to_be_visible(
        timeout=20_000)
    # Open every popup: the injected title must show as text, not run.
    for marker in page.locator("#chart-incidents-map .leaflet-marker-icon").all():
        marker.click(force=True)
    page.screenshot(path=artifacts / "08-dashboard.png", full_page=True)
    assert_clean(page)


def test_html_in_data_is_shown_as_text_and_never_runs(page, artifacts):
    page.goto(f"/{DB}/incidents/{INJECTED_INCIDENT}")
    cell = page.locator("td.col-title")
    expect(cell).to_have_text(INJECTED_TITLE)
    expect(page.locator("td.col-notes")).to_have_text(INJECTED_NOTES)
    page.goto(f"/{DB}/incidents_map")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible(timeout=20_000)
    page.goto(f"/{DB}/incidents?_search=Jableh")
    expect(page.locator("table.rows-and-columns")).to_contain_text("<script>")
    page.screenshot(path=artifacts / "09-injected-html-escaped.png", full_page=True)
    assert_clean(page)
