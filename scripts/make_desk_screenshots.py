"""Screenshot the collection desk's two pages for the README.

    python scripts/make_desk_screenshots.py

needs the desk (``pip install ".[desk]"``), Chromium, chromedriver and selenium.  It sets up a
desk in a temporary folder with a few agencies, serves it with ``gaidocx serve``, uploads one
broken and one passing workbook as two clerks would, and writes docs/images/desk-agency.png (an
agency's page showing the cell messages), docs/images/desk-office.png (the office's dashboard) and
docs/images/desk-pages.sha256, the digest of the templates and style sheet the pictures show.
tests/desk/test_browser.py fails when they have changed since: run this and commit the result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESK = ROOT / "gaidocx" / "desk"
IMAGES = ROOT / "docs" / "images"
AGENCY_SHOT = IMAGES / "desk-agency.png"
OFFICE_SHOT = IMAGES / "desk-office.png"
DIGEST = IMAGES / "desk-pages.sha256"
SAMPLE = ROOT / "samples" / "cele-county-2024.xlsx"
AREA, YEAR = "策勒县人民政府", 2024
AGENCIES = ("策勒县人民政府办公室", "策勒县财政局", "策勒县教育局", "策勒县卫生健康委员会")
STARTED = re.compile(r"收集台已启动：(http://\S+?)/ ")
WIDTH = 1100


def pages_digest() -> str:
    """What the pictures depend on: every template and the style sheet, by name and content."""
    digest = hashlib.sha256()
    for path in sorted([*(DESK / "templates").rglob("*.html"), DESK / "static" / "desk.css"]):
        digest.update(path.relative_to(DESK).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _browser_script():
    spec = importlib.util.spec_from_file_location("make_html_screenshot", ROOT / "scripts" / "make_html_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browsers = _browser_script()


def gaidocx(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "gaidocx", *args], capture_output=True, text=True, encoding="utf-8", check=True)
    return done.stdout


@contextmanager
def serving(folder: Path):
    """``gaidocx serve folder`` on a free port; yields its address, stops it with SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gaidocx", "serve", str(folder), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    )
    try:
        for line in process.stdout:
            found = STARTED.search(line)
            if found:
                yield found.group(1)
                break
        else:
            raise RuntimeError("gaidocx serve did not start")
    finally:
        process.terminate()
        process.wait(timeout=60)


def new_desk(folder: Path) -> tuple[str, dict[str, str]]:
    """A desk with ``AGENCIES``; returns the office link's path and each agency's."""
    office = re.search(r"http://\S+(/o/\S+)", gaidocx("desk", "init", str(folder), "--area", AREA, "--year", str(YEAR))).group(1)
    lines = gaidocx("desk", "add", str(folder), *AGENCIES).splitlines()
    return office, {name: re.search(r"(/a/\S+)", link).group(1) for name, link in (line.split("\t") for line in lines)}


def broken_workbook(path: Path) -> Path:
    """The sample with a negative count and a blank cell, as a clerk might send it first."""
    import openpyxl

    workbook = openpyxl.load_workbook(SAMPLE)
    workbook["表三"]["D9"] = -3
    workbook["表三"]["H9"] = None
    workbook.save(path)
    return path


def upload(driver, path: Path) -> None:
    """Choose ``path`` in the upload form and send it; returns once the answer names the file
    (each upload here has a name of its own)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(10):  # the page may reload itself (while files are made) under our hands
        try:
            driver.find_element(By.ID, "workbook").send_keys(str(path))
            driver.find_element(By.CSS_SELECTOR, "form[action='/agency/upload'] button").click()
            break
        except StaleElementReferenceException:
            time.sleep(0.2)
    wait_until(driver, lambda: f"“{path.name}”" in driver.page_source)


def text_of(driver, selector: str) -> str:
    """An element's text, read again if the page reloaded itself meanwhile (it does while files are made)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(10):
        try:
            return driver.find_element(By.CSS_SELECTOR, selector).text
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise TimeoutError(selector)


def wait_until(driver, condition, seconds: float = 60) -> None:
    """Poll ``condition``; a page caught between two loads counts as not yet."""
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except WebDriverException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(driver.current_url)
        time.sleep(0.2)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gaidocx-desk-shots-") as temporary:
        folder = Path(temporary)
        office, agencies = new_desk(folder / "desk")
        broken = broken_workbook(folder / "政府信息公开年度报告填报表.xlsx")
        with serving(folder / "desk") as base, browsers.browser(WIDTH, 900) as driver:
            driver.get(base + agencies[AGENCIES[0]])
            upload(driver, SAMPLE)
            driver.get(base + agencies[AGENCIES[1]])
            upload(driver, broken)
            AGENCY_SHOT.write_bytes(browsers.full_page_png(driver))
            driver.get(base + office)
            wait_until(driver, lambda: "收集情况" in driver.page_source)
            OFFICE_SHOT.write_bytes(browsers.full_page_png(driver))
    DIGEST.write_text(pages_digest() + "\n", encoding="ascii")
    for path in (AGENCY_SHOT, OFFICE_SHOT, DIGEST):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
