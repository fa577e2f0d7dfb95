"""Screenshot the shipped sample's web page (``render --html``) for the README.

    python scripts/make_html_screenshot.py

needs Chromium and chromedriver (Debian: chromium, chromium-driver) and selenium.  It writes
docs/images/html-page.png (the whole page as a browser shows it) and
docs/images/html-source.sha256, the digest of the HTML the picture shows.
tests/test_html.py fails when the sample's page would now be different, so run this and
commit the result after changing gaidocx/document/webpage.py or the sample.

The browser helpers here are used by tests/test_html.py too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gaidocx.core.report import Report, report_from_dict  # noqa: E402
from gaidocx.core.report import checked_report  # noqa: E402
from gaidocx.document.webpage import render_html  # noqa: E402

SAMPLE_DATA = ROOT / "samples" / "cele-county-2024.json"
IMAGES = ROOT / "docs" / "images"
SCREENSHOT = IMAGES / "html-page.png"
DIGEST = IMAGES / "html-source.sha256"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: CSS pixels: the 210 mm page (794 px) with a grey margin either side.
WINDOW_WIDTH = 900


def sample_report() -> Report:
    return report_from_dict(json.loads(SAMPLE_DATA.read_text(encoding="utf-8")))


def rendered_sample() -> str:
    return render_html(checked_report(sample_report(), "网页"))


def content_digest(page: str) -> str:
    return hashlib.sha256(page.encode("utf-8")).hexdigest()


def browser_path() -> tuple[Path, Path] | None:
    """Chromium and its driver, or ``None`` where either is missing."""
    chromium = CHROMIUM if CHROMIUM.is_file() else Path(shutil.which("chromium") or "/nonexistent")
    driver = CHROMEDRIVER if CHROMEDRIVER.is_file() else Path(shutil.which("chromedriver") or "/nonexistent")
    return (chromium, driver) if chromium.is_file() and driver.is_file() else None


@contextmanager
def browser(width: int = WINDOW_WIDTH, height: int = 1200):
    """A headless Chromium (selenium WebDriver) with a profile of its own, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = browser_path()
    if paths is None:
        raise RuntimeError("Chromium or chromedriver is not installed")
    chromium, chromedriver = paths
    with tempfile.TemporaryDirectory(prefix="gaidocx-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(chromium)
        for argument in (
            "--headless=new",
            "--no-sandbox",  # needed as root (CI)
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(str(chromedriver)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def full_page_png(driver) -> bytes:
    """The whole page, not only the window, as PNG."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
    )
    return base64.b64decode(shot["data"])


def main() -> None:
    page = rendered_sample()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sample.html"
        source.write_text(page, encoding="utf-8")
        with browser() as driver:
            driver.get(source.as_uri())
            SCREENSHOT.write_bytes(full_page_png(driver))
    DIGEST.write_text(content_digest(page) + "\n", encoding="ascii")
    for path in (SCREENSHOT, DIGEST):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
