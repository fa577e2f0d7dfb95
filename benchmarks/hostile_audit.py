"""Hostile published reports for ``gaidocx audit`` (issue 17, "audit's readers").

Each case is a small file that once took tens of seconds or gigabytes, or was
called sound when it is not; each must now be answered in < 2 s and < 200 MB.
Gathered by ``benchmarks/hostile.py``; the files are built by
``tests/audit_fixtures.py``, which the tests share.
"""

from __future__ import annotations

import audit_fixtures as files
from hostile import Case


def _audited(make, suffix: str) -> Case:
    return Case(make, suffix, lambda path, out: ["audit", path])


CASES: dict[str, Case] = {
    "audit-numbering-a1x3000": _audited(files.numbering_in_a_cell, ".html"),
    "audit-long-note-in-cell": _audited(files.long_note_in_a_cell, ".html"),
    "audit-docx-60MB-empty-paragraphs": _audited(files.empty_paragraphs, ".docx"),
    "audit-docx-nested-smarttags": _audited(files.nested_smart_tags, ".docx"),
    "audit-docx-10000-tables": _audited(files.many_tables, ".docx"),
    "audit-html-huge-spans": _audited(files.huge_spans, ".html"),
    "audit-html-table-3-twice": _audited(files.table_3_printed_twice, ".html"),
    "audit-pdf-named-html": _audited(files.pdf_named_html, ".html"),
    "audit-png-named-html": _audited(files.png_named_html, ".html"),
    "audit-pdf-256MB-stream": _audited(files.pdf_bomb, ".pdf"),
    "audit-pdf-10000-pages": _audited(files.pdf_many_pages, ".pdf"),
    "audit-pdf-form-drawn-50000-times": _audited(files.pdf_reused_form, ".pdf"),
    "audit-pdf-form-chain-10e8": _audited(files.pdf_form_chain, ".pdf"),
    "audit-pdf-image-only": _audited(files.pdf_image_only, ".pdf"),
    "audit-pdf-busy-pages": _audited(files.pdf_busy_pages, ".pdf"),
    "audit-pdf-40000-characters": _audited(files.pdf_many_characters, ".pdf"),
    "audit-pdf-xref-1000000": _audited(files.pdf_long_xref, ".pdf"),
    # the command prompt of Windows passes a wildcard on as it is
    "audit-wildcard": Case(files.our_docx, ".docx", lambda path, out: ["audit", path.removesuffix(".docx") + "*.docx"]),
}
