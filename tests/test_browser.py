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
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import ENV_VAR, FALLBACK, NAMES, NEEDED, BadVariable, find_chromium, require_chromium
from playwright.sync_api import expect, sync_playwright
from validate_helpers import copy_package, read_rows, write_rows

pytestmark = pytest.mark.slow

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
    executable = require_chromium()  # skips (fails under CI=true) naming what is needed
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
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
    for chart in ("latest-claims", "incidents-over-time"):
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
    found = subprocess.run(["make", "-s", "browser"], cwd=repo_root, env=env,
                           capture_output=True, text=True, check=True)
    assert found.stdout.strip() == f"browser tests: using {own}"
    # A wrong variable: make says what to do and goes on (no apt-get, even as root).
    env[ENV_VAR] = str(tmp_path / "typo")
    wrong = subprocess.run(["make", "-s", "browser"], cwd=repo_root, env=env,
                           capture_output=True, text=True)
    assert wrong.returncode == 0, wrong.stderr
    assert NEEDED in wrong.stderr and "not an executable file" in wrong.stderr
    assert "apt-get" not in wrong.stdout + wrong.stderr
