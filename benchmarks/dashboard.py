"""Dashboard figures: start-up until the page is interactive, frame times, memory per session.

    python benchmarks/dashboard.py [--employees 200 2000] [--tabs 4]

Starts ``orgsim dashboard --no-open`` as a user would (three structures), drives it with
Playwright and Debian's chromium, and prints a Markdown table:

* start-up: from launching the command until the page shows "Week 0" and Step answers;
* frame time: the server's time to step the three models one week and prepare the update
  (median of 20, in-process), and the browser's time from clicking Step until the new
  week is drawn (median of 8);
* memory per extra session: the server's resident memory growth per extra open tab.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_tab(browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(url)
    page.locator(".orgsim-week").wait_for(timeout=180_000)
    page.locator(".orgsim-week").get_by_text("Week 0", exact=True).wait_for(timeout=180_000)
    return page


def click_times(page: Page, clicks: int) -> list[float]:
    out = []
    for n in range(1, clicks + 1):
        t0 = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(".orgsim-week").get_by_text(f"Week {n}", exact=True).wait_for(timeout=120_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        out.append(time.perf_counter() - t0)
    return out


def server_frame_ms(employees: int, frames: int = 20) -> float:
    from orgsim.dashboard.app import Dashboard
    from orgsim.dashboard.session import Settings, default_params

    d = Dashboard(Settings(params={**default_params(), "employees": employees}))
    d.advance(1)
    times = []
    for _ in range(frames):
        t0 = time.perf_counter()
        d.advance(1)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--tabs", type=int, default=4)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for k, n in enumerate(args.employees):
            toml = Path(tmp) / f"bench{n}.toml"
            toml.write_text(f'name = "bench"\nseed = 1\n[organisation]\nemployees = {n}\n')
            port = free_port()
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "orgsim",
                    "dashboard",
                    str(toml),
                    "--no-open",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                url = f"http://127.0.0.1:{port}/"
                while True:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        time.sleep(0.1)
                page = open_tab(browser, url)
                page.get_by_role("button", name="Step", exact=True).wait_for()
                startup = time.perf_counter() - t0
                clicks = statistics.median(click_times(page, 8))
                memory = ""
                if k == 0:
                    before = rss_mb(proc.pid)
                    extra = [open_tab(browser, url) for _ in range(args.tabs)]
                    time.sleep(2)
                    memory = f"{(rss_mb(proc.pid) - before) / args.tabs:.0f} MB"
                    for tab in extra:
                        tab.close()
                page.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            server = server_frame_ms(n)
            rows.append((n, startup, server, clicks * 1000, memory))
        browser.close()
    print(
        "| employees per chart (3 charts) | start-up until interactive | frame (server) "
        "| Step click to drawn week (browser) | memory per extra session |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n, startup, server, click, memory in rows:
        print(f"| {n:,} | {startup:.1f} s | {server:.0f} ms | {click:.0f} ms | {memory or '–'} |")
    load = os.getloadavg()[0]
    print(f"\nload average during the run: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
