"""Take screenshots of the main pages (desktop and phone width) into docs/screenshots/.

Run against a server with the demo loaded (`make run`):
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--only cycle-demo]

``--only`` takes only the screenshots whose name starts with it.
"""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
# The demo's periodic reviews (demo/review.py): 2024 decided through its stages, the current year's
# open and partly surveyed; reached from the cycle list by their link text.
CYCLES = [("cycle-demo-2024", "Rà soát định kỳ 14/12/2024"), ("cycle-demo-2026", None)]
PAGES = [
    ("canbo.vinhhao", "dashboard", "/"),
    ("canbo.vinhhao", "household-list", "/households/?q=nguyen+van"),
    ("canbo.vinhhao", "cycles", "/cycles/"),
    ("bqt.thon01", "board-dashboard", "/"),
]


def small(path: Path) -> None:
    """The page's PNG in 256 colours: a long page stays small enough to keep in the repository."""
    from PIL import Image

    with Image.open(path) as image:
        quantized = image.convert("RGB").quantize(colors=256)
    quantized.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="povertyplan-demo")
    parser.add_argument("--only", default="", help="only the screenshots named so at the start")
    args = parser.parse_args()

    def wanted(name):
        return name.startswith(args.only)

    # The Chromium path and switches are settings (settings.CHROMIUM_PATH), shared with the tests.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    os.environ.setdefault("DEBUG", "1")
    from django.conf import settings

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=settings.CHROMIUM_PATH, args=settings.CHROMIUM_ARGS
        )
        for width, height, suffix in ((1280, 900, "desktop"), (390, 844, "phone")):
            for user in sorted({u for u, _, _ in PAGES}):
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="vi-VN"
                )
                page = context.new_page()
                page.goto(f"{args.base}/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", args.password)
                page.click("button[type=submit]")
                for who, name, path in PAGES:
                    if who != user or not wanted(name):
                        continue
                    page.goto(args.base + path)
                    page.screenshot(path=str(OUT / f"{name}-{suffix}.png"), full_page=True)
                if user == "canbo.vinhhao":
                    for name, link_text in CYCLES:
                        if not wanted(name):
                            continue
                        page.goto(args.base + "/cycles/")
                        if link_text is None:  # the current year's
                            year = page.evaluate("new Date().getFullYear()")
                            link_text = f"Rà soát định kỳ 14/12/{year}"
                        page.get_by_role("link", name=link_text).click()
                        path = OUT / f"{name}-{suffix}.png"
                        page.screenshot(path=str(path), full_page=True)
                        small(path)
                if user == "canbo.vinhhao" and suffix == "phone" and wanted("household-list-bulk"):
                    # the list with three households ticked and the bulk actions in view
                    page.goto(args.base + "/households/?sort=code")
                    for n in range(3):
                        page.locator("input[name=selected]").nth(n).check()
                    page.get_by_test_id("bulk-bar").scroll_into_view_if_needed()
                    path = OUT / "household-list-bulk-phone.png"
                    page.screenshot(path=str(path))
                    small(path)
                if user == "canbo.vinhhao" and wanted("household"):
                    page.goto(args.base + "/households/?q=VH01-0001")
                    page.click("table a >> nth=0")
                    page.screenshot(path=str(OUT / f"household-{suffix}.png"), full_page=True)
                    link = page.locator("[data-testid=edit-controls] a.btn-primary")
                    if link.count() and wanted("review"):
                        link.first.click()
                        page.screenshot(path=str(OUT / f"review-{suffix}.png"), full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
