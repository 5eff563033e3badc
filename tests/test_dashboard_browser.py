"""The dashboard in a real browser: Playwright driving Debian's chromium.

One ``orgsim dashboard`` server (a subprocess, as a user starts it) serves every test;
each test opens its own tab, so each has its own models. Every request the browser
makes is recorded, and any request to another host is aborted and fails the test:
the dashboard must work in a room without internet.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from orgsim.scenario import load_scenario, parse_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCENARIO = """\
name = "browser-test"
seed = 7
structures = ["band", "tower"]

[organisation]
employees = 60
units = 3
"""


expect.set_options(timeout=20_000)  # a busy shared CI machine is slow to redraw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """``orgsim dashboard SCENARIO --no-open --port N`` on a free port; its URL."""
    folder = tmp_path_factory.mktemp("dashboard")
    (folder / "browser-test.toml").write_text(SCENARIO)
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orgsim",
            "dashboard",
            "browser-test.toml",
            "--no-open",
            "--port",
            str(port),
        ],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:  # listening (a GET would start a session: the tabs do that)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("dashboard did not start:\n" + (folder / "server.log").read_text())
        time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium (.ci/run)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Tab:
    """A page of the dashboard, with every request it made."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.foreign: list[str] = []
        host = url.split("/")[2]

        def route(r) -> None:
            self.requests.append(r.request.url)
            target = r.request.url.split("/")[2] if "://" in r.request.url else host
            if target != host:
                self.foreign.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        self.context.route("**/*", route)
        self.page.goto(url)
        expect(self.week).to_have_text("Week 0", timeout=60_000)
        self.wait_idle()

    def wait_idle(self) -> None:
        """Until Bokeh has drawn the page: "Week 0" shows before its models are wired
        up, and a click in between is lost."""
        self.page.wait_for_function(
            "() => window.Bokeh && Bokeh.documents.length > 0"
            " && Bokeh.documents.every(d => d.is_idle)",
            timeout=60_000,
        )

    @property
    def week(self):
        return self.page.locator(".orgsim-week")

    def week_number(self) -> int:
        match = re.search(r"Week (\d+)", self.week.inner_text())
        assert match
        return int(match.group(1))

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, server) -> Iterator[Tab]:
    t = Tab(browser, server)
    yield t
    t.close()
    assert not t.foreign, f"requests off the machine: {t.foreign}"


@pytest.fixture(scope="module")
def shared(browser, server) -> Iterator[Tab]:
    """One tab for the tests that only step and play (a page load is the slow part)."""
    t = Tab(browser, server)
    yield t
    t.close()
    assert not t.foreign, f"requests off the machine: {t.foreign}"


def test_page_loads_everything_from_the_local_server(shared, server):
    assert shared.requests, "no request recorded"
    assert all(r.startswith(server) for r in shared.requests), shared.requests
    expect(shared.page.get_by_text("Band: 60 employees")).to_be_visible()
    expect(shared.page.get_by_text("Tower: 60 employees")).to_be_visible()
    expect(shared.page.get_by_text("Trade-off card")).to_be_visible()


def test_step_advances_the_week_counter(shared):
    start = shared.week_number()
    shared.button("Step").click()
    expect(shared.week).to_have_text(f"Week {start + 1}")
    shared.button("Step").click()
    expect(shared.week).to_have_text(f"Week {start + 2}")


def test_play_then_pause_stops(shared):
    start = shared.week_number()
    shared.button("▶ Play").click()
    expect(shared.week).not_to_have_text(f"Week {start}", timeout=30_000)
    shared.button("⏸ Pause").click()
    expect(shared.button("▶ Play")).to_be_visible()
    shared.page.wait_for_timeout(300)  # a frame in flight when Pause was pressed may land
    paused_at = shared.week_number()
    shared.page.wait_for_timeout(1500)  # at 4 weeks a second, 6 weeks would pass
    assert shared.week_number() == paused_at


def test_changing_the_structures_and_reset_rebuilds(tab):
    tab.button("Step").click()
    expect(tab.week).to_have_text("Week 1")
    tab.page.get_by_role("button", name="Remove item: 'tower'").click()
    expect(tab.page.get_by_text("press Reset")).to_be_visible()
    tab.button("Reset").click()
    expect(tab.week).to_have_text("Week 0", timeout=60_000)  # new models, new page parts
    expect(tab.page.get_by_text("Tower: 60 employees")).to_have_count(0)
    expect(tab.page.get_by_text("Band: 60 employees")).to_be_visible()
    tab.button("Step").click()
    expect(tab.week).to_have_text("Week 1")


def test_two_tabs_are_independent(browser, server):
    a, b = Tab(browser, server), Tab(browser, server)
    try:
        for n in (1, 2, 3):
            a.button("Step").click()
            expect(a.week).to_have_text(f"Week {n}")
        b.page.wait_for_timeout(300)
        assert b.week_number() == 0
        b.button("Step").click()
        expect(b.week).to_have_text("Week 1")
        assert a.week_number() == 3
    finally:
        a.close()
        b.close()
    assert not a.foreign and not b.foreign


def test_exports_a_png_and_a_scenario_that_validates(tab, tmp_path):
    tab.button("Step").click()
    expect(tab.week).to_have_text("Week 1")
    with tab.page.expect_download(timeout=60_000) as png:
        tab.button("Export view (PNG)").click()
    png_path = tmp_path / "view.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_path.stat().st_size > 20_000
    with tab.page.expect_download(timeout=30_000) as toml:
        tab.button("Export settings (TOML)").click()
    toml_path = tmp_path / "settings.toml"
    toml.value.save_as(toml_path)
    scenario = load_scenario(toml_path)
    assert scenario.structures == ["band", "tower"]
    assert scenario.seed == 7 and scenario.organisation.employees == 60
    assert parse_scenario(toml_path.read_text()).model_params("band") == scenario.model_params(
        "band"
    )
