"""Screenshot the built documentation site's main pages in headless Chromium.

Usage: python scripts/screenshot_docs.py [SITE_DIR] [OUT_DIR]   (defaults: site, site-shots)

Uses Debian's /usr/bin/chromium through Playwright (no browser download); set
ORGSIM_CHROMIUM to use another browser binary.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = [
    "index.html",
    "getting-started/student/index.html",
    "getting-started/trainer/index.html#live-in-the-room-the-dashboard",
    "getting-started/researcher/index.html",
    "reference/scenario-file/index.html",
    "reference/scenario-file/index.html#model-the-weekly-process",
    "reference/cli/index.html",
    "reference/api/orgsim.scenario/index.html",
    "ODD/index.html",
    "gallery/index.html",
    "validation/index.html",
]


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "site-shots")
    out.mkdir(parents=True, exist_ok=True)
    browser_path = os.environ.get("ORGSIM_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for rel in PAGES:
            path, _, anchor = rel.partition("#")
            page.goto((site / path).as_uri() + (f"#{anchor}" if anchor else ""))
            page.wait_for_load_state("load")
            name = path.removesuffix("/index.html").replace("/", "_").removesuffix(".html")
            name += f"_{anchor}" if anchor else ""
            page.screenshot(path=out / f"{name}.png", full_page=False)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
