"""Fixtures shared by every test folder: the sample as a report and as a workbook, and the
shipped Word template.  One name per meaning: ``sample`` is a ``Report``, ``sample_workbook``
a file, ``word_template`` the shipped Word template (a file; read it, never write it); a test
module's own ``fillin_workbook`` is a built openpyxl workbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaidocx.core.report import Report
from gaidocx.resources import shipped_file
from support import SAMPLE_WORKBOOK, sample_report


@pytest.fixture(scope="session")
def sample() -> Report:
    """The shipped sample (策勒县人民政府办公室, 2024) as a report."""
    return sample_report()


@pytest.fixture(scope="session")
def sample_workbook() -> Path:
    """The shipped sample workbook (read only)."""
    return SAMPLE_WORKBOOK


@pytest.fixture(scope="session")
def word_template() -> Path:
    """The shipped Word template (read only)."""
    return shipped_file("word", "annual-report.docx")
