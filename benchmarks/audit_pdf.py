"""How fast ``gaidocx audit`` reads published PDFs, as ratios measured in one run (issue 16).

    python benchmarks/audit_pdf.py [--runs 7] [--batch 100]

Builds a published-like PDF (a report typed in Word with real merges, exported by
LibreOffice: 6 pages), then times whole processes, each gaidocx run right after its
floor, and prints medians and ratios:

- ``gaidocx audit report.pdf``  ≤ 1.3 × a plain pdfplumber script that opens the PDF and calls
  ``extract_tables()`` and ``extract_text()`` on every page;
- ``gaidocx audit FOLDER`` of 100 such PDFs (read in parallel)  ≤ 60 × one audit.

Needs LibreOffice; run it after `pip install .`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from audit_fixtures import REAL, Layout, make_docx, printed_figures  # noqa: E402
from support import varied_report  # noqa: E402

from gaidocx.document.pdf import convert_many  # noqa: E402

PLAIN = (
    "import sys, pdfplumber\n"
    "with pdfplumber.open(sys.argv[1]) as pdf:\n"
    "    for page in pdf.pages:\n"
    "        page.extract_tables()\n"
    "        page.extract_text()\n"
)


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    gaidocx = shutil.which("gaidocx") or sys.exit("gaidocx is not installed: pip install . first")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        report = varied_report()
        docx = work / "报告.docx"
        docx.write_bytes(make_docx(report, printed_figures(report), Layout(merges=REAL)))
        error = convert_many([docx], work)[docx]
        if error is not None:
            sys.exit(f"LibreOffice failed: {error}")
        pdf = work / "报告.pdf"
        import pdfplumber

        with pdfplumber.open(pdf) as opened:
            pages = len(opened.pages)
        plain, audit = [], []
        for _ in range(args.runs):
            plain.append(seconds([sys.executable, "-c", PLAIN, str(pdf)]))
            audit.append(seconds([gaidocx, "audit", str(pdf)]))
        plain_median, audit_median = statistics.median(plain), statistics.median(audit)
        print(f"one PDF ({pages} pages)     audit {audit_median:.3f} s   plain pdfplumber {plain_median:.3f} s   "
              f"ratio {audit_median / plain_median:.2f} (target ≤ 1.3)")
        batch = work / "batch"
        batch.mkdir()
        for number in range(args.batch):
            shutil.copy(pdf, batch / f"报告{number:03d}.pdf")
        many = statistics.median(seconds([gaidocx, "audit", str(batch)]) for _ in range(max(1, args.runs // 3)))
        print(f"{args.batch} PDFs in one run  {many:.3f} s   ratio to one audit {many / audit_median:.1f} (target ≤ 60)")


if __name__ == "__main__":
    main()
