"""Screenshots of the live dashboard for the README gallery.

Starts ``orgsim dashboard SCENARIO --no-open --port N`` as a user does, drives Debian's
``/usr/bin/chromium`` through Playwright with the page's own controls (Step, the
structures choice, Reset, "Colour employees by") and writes two palette-compressed PNGs:

* ``dashboard-three.png``: three structures side by side, coloured by awareness;
* ``dashboard-one.png``: hub and spokes alone, coloured by budget,

each after the same number of weeks pressed on Step.

Run from the repository root (``docs/gallery/make_gallery.sh`` calls it last)::

    python docs/gallery/screenshot_dashboard.py
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's: no browser downloads
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The tests use 1500 x 1000, but the top bar needs about 1715 px: narrower, the page
# scrolls sideways and the right end of the bar is cut off.
VIEWPORT: ViewportSize = {"width": 1720, "height": 1000}
WIDTH = 1280  # pixels of the saved image (about 0.75 of the page: text stays readable)
WEEKS = 20
ALONE = "hub_and_spokes"  # the structure of the second screenshot

expect.set_options(timeout=60_000)  # a shared machine is slow to redraw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dashboard(orgsim: Sequence[str], scenario: str) -> Iterator[str]:
    """``orgsim dashboard SCENARIO --no-open --port N`` on a free port; its URL."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(
            [*orgsim, "dashboard", scenario, "--no-open", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:  # listening (a GET would start a session: the page does that)
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("the dashboard did not start:\n" + log.read())
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def week(page: Page):
    return page.locator(".orgsim-week")


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def step(page: Page, weeks: int) -> None:
    """Press Step ``weeks`` times, each once the page shows the week before."""
    start = int(week(page).inner_text().split()[-1])
    for n in range(start + 1, start + weeks + 1):
        button(page, "Step").click()
        expect(week(page)).to_have_text(f"Week {n}")


def ready(page: Page, at_week: int = 0) -> None:
    """Wait for the week counter and for Bokeh to have drawn every part of the page
    (a click before that can be lost)."""
    expect(week(page)).to_have_text(f"Week {at_week}")
    page.wait_for_function(
        "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents.every(d => d.is_idle)"
    )


def colour_by(page: Page, label: str) -> None:
    page.get_by_label("Colour employees by").select_option(label=label)


def settle(page: Page) -> None:
    """Let the canvases draw what the last message brought (two animation frames)."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(500)  # Bokeh repaints its canvases after the frame


def save(page: Page, path: Path) -> None:
    """The page down to the first row of metric plots, scaled to WIDTH, as an 8-bit
    palette PNG."""
    first_plot = page.locator(".bk-GridPlot .bk-Figure").first.bounding_box()
    if first_plot is None:
        raise SystemExit("no metric plots on the page")
    height = first_plot["y"] + first_plot["height"] + 6
    shot = page.screenshot(clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
    with Image.open(io.BytesIO(shot)) as im:
        rgb = im.convert("RGB")
    scale = WIDTH / rgb.width
    rgb = rgb.resize((WIDTH, round(rgb.height * scale)), Image.Resampling.LANCZOS)
    small = rgb.quantize(colors=192, method=Image.Quantize.MEDIANCUT)  # as make_gallery.sh
    small.save(path, optimize=True)
    print(f"{path.name}: {small.width}x{small.height}, {path.stat().st_size // 1024} kB")


def shoot(url: str, out: Path, weeks: int) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(url)
            ready(page)
            # (a) the scenario's three structures side by side, coloured by awareness
            colour_by(page, "Awareness")
            step(page, weeks)
            settle(page)
            save(page, out / "dashboard-three.png")
            # (b) one structure alone, coloured by budget
            if page.get_by_role("button", name=f"Remove item: '{ALONE}'").count() == 0:
                raise SystemExit(f"the scenario does not show {ALONE}")
            others = page.get_by_role("button", name=re.compile(rf"^Remove item: '(?!{ALONE}')"))
            while others.count():
                others.first.click()
            expect(page.get_by_text("press Reset")).to_be_visible()
            button(page, "Reset").click()
            ready(page)
            colour_by(page, "Budget")
            step(page, weeks)
            settle(page)
            save(page, out / "dashboard-one.png")
            context.close()
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="scenarios/workshop.toml")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--weeks", type=int, default=WEEKS)
    parser.add_argument(
        "--orgsim",
        default=os.environ.get("ORGSIM", ""),
        help="the orgsim command (default: this Python's `-m orgsim`)",
    )
    args = parser.parse_args(argv)
    orgsim = shlex.split(args.orgsim) if args.orgsim else [sys.executable, "-m", "orgsim"]
    with dashboard(orgsim, args.scenario) as url:
        shoot(url, args.out, args.weeks)


if __name__ == "__main__":
    main()
