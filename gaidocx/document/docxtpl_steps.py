"""docxtpl's three steps gaidocx fills Word templates with, behind this one adapter.

docxtpl's public ``DocxTemplate.render`` opens the template with python-docx, moves the
filled body between two lxml documents (quadratic in the paragraphs: 17 s for a 20 KB
workbook) and gives no hook for a sandbox bounded in time and memory.  gaidocx prepares
a template once and fills it many times, so it uses only docxtpl's template language:
the cleaning of Word's XML around the tags (``patch_xml``), the resolution of tabs and
line breaks typed in the template (``resolve_listing``) and the repair of tables a
``{%tc %}`` loop changed (``fix_tables``).  docxtpl offers these as methods that read
nothing from ``self``; they are called here as functions, on ``None``.

They are docxtpl's internals: pyproject pins the versions checked (``VERSIONS``), and
``PINNED`` holds a checksum of each method's source; tests/document/test_docxtpl_steps.py
fails when an upgrade changes any of them, so that an upgrade is read before it ships.
"""

from __future__ import annotations

import functools
from typing import Any

#: The docxtpl releases whose steps are the ones pinned below (pyproject's range).
VERSIONS = ">=0.20.2,<0.21"
#: SHA-256 of ``inspect.getsource`` of each method, as in docxtpl 0.20.2.
PINNED = {
    "patch_xml": "59341311e906ccb2677eed6f7877253333edcb57a86129f0040340c565895dd6",
    "resolve_listing": "20441608d64f33fd8c5964aff475aa9972d071bf282c6c42b9db4be0091d7bca",
    "fix_tables": "da467aabccf452e47567fa088649de9f6f21e04fe4ae4c2706906a352c3f7a58",
}


@functools.lru_cache(maxsize=1)
def docxtpl_class() -> Any:
    """docxtpl's template class, imported only when a step is needed (it imports python-docx,
    a tenth of a second): not when a template's cleaned source comes from the disk cache."""
    from docxtpl.template import DocxTemplate

    return DocxTemplate


def clean_tags(xml: str) -> str:
    """Word's markup inside ``{{ }}``/``{% %}`` removed, ``{%p %}``/``{%tr %}``/``{%r %}`` tags
    turned into plain Jinja tags in place of their paragraph, row or run."""
    return docxtpl_class().patch_xml(None, xml)


def resolve_listing(xml: str) -> str:
    """Tab, newline, bell and form-feed characters in filled text turned into Word's runs."""
    return docxtpl_class().resolve_listing(None, xml)


def fix_tables(xml: bytes) -> Any:
    """Tables whose rows a ``{%tc %}`` loop made wider or narrower than their grid, repaired;
    returns the parsed document element."""
    return docxtpl_class().fix_tables(None, xml)
