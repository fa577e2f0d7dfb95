"""The clerk's and the office's loops in headless Chromium against a real ``gaidocx serve``, and the
README's screenshots of both pages kept in step with the templates."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from desk_support import AGENCY, OTHER, YEAR, broken_bytes
from support import ROOT, SAMPLE_WORKBOOK, load_script

from gaidocx import pipeline

shots = load_script("make_desk_screenshots")


def test_the_screenshots_were_made_from_the_current_pages():
    assert shots.pages_digest() == shots.DIGEST.read_text(encoding="ascii").strip(), (
        "the desk's pages look different now: run python scripts/make_desk_screenshots.py and commit docs/images"
    )


def test_the_readme_shows_both_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for image in (shots.AGENCY_SHOT, shots.OFFICE_SHOT):
        assert f"docs/images/{image.name}" in readme


@pytest.fixture
def chromium(tmp_path):
    pytest.importorskip("selenium")
    if shots.browsers.browser_path() is None:
        pytest.skip("Chromium or chromedriver is not installed")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with shots.browsers.browser(1100, 900) as driver:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        yield driver, downloads


def downloaded(folder: Path, suffix: str, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.suffix == suffix]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} was downloaded: {sorted(p.name for p in folder.iterdir())}")


def again_if_reloaded(action):
    """``action()``, done again if the page reloaded itself under it (it does while files are made)."""
    from selenium.common.exceptions import ElementClickInterceptedException, NoSuchElementException, StaleElementReferenceException

    for _ in range(20):
        try:
            return action()
        except (StaleElementReferenceException, ElementClickInterceptedException, NoSuchElementException):
            time.sleep(0.3)
    return action()


def click_link(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    again_if_reloaded(lambda: driver.find_element(By.LINK_TEXT, text).click())


def click_button(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    again_if_reloaded(lambda: driver.find_element(By.XPATH, f"//button[text()='{text}']").click())


def test_the_clerks_loop(served, chromium, tmp_path):
    from selenium.webdriver.common.by import By

    server, _, agencies = served
    driver, downloads = chromium
    driver.get(server.base + agencies[AGENCY])
    assert driver.current_url == server.base + "/agency/"
    assert AGENCY in driver.find_element(By.TAG_NAME, "h1").text

    click_link(driver, "下载本单位的填报表")
    workbook = downloaded(downloads, ".xlsx")
    fresh = pipeline.check_bytes(workbook.read_bytes(), workbook.name).report
    assert (fresh.agency, fresh.year) == (AGENCY, YEAR)

    broken = tmp_path / "第一次.xlsx"
    broken.write_bytes(broken_bytes(tmp_path))
    shots.upload(driver, broken)
    result = shots.text_of(driver, ".upload")
    assert "“第一次.xlsx”：共 1 个错误，0 个警告。" in result
    assert "错误 表三!D9" in " ".join(result.split()) and "负数" in result

    shots.upload(driver, SAMPLE_WORKBOOK)
    assert "检查通过：没有发现问题。" in shots.text_of(driver, ".upload")
    shots.wait_until(driver, lambda: driver.find_elements(By.LINK_TEXT, "Word 文档"))
    click_link(driver, "Word 文档")
    docx = downloaded(downloads, ".docx")
    assert docx.name == f"{AGENCY}{YEAR}年政府信息公开工作年度报告.docx"
    with zipfile.ZipFile(docx) as archive:
        assert AGENCY in archive.read("word/document.xml").decode("utf-8")
    history = shots.text_of(driver, "table.history")
    assert history.index("cele-county-2024.xlsx") < history.index("第一次.xlsx")


def test_the_offices_loop(served, chromium, tmp_path):
    from selenium.webdriver.common.by import By

    server, office, agencies = served
    driver, downloads = chromium
    driver.get(server.base + agencies[AGENCY])
    shots.upload(driver, SAMPLE_WORKBOOK)
    driver.get(server.base + agencies[OTHER])
    broken = tmp_path / "财政局.xlsx"
    broken.write_bytes(broken_bytes(tmp_path))
    shots.upload(driver, broken)

    driver.get(server.base + office)
    statuses = again_if_reloaded(lambda: {
        row.find_element(By.TAG_NAME, "a").text: row.find_element(By.CSS_SELECTOR, "td.status").text
        for row in driver.find_elements(By.CSS_SELECTOR, "tr.status-row")
    })
    assert statuses == {AGENCY: "检查通过", OTHER: "有错误"}

    click_button(driver, "汇总检查通过的报告")
    shots.wait_until(driver, lambda: "汇总表.xlsx" in driver.page_source, 60)
    again_if_reloaded(lambda: driver.find_element(By.PARTIAL_LINK_TEXT, "汇总表.xlsx").click())
    summary = downloaded(downloads, ".xlsx")
    assert pipeline.check_bytes(summary.read_bytes(), summary.name).report.kind == "本行政区域"

    click_button(driver, "打包下载全部文件")
    shots.wait_until(driver, lambda: "全部报告.zip" in driver.page_source, 60)
    again_if_reloaded(lambda: driver.find_element(By.PARTIAL_LINK_TEXT, "全部报告.zip").click())
    with zipfile.ZipFile(io.BytesIO(downloaded(downloads, ".zip").read_bytes())) as archive:
        names = archive.namelist()
    assert f"{AGENCY}/cele-county-2024.xlsx" in names and not any(n.startswith(OTHER) for n in names)
