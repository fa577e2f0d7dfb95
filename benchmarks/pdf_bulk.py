"""PDF in bulk: 20 reports converted one LibreOffice start each vs one start for all.

    python benchmarks/pdf_bulk.py [N]

renders the shipped sample N times (default 20), converts the documents one by
one with ``convert_to_pdf`` and then all at once with ``convert_many``, and
prints both times and their ratio.  Needs LibreOffice.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gaidocx.document.pdf import convert_many, convert_to_pdf  # noqa: E402
from gaidocx.document.render import render_docx  # noqa: E402
from gaidocx.pipeline import check_workbook  # noqa: E402


def main(count: int = 20) -> None:
    docx = render_docx(check_workbook(ROOT / "samples" / "cele-county-2024.xlsx").report)
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for number in range(1, count + 1):
            source = Path(folder) / f"报告{number:02d}.docx"
            source.write_bytes(docx)
            sources.append(source)
        start = time.perf_counter()
        for source in sources:
            convert_to_pdf(source, Path(folder) / "one-by-one" / f"{source.stem}.pdf")
        one_by_one = time.perf_counter() - start
        start = time.perf_counter()
        results = convert_many(sources, Path(folder) / "together")
        together = time.perf_counter() - start
        failed = [source.name for source, error in results.items() if error is not None]
        if failed:
            raise SystemExit(f"not converted: {failed}")
    print(f"{count} documents, one LibreOffice start each: {one_by_one:.1f} s ({one_by_one / count:.2f} s a document)")
    print(f"{count} documents, one LibreOffice start:      {together:.1f} s ({together / count:.2f} s a document)")
    print(f"one by one / together: {one_by_one / together:.1f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
